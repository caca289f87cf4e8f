//===- CudaDriver.h - the CUDA Driver API, loaded at run time ---*- C++ -*-===//
//
// libcuda.so.1 is opened with dlopen and its entry points resolved with
// cuGetProcAddress, so that one libmmrec runs with and without a GPU. Only
// the types of cuda.h are used at build time.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_RUNTIME_CUDADRIVER_H
#define MMREC_RUNTIME_CUDADRIVER_H

#include <cuda.h>

#include <string>

namespace mmrec {

struct CudaDriver {
  /// The driver, loaded and initialized once per process; throws
  /// mmrec::Error saying why when there is no driver or no GPU.
  static const CudaDriver &get();

  /// Throws mmrec::Error "<context>: <what> failed: CUDA_ERROR_...: <text>"
  /// unless `result` is CUDA_SUCCESS.
  void check(CUresult result, const std::string &context, const char *what) const;

  int version = 0; // cuDriverGetVersion, e.g. 13000

#define MMREC_CUDA_FUNCTIONS(X)                                                                    \
  X(cuInit)                                                                                        \
  X(cuDriverGetVersion)                                                                            \
  X(cuGetErrorName)                                                                                \
  X(cuGetErrorString)                                                                              \
  X(cuDeviceGet)                                                                                   \
  X(cuDeviceGetCount)                                                                              \
  X(cuDeviceGetName)                                                                               \
  X(cuDeviceGetAttribute)                                                                          \
  X(cuDevicePrimaryCtxRetain)                                                                      \
  X(cuDevicePrimaryCtxRelease)                                                                     \
  X(cuCtxGetCurrent)                                                                               \
  X(cuCtxPushCurrent)                                                                              \
  X(cuCtxPopCurrent)                                                                               \
  X(cuCtxSynchronize)                                                                              \
  X(cuModuleLoadDataEx)                                                                            \
  X(cuModuleUnload)                                                                                \
  X(cuModuleGetFunction)                                                                           \
  X(cuFuncGetAttribute)                                                                            \
  X(cuFuncSetAttribute)                                                                            \
  X(cuLaunchKernel)                                                                                \
  X(cuStreamIsCapturing)                                                                           \
  X(cuStreamBeginCapture)                                                                          \
  X(cuStreamEndCapture)                                                                            \
  X(cuGraphInstantiateWithFlags)                                                                   \
  X(cuGraphLaunch)                                                                                 \
  X(cuGraphExecDestroy)                                                                            \
  X(cuGraphDestroy)                                                                                \
  X(cuMemAlloc)                                                                                    \
  X(cuMemFree)                                                                                     \
  X(cuMemsetD32Async)                                                                              \
  X(cuMemcpyDtoDAsync)                                                                             \
  X(cuMemGetInfo)                                                                                  \
  X(cuStreamCreate)                                                                                \
  X(cuStreamDestroy)                                                                               \
  X(cuStreamSynchronize)                                                                           \
  X(cuEventCreate)                                                                                 \
  X(cuEventDestroy)                                                                                \
  X(cuEventRecord)                                                                                 \
  X(cuEventQuery)                                                                                  \
  X(cuEventSynchronize)                                                                            \
  X(cuEventElapsedTime)                                                                            \
  X(cuMemcpyHtoD)                                                                                  \
  X(cuMemcpyDtoH)

#define MMREC_CUDA_DECLARE(name) decltype(&::name) name = nullptr;
  MMREC_CUDA_FUNCTIONS(MMREC_CUDA_DECLARE)
#undef MMREC_CUDA_DECLARE

private:
  CudaDriver();
};

/// Makes the primary context of a device current on this thread for the
/// scope (mmrec shares it with PyTorch and the CUDA runtime).
class CudaContextScope {
public:
  CudaContextScope(const CudaDriver &driver, CUcontext context, const std::string &what);
  ~CudaContextScope();
  CudaContextScope(const CudaContextScope &) = delete;
  CudaContextScope &operator=(const CudaContextScope &) = delete;

private:
  const CudaDriver &driver;
};

} // namespace mmrec

#endif // MMREC_RUNTIME_CUDADRIVER_H
