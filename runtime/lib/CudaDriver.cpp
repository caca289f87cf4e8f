//===- CudaDriver.cpp - the CUDA Driver API, loaded at run time -----------===//

#include "CudaDriver.h"

#include "mmrec/Error.h"

#include <cstdlib>
#include <dlfcn.h>
#include <memory>

namespace mmrec {

namespace {
/// The driver API version whose entry points mmrec asks for: every function
/// it uses has had this ABI since CUDA 12.0, so drivers from 12.0 on work.
constexpr int kRequestedApiVersion = 12000;

using GetProcAddress = CUresult (*)(const char *, void **, int, cuuint64_t,
                                    CUdriverProcAddressQueryResult *);
} // namespace

CudaDriver::CudaDriver() {
  // MMREC_CUDA_DRIVER: another driver library (a compat package's, or the
  // tests' fake one) instead of the system's.
  const char *path = std::getenv("MMREC_CUDA_DRIVER");
  std::string file = path && *path ? path : "libcuda.so.1";
  void *library = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library)
    throw Error("mmrec: no CUDA driver: cannot load " + file + " (" + dlerror() +
                "); use the cpu device (MMREC_DEVICE=cpu)");
  auto getProc = reinterpret_cast<GetProcAddress>(dlsym(library, "cuGetProcAddress_v2"));
  if (!getProc)
    throw Error("mmrec: the CUDA driver is older than 12.0 (no cuGetProcAddress_v2); mmrec needs "
                "a driver for CUDA 12.0 or later");
  auto resolve = [&](const char *name, void **slot) {
    CUdriverProcAddressQueryResult status;
    CUresult result = getProc(name, slot, kRequestedApiVersion, CU_GET_PROC_ADDRESS_DEFAULT,
                              &status);
    if (result != CUDA_SUCCESS || status != CU_GET_PROC_ADDRESS_SUCCESS || !*slot)
      throw Error(std::string("mmrec: the CUDA driver has no ") + name +
                  " for API version 12.0");
  };
#define MMREC_CUDA_RESOLVE(name) resolve(#name, reinterpret_cast<void **>(&name));
  MMREC_CUDA_FUNCTIONS(MMREC_CUDA_RESOLVE)
#undef MMREC_CUDA_RESOLVE
  check(cuInit(0), "mmrec", "cuInit");
  check(cuDriverGetVersion(&version), "mmrec", "cuDriverGetVersion");
  int count = 0;
  check(cuDeviceGetCount(&count), "mmrec", "cuDeviceGetCount");
  if (count == 0)
    throw Error("mmrec: the CUDA driver sees no GPU; use the cpu device (MMREC_DEVICE=cpu)");
}

const CudaDriver &CudaDriver::get() {
  // Built once; a failure is remembered and reported again to each caller.
  static const std::pair<std::unique_ptr<CudaDriver>, std::string> driver = [] {
    try {
      return std::make_pair(std::unique_ptr<CudaDriver>(new CudaDriver()), std::string());
    } catch (const Error &error) {
      return std::make_pair(std::unique_ptr<CudaDriver>(), std::string(error.what()));
    }
  }();
  if (!driver.first)
    throw Error(driver.second);
  return *driver.first;
}

void CudaDriver::check(CUresult result, const std::string &context, const char *what) const {
  if (result == CUDA_SUCCESS)
    return;
  const char *name = nullptr, *text = nullptr;
  if (cuGetErrorName)
    cuGetErrorName(result, &name);
  if (cuGetErrorString)
    cuGetErrorString(result, &text);
  throw Error(context + ": " + what + " failed: " +
              (name ? name : "CUDA error " + std::to_string(result)) +
              (text ? std::string(": ") + text : std::string()));
}

CudaContextScope::CudaContextScope(const CudaDriver &driver, CUcontext context,
                                   const std::string &what)
    : driver(driver) {
  driver.check(driver.cuCtxPushCurrent(context), what, "cuCtxPushCurrent");
}

CudaContextScope::~CudaContextScope() {
  CUcontext popped;
  driver.cuCtxPopCurrent(&popped);
}

} // namespace mmrec
