//===- GroupLowering.h - fused groups to loop nests -------------*- C++ -*-===//
//
// The lowering of one group of a fused kernel (-mmrec-fuse) that the CPU and
// GPU passes share: the group's maps evaluated as scalars per point, lane or
// reduced element, its scan or reduce walking the axis with carries. The CPU
// form is two func.func per group (-mmrec-lower-to-loops); the GPU form is
// one gpu.func kernel (-mmrec-lower-to-gpu).
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_TRANSFORMS_GROUPLOWERING_H
#define MMREC_TRANSFORMS_GROUPLOWERING_H

#include "mmrec/Dialect/Mmrec/MmrecOps.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace mmrec {

/// Attributes of each generated gpu.func that its launch needs: the threads
/// of a block and the lanes each thread owns (see -mmrec-lower-to-gpu).
inline constexpr llvm::StringLiteral kBlockThreadsAttr = "mmrec.block_threads";
inline constexpr llvm::StringLiteral kLanesPerThreadAttr = "mmrec.lanes_per_thread";
/// The group the kernel belongs to (kernels of a group launch in order).
inline constexpr llvm::StringLiteral kGroupAttr = "mmrec.group";
/// 0: one thread per lane block; C > 0: one per lane block and chunk of C
/// steps of the axis.
inline constexpr llvm::StringLiteral kChunkAttr = "mmrec.chunk";
/// 0: threads numbered over lane blocks as above; L > 0: a GPU block covers
/// L lane blocks of one chunk, its threads sharing each lane's chunk (grid:
/// ceil(lane blocks / L) x chunks blocks).
inline constexpr llvm::StringLiteral kBlockLanesAttr = "mmrec.block_lanes";
/// Element types of the scratch memrefs after the kernel's memrefs, each of
/// (lane blocks x lanes per thread x chunks) elements.
inline constexpr llvm::StringLiteral kScratchAttr = "mmrec.scratch";
/// Present on a `lookback` kernel: after its scratch memrefs it takes the
/// group's tile state, a memref<?xi64>: the ticket counter and the launch's
/// epoch, a pad word, then per tile and lane this many tagged words (one
/// per 32-bit piece of the carries); zeroed once when allocated, never
/// reset (each launch has its epoch).
inline constexpr llvm::StringLiteral kTileStateAttr = "mmrec.tile_state";
/// Bytes of dynamic shared memory a launch must give each block (the
/// lookback staging buffer where it does not fit the static 48 KiB).
inline constexpr llvm::StringLiteral kDynamicSharedAttr = "mmrec.dynamic_shared";

/// On an mmrec.kernel (an input of the GPU lowering, set by the runtime's
/// aligned specialization): every argument's data pointer, and each of its
/// strides but the innermost, is a multiple of this many bytes. With 16 and
/// an innermost stride of 1 in the argument's type, a thread moves the
/// `vector` lanes of a point in 16-byte loads and stores.
inline constexpr llvm::StringLiteral kAlignmentAttr = "mmrec.alignment";

/// How the GPU lowering schedules ops that have no #mmrec.tiling.
struct GpuDefaults {
  ScanStrategy strategy = ScanStrategy::lanes;
  int64_t chunk = 256;
};

/// Adds `@<kernel>__group<i>_blocks` and `@<kernel>__group<i>` for each
/// group i of `kernel` at the end of its module, for the CPU (see
/// -mmrec-lower-to-loops).
mlir::LogicalResult lowerKernelToLoops(KernelOp kernel);

/// Adds the gpu.func kernel `@<kernel>__group<i>` for each group i of
/// `kernel` to `gpuModule` (see -mmrec-lower-to-gpu).
mlir::LogicalResult lowerKernelToGpu(KernelOp kernel, mlir::gpu::GPUModuleOp gpuModule,
                                     GpuDefaults defaults = {});

} // namespace mmrec

#endif // MMREC_TRANSFORMS_GROUPLOWERING_H
