//===- FakeCuda.cpp - a CUDA driver without a GPU, for the host-side tests -===//
//
// libmmrec loads this in place of libcuda.so.1 when MMREC_CUDA_DRIVER names
// it. It answers the entry points the runtime resolves as an H100 would
// (compute capability 9.0, 132 multiprocessors), keeps "device" memory in
// host memory, checks that every module it loads is PTX with the entry
// points asked for, and runs no kernel: launches are only counted. So the
// runtime's CUDA paths up to the launch (compiling every variant to PTX, the
// heuristic's choices, scratch and tile state per stream, graph-capture
// errors) run in CI, where there is no GPU; what kernels compute is the GPU
// tests' business.
//
//===----------------------------------------------------------------------===//

#include <cuda.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>

namespace {

struct FakeStream {
  bool capturing = false;
};
struct FakeModule {
  std::string ptx;
};

int contextObject; // the one context's address is its handle
// Trivially destructible: static objects (a test's Context) still push and
// pop at exit, after the thread's thread_local objects are gone.
constexpr int kMaxContextDepth = 64;
thread_local CUcontext contextStack[kMaxContextDepth];
thread_local int contextDepth = 0;
std::atomic<long> launches{0};

/// Streams the runtime and tests created (not the legacy / per-thread ones).
FakeStream *streamOf(CUstream stream) {
  auto value = reinterpret_cast<uintptr_t>(stream);
  if (value <= 2) // null, CU_STREAM_LEGACY, CU_STREAM_PER_THREAD
    return nullptr;
  return reinterpret_cast<FakeStream *>(stream);
}

CUresult init(unsigned) { return CUDA_SUCCESS; }
CUresult driverGetVersion(int *version) {
  *version = 13000;
  return CUDA_SUCCESS;
}
CUresult getErrorName(CUresult, const char **name) {
  *name = "CUDA_ERROR_FAKE";
  return CUDA_SUCCESS;
}
CUresult getErrorString(CUresult, const char **text) {
  *text = "an error of the fake CUDA driver";
  return CUDA_SUCCESS;
}
CUresult deviceGet(CUdevice *device, int ordinal) {
  if (ordinal != 0)
    return CUDA_ERROR_INVALID_DEVICE;
  *device = 0;
  return CUDA_SUCCESS;
}
CUresult deviceGetCount(int *count) {
  *count = 1;
  return CUDA_SUCCESS;
}
CUresult deviceGetName(char *name, int length, CUdevice) {
  std::strncpy(name, "Fake H100 (mmrec tests, no GPU)", static_cast<size_t>(length));
  return CUDA_SUCCESS;
}
CUresult deviceGetAttribute(int *value, CUdevice_attribute attribute, CUdevice) {
  switch (attribute) {
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR:
    *value = 9;
    return CUDA_SUCCESS;
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR:
    *value = 0;
    return CUDA_SUCCESS;
  case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT:
    *value = 132;
    return CUDA_SUCCESS;
  case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN:
    *value = 227 << 10;
    return CUDA_SUCCESS;
  case CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE:
    *value = 50 << 20;
    return CUDA_SUCCESS;
  default:
    *value = 0;
    return CUDA_SUCCESS;
  }
}
CUresult primaryCtxRetain(CUcontext *context, CUdevice) {
  *context = reinterpret_cast<CUcontext>(&contextObject);
  return CUDA_SUCCESS;
}
CUresult primaryCtxRelease(CUdevice) { return CUDA_SUCCESS; }
CUresult ctxGetCurrent(CUcontext *context) {
  *context = contextDepth ? contextStack[contextDepth - 1] : nullptr;
  return CUDA_SUCCESS;
}
CUresult ctxPushCurrent(CUcontext context) {
  if (contextDepth == kMaxContextDepth)
    return CUDA_ERROR_INVALID_VALUE;
  contextStack[contextDepth++] = context;
  return CUDA_SUCCESS;
}
CUresult ctxPopCurrent(CUcontext *context) {
  if (!contextDepth)
    return CUDA_ERROR_INVALID_CONTEXT;
  --contextDepth;
  if (context)
    *context = contextStack[contextDepth];
  return CUDA_SUCCESS;
}
CUresult ctxSynchronize() { return CUDA_SUCCESS; }

CUresult moduleLoadDataEx(CUmodule *module, const void *image, unsigned, CUjit_option *,
                          void **) {
  const char *text = static_cast<const char *>(image);
  if (!text || !std::strstr(text, ".version") || !std::strstr(text, ".entry"))
    return CUDA_ERROR_INVALID_PTX;
  *module = reinterpret_cast<CUmodule>(new FakeModule{text});
  return CUDA_SUCCESS;
}
CUresult moduleUnload(CUmodule module) {
  delete reinterpret_cast<FakeModule *>(module);
  return CUDA_SUCCESS;
}
CUresult moduleGetFunction(CUfunction *function, CUmodule module, const char *name) {
  const std::string &ptx = reinterpret_cast<FakeModule *>(module)->ptx;
  if (ptx.find(".entry " + std::string(name) + "(") == std::string::npos)
    return CUDA_ERROR_NOT_FOUND;
  *function = reinterpret_cast<CUfunction>(module);
  return CUDA_SUCCESS;
}
CUresult funcGetAttribute(int *value, CUfunction_attribute, CUfunction) {
  *value = 0;
  return CUDA_SUCCESS;
}
// The dynamic shared memory a kernel may take: at most the opt-in limit.
CUresult funcSetAttribute(CUfunction function, CUfunction_attribute attribute, int value) {
  if (!function || attribute != CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES || value < 0 ||
      value > (227 << 10))
    return CUDA_ERROR_INVALID_VALUE;
  return CUDA_SUCCESS;
}
CUresult launchKernel(CUfunction function, unsigned gridX, unsigned gridY, unsigned gridZ,
                      unsigned blockX, unsigned blockY, unsigned blockZ, unsigned, CUstream,
                      void **params, void **extra) {
  if (!function || gridX * gridY * gridZ == 0 || blockX * blockY * blockZ == 0 ||
      blockX * blockY * blockZ > 1024 || (!params && !extra) || (params && extra))
    return CUDA_ERROR_INVALID_VALUE;
  if (extra) {
    // A packed parameter buffer: its pointer and size, then the end.
    const void *buffer = nullptr;
    const size_t *size = nullptr;
    for (; *extra != CU_LAUNCH_PARAM_END; extra += 2) {
      if (extra[0] == CU_LAUNCH_PARAM_BUFFER_POINTER)
        buffer = extra[1];
      else if (extra[0] == CU_LAUNCH_PARAM_BUFFER_SIZE)
        size = static_cast<const size_t *>(extra[1]);
      else
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (!buffer || !size || *size == 0 || *size % 8 != 0)
      return CUDA_ERROR_INVALID_VALUE;
  }
  ++launches;
  return CUDA_SUCCESS;
}
CUresult streamIsCapturing(CUstream stream, CUstreamCaptureStatus *status) {
  FakeStream *fake = streamOf(stream);
  *status = fake && fake->capturing ? CU_STREAM_CAPTURE_STATUS_ACTIVE
                                    : CU_STREAM_CAPTURE_STATUS_NONE;
  return CUDA_SUCCESS;
}
// Graphs: capture marks the stream; a graph holds nothing (no kernel runs).
CUresult streamBeginCapture(CUstream stream, CUstreamCaptureMode) {
  FakeStream *fake = streamOf(stream);
  if (!fake || fake->capturing)
    return CUDA_ERROR_INVALID_VALUE;
  fake->capturing = true;
  return CUDA_SUCCESS;
}
CUresult streamEndCapture(CUstream stream, CUgraph *graph) {
  FakeStream *fake = streamOf(stream);
  if (!fake || !fake->capturing)
    return CUDA_ERROR_ILLEGAL_STATE;
  fake->capturing = false;
  *graph = reinterpret_cast<CUgraph>(fake);
  return CUDA_SUCCESS;
}
CUresult graphInstantiateWithFlags(CUgraphExec *exec, CUgraph graph, unsigned long long) {
  *exec = reinterpret_cast<CUgraphExec>(graph);
  return CUDA_SUCCESS;
}
CUresult graphLaunch(CUgraphExec, CUstream) { return CUDA_SUCCESS; }
CUresult graphExecDestroy(CUgraphExec) { return CUDA_SUCCESS; }
CUresult graphDestroy(CUgraph) { return CUDA_SUCCESS; }
CUresult memAlloc(CUdeviceptr *pointer, size_t bytes) {
  void *memory = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
  if (!memory)
    return CUDA_ERROR_OUT_OF_MEMORY;
  *pointer = reinterpret_cast<CUdeviceptr>(memory);
  return CUDA_SUCCESS;
}
CUresult memFree(CUdeviceptr pointer) {
  std::free(reinterpret_cast<void *>(pointer));
  return CUDA_SUCCESS;
}
CUresult memsetD32Async(CUdeviceptr pointer, unsigned value, size_t count, CUstream) {
  auto *words = reinterpret_cast<unsigned *>(pointer);
  for (size_t i = 0; i < count; ++i)
    words[i] = value;
  return CUDA_SUCCESS;
}
CUresult memcpyDtoDAsync(CUdeviceptr to, CUdeviceptr from, size_t bytes, CUstream) {
  std::memmove(reinterpret_cast<void *>(to), reinterpret_cast<void *>(from), bytes);
  return CUDA_SUCCESS;
}
CUresult memGetInfo(size_t *free, size_t *total) {
  *free = size_t(64) << 30;
  *total = size_t(80) << 30;
  return CUDA_SUCCESS;
}
CUresult streamCreate(CUstream *stream, unsigned) {
  *stream = reinterpret_cast<CUstream>(new FakeStream);
  return CUDA_SUCCESS;
}
CUresult streamDestroy(CUstream stream) {
  delete streamOf(stream);
  return CUDA_SUCCESS;
}
CUresult streamSynchronize(CUstream) { return CUDA_SUCCESS; }
CUresult eventCreate(CUevent *event, unsigned) {
  *event = reinterpret_cast<CUevent>(new int);
  return CUDA_SUCCESS;
}
CUresult eventDestroy(CUevent event) {
  delete reinterpret_cast<int *>(event);
  return CUDA_SUCCESS;
}
CUresult eventRecord(CUevent, CUstream) { return CUDA_SUCCESS; }
CUresult eventSynchronize(CUevent) { return CUDA_SUCCESS; }
CUresult eventQuery(CUevent) { return CUDA_SUCCESS; }
CUresult eventElapsedTime(float *ms, CUevent, CUevent) {
  *ms = 0;
  return CUDA_SUCCESS;
}
CUresult memcpyHtoD(CUdeviceptr to, const void *from, size_t bytes) {
  std::memcpy(reinterpret_cast<void *>(to), from, bytes);
  return CUDA_SUCCESS;
}
CUresult memcpyDtoH(void *to, CUdeviceptr from, size_t bytes) {
  std::memcpy(to, reinterpret_cast<const void *>(from), bytes);
  return CUDA_SUCCESS;
}

const std::unordered_map<std::string, void *> &entryPoints() {
  static const std::unordered_map<std::string, void *> table = {
      {"cuInit", reinterpret_cast<void *>(&init)},
      {"cuDriverGetVersion", reinterpret_cast<void *>(&driverGetVersion)},
      {"cuGetErrorName", reinterpret_cast<void *>(&getErrorName)},
      {"cuGetErrorString", reinterpret_cast<void *>(&getErrorString)},
      {"cuDeviceGet", reinterpret_cast<void *>(&deviceGet)},
      {"cuDeviceGetCount", reinterpret_cast<void *>(&deviceGetCount)},
      {"cuDeviceGetName", reinterpret_cast<void *>(&deviceGetName)},
      {"cuDeviceGetAttribute", reinterpret_cast<void *>(&deviceGetAttribute)},
      {"cuDevicePrimaryCtxRetain", reinterpret_cast<void *>(&primaryCtxRetain)},
      {"cuDevicePrimaryCtxRelease", reinterpret_cast<void *>(&primaryCtxRelease)},
      {"cuCtxGetCurrent", reinterpret_cast<void *>(&ctxGetCurrent)},
      {"cuCtxPushCurrent", reinterpret_cast<void *>(&ctxPushCurrent)},
      {"cuCtxPopCurrent", reinterpret_cast<void *>(&ctxPopCurrent)},
      {"cuCtxSynchronize", reinterpret_cast<void *>(&ctxSynchronize)},
      {"cuModuleLoadDataEx", reinterpret_cast<void *>(&moduleLoadDataEx)},
      {"cuModuleUnload", reinterpret_cast<void *>(&moduleUnload)},
      {"cuModuleGetFunction", reinterpret_cast<void *>(&moduleGetFunction)},
      {"cuFuncGetAttribute", reinterpret_cast<void *>(&funcGetAttribute)},
      {"cuFuncSetAttribute", reinterpret_cast<void *>(&funcSetAttribute)},
      {"cuLaunchKernel", reinterpret_cast<void *>(&launchKernel)},
      {"cuStreamIsCapturing", reinterpret_cast<void *>(&streamIsCapturing)},
      {"cuStreamBeginCapture", reinterpret_cast<void *>(&streamBeginCapture)},
      {"cuStreamEndCapture", reinterpret_cast<void *>(&streamEndCapture)},
      {"cuGraphInstantiateWithFlags", reinterpret_cast<void *>(&graphInstantiateWithFlags)},
      {"cuGraphLaunch", reinterpret_cast<void *>(&graphLaunch)},
      {"cuGraphExecDestroy", reinterpret_cast<void *>(&graphExecDestroy)},
      {"cuGraphDestroy", reinterpret_cast<void *>(&graphDestroy)},
      {"cuMemAlloc", reinterpret_cast<void *>(&memAlloc)},
      {"cuMemFree", reinterpret_cast<void *>(&memFree)},
      {"cuMemsetD32Async", reinterpret_cast<void *>(&memsetD32Async)},
      {"cuMemcpyDtoDAsync", reinterpret_cast<void *>(&memcpyDtoDAsync)},
      {"cuMemGetInfo", reinterpret_cast<void *>(&memGetInfo)},
      {"cuStreamCreate", reinterpret_cast<void *>(&streamCreate)},
      {"cuStreamDestroy", reinterpret_cast<void *>(&streamDestroy)},
      {"cuStreamSynchronize", reinterpret_cast<void *>(&streamSynchronize)},
      {"cuEventCreate", reinterpret_cast<void *>(&eventCreate)},
      {"cuEventDestroy", reinterpret_cast<void *>(&eventDestroy)},
      {"cuEventRecord", reinterpret_cast<void *>(&eventRecord)},
      {"cuEventQuery", reinterpret_cast<void *>(&eventQuery)},
      {"cuEventSynchronize", reinterpret_cast<void *>(&eventSynchronize)},
      {"cuEventElapsedTime", reinterpret_cast<void *>(&eventElapsedTime)},
      {"cuMemcpyHtoD", reinterpret_cast<void *>(&memcpyHtoD)},
      {"cuMemcpyDtoH", reinterpret_cast<void *>(&memcpyDtoH)},
  };
  return table;
}

} // namespace

extern "C" {

__attribute__((visibility("default"))) CUresult
cuGetProcAddress_v2(const char *symbol, void **function, int, cuuint64_t,
                    CUdriverProcAddressQueryResult *status) {
  auto it = entryPoints().find(symbol);
  *function = it == entryPoints().end() ? nullptr : it->second;
  if (status)
    *status = *function ? CU_GET_PROC_ADDRESS_SUCCESS : CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
  return *function ? CUDA_SUCCESS : CUDA_ERROR_NOT_FOUND;
}

/// Test hooks: kernels launched so far; make `stream` report capturing.
__attribute__((visibility("default"))) long fakeCudaLaunches() { return launches; }
__attribute__((visibility("default"))) void fakeCudaSetCapturing(CUstream stream, int capturing) {
  if (FakeStream *fake = streamOf(stream))
    fake->capturing = capturing != 0;
}

} // extern "C"
