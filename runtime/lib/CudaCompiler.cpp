//===- CudaCompiler.cpp - kernels to CUDA modules -------------------------===//

#include "CudaCompiler.h"
#include "Log.h"

#include "mmrec/Error.h"
#include "mmrec/Pipelines/Pipelines.h"
#include "mmrec/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace mmrec {

namespace {
/// Runs `build`'s passes on `module`; throws with the diagnostics.
void runPipeline(ModuleOp module, const std::string &kernel, const char *stage,
                 function_ref<void(OpPassManager &)> build) {
  std::string diagnostics;
  ScopedDiagnosticHandler handler(module.getContext(), [&](Diagnostic &diag) {
    llvm::raw_string_ostream(diagnostics) << diag.getLocation() << ": " << diag << "\n";
    return success();
  });
  PassManager pm(module.getContext());
  build(pm);
  if (failed(pm.run(module)))
    throw Error("mmrec kernel '" + kernel + "': " + stage + " failed:\n" + diagnostics);
}
} // namespace

CudaDevice::CudaDevice(const CudaDriver &driver, int ordinal) : driver(driver) {
  driver.check(driver.cuDeviceGet(&device, ordinal), "mmrec", "cuDeviceGet");
  char text[256] = {};
  driver.check(driver.cuDeviceGetName(text, sizeof(text) - 1, device), "mmrec",
               "cuDeviceGetName");
  name = text;
  int major = 0, minor = 0;
  driver.check(driver.cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                                           device),
               "mmrec", "cuDeviceGetAttribute");
  driver.check(driver.cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                                           device),
               "mmrec", "cuDeviceGetAttribute");
  driver.check(driver.cuDeviceGetAttribute(&multiprocessors,
                                           CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device),
               "mmrec", "cuDeviceGetAttribute");
  computeCapability = major * 10 + minor;
  if (computeCapability < 80)
    throw Error("mmrec: " + name + " has compute capability " + std::to_string(major) + "." +
                std::to_string(minor) + "; the CUDA backend needs 8.0 or later (sm_80)");
  driver.check(driver.cuDevicePrimaryCtxRetain(&context, device), "mmrec",
               "cuDevicePrimaryCtxRetain");
}

CudaDevice::~CudaDevice() { driver.cuDevicePrimaryCtxRelease(device); }

std::string CudaDevice::chip() const {
  // sm_90a: Hopper's architecture-specific features; its cubins run on 9.0 only.
  return "sm_" + std::to_string(computeCapability) + (computeCapability == 90 ? "a" : "");
}

std::vector<CudaLaunch> lowerToGpuKernels(ModuleOp module, const std::string &kernel) {
  runPipeline(module, kernel, "the GPU lowering",
              [](OpPassManager &pm) { buildGpuKernelPipeline(pm, GpuPipelineOptions()); });
  std::vector<CudaLaunch> launches;
  for (auto gpuModule : module.getOps<gpu::GPUModuleOp>())
    for (auto func : gpuModule.getOps<gpu::GPUFuncOp>()) {
      auto threads = func->getAttrOfType<IntegerAttr>("mmrec.block_threads");
      auto lanes = func->getAttrOfType<IntegerAttr>("mmrec.lanes_per_thread");
      auto group = func->getAttrOfType<IntegerAttr>("mmrec.group");
      auto chunk = func->getAttrOfType<IntegerAttr>("mmrec.chunk");
      auto scratch = func->getAttrOfType<ArrayAttr>("mmrec.scratch");
      auto blockLanes = func->getAttrOfType<IntegerAttr>("mmrec.block_lanes");
      if (!threads || !lanes || !group || !chunk || !scratch || !blockLanes)
        throw Error("mmrec kernel '" + kernel + "': GPU kernel " + func.getName().str() +
                    " has no launch attributes");
      CudaLaunch launch;
      launch.name = func.getName().str();
      launch.group = static_cast<unsigned>(group.getInt());
      launch.blockThreads = threads.getInt();
      launch.lanesPerThread = lanes.getInt();
      launch.chunk = chunk.getInt();
      launch.blockLanes = blockLanes.getInt();
      if (auto words = func->getAttrOfType<IntegerAttr>("mmrec.tile_state"))
        launch.tileWordsPerLane = words.getInt();
      if (auto bytes = func->getAttrOfType<IntegerAttr>("mmrec.dynamic_shared"))
        launch.dynamicSharedBytes = bytes.getInt();
      for (Attribute type : scratch)
        launch.scratchElementBytes.push_back(
            cast<TypeAttr>(type).getValue().getIntOrFloatBitWidth() / 8);
      // The launch passes the scratch memrefs in a fixed-size parameter array.
      if (launch.scratchElementBytes.size() > kMaxScratchMemrefs)
        throw Error("mmrec kernel '" + kernel + "': " +
                    std::to_string(launch.scratchElementBytes.size()) +
                    " scratch memrefs (chunked: one per scan operand); at most " +
                    std::to_string(kMaxScratchMemrefs));
      launches.push_back(std::move(launch));
    }
  for (CudaLaunch &launch : launches)
    for (const CudaLaunch &other : launches)
      if (other.group == launch.group)
        launch.scratchChunk = std::max(launch.scratchChunk, other.chunk);
  return launches;
}

std::string compileToPtx(ModuleOp module, const std::string &kernel, const std::string &chip) {
  GpuPipelineOptions options;
  options.chip = chip;
  runPipeline(module, kernel, "the PTX code generation",
              [&](OpPassManager &pm) { buildPtxPipeline(pm, options); });
  std::vector<GpuKernelModule> modules = collectPtx(module);
  if (modules.size() != 1)
    throw Error("mmrec kernel '" + kernel + "': expected one PTX module, got " +
                std::to_string(modules.size()));
  return modules.front().ptx;
}

CudaCode::~CudaCode() {
  if (!module)
    return;
  const CudaDriver &driver = device->driver;
  if (driver.cuCtxPushCurrent(device->context) == CUDA_SUCCESS) {
    driver.cuModuleUnload(module);
    CUcontext popped;
    driver.cuCtxPopCurrent(&popped);
  }
}

/// What the code of a GPU kernel uses: registers (occupancy), local memory
/// (spills), static shared memory.
static void logResources(const CudaDriver &driver, CUfunction function, const std::string &name) {
  auto attribute = [&](CUfunction_attribute which) {
    int value = -1;
    driver.cuFuncGetAttribute(&value, which, function);
    return std::to_string(value);
  };
  log(LogLevel::Info, "GPU kernel '" + name + "': " + attribute(CU_FUNC_ATTRIBUTE_NUM_REGS) +
                          " registers, " + attribute(CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES) +
                          " bytes local memory (spills), " +
                          attribute(CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES) +
                          " bytes static shared memory");
}

std::unique_ptr<CudaCode> loadPtx(std::shared_ptr<const CudaDevice> device,
                                  const std::vector<char> &ptx, const std::string &kernel,
                                  const std::vector<CudaLaunch> &launches) {
  const CudaDriver &driver = device->driver;
  std::string context = "mmrec kernel '" + kernel + "'";
  CudaContextScope scope(driver, device->context, context);
  auto code = std::make_unique<CudaCode>();
  code->device = device;
  std::string text(ptx.begin(), ptx.end()); // NUL-terminated for the driver
  char errorLog[8192] = {};
  CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {errorLog, reinterpret_cast<void *>(sizeof(errorLog) - 1)};
  CUresult loaded = driver.cuModuleLoadDataEx(&code->module, text.c_str(), 2, options, values);
  if (loaded != CUDA_SUCCESS) {
    try {
      driver.check(loaded, context, "cuModuleLoadDataEx (the driver's PTX assembler)");
    } catch (const Error &error) {
      throw Error(std::string(error.what()) + "\n" + errorLog +
                  "\nto reproduce: mmrec-translate --emit-ptx --chip=" + device->chip() +
                  " --kernel " + kernel + " FILE.mlir -o k.ptx && ptxas -arch=" + device->chip() +
                  " k.ptx");
    }
  }
  for (const CudaLaunch &launch : launches) {
    CudaGroup group{nullptr, launch};
    driver.check(driver.cuModuleGetFunction(&group.function, code->module, launch.name.c_str()),
                 context, ("cuModuleGetFunction(" + launch.name + ")").c_str());
    if (launch.dynamicSharedBytes > 0) {
      int static_ = 0, optIn = 0;
      driver.cuFuncGetAttribute(&static_, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, group.function);
      driver.check(
          driver.cuDeviceGetAttribute(&optIn, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
                                      device->device),
          context, "cuDeviceGetAttribute");
      if (static_ + launch.dynamicSharedBytes > optIn)
        throw Error(context + ": GPU kernel " + launch.name + " needs " +
                    std::to_string(static_ + launch.dynamicSharedBytes) +
                    " bytes of shared memory a block (" +
                    std::to_string(launch.dynamicSharedBytes) +
                    " of them its staging buffer); this GPU allows " + std::to_string(optIn) +
                    ": use a tiling with fewer lanes or steps a tile");
      driver.check(driver.cuFuncSetAttribute(group.function,
                                             CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                                             static_cast<int>(launch.dynamicSharedBytes)),
                   context, "cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES)");
    }
    if (logLevel() >= LogLevel::Info)
      logResources(driver, group.function, launch.name);
    code->groups.push_back(group);
  }
  return code;
}

} // namespace mmrec
