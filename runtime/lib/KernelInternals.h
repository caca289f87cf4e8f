//===- KernelInternals.h - what a launch passes to the driver ---*- C++ -*-===//
//
// The cuLaunchKernel calls that Kernel::launch makes, for mmrec-bench's
// launch-overhead baseline (a raw cuLaunchKernel of the same kernel). Not
// installed: tools of this repository only.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_RUNTIME_KERNELINTERNALS_H
#define MMREC_RUNTIME_KERNELINTERNALS_H

#include "mmrec/Context.h"

#include <cuda.h>

#include <cstdint>
#include <vector>

namespace mmrec {

struct RawCudaLaunch {
  CUfunction function = nullptr;
  unsigned grid = 0, block = 0;
  unsigned sharedBytes = 0;   // dynamic shared memory a block
  bool lookback = false;      // a lookback kernel (the strategy the launch took)
  std::vector<int64_t> words; // the parameters, a 64-bit word each
  std::vector<void *> params; // pointers to `words`, as cuLaunchKernel takes them
};

struct KernelInternals {
  /// The launches of `kernel` on `args` and `stream`, in order (checking the
  /// arguments and allocating scratch as Kernel::launch does); the kernel
  /// must be a CUDA one.
  static std::vector<RawCudaLaunch> cudaLaunches(const Kernel &kernel, const TensorView *args,
                                                 size_t count, void *stream);

  /// Everything Kernel::launch does on a GPU but call cuLaunchKernel (the
  /// variant, the checks, the context, scratch, the parameters): the host
  /// cost that is mmrec's own. Returns the launches it prepared.
  static size_t prepareCudaLaunches(const Kernel &kernel, const TensorView *args, size_t count,
                                    void *stream);

  /// The heuristic's lookback tilings (#mmrec.tiling text) of a launch of
  /// `kernel` on `args`, or empty where the launch keeps the kernel's own
  /// code.
  static std::string lookbackTiling(const Kernel &kernel, const TensorView *args, size_t count);
};

} // namespace mmrec

#endif // MMREC_RUNTIME_KERNELINTERNALS_H
