//===- CudaCompiler.h - kernels to CUDA modules -----------------*- C++ -*-===//
//
// A fused kernel -> one gpu.func per group (-mmrec-lower-to-gpu) -> PTX
// (-mmrec-to-ptx) -> a CUDA module loaded from the PTX: the driver assembles
// it (and keeps the machine code in its own JIT cache). The PTX is what the
// disk cache keeps: the driver's JIT linker (cuLink*) would assemble it as
// relocatable code, which took up to 1.7x the registers of ptxas (a lower
// occupancy) on the H100.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_RUNTIME_CUDACOMPILER_H
#define MMREC_RUNTIME_CUDACOMPILER_H

#include "CudaDriver.h"

#include "mlir/IR/BuiltinOps.h"

#include <memory>
#include <string>
#include <vector>

namespace mmrec {

/// A GPU and its primary context, retained while anything uses it.
struct CudaDevice {
  CudaDevice(const CudaDriver &driver, int ordinal);
  ~CudaDevice();
  CudaDevice(const CudaDevice &) = delete;
  CudaDevice &operator=(const CudaDevice &) = delete;

  const CudaDriver &driver;
  CUdevice device = 0;
  CUcontext context = nullptr;
  std::string name;
  int computeCapability = 0; // 90 for sm_90
  int multiprocessors = 0;
  /// The architecture kernels are compiled for: sm_90a on 9.0, else sm_XY.
  std::string chip() const;
};

/// The most scratch memrefs a GPU kernel takes (one per scan operand).
constexpr size_t kMaxScratchMemrefs = 8;

/// How one GPU kernel is launched (from its gpu.func attributes); a group
/// has one (`lanes`) or several, launched in order (`chunked`).
struct CudaLaunch {
  std::string name;
  unsigned group = 0;
  int64_t blockThreads = 0;
  int64_t lanesPerThread = 1;
  /// 0: a thread per lane block; C: a thread per lane block and chunk of C.
  int64_t chunk = 0;
  /// L > 0: a block per L lane blocks and chunk, its threads sharing a chunk.
  int64_t blockLanes = 0;
  /// The chunk length of the group's scratch (its largest `chunk`), and the
  /// bytes of each scratch element: (lane blocks x lanes per thread x
  /// chunks) of each.
  int64_t scratchChunk = 0;
  std::vector<int64_t> scratchElementBytes;
  /// A lookback kernel's tagged words per lane and chunk (the
  /// `mmrec.tile_state` attribute; 0: not a lookback kernel). Its tile
  /// state follows the scratch memrefs, and the grid has a row of blocks
  /// even for an empty axis.
  int64_t tileWordsPerLane = 0;
  bool lookback() const { return tileWordsPerLane > 0; }
  /// Dynamic shared memory a block takes (`mmrec.dynamic_shared`: a staging
  /// buffer over the static 48 KiB), opted in at load, passed at launch.
  int64_t dynamicSharedBytes = 0;
};

/// The fused module lowered to gpu.func kernels: the launch of each group.
/// `module` is changed.
std::vector<CudaLaunch> lowerToGpuKernels(mlir::ModuleOp module, const std::string &kernel);

/// The PTX of a module that lowerToGpuKernels produced, for `chip`.
std::string compileToPtx(mlir::ModuleOp module, const std::string &kernel, const std::string &chip);

struct CudaGroup {
  CUfunction function = nullptr;
  CudaLaunch launch;
};

/// A loaded module; unloaded (in its context) when the last kernel using it
/// goes away.
struct CudaCode {
  std::shared_ptr<const CudaDevice> device;
  CUmodule module = nullptr;
  std::vector<CudaGroup> groups;
  ~CudaCode();
};

/// Loads `ptx` (the text, no NUL needed) and looks up the function of each
/// launch.
std::unique_ptr<CudaCode> loadPtx(std::shared_ptr<const CudaDevice> device,
                                  const std::vector<char> &ptx, const std::string &kernel,
                                  const std::vector<CudaLaunch> &launches);

} // namespace mmrec

#endif // MMREC_RUNTIME_CUDACOMPILER_H
