//===- Passes.td - mmrec passes ----------------------------*- tablegen -*-===//
//
// The passes of the mmrec compiler, one per file under compiler/lib/Transforms.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_TRANSFORMS_PASSES
#define MMREC_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def MmrecCheckCombiners : Pass<"mmrec-check-combiners"> {
  let summary = "Reject scan and reduce combiners that are not associative";
  let description = [{
    Evaluates the combiner of every `mmrec.scan` and `mmrec.reduce` on random
    sample triples (a, b, c) and compares `(a ⊕ b) ⊕ c` with `a ⊕ (b ⊕ c)`.
    A combiner that differs by more than `tolerance` (relative, for floats;
    integers must agree exactly) is reported as an error with the
    counterexample, and the pass fails. Parallel scans regroup the
    combinations, so a non-associative combiner gives results that depend on
    the schedule; this catches it at compile time.

    The evaluator knows the arith and math ops that a combiner normally
    holds. A combiner with an op it does not know, or one whose every sample
    left the domain (NaN or infinity on both sides), gets a warning that says
    so; the pass never passes such a combiner silently.

    Floating-point combiners are evaluated in double precision on samples
    drawn from [-2, 2] and from (0, 2] in turn, so that rounding of the
    element type does not hide or fake a violation.
  }];
  let options = [
    Option<"tolerance", "tolerance", "double", /*default=*/"1e-6",
           "Relative difference above which a floating-point combiner is not associative">,
    Option<"samples", "samples", "unsigned", /*default=*/"64",
           "Number of random sample triples per combiner">,
    Option<"seed", "seed", "unsigned", /*default=*/"1",
           "Seed of the random samples (runs are reproducible)">,
  ];
}

def MmrecFuse : Pass<"mmrec-fuse", "::mmrec::KernelOp"> {
  let summary = "Fuse map -> scan -> map and map -> reduce -> map chains into groups";
  let description = [{
    Builds one `mmrec.group` around every scan and reduce of a kernel: the
    maps that compute its inputs and inits (followed through identity
    indexing maps, cloned when they have other users), the scan or reduce,
    and the maps that consume its results (moved in while their other
    inputs are defined before the group). Then every map left alone becomes a
    group of its own, with the maps around it. Values inside a group are never
    written to memory: the group is one pass over it.
  }];
  let dependentDialects = ["::mmrec::MmrecDialect"];
}

def MmrecSpecializeContiguous : Pass<"mmrec-specialize-contiguous", "::mmrec::KernelOp"> {
  let summary = "Specialize a kernel for arguments with unit innermost strides that do not overlap";
  let description = [{
    The runtime's second variant of every kernel, for launches whose
    arguments all have an innermost stride of 1 (or one element there) and
    are disjoint: each argument whose innermost stride is dynamic gets 1,
    and every argument is marked `llvm.noalias`. With `alignment` N > 0 the
    kernel is also marked `mmrec.alignment = N`: data pointers and all
    strides but the innermost are multiples of N bytes, which the GPU
    lowering turns into N-byte vector accesses (the runtime's CUDA variant
    uses 16). `mmrec-translate --aligned` runs it to print the PTX the
    runtime launches on aligned tensors.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"0",
           "Bytes the launches align data and row strides to (0: no claim)">,
  ];
}

def MmrecLowerToLoops : Pass<"mmrec-lower-to-loops", "::mlir::ModuleOp"> {
  let summary = "Lower the groups of each kernel to loop nests for the CPU";
  let description = [{
    Replaces every `mmrec.kernel` (after `-mmrec-fuse`) by two functions per
    group, on the kernel's memref arguments:

    - `@<kernel>__group<i>_blocks(args...) -> index`: the number of lane
      blocks of the group;
    - `@<kernel>__group<i>(args..., %begin: index, %end: index)`: computes
      the lane blocks in [begin, end).

    `args` are the kernel's memrefs followed by one memref per temporary (a
    group result that another group reads, in the order of
    `KernelOp::getTemporaries`) with a unit innermost stride, which the
    caller allocates.

    A lane block is a run of up to `lanes` (from `#mmrec.tiling`, else 256)
    consecutive elements of the innermost non-axis dimension at one index of
    the other non-axis dimensions. A scan walks its axis in scan order
    (backwards when `reverse`) with the block's carries in a stack buffer;
    a chunked reduce does the same per chunk. The maps of the group are
    evaluated per point, per lane (inits and final carries) or per reduced
    element, as scalars. Runs of blocks can go to different threads.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect"];
}

def MmrecLowerToGpu : Pass<"mmrec-lower-to-gpu", "::mlir::ModuleOp"> {
  let summary = "Lower the groups of each kernel to GPU kernels";
  let description = [{
    Replaces every `mmrec.kernel` (after `-mmrec-fuse`) by a `gpu.module` of
    the same name holding one `gpu.func` kernel per group,
    `@<kernel>__group<i>(args...)`, where `args` are the kernel's memrefs
    followed by its temporaries, as for `-mmrec-lower-to-loops`. The module
    gets `gpu.container_module`.

    Strategies (`strategy` of `#mmrec.tiling`, else the pass option):

    - `lanes`: one kernel per group, as below; a reduce with chunks has a
      thread per lane block and chunk.
    - `chunked` (scans): the axis is cut into chunks of `chunk` steps and the
      group becomes three kernels launched in order,
      `@<kernel>__group<i>_aggregate` (a thread per lane block and chunk:
      the chunk's aggregate into scratch), `@<kernel>__group<i>_prefix` (a
      thread per lane block: the carry before each chunk, the final
      carries) and `@<kernel>__group<i>` (a thread per lane block and
      chunk: the chunk rescanned from its carry, the outputs). They take one
      scratch `memref<?xT>` per scan operand after the other memrefs, of
      (lane blocks x `vector` x chunks) elements, allocated by the caller.
    - `lookback` (scans): one kernel, `@<kernel>__group<i>`, one pass over
      memory with decoupled look-back (Merrill and Garland 2016). A block
      covers a tile of `chunk` steps x `lanes` lanes (without a tiling 32;
      lane blocks of `vector` lanes a thread); it takes its tile from a ticket
      counter, its threads
      share each lane's chunk in runs, it publishes each lane's aggregate
      as tagged 64-bit words (a 32-bit piece of a carry, and the launch's
      epoch and a status in the upper half; relaxed stores, no fences),
      looks back over earlier tiles of its lanes a window of runs at a
      time, publishes its inclusive prefix the same way and rescans its
      tile. It takes no scratch memrefs but the tile state, a
      `memref<?xi64>` of 2 + chunks x lane blocks x `vector` x pieces
      words (at least one chunk), zeroed once by
      the caller: the ticket counter (tickets in the low half, the epoch in
      the high half, moved to the next epoch by the last ticket's block),
      a pad, then the tagged words (`mmrec.tile_state` = pieces a lane,
      the 32-bit pieces of its needed carries). The grid is ceil(lane blocks /
      lanes) x max(1, ceil(steps / chunk)) blocks. Concurrent launches must
      not share the tile state; launches one after the other may.
      Floating-point results may differ in the last bits between runs (the
      prefix of a tile is combined from whichever predecessors have
      published).

    Each thread owns one lane block: `vector` consecutive lanes (from
    `#mmrec.tiling`, else 1) of the innermost non-axis dimension at one index
    of the other non-axis dimensions, numbered by the global thread index
    x (`block_id * block_dim + thread_id`); threads past the last block do
    nothing. The thread walks the scan axis in scan order with its carries in
    registers (the lanes of a full block unrolled), evaluating the group's
    maps per point, per lane and per reduced element as the CPU lowering
    does. Each kernel records the launch it needs: `mmrec.block_threads`
    (32 x `warps` of the tiling, else 128), `mmrec.lanes_per_thread`,
    `mmrec.group`, `mmrec.chunk` (0: a thread per lane block; C: a thread
    per lane block and chunk of C steps) and `mmrec.scratch` (the element
    types of its scratch memrefs); the grid is ceil(threads / block_threads)
    blocks.

    Where fewer lanes than threads x `vector` share a chunk (`chunked` and
    `lookback` with a small `lanes`), the block's threads exchange values
    through shared memory, a cell per lane of each thread (at most 48 KiB a
    block: an error names the tiling otherwise); a partial lane block at
    the end of a row repeats its last lane in the others.

    A `lookback` kernel whose threads' full runs are one unrolled batch
    stages their read-only vectors in shared memory (cp.async) in the
    aligned specialization: in a static workgroup buffer where it fits the
    48 KiB with the rest, else in dynamic shared memory (an external shared
    array of no size, `mmrec_dynamic_shared`, declared in the GPU module),
    the kernel then carrying `mmrec.dynamic_shared` (the bytes a launch
    must give each block; up to 227 KiB in all).

    A kernel with `mmrec.alignment = 16` (the runtime's aligned
    specialization: every argument's data and strides but the innermost
    multiples of 16 bytes) moves the `vector` lanes of a full lane block of
    each argument whose innermost stride is 1 in 16-byte (or narrower,
    aligned) `llvm.load`/`llvm.store`s, when the lanes run along that
    innermost dimension.
  }];
  let options = [
    Option<"strategy", "strategy", "std::string", /*default=*/"\"lanes\"",
           "Strategy of scans without #mmrec.tiling: lanes, chunked or lookback">,
    Option<"chunk", "chunk", "int64_t", /*default=*/"256",
           "Chunk length (steps of the axis) of chunked and lookback without #mmrec.tiling">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::gpu::GPUDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect"];
}

def MmrecLogSumToProduct : Pass<"mmrec-log-sum-to-product", "::mmrec::KernelOp"> {
  let summary = "Multiply the values where sums of logarithms at most 0 are only exponentiated";
  let description = [{
    A scan as `-mmrec-log2-space` finds it (combiner `lhs + rhs`, no inits,
    identity or `exclusive`; its input a map result computed as `math.log`
    shifted and clamped by constants, each step used once; its sums used
    only by maps that take `math.exp` of them) whose logarithms, after the
    shifts and clamps, are at most 0 (assoc_scan_exp's clamp to [-50, 0])
    becomes the cumulative product of the values the logarithms were taken
    of: `math.log x` becomes `x` (NaN below 0, as the log), each clamp by c
    a clamp by e^c, each shift by c a multiplication by e^c, the combiner
    `lhs * rhs`, and each `math.exp` of the sums the sums themselves.
    exp(sum of clamp(ln x, lo, hi)) = product of clamp(x, e^lo, e^hi).

    Every factor lies in (0, 1], so a partial product that underflows bounds
    every later one, which the exp of the log-space sum underflows as well,
    and none overflows. Each multiplication rounds by 2^-24 relative, where
    the GPU's approximate lg2 errs by up to 2^-22 in each term of the sum.
    assoc_scan_exp loses its three special-function instructions an
    element on the GPU (115.9 -> 113.3 us at [2, 8, 32768, 128] on the
    H100) and libm's log and exp on the CPU (66 -> 2.8 ms at [2, 8, 8192,
    128]). Part of the CPU and GPU pipelines, before `-mmrec-log2-space`
    and `-mmrec-fuse`.

    ```mlir
    %logs = mmrec.map %x : ... {   // math.log, maximumf -50.0, minimumf 0.0
    %sums = mmrec.scan %logs axis = 2 : ... { arith.addf }
    %y = mmrec.map %sums : ... {   // math.exp
    // becomes select(x < 0, NaN, x), maximumf 1.9287499e-22, minimumf 1.0;
    // arith.mulf; the map of %sums yields them as they are
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def MmrecLog2Space : Pass<"mmrec-log2-space", "::mmrec::KernelOp"> {
  let summary = "Sum logarithms in base 2 where the sums are only exponentiated";
  let description = [{
    A scan whose combiner is `lhs + rhs`, without inits, identity or
    `exclusive`, whose input is a map result computed as `math.log` shifted
    and clamped by constants (`maximumf`, `minimumf`, `maxnumf`, `minnumf`,
    `addf` with a constant, `subf` of one), each step used once, and whose
    sums are used only by maps that take `math.exp` of them, computes the
    same in base 2:
    `math.log2`, those constants divided by ln 2, `math.exp2` (fastmath
    flags kept). exp(sum of clamp(ln x)) = 2^(sum of clamp(log2 x)) with
    the clamp bounds over ln 2. On the GPU the hardware's lg2 and ex2 are
    base 2: a natural log or exp costs a multiplication more each
    (assoc_scan_exp: three of about 25 instructions an element). Part of
    the GPU pipelines, before `-mmrec-fuse`, after
    `-mmrec-log-sum-to-product`, which leaves it the scans whose
    logarithms can exceed 0.

    ```mlir
    %logs = mmrec.map %x : ... {   // math.log, maximumf -50.0, minimumf 0.0
    %sums = mmrec.scan %logs axis = 2 : ... { arith.addf }
    %y = mmrec.map %sums : ... {   // math.exp
    // becomes math.log2, maximumf -72.13475204444817, minimumf 0.0; math.exp2
    ```
  }];
  let dependentDialects = ["::mlir::math::MathDialect", "::mlir::arith::ArithDialect"];
}

def MmrecExpandDivisions : Pass<"mmrec-expand-divisions"> {
  let summary = "Expand arith's ceil and floor divisions (only) for the LLVM lowering";
  let description = [{
    Rewrites `arith.ceildivui`, `ceildivsi` and `floordivsi`, which have no
    LLVM lowering, into plain divisions, as `-arith-expand` does, and leaves
    every other op alone: `-arith-expand` also turns `arith.maximumf` and
    `minimumf` into a compare and selects, where LLVM's NVPTX back end
    selects one `max.NaN.f32` or `min.NaN.f32` on sm_80 and later
    (assoc_scan_exp's clamps: about 4.3 instructions an element each walk,
    against 2). Part of `-mmrec-to-ptx`.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def MmrecApproximateMath : Pass<"mmrec-approximate-math", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Lower f32 math.log/exp/log2/exp2 marked fastmath<afn> to the GPU's approximations";
  let description = [{
    Replaces, in GPU kernels, every f32 `math.log`, `math.exp`, `math.log2`
    and `math.exp2` whose fastmath flags include `afn` (approximate
    functions allowed) by the hardware approximation, as CUDA's fast math
    does: `lg2.approx.ftz.f32` (times ln 2 for `log`) and
    `ex2.approx.ftz.f32` (of x times log2(e) for `exp`), one instruction
    each where libdevice's accurate `__nv_logf` takes about thirty. `log`
    is within about 2^-22 absolute (relatively worse near 1), `exp` within
    about 2^-22 relative plus |x| 2^-24 from scaling x by log2(e):
    invisible in bf16 or f16 results. Subnormals flush to zero: `log` of a
    value below 2^-126 is -inf, `exp` below 2^-126 is 0 (the forms that
    keep them cost three more instructions each). Math ops without `afn`,
    and f16/f64 ones, keep libdevice's accurate functions.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::LLVM::LLVMDialect"];
}

#endif // MMREC_TRANSFORMS_PASSES
