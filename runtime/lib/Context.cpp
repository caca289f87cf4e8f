//===- Context.cpp - devices, compilation and launching -------------------===//
//
// compile(): parse, check combiners, fuse, analyze, then find the code in
// memory, on disk, or build it: host object code for the CPU, PTX for
// CUDA. launch(): check every argument, then run each group over its lane
// blocks on the thread pool, or launch its GPU kernel on the caller's
// stream. The launch path allocates nothing (descriptors live on the
// stack) except scratch for temporaries, grown on first use of a shape.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Context.h"

#include "CompileCache.h"
#include "CpuCompiler.h"
#include "CudaCompiler.h"
#include "KernelAnalysis.h"
#include "KernelInternals.h"
#include "Log.h"
#include "ThreadPool.h"

#include "mmrec/Dialect/Mmrec/MmrecOps.h"
#include "mmrec/Pipelines/Pipelines.h"
#include "mmrec/Transforms/Passes.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace mmrec {

namespace {
constexpr size_t kMaxArgs = 32;
/// Words of a memref descriptor: allocated and aligned pointers, offset,
/// sizes, strides.
constexpr size_t kDescriptorWords = 3 + 2 * kMaxRank;
/// The row alignment of the GPU's aligned specialization: the widest load.
constexpr int64_t kCudaRowAlignment = 16;
static_assert((kCudaRowAlignment & (kCudaRowAlignment - 1)) == 0, "rowsAligned masks");
} // namespace

//===----------------------------------------------------------------------===//
// KernelImpl
//===----------------------------------------------------------------------===//

/// One compiled specialization of a kernel: code for the CPU or for CUDA.
struct Variant {
  std::string key;
  KernelAnalysis analysis;
  std::shared_ptr<const CpuCode> code;
  std::shared_ptr<const CudaCode> cuda;
  /// The GPU's aligned specialization: every argument's data and strides but
  /// the innermost are multiples of this many bytes (0: no such promise).
  int64_t rowAlignment = 0;
};

/// The GPU heuristic's choice for scans without a #mmrec.tiling (see
/// docs/gpu.md, "Choosing a strategy"): `lanes`, a thread per lane walking
/// the whole axis, needs a thread per lane to fill the GPU; with fewer lanes
/// than one wave of full SMs (2048 threads each), the scans run with
/// `lookback` instead.
constexpr int64_t kLanesPerMultiprocessor = 2048;

/// ... and `lanes` only on axes of at most kLanesMaxSteps steps: a thread
/// walks its steps one after another, where a lookback tile has them all
/// in flight at once. On the H100 (session 13, bf16, 16-byte vectors,
/// 262,144-1,048,576 lanes, % of copy, lanes against lookback tiles):
/// assoc_scan_exp 88.8 / 31.2 at 16 steps, 92.3 / 47.7 at 32, 87.7 / 78.7 at
/// 64, but 87.9 / 90.6 at 96, 90.0 / 94.7 at 128 and 74.0 / 92.4 at 256
/// (linear_recurrence alike: 97.4 / 28.3, 94.8 / 46.2, 93.6 / 82.6, 93.1 /
/// 96.1, 92.3 / 95.9, 84.6 / 94.3). Scans along the innermost axis never
/// take `lanes`: consecutive threads would read a row apart
/// (linear_recurrence_rows at [64, 64, 128, 256]: 15,053 us, 1.8% of copy,
/// against 293 us with lookback tiles).
constexpr int64_t kLanesMaxSteps = 64;

/// The integer in the environment variable `name`, none when it is unset or
/// empty; anything but an integer in [low, high] is an error saying that
/// `name` must be `requirement`.
std::optional<long long> integerFromEnvironment(const char *name, long long low, long long high,
                                                const char *requirement) {
  const char *env = std::getenv(name);
  if (!env || !*env)
    return std::nullopt;
  char *end = nullptr;
  long long value = std::strtoll(env, &end, 10);
  if (*end || value < low || value > high)
    throw Error(std::string(name) + " must be " + requirement + ", got '" + env + "'");
  return value;
}

/// Blocks of a lookback kernel an SM at most (0: a block a tile), from
/// MMREC_LOOKBACK_BLOCKS_PER_SM: a measurement knob until the autotuner
/// chooses it (docs/gpu.md, "Persistent blocks"). Read when a launch's
/// shapes change, not at each launch.
int64_t lookbackBlocksPerMultiprocessor() {
  return integerFromEnvironment("MMREC_LOOKBACK_BLOCKS_PER_SM", 0, INT32_MAX,
                                "a count of blocks (0: a block a tile)")
      .value_or(0);
}

/// Lanes a thread moves in `bytes` of the kernel's widest argument element
/// (16 bytes: 8 bf16, 4 f32, 2 f64).
int64_t vectorLanes(const KernelAnalysis &analysis, int64_t bytes) {
  size_t widest = 1;
  for (const ArgInfo &arg : analysis.args)
    widest = std::max(widest, sizeOf(arg.dtype));
  return std::clamp<int64_t>(bytes / static_cast<int64_t>(widest), 1, 8);
}

/// The lookback tiling the heuristic gives: 128 steps in 8 runs x lane
/// blocks of 16 threads with 8-byte vectors of the widest argument element
/// (64 bf16 lanes), 4 warps (8 for one 16-bit input, below). The lowering stages each thread's
/// 16-step run in shared memory (cp.async), so that the tile goes through memory once; these tiles
/// stay small enough for it (16 KB a bf16 input) and for 9 blocks an SM
/// (assoc_scan_exp: 56 registers, 19 KB of shared memory). On the H100 they
/// beat every other tiling measured at every shape of mmrec-bench, or came
/// within 2%: assoc_scan_exp 529.6 -> 466.2 us at [8, 32, 8192, 128] against
/// the former long tiles (256 steps, 128 lanes, 8 warps; 438.7 us with the
/// look-back window in the run aggregates' memory), linear_recurrence 838.5
/// -> 702.6 us, decayed_sum 43.8 -> 35.2 us
/// (docs/perf/gpu-2026-11-24-session6.md).
constexpr int64_t kLookbackSteps = 128, kLookbackRuns = 8, kLookbackWarps = 4;

/// ... but a lane block is at most kLookbackThreadLanes lanes: 32-bit
/// elements (and 64-bit) take 16-byte vectors, not 8. On the H100 (session
/// 13, % of copy, 128 x 64 lanes of 4 against 128 x 32 of 2 for f32):
/// assoc_scan_exp 89.7 against 83.4 at [2, 8, 32768, 128] and 93.3 against
/// 86.7 at [8, 32, 8192, 128], linear_recurrence 89.8 against 84.8 and 95.0
/// against 88.7; f64 (32 lanes of 2 against 16 of 1) 91.5 / 76.9, 94.8 /
/// 72.7, 92.2 / 64.0 and 95.6 / 62.1. But decayed_sum (f32) at [2, 1024,
/// 64, 64], a small launch, 36.42 / 36.45 against 35.42 / 35.71 us (two
/// rounds).
constexpr int64_t kLookbackThreadLanes = 4;

/// A scan whose group reads one input of 16-bit elements at each point of
/// its domain gets 8 warps (32 lane blocks a tile, 32 KB staged): on the
/// H100, assoc_scan_exp 120.7 -> 119.0 us at [2, 8, 32768, 128] and 435.9
/// -> 424.5 us at [8, 32, 8192, 128]. Not for short chains (Chains::Short),
/// whose tiles all start at once: there 4 warps took assoc_scan_exp at [2,
/// 8, 1024, 128] from 9.98 / 9.70 to 9.25 / 9.31 us (session 12, same
/// machine, two rounds; 9.8 against 10.7 us in session 7). Not with two
/// inputs (linear_recurrence): the 8-warp tile no longer fits the shared
/// memory a block may have, so it is not staged (691 -> 810 us); not for
/// f32 (decayed_sum, one input: 35.4 -> 37.1 us).
constexpr int64_t kLookbackWarpsOneInput = 8;

/// A scan along the innermost dimension (contiguous in memory) has its
/// lanes a row apart: there the lowering gives consecutive threads
/// consecutive runs of a lane, each run one 16-byte vector of the widest
/// argument element along the axis (8 bf16 steps), a warp's 32 runs of a
/// lane 512 consecutive bytes. A thread takes 2 lanes (rows), a lane 64
/// runs (two warps), a block of 4 warps 4 lanes x 512 bf16 steps. On the
/// H100 (linear_recurrence_rows, bf16, session 12, 16 tilings with the
/// runs staged): 171.5 -> 159.5 us at [2, 8, 128, 32768] (83.9% of copy),
/// 636.9 -> 627.7 us at [8, 32, 128, 8192] and 10.7 -> 10.1 us at [2, 8,
/// 128, 1024] against 4 lanes a thread (the best of session 7's 9 tilings
/// before the runs were staged); 1 lane a thread, 256-step tiles or 8
/// warps were slower (but 256 x 16 lanes on many rows: below):
/// docs/perf/gpu-2026-11-24-session12.md.
constexpr int64_t kAxisRunsPerLane = 64, kAxisThreadLanes = 2;

/// ... but with two 16-bit inputs (linear_recurrence_rows) and more than
/// kFewRowsPerSm rows an SM, 32 runs a lane and 4 lanes a thread: 256 bf16
/// steps x 16 lanes. On the H100 (sessions 12 and 13, us, against 512 x
/// 4): 601.8 against 627.9 at [8, 32, 128, 8192] (32768 rows), 303.2
/// against 315.1 at [4, 32, 128, 8192] (16384), 267.1 against 275.2 at
/// [7, 16, 128, 8192] (14336), 230.9 against 235.9 at [3, 32, 128, 8192]
/// (12288), 193.3 against 196.8 at [5, 16, 128, 8192] (10240), 176.1
/// against 177.8 at [9, 8, 128, 8192] (9216); but 313.6 against 311.9 at
/// [4, 16, 128, 16384] (8192), 340.4 against 314.3 at
/// [2, 16, 128, 32768] (4096), 186.4 against 160.7 at [2, 8, 128, 32768]
/// (2048). Not measured for other inputs or dtypes.
constexpr int64_t kAxisManyRowsRunsPerLane = 32, kAxisManyRowsThreadLanes = 4;
constexpr int64_t kFewRowsPerSm = 64;

/// ... and on short axes, tiles as long as the axis: the fewest runs a lane
/// (a power of two, at least kAxisShortMinRuns) that cover it, where that
/// is at most kAxisShortMaxRuns; 4 lanes a thread from
/// kAxisShortWideFromRuns runs, else 2. Tiles longer than the axis leave
/// their threads idle: on the H100 (session 13, linear_recurrence_rows,
/// 1-8 million rows, % of copy) 256 x 16 tiles took 8.2 at 16 steps, 16.3
/// at 32, 32.5 at 64, 48.0 at 96 and 63.7 at 128; these 73.8 (16 x 128), 84.0
/// (32 x 64), 94.2 (64 x 64), 88.5 and 96.9 (128 x 32). 4 lanes a thread
/// were slower below 64 steps (59.3 at 16, 82.1 at 32), 2 slower at 64
/// (91.7); 8 steps took 47.8-54.3 whatever the tile.
constexpr int64_t kAxisShortMinRuns = 2, kAxisShortMaxRuns = 16, kAxisShortWideFromRuns = 8;

/// Launches whose scans' tiles all start together look back over up to 8
/// tiles a round (`window`), others over one: where each chain of tiles
/// along an axis has 3 to kShortChainTiles tiles and the launch at most
/// kShortChainBlocksPerSm tiles an SM (every lookback kernel has room for
/// two blocks an SM). Rounds of one tile there walk back one tile at a
/// time. On the H100 (session 9, same machine) rounds of 8 took
/// assoc_scan_exp 11.04 -> 10.12 us at [2, 8, 1024, 128] (8 tiles a chain,
/// 128 tiles) and linear_recurrence 12.11 -> 11.18 us (256 tiles), but
/// linear_recurrence_rows 10.96 -> 11.30 us at [2, 8, 128, 1024] (chains of
/// 2 tiles) and decayed_sum 34.7 -> 35.8 us (2048 tiles of 8 a chain, in
/// several waves); on long axes rounds of one tile are the faster (session
/// 8).
constexpr int64_t kShortChainTiles = 8, kShortChainBlocksPerSm = 2;

/// A scan whose group reads two inputs of 16-bit elements at each point
/// (linear_recurrence) takes one of three tilings, by its launch's chains
/// of tiles along the axis. With many chains: 128 steps x 128 lanes,
/// 16-byte vectors, 4 warps (64 KB staged, dynamic shared memory). With at
/// most kFewLanesPerSm lanes an SM (3 chains of 64): 256 steps x 64 lanes,
/// 8-byte vectors, 8 warps (64 KB), whose look-back moves twice the bytes a
/// tile. Short chains that start together keep 128 steps x 64 lanes of 4
/// warps. On the H100 (session 11, same machine, against those 128 x 64
/// tiles everywhere): 598.4 -> 578.5 us at [8, 32, 8192, 128] (512 chains
/// of 64 lanes; 256 x 64: 616 us); 172.9 -> 161.7 us at [2, 8, 32768, 128]
/// (32 chains), 326.2 -> 308.5 at [2, 16, 32768, 128], 311.5 -> 304.6 at
/// [4, 32, 8192, 128] (256 chains; 128 x 128: 310.1), 27.8 -> 27.4 at [2, 8,
/// 4096, 128]; at [2, 8, 1024, 128] (short chains) 256 x 64 took 11.5 us
/// against 10.8. The bound between 256 and 512 chains is not measured
/// closer; nor are chains of 1-2 tiles (T up to 256), which are no short
/// chains and so take one of the two. One input (assoc_scan_exp) gains from neither: 397.1 -> 404.8
/// us at [8, 32, 8192, 128] (128 x 128, 16-byte vectors), 114.1 -> 117.9 at [2, 8, 32768, 128] (256
/// x 64).
constexpr int64_t kFewLanesPerSm = 3 * 64;

/// The launches a lookback tiling is for (LookbackAlternative).
enum class Chains {
  Many,  // the default
  Few,   // at most kFewLanesPerSm lanes an SM (kFewRowsPerSm along the innermost axis)
  Short, // kShortChainTiles or fewer tiles, all starting together
};

/// Whether `scan` runs along its domain's innermost (contiguous) dimension.
bool alongInnermost(ScanOp scan) {
  int64_t rank = mlir::cast<mlir::RankedTensorType>(scan.getInputs().front().getType()).getRank();
  return static_cast<int64_t>(scan.getAxis()) + 1 == rank;
}

/// The heuristic's lookback tiling for `scan` (in a group of a fused
/// kernel) in launches of `chains`; with `axisRuns`, a scan along the
/// innermost axis takes that many runs a lane (a short axis).
std::string lookbackTiling(const KernelAnalysis &analysis, ScanOp scan, Chains chains,
                           int64_t axisRuns = 0) {
  int64_t rank = mlir::cast<mlir::RankedTensorType>(scan.getInputs().front().getType()).getRank();
  // The group's inputs read at each point: what a thread stages.
  int64_t pointInputs = 0, widestBits = 0;
  if (auto group = scan->getParentOfType<GroupOp>())
    for (mlir::Value input : group.getInputs()) {
      auto type = mlir::cast<mlir::RankedTensorType>(input.getType());
      if (type.getRank() != rank)
        continue;
      ++pointInputs;
      widestBits = std::max<int64_t>(widestBits, type.getElementTypeBitWidth());
    }
  bool twoNarrowInputs = pointInputs == 2 && widestBits <= 16;
  int64_t chunk = kLookbackSteps, runs = kLookbackRuns,
          vector = std::min(vectorLanes(analysis, 16), kLookbackThreadLanes),
          warps = kLookbackWarps;
  if (alongInnermost(scan)) {
    // Runs of one 16-byte vector along the axis.
    runs = kAxisRunsPerLane;
    vector = kAxisThreadLanes;
    if (twoNarrowInputs && chains == Chains::Many) {
      runs = kAxisManyRowsRunsPerLane;
      vector = kAxisManyRowsThreadLanes;
    }
    if (axisRuns) {
      runs = axisRuns;
      vector = axisRuns >= kAxisShortWideFromRuns ? kAxisManyRowsThreadLanes : kAxisThreadLanes;
    }
    chunk = runs * vectorLanes(analysis, 16);
  } else {
    if (pointInputs == 1 && widestBits <= 16 && chains != Chains::Short)
      warps = kLookbackWarpsOneInput;
    if (twoNarrowInputs && chains == Chains::Many)
      vector = vectorLanes(analysis, 16);
    if (twoNarrowInputs && chains == Chains::Few) {
      chunk *= 2;
      runs *= 2;
      warps *= 2;
    }
  }
  int64_t lanes = warps * 32 / runs * vector;
  return "#mmrec.tiling<strategy = lookback, chunk = " + std::to_string(chunk) +
         ", lanes = " + std::to_string(lanes) + ", vector = " + std::to_string(vector) +
         ", warps = " + std::to_string(warps) +
         (chains == Chains::Short ? ", window = " + std::to_string(kShortChainTiles) : "") + ">";
}

/// The tiling the GPU heuristic gives scans without one that run with
/// `lanes` (not along the innermost axis): 16-byte vectors, 4 warps. On the
/// H100 (session 13) against one lane a thread: assoc_scan_exp 57.2% ->
/// 88.8% of copy at [256, 128, 16, 128], linear_recurrence 72.2% -> 97.4%;
/// decayed_sum (f32) 78.7% -> 86.7% at [256, 32, 64, 64].
std::string lanesScanTiling(const KernelAnalysis &analysis) {
  std::string vector = std::to_string(vectorLanes(analysis, 16));
  return "#mmrec.tiling<strategy = lanes, chunk = 1, lanes = " + vector + ", vector = " + vector +
         ", warps = 4>";
}

/// The tiling the GPU heuristic gives reduces with chunks that have none:
/// `lanes` with 16-byte vectors (a thread per chunk and 8 bf16 lanes; the
/// chunks keep the GPU busy): chunk_aggregate [2, 32768, 4096] went from
/// 71-82% to 91% of copy on the H100.
std::string chunkedReduceTiling(int64_t chunk, const KernelAnalysis &analysis) {
  return "#mmrec.tiling<strategy = lanes, chunk = " + std::to_string(chunk) +
         ", lanes = 256, vector = " + std::to_string(vectorLanes(analysis, 16)) +
         ", warps = 4>";
}

/// The generic code of a kernel and its contiguous specialization.
struct Variants {
  Variant generic;
  std::optional<Variant> contiguous;
};

/// The lookback tiling of a kernel's untiled scans, compiled on the first
/// launch that the heuristic gives it.
struct LookbackTiles {
  std::string tiling;
  std::vector<int64_t> steps, lanes; // each scan group's tiles (scanGroups)
  std::function<Variants()> build;
  std::once_flag built;
  Variants variants;
  bool failed = false; // the build threw: launches take other code
};

/// The lookback variants of a kernel whose scans have no tiling.
struct LookbackAlternative {
  std::vector<unsigned> scanGroups; // the groups whose shapes decide
  int64_t minLanes = 0;             // fewer lanes in one of them: lookback
  int64_t maxShortTiles = 0;        // tiles that start together
  std::vector<int64_t> maxFewLanes; // each of those groups' bound of Chains::Few
  std::vector<bool> alongInnermost; // each of those groups' scan: never `lanes`
  int64_t axisRunSteps = 0;         // steps of a run along the innermost axis
  std::unique_ptr<LookbackTiles> tiles;
  // For launches where each of those groups has at most maxFewLanes lanes
  // (null where the tiles would be `tiles`' own).
  std::unique_ptr<LookbackTiles> fewTiles;
  // For launches where each of those groups is short chains of tiles that
  // all start together (kShortChainTiles): rounds of 8 tiles.
  std::unique_ptr<LookbackTiles> shortTiles;
  // For launches whose scans along the innermost axis have at most
  // kAxisShortMaxRuns runs of steps: tiles of kAxisShortMinRuns << i runs
  // (null where the kernel has no such scans or the lowering rejects them).
  std::vector<std::unique_ptr<LookbackTiles>> shortAxisTiles;
};

class KernelImpl {
  friend struct KernelInternals;

public:
  /// `contiguous`, when the kernel has one, assumes a unit innermost stride
  /// for every argument (the loops then vectorize; on the GPU, aligned rows
  /// too: 16-byte loads and stores); `generic` takes any.
  KernelImpl(const KernelImpl &) = delete;
  KernelImpl(std::string name, Device device, Variant generic, std::optional<Variant> contiguous,
             std::shared_ptr<ThreadPool> pool)
      : name(std::move(name)), device(device), generic(std::move(generic)),
        contiguous(std::move(contiguous)), pool(std::move(pool)) {
    // Launches keep descriptors and byte ranges in fixed arrays.
    const KernelAnalysis &analysis = this->generic.analysis;
    if (analysis.args.size() + analysis.temporaries.size() > kMaxArgs)
      throw Error("mmrec kernel '" + this->name + "' has " + std::to_string(analysis.args.size()) +
                  " arguments and " + std::to_string(analysis.temporaries.size()) +
                  " temporaries; at most " + std::to_string(kMaxArgs) + " in all");
  }

  ~KernelImpl() {
    if (streamMemory.empty())
      return;
    const CudaDevice &cuda = *generic.cuda->device;
    if (cuda.driver.cuCtxPushCurrent(cuda.context) != CUDA_SUCCESS)
      return;
    for (auto &[stream, memory] : streamMemory) {
      for (CUdeviceptr buffer : memory.scratch)
        cuda.driver.cuMemFree(buffer);
      for (CUdeviceptr buffer : memory.tileState)
        cuda.driver.cuMemFree(buffer);
    }
    CUcontext popped;
    cuda.driver.cuCtxPopCurrent(&popped);
  }

  void launch(const TensorView *args, size_t count, void *stream) const {
    const Variant &variant = checkedVariant(args, count);
    const KernelAnalysis &analysis = variant.analysis;
    if (device == Device::CUDA) {
      launchCuda(variant, args, count, static_cast<CUstream>(stream));
      return;
    }
    int64_t descriptors[kMaxArgs][kDescriptorWords];
    void *packed[kMaxArgs + 2];
    for (size_t i = 0; i < count; ++i) {
      describe(descriptors[i], args[i].data, args[i].rank(), args[i].shape.data(),
               args[i].strides.data());
      packed[i] = descriptors[i];
    }
    if (analysis.temporaries.empty()) {
      run(*variant.code, packed, count);
      return;
    }
    // Temporaries live in scratch memory owned by the kernel, grown when a
    // launch needs more and reused after; one launch uses it at a time.
    std::lock_guard<std::mutex> lock(scratchMutex);
    TemporaryLayout layout = layoutTemporaries(analysis, args);
    if (scratch.size() < layout.total)
      scratch.resize(layout.total);
    for (size_t k = 0; k < analysis.temporaries.size(); ++k) {
      describe(descriptors[count + k], scratch.data() + layout.offsets[k],
               static_cast<int64_t>(analysis.temporaries[k].shape.size()), layout.shapes[k],
               layout.strides[k]);
      packed[count + k] = descriptors[count + k];
    }
    run(*variant.code, packed, count + analysis.temporaries.size());
  }

  std::string name;
  std::string label = "mmrec kernel '" + name + "'"; // in messages; built once
  Device device;
  Variant generic;
  std::optional<Variant> contiguous;
  /// CUDA kernels with scans without a tiling: their lookback variants.
  std::unique_ptr<LookbackAlternative> lookback;

private:
  /// Launches each GPU kernel on `stream`, in order: one thread per lane
  /// block (and per chunk for the chunked passes), the memref descriptors
  /// (allocated and aligned pointers, offset, sizes, strides) as 64-bit
  /// parameters, scratch memrefs last. They go in one packed buffer
  /// (CU_LAUNCH_PARAM_BUFFER_POINTER: every parameter is 8 bytes, so the
  /// words are the kernel's parameter layout), which the driver copies at
  /// once instead of following a pointer per parameter.
  void launchCuda(const Variant &variant, const TensorView *args, size_t count,
                  CUstream stream) const {
    const CudaDriver &driver = variant.cuda->device->driver;
    forEachCudaLaunch(variant, args, count, stream,
                      [&](const CudaGroup &group, unsigned grid, int64_t *words, size_t n) {
                        size_t bytes = n * sizeof(int64_t);
                        void *extra[] = {CU_LAUNCH_PARAM_BUFFER_POINTER, words,
                                         CU_LAUNCH_PARAM_BUFFER_SIZE, &bytes,
                                         CU_LAUNCH_PARAM_END};
                        CUresult result = driver.cuLaunchKernel(
                            group.function, grid, 1, 1,
                            static_cast<unsigned>(group.launch.blockThreads), 1, 1,
                            static_cast<unsigned>(group.launch.dynamicSharedBytes), stream, nullptr,
                            extra);
                        // The message is built only on failure: a launch allocates nothing.
                        if (result != CUDA_SUCCESS)
                          driver.check(result,
                                       "mmrec kernel '" + name + "' (" + group.launch.name + ")",
                                       "cuLaunchKernel");
                      });
  }

  /// What the launches of `args` on `stream` pass to cuLaunchKernel, in
  /// order: `emit(group, grid, parameter words, word count)`, in the
  /// kernel's context (scratch allocated as launchCuda does).
  template <typename Launch>
  void forEachCudaLaunch(const Variant &variant, const TensorView *args, size_t count,
                         CUstream stream, Launch &&emit) const {
    const CudaCode &code = *variant.cuda;
    const CudaDriver &driver = code.device->driver;
    const KernelAnalysis &analysis = variant.analysis;
    // The arguments, temporaries, scratch memrefs and tile state.
    int64_t words[(kMaxArgs + kMaxScratchMemrefs + 1) * kDescriptorWords];
    size_t n = 0;
    auto add = [&](const void *data, int64_t rank, const int64_t *shape, const int64_t *strides) {
      describe(words + n, data, rank, shape, strides);
      n += 3 + 2 * rank;
    };
    for (size_t i = 0; i < count; ++i)
      add(args[i].data, args[i].rank(), args[i].shape.data(), args[i].strides.data());

    // Kernels run in the device's primary context: made current only when
    // the caller's thread has another one (or none).
    CUcontext current = nullptr;
    bool push = driver.cuCtxGetCurrent(&current) != CUDA_SUCCESS || current != code.device->context;
    std::optional<CudaContextScope> scope;
    if (push)
      scope.emplace(driver, code.device->context, label);

    // Scratch: the temporaries, then the largest strategy scratch of a group
    // (groups run one after the other on the stream); lookback kernels also
    // take the tile state (64-bit words).
    LaunchPlan unmemoized;
    const LaunchPlan &plan = launchPlan(variant, args, unmemoized);
    const TemporaryLayout &layout = plan.layout;
    CUdeviceptr base = 0, tileState = 0;
    if (layout.total + plan.strategyBytes > 0 || plan.tileStateWords > 0) {
      std::lock_guard<std::mutex> lock(scratchMutex);
      if (layout.total + plan.strategyBytes > 0)
        base = deviceScratchFor(code, layout.total + plan.strategyBytes, stream);
      if (plan.tileStateWords > 0)
        tileState = tileStateFor(code, plan.tileStateWords, stream);
    }
    for (size_t k = 0; k < analysis.temporaries.size(); ++k)
      add(reinterpret_cast<void *>(base + layout.offsets[k]),
          static_cast<int64_t>(analysis.temporaries[k].shape.size()), layout.shapes[k],
          layout.strides[k]);
    size_t common = n;

    for (size_t g = 0; g < code.groups.size(); ++g) {
      const CudaGroup &group = code.groups[g];
      const CudaLaunch &launch = group.launch;
      auto [grid, elements] = plan.groups[g];
      if (grid == 0)
        continue;
      n = common;
      size_t offset = layout.total;
      for (int64_t bytes : launch.scratchElementBytes) {
        int64_t one = 1;
        add(reinterpret_cast<void *>(base + offset), 1, &elements, &one);
        offset += (static_cast<size_t>(elements * bytes) + 63) / 64 * 64;
      }
      if (launch.lookback()) {
        int64_t one = 1, words = plan.tileStateWords;
        add(reinterpret_cast<void *>(tileState), 1, &words, &one);
      }
      emit(group, static_cast<unsigned>(grid), words, n);
    }
  }

  /// The bytes each argument touches, [low, high] (none: low > high, also
  /// for malformed views, which the checks reject), once per launch for the
  /// variant's choice and the overlap check (a plain array: std::pair's
  /// constructor would zero all kMaxArgs of them each time).
  struct ByteRanges {
    struct Range {
      uintptr_t low, high;
    } of[kMaxArgs];

    ByteRanges(const TensorView *args, size_t count) {
      for (size_t i = 0; i < std::min(count, kMaxArgs); ++i) {
        if (args[i].strides.size() != args[i].shape.size()) {
          of[i] = {1, 0};
          continue;
        }
        auto [low, high] = byteRange(args[i]);
        of[i] = {low, high};
      }
    }
    bool overlap(size_t i, size_t j) const {
      return of[i].low <= of[i].high && of[j].low <= of[j].high &&
             !(of[i].high < of[j].low || of[j].high < of[i].low);
    }
  };

  /// What launch() does on a GPU up to cuLaunchKernel, calling `emit` where
  /// it would launch (KernelInternals' two views of it).
  template <typename Emit>
  void forEachCheckedCudaLaunch(const TensorView *args, size_t count, void *stream,
                                Emit &&emit) const {
    if (device != Device::CUDA)
      throw Error("mmrec kernel '" + name + "' is not a CUDA kernel");
    const Variant &variant = checkedVariant(args, count);
    forEachCudaLaunch(variant, args, count, static_cast<CUstream>(stream), emit);
  }

  /// The variant of a launch, its arguments checked. A launch with the
  /// dtypes, devices, shapes and strides of the thread's last launch of this
  /// kernel skips what depends on them alone (most checks, the heuristic's
  /// tiles): every launch but the first of a training step's shapes.
  const Variant &checkedVariant(const TensorView *args, size_t count) const {
    ShapeMemo &memo = shapeMemo;
    ByteRanges ranges(args, count);
    if (memo.kernel == serial && memo.matches(args, count)) {
      checkData(args, count, ranges);
      return memo.tiles ? selectTiles(*memo.tiles, args, count, ranges)
                        : selectAligned(generic, contiguous, args, count, ranges);
    }
    LookbackTiles *tiles = lookback ? lookbackTiles(args, count) : nullptr;
    const Variant &variant = tiles ? selectTiles(*tiles, args, count, ranges)
                                   : selectAligned(generic, contiguous, args, count, ranges);
    checkShapes(variant.analysis, args, count);
    checkData(args, count, ranges);
    memo.kernel = 0; // while it is rewritten
    memo.plan.variant = nullptr;
    if (memo.record(args, count)) {
      memo.tiles = tiles;
      memo.kernel = serial;
    }
    return variant;
  }

  struct TemporaryLayout {
    int64_t shapes[kMaxArgs][kMaxRank], strides[kMaxArgs][kMaxRank];
    size_t offsets[kMaxArgs];
    size_t total = 0;
  };

  /// What a CUDA launch passes that depends on its variant and shapes
  /// alone: the temporaries' layout, the scratch and tile state sizes, and
  /// each kernel's grid (0: it does not run) and scratch elements.
  struct LaunchPlan {
    const Variant *variant = nullptr; // null: none yet
    TemporaryLayout layout;
    size_t strategyBytes = 0;
    int64_t tileStateWords = 0;
    struct Group {
      int64_t grid = 0, scratchElements = 0;
    };
    std::vector<Group> groups;
  };

  /// The shapes of the last launch a thread checked, one kernel's (see
  /// checkedVariant); per thread, so that concurrent launches share nothing.
  struct ShapeMemo {
    static constexpr size_t kWordsPerArg = 3 + 2 * kMaxRank;
    uint64_t kernel = 0; // its serial number: an address may be reused
    size_t count = 0;
    int64_t words[kMaxArgs * kWordsPerArg];
    LookbackTiles *tiles = nullptr;
    LaunchPlan plan; // of these shapes, for plan.variant

    bool matches(const TensorView *args, size_t n) const {
      if (n != count)
        return false;
      const int64_t *w = words;
      for (size_t i = 0; i < n; ++i) {
        const TensorView &v = args[i];
        size_t rank = v.shape.size();
        if (w[0] != static_cast<int64_t>(v.dtype) || w[1] != static_cast<int64_t>(v.device) ||
            w[2] != static_cast<int64_t>(rank) || v.strides.size() != rank ||
            !std::equal(v.shape.begin(), v.shape.end(), w + 3) ||
            !std::equal(v.strides.begin(), v.strides.end(), w + 3 + rank))
          return false;
        w += kWordsPerArg;
      }
      return true;
    }

    /// Keeps the shapes of `args`; false where they do not fit.
    bool record(const TensorView *args, size_t n) {
      if (n > kMaxArgs)
        return false;
      int64_t *w = words;
      for (size_t i = 0; i < n; ++i) {
        const TensorView &v = args[i];
        size_t rank = v.shape.size();
        if (rank > static_cast<size_t>(kMaxRank) || v.strides.size() != rank)
          return false;
        w[0] = static_cast<int64_t>(v.dtype);
        w[1] = static_cast<int64_t>(v.device);
        w[2] = static_cast<int64_t>(rank);
        std::copy(v.shape.begin(), v.shape.end(), w + 3);
        std::copy(v.strides.begin(), v.strides.end(), w + 3 + rank);
        w += kWordsPerArg;
      }
      count = n;
      return true;
    }
  };
  static thread_local ShapeMemo shapeMemo;
  static std::atomic<uint64_t> nextSerial;
  const uint64_t serial = ++nextSerial;

  /// The launch plan of `variant` at the shapes of `args`: the thread's
  /// memo keeps it while the launches repeat the shapes that checkedVariant
  /// recorded there; otherwise it is computed into `unmemoized`.
  const LaunchPlan &launchPlan(const Variant &variant, const TensorView *args,
                               LaunchPlan &unmemoized) const {
    ShapeMemo &memo = shapeMemo;
    if (memo.kernel != serial) {
      planLaunches(variant, args, unmemoized);
      return unmemoized;
    }
    if (memo.plan.variant != &variant)
      planLaunches(variant, args, memo.plan);
    return memo.plan;
  }

  void planLaunches(const Variant &variant, const TensorView *args, LaunchPlan &plan) const {
    const KernelAnalysis &analysis = variant.analysis;
    plan.variant = nullptr; // until it is whole
    plan.layout = layoutTemporaries(analysis, args);
    plan.strategyBytes = 0;
    plan.tileStateWords = 0;
    plan.groups.clear();
    int64_t blocksPerMultiprocessor = lookbackBlocksPerMultiprocessor();
    for (const CudaGroup &group : variant.cuda->groups) {
      const CudaLaunch &launch = group.launch;
      plan.strategyBytes = std::max(plan.strategyBytes, scratchBytes(analysis, launch, args));
      if (launch.lookback())
        plan.tileStateWords =
            std::max(plan.tileStateWords, lookbackStateWords(analysis, launch, args));
      int64_t blocks = laneBlocks(analysis.groupLanes[launch.group], launch.lanesPerThread, args);
      int64_t steps = analysis.groupSteps[launch.group].evaluate(args);
      // A thread per lane block, or a block of threads per `blockLanes` of
      // them; per chunk for the chunked passes.
      int64_t perChunk =
          launch.blockLanes ? ceilDiv(blocks, launch.blockLanes) * launch.blockThreads : blocks;
      int64_t chunks = launch.chunk ? ceilDiv(steps, launch.chunk) : 1;
      // A lookback kernel also runs on an empty axis: it writes the final
      // carries.
      if (launch.lookback())
        chunks = std::max<int64_t>(chunks, 1);
      int64_t grid = ceilDiv(perChunk * chunks, launch.blockThreads);
      if (grid > INT32_MAX)
        throw Error("mmrec kernel '" + name + "': " + std::to_string(perChunk * chunks) +
                    " threads exceed the largest grid");
      // A lookback kernel's blocks take tiles by ticket until none is left:
      // fewer blocks than tiles keep fewer bytes in flight.
      if (launch.lookback() && blocksPerMultiprocessor > 0)
        grid = std::min<int64_t>(grid,
                                 blocksPerMultiprocessor * variant.cuda->device->multiprocessors);
      plan.groups.push_back({grid, scratchElements(analysis, launch, args)});
    }
    plan.variant = &variant;
  }

  static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

  /// Elements of each scratch memref of a launch: one per lane and chunk.
  static int64_t scratchElements(const KernelAnalysis &analysis, const CudaLaunch &launch,
                                 const TensorView *args) {
    if (launch.scratchElementBytes.empty() || launch.scratchChunk == 0)
      return 0;
    int64_t blocks = laneBlocks(analysis.groupLanes[launch.group], launch.lanesPerThread, args);
    int64_t steps = analysis.groupSteps[launch.group].evaluate(args);
    int64_t chunks = ceilDiv(steps, launch.scratchChunk);
    if (launch.lookback())
      chunks = std::max<int64_t>(chunks, 1);
    return blocks * launch.lanesPerThread * chunks;
  }

  /// The 64-bit words of a lookback kernel's tile state: the ticket
  /// counter and a pad, then the tagged words of each lane of each chunk.
  static int64_t lookbackStateWords(const KernelAnalysis &analysis, const CudaLaunch &launch,
                                    const TensorView *args) {
    int64_t blocks = laneBlocks(analysis.groupLanes[launch.group], launch.lanesPerThread, args);
    int64_t steps = analysis.groupSteps[launch.group].evaluate(args);
    int64_t chunks = std::max<int64_t>(ceilDiv(steps, launch.chunk), 1);
    return 2 + blocks * launch.lanesPerThread * chunks * launch.tileWordsPerLane;
  }

  static size_t scratchBytes(const KernelAnalysis &analysis, const CudaLaunch &launch,
                             const TensorView *args) {
    int64_t elements = scratchElements(analysis, launch, args);
    size_t total = 0;
    for (int64_t bytes : launch.scratchElementBytes)
      total += (static_cast<size_t>(elements * bytes) + 63) / 64 * 64;
    return total;
  }

  /// The number of lane blocks of a group: its lane dimensions, the last in
  /// runs of `lanesPerThread`.
  static int64_t laneBlocks(const std::vector<DimExpr> &lanes, int64_t lanesPerThread,
                            const TensorView *args) {
    int64_t blocks = 1;
    for (size_t d = 0; d < lanes.size(); ++d) {
      int64_t size = lanes[d].evaluate(args);
      blocks *= d + 1 == lanes.size() ? ceilDiv(size, lanesPerThread) : size;
    }
    return blocks;
  }

  /// Device scratch of at least `bytes` for launches on `stream`, kept for
  /// later ones. A smaller buffer it replaces stays allocated until the
  /// kernel goes away: work already queued on the stream may still use it.
  CUdeviceptr deviceScratchFor(const CudaCode &code, size_t bytes, CUstream stream) const {
    StreamMemory &memory = streamMemory[stream];
    if (memory.scratchBytes >= bytes && !memory.scratch.empty())
      return memory.scratch.back();
    CUdeviceptr buffer = allocateOutsideCapture(code, bytes, stream, "cuMemAlloc (scratch)");
    memory.scratch.push_back(buffer);
    memory.scratchBytes = bytes;
    return buffer;
  }

  /// The tile state of the lookback kernels on `stream`, at least `words`
  /// 64-bit words: zeroed when allocated (on the stream, before the
  /// launch). The groups and variants of a kernel share it on one stream:
  /// each launch leaves the ticket count at zero and starts a new epoch, so
  /// that the tags it wrote are stale for the next.
  CUdeviceptr tileStateFor(const CudaCode &code, int64_t words, CUstream stream) const {
    StreamMemory &memory = streamMemory[stream];
    if (memory.tileStateWords >= words && !memory.tileState.empty())
      return memory.tileState.back();
    const CudaDriver &driver = code.device->driver;
    CUdeviceptr buffer = allocateOutsideCapture(code, static_cast<size_t>(words) * 8, stream,
                                                "cuMemAlloc (lookback tile state)");
    memory.tileState.push_back(buffer);
    memory.tileStateWords = words;
    CudaContextScope scope(driver, code.device->context, "mmrec kernel '" + name + "'");
    driver.check(driver.cuMemsetD32Async(buffer, 0, static_cast<size_t>(words) * 2, stream),
                 "mmrec kernel '" + name + "'", "cuMemsetD32Async (lookback tile state)");
    return buffer;
  }

  /// `bytes` of device memory for scratch; an error during graph capture.
  CUdeviceptr allocateOutsideCapture(const CudaCode &code, size_t bytes, CUstream stream,
                                     const char *what) const {
    const CudaDriver &driver = code.device->driver;
    // Allocating is not legal while the stream is captured into a graph.
    CUstreamCaptureStatus capture = CU_STREAM_CAPTURE_STATUS_NONE;
    driver.check(driver.cuStreamIsCapturing(stream, &capture), "mmrec kernel '" + name + "'",
                 "cuStreamIsCapturing");
    if (capture != CU_STREAM_CAPTURE_STATUS_NONE)
      throw Error("mmrec kernel '" + name + "': this shape needs " + std::to_string(bytes) +
                  " bytes of scratch, which the kernel has not allocated yet, and allocating "
                  "is not allowed during CUDA graph capture; launch it once at this shape before "
                  "capturing: the scratch is kept and reused");
    CudaContextScope scope(driver, code.device->context, "mmrec kernel '" + name + "'");
    CUdeviceptr buffer = 0;
    driver.check(driver.cuMemAlloc(&buffer, std::max<size_t>(bytes, 1)),
                 "mmrec kernel '" + name + "'", what);
    return buffer;
  }

  /// Where each temporary lies in scratch memory: contiguous, 64-byte
  /// aligned, sized from the launch's arguments.
  static TemporaryLayout layoutTemporaries(const KernelAnalysis &analysis,
                                           const TensorView *args) {
    TemporaryLayout layout;
    for (size_t k = 0; k < analysis.temporaries.size(); ++k) {
      const Temporary &temporary = analysis.temporaries[k];
      int64_t rank = static_cast<int64_t>(temporary.shape.size()), elements = 1;
      for (int64_t d = rank - 1; d >= 0; --d) {
        layout.shapes[k][d] = temporary.shape[d].evaluate(args);
        layout.strides[k][d] = elements;
        elements *= std::max<int64_t>(layout.shapes[k][d], 1);
      }
      layout.offsets[k] = layout.total;
      layout.total += (static_cast<size_t>(elements) * sizeOf(temporary.dtype) + 63) / 64 * 64;
    }
    return layout;
  }

  /// The variant of the heuristic's lookback `tiles` (built on first use),
  /// else the kernel's own.
  const Variant &selectTiles(LookbackTiles &tiles, const TensorView *args, size_t count,
                             const ByteRanges &ranges) const {
    std::call_once(tiles.built, [&] {
      try {
        tiles.variants = tiles.build();
      } catch (const Error &error) {
        log(LogLevel::Info, "kernel '" + name + "': keeps lanes where the heuristic gives " +
                                tiles.tiling + ", whose variant failed: " + error.what());
        tiles.failed = true;
      }
    });
    if (!tiles.failed)
      return selectAligned(tiles.variants.generic, tiles.variants.contiguous, args, count,
                           ranges);
    return selectAligned(generic, contiguous, args, count, ranges);
  }

  /// The lookback tiles of this launch, or null for `lanes`: lookback when a
  /// scan group has fewer lanes than the heuristic runs with `lanes`, more
  /// than kLanesMaxSteps steps or its axis innermost. Null for arguments
  /// check() will reject.
  LookbackTiles *lookbackTiles(const TensorView *args, size_t count) const {
    if (count != generic.analysis.args.size())
      return nullptr;
    for (size_t i = 0; i < count; ++i)
      if (args[i].rank() != static_cast<int64_t>(generic.analysis.args[i].staticShape.size()) ||
          args[i].shape.size() != args[i].strides.size())
        return nullptr;
    bool needsLookback = false, shortChains = true, fewChains = true;
    int64_t axisRuns = 0; // the most runs a lane a scan along the innermost axis needs
    for (size_t i = 0; i < lookback->scanGroups.size(); ++i) {
      unsigned g = lookback->scanGroups[i];
      int64_t lanes = 1;
      for (const DimExpr &size : generic.analysis.groupLanes[g])
        lanes *= size.evaluate(args);
      // Empty (or malformed: check() rejects it) launches keep the default.
      if (lanes <= 0)
        return nullptr;
      int64_t steps = generic.analysis.groupSteps[g].evaluate(args);
      needsLookback |=
          lanes < lookback->minLanes || steps > kLanesMaxSteps || lookback->alongInnermost[i];
      if (lookback->alongInnermost[i])
        axisRuns =
            std::max(axisRuns, (steps + lookback->axisRunSteps - 1) / lookback->axisRunSteps);
      // Each alternative counts chains and tiles with its own tiles.
      if (const LookbackTiles *tiles = lookback->shortTiles.get()) {
        int64_t chain = (steps + tiles->steps[i] - 1) / tiles->steps[i];
        int64_t chains = (lanes + tiles->lanes[i] - 1) / tiles->lanes[i];
        shortChains &=
            chain >= 3 && chain <= kShortChainTiles && chains * chain <= lookback->maxShortTiles;
      } else {
        shortChains = false;
      }
      fewChains &= lanes <= lookback->maxFewLanes[i];
    }
    if (!needsLookback)
      return nullptr;
    // The short-axis tiles: the fewest runs, a power of two, that cover the axis.
    for (size_t k = 0; k < lookback->shortAxisTiles.size(); ++k)
      if (axisRuns && axisRuns <= kAxisShortMinRuns << k && lookback->shortAxisTiles[k])
        return lookback->shortAxisTiles[k].get();
    if (shortChains)
      return lookback->shortTiles.get();
    return lookback->fewTiles && fewChains ? lookback->fewTiles.get() : lookback->tiles.get();
  }

  /// The contiguous variant when every argument has a unit innermost stride
  /// (or at most one element there), its rows aligned as the variant needs,
  /// and no two arguments share memory (it marks them noalias), else the
  /// generic one (in-place launches go there).
  static const Variant &selectAligned(const Variant &generic,
                                      const std::optional<Variant> &contiguous,
                                      const TensorView *args, size_t count,
                                      const ByteRanges &ranges) {
    if (!contiguous || count > kMaxArgs)
      return generic; // check() reports a wrong count
    for (size_t i = 0; i < count; ++i) {
      const TensorView &v = args[i];
      if (v.strides.size() != v.shape.size())
        return generic; // check() reports it
      if (v.rank() > 0 && v.shape.back() > 1 && v.strides.back() != 1)
        return generic;
      if (contiguous->rowAlignment && !rowsAligned(v, contiguous->rowAlignment))
        return generic;
      for (size_t j = 0; j < i; ++j)
        if (ranges.overlap(i, j))
          return generic;
    }
    return *contiguous;
  }


  /// Writes a memref descriptor: pointers, offset 0, sizes, strides.
  static void describe(int64_t *d, const void *data, int64_t rank, const int64_t *shape,
                       const int64_t *strides) {
    d[0] = d[1] = reinterpret_cast<int64_t>(data);
    d[2] = 0;
    for (int64_t k = 0; k < rank; ++k) {
      d[3 + k] = shape[k];
      d[3 + rank + k] = strides[k];
    }
  }

  /// Runs each group over its lane blocks on the pool; `count` memrefs.
  void run(const CpuCode &code, void **packed, size_t count) const {
    for (const CpuGroup &group : code.groups) {
      int64_t blocks = 0;
      packed[count] = &blocks;
      group.blocks(packed);
      pool->parallelFor(blocks, [&](int64_t begin, int64_t end) {
        void *local[kMaxArgs + 2];
        std::copy(packed, packed + count, local);
        local[count] = &begin;
        local[count + 1] = &end;
        group.body(local);
      });
    }
  }

  [[noreturn]] void fail(size_t arg, const std::string &what) const {
    throw Error("mmrec kernel '" + name + "': argument #" + std::to_string(arg) + " (" +
                generic.analysis.args[arg].type + ") " + what);
  }

  /// Everything a launch checks before it touches memory.
  /// The checks that depend on the arguments' dtypes, devices, shapes and
  /// strides alone.
  void checkShapes(const KernelAnalysis &analysis, const TensorView *args, size_t count) const {
    if (count != analysis.args.size())
      throw Error("mmrec kernel '" + name + "': expects " + std::to_string(analysis.args.size()) +
                  " arguments, got " + std::to_string(count));
    for (size_t i = 0; i < count; ++i) {
      const TensorView &view = args[i];
      const ArgInfo &info = analysis.args[i];
      if (view.device != device)
        fail(i, std::string("is on ") + nameOf(view.device) + ", expected " + nameOf(device) +
                    " (the kernel was compiled for the " + nameOf(device) + " backend)");
      if (view.dtype != info.dtype)
        fail(i,
             std::string("has dtype ") + nameOf(view.dtype) + ", expected " + nameOf(info.dtype));
      int64_t rank = static_cast<int64_t>(info.staticShape.size());
      if (view.rank() != rank)
        fail(i, "has rank " + std::to_string(view.rank()) + ", expected " + std::to_string(rank));
      if (static_cast<int64_t>(view.strides.size()) != rank)
        fail(i, "has " + std::to_string(view.strides.size()) + " strides for rank " +
                    std::to_string(rank));
      for (int64_t d = 0; d < rank; ++d) {
        if (view.shape[d] < 0)
          fail(i, "has negative size " + std::to_string(view.shape[d]) + " in dimension " +
                      std::to_string(d));
        if (info.staticShape[d] != mlir::ShapedType::kDynamic &&
            view.shape[d] != info.staticShape[d])
          fail(i, "has size " + std::to_string(view.shape[d]) + " in dimension " +
                      std::to_string(d) + ", expected " + std::to_string(info.staticShape[d]));
        if (info.staticStrides[d] != mlir::ShapedType::kDynamic && view.shape[d] > 1 &&
            view.strides[d] != info.staticStrides[d])
          fail(i, "has stride " + std::to_string(view.strides[d]) + " in dimension " +
                      std::to_string(d) + ", expected " + std::to_string(info.staticStrides[d]));
      }
      if (info.written)
        checkWritable(i, view);
    }
    for (const DimConstraint &c : analysis.constraints) {
      int64_t lhs = c.lhs.evaluate(args);
      if (c.nonEmpty) {
        if (lhs <= 0)
          throw Error("mmrec kernel '" + name + "': " + c.lhs.describe() +
                      " is 0; a reduction without chunks needs at least one element");
        continue;
      }
      int64_t rhs = c.rhs.evaluate(args);
      if (lhs != rhs)
        throw Error("mmrec kernel '" + name + "': " + c.lhs.describe() + " is " +
                    std::to_string(lhs) + " but must equal " + c.rhs.describe() + ", which is " +
                    std::to_string(rhs));
    }
  }

  /// The checks of the arguments' data (after checkShapes).
  void checkData(const TensorView *args, size_t count, const ByteRanges &ranges) const {
    for (size_t i = 0; i < count; ++i)
      if (!args[i].data && args[i].numel() > 0)
        fail(i, "has no data (null pointer) for " + std::to_string(args[i].numel()) + " elements");
    checkOverlaps(generic.analysis, args, count, ranges);
  }

  /// An output must not write one element twice: positive strides, and each
  /// dimension steps over everything the smaller ones span.
  void checkWritable(size_t i, const TensorView &view) const {
    if (view.numel() == 0)
      return;
    std::pair<int64_t, int64_t> dims[kMaxRank];
    int n = 0;
    for (int64_t d = 0; d < view.rank(); ++d) {
      if (view.shape[d] <= 1)
        continue;
      if (view.strides[d] <= 0)
        fail(i, "is written but has stride " + std::to_string(view.strides[d]) + " in dimension " +
                    std::to_string(d) + "; outputs need positive strides");
      dims[n++] = {view.strides[d], view.shape[d]};
    }
    // Insertion sort by stride: n <= kMaxRank.
    for (int k = 1; k < n; ++k)
      for (int j = k; j > 0 && dims[j] < dims[j - 1]; --j)
        std::swap(dims[j], dims[j - 1]);
    int64_t span = 1;
    for (int k = 0; k < n; ++k) {
      if (dims[k].first < span)
        fail(i, "is written but its strides make elements overlap (" + view.describe() + ")");
      span = dims[k].first * (dims[k].second - 1) + span;
    }
  }

  /// Whether `view`'s data and its strides but the innermost are multiples
  /// of `bytes` (strides of dimensions of one element do not matter; a view
  /// without elements is never read).
  /// `bytes` is a power of two: masks, not divisions (every launch).
  static bool rowsAligned(const TensorView &view, int64_t bytes) {
    if (view.numel() == 0)
      return true;
    uintptr_t mask = static_cast<uintptr_t>(bytes) - 1;
    if (reinterpret_cast<uintptr_t>(view.data) & mask)
      return false;
    int64_t size = static_cast<int64_t>(sizeOf(view.dtype));
    for (int64_t d = 0; d + 1 < view.rank(); ++d)
      if (view.shape[d] > 1 && (static_cast<uintptr_t>(view.strides[d] * size) & mask))
        return false;
    return true;
  }

  /// The bytes a view touches, [first, last].
  static std::pair<uintptr_t, uintptr_t> byteRange(const TensorView &view) {
    intptr_t low = 0, high = 0;
    for (int64_t d = 0; d < view.rank(); ++d) {
      if (view.shape[d] == 0)
        return {1, 0};
      intptr_t extent = view.strides[d] * (view.shape[d] - 1);
      (extent < 0 ? low : high) += extent;
    }
    intptr_t size = static_cast<intptr_t>(sizeOf(view.dtype));
    uintptr_t base = reinterpret_cast<uintptr_t>(view.data);
    return {base + low * size, base + high * size + size - 1};
  }

  static bool sameView(const TensorView &a, const TensorView &b) {
    return a.data == b.data && a.dtype == b.dtype && a.shape == b.shape && a.strides == b.strides;
  }

  /// Outputs may not overlap other arguments, except an input that is the
  /// very same view (elementwise in place).
  void checkOverlaps(const KernelAnalysis &analysis, const TensorView *args, size_t count,
                     const ByteRanges &ranges) const {
    for (size_t w = 0; w < count; ++w) {
      if (!analysis.args[w].written)
        continue;
      for (size_t o = 0; o < count; ++o) {
        if (o == w || !ranges.overlap(w, o))
          continue;
        if (!analysis.args[o].written && sameView(args[w], args[o]))
          continue;
        fail(w, "is written and overlaps argument #" + std::to_string(o) +
                    "; outputs may only alias an input that is the very same view");
      }
    }
  }

  // Shared with the context: a kernel stays usable after its context is gone.
  std::shared_ptr<ThreadPool> pool;
  mutable std::mutex scratchMutex;
  mutable std::vector<std::byte> scratch;
  /// The device memory of the launches on one stream: scratch and the
  /// lookback tile state (the last buffer of each is the current one). Each
  /// stream has its own, so that launches of one kernel on several streams
  /// may run at once: a launch's scratch is busy until its kernels end, and
  /// a lookback kernel counts on the launches before it on the tile state
  /// having ended (tickets, epochs).
  struct StreamMemory {
    std::vector<CUdeviceptr> scratch, tileState;
    size_t scratchBytes = 0;
    int64_t tileStateWords = 0;
  };
  mutable std::map<CUstream, StreamMemory> streamMemory; // under scratchMutex
};

thread_local KernelImpl::ShapeMemo KernelImpl::shapeMemo;
std::atomic<uint64_t> KernelImpl::nextSerial{0};

std::string KernelInternals::lookbackTiling(const Kernel &kernel, const TensorView *args,
                                            size_t count) {
  const KernelImpl &impl = *kernel.impl;
  LookbackTiles *tiles = impl.lookback ? impl.lookbackTiles(args, count) : nullptr;
  return tiles ? tiles->tiling : std::string();
}

std::vector<RawCudaLaunch> KernelInternals::cudaLaunches(const Kernel &kernel,
                                                         const TensorView *args, size_t count,
                                                         void *stream) {
  std::vector<RawCudaLaunch> launches;
  kernel.impl->forEachCheckedCudaLaunch(
      args, count, stream,
      [&](const CudaGroup &group, unsigned grid, int64_t *words, size_t n) {
        RawCudaLaunch raw;
        raw.function = group.function;
        raw.grid = grid;
        raw.block = static_cast<unsigned>(group.launch.blockThreads);
        raw.sharedBytes = static_cast<unsigned>(group.launch.dynamicSharedBytes);
        raw.lookback = group.launch.lookback();
        raw.words.assign(words, words + n);
        launches.push_back(std::move(raw));
      });
  for (RawCudaLaunch &launch : launches)
    for (int64_t &word : launch.words)
      launch.params.push_back(&word);
  return launches;
}

size_t KernelInternals::prepareCudaLaunches(const Kernel &kernel, const TensorView *args,
                                            size_t count, void *stream) {
  size_t launches = 0;
  kernel.impl->forEachCheckedCudaLaunch(
      args, count, stream, [&](const CudaGroup &, unsigned, int64_t *, size_t) { ++launches; });
  return launches;
}

//===----------------------------------------------------------------------===//
// ContextImpl
//===----------------------------------------------------------------------===//

class ContextImpl : public std::enable_shared_from_this<ContextImpl> {
public:
  explicit ContextImpl(Device device)
      : device(device), pool(std::make_shared<ThreadPool>(threadCount())) {
    if (device == Device::CUDA)
      cudaDevice = std::make_shared<CudaDevice>(CudaDriver::get(), 0);
    mlir::DialectRegistry registry;
    registerGpuPipelineDependencies(registry);
    mlirContext.appendDialectRegistry(registry);
    mlirContext.loadDialect<MmrecDialect>();
    mlirContext.disableMultithreading();
  }

  Kernel compile(std::string_view source, std::string_view kernelName,
                 const std::string &sourceName) {
    std::lock_guard<std::mutex> lock(mutex);
    std::string name(kernelName);
    std::string diagnostics;
    mlir::ScopedDiagnosticHandler handler(&mlirContext, [&](mlir::Diagnostic &diag) {
      llvm::raw_string_ostream os(diagnostics);
      os << diag.getLocation() << ": "
         << (diag.getSeverity() == mlir::DiagnosticSeverity::Error ? "error: " : "warning: ")
         << diag << "\n";
      return mlir::success();
    });

    auto buffer = llvm::MemoryBuffer::getMemBufferCopy(
        llvm::StringRef(source.data(), source.size()), sourceName);
    llvm::SourceMgr sourceMgr;
    sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
    mlir::OwningOpRef<mlir::ModuleOp> module =
        mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &mlirContext);
    if (!module)
      throw Error("mmrec: cannot parse " + sourceName + ":\n" + diagnostics);
    auto kernel = module->lookupSymbol<KernelOp>(name);
    if (!kernel) {
      std::string known;
      for (KernelOp k : module->getOps<KernelOp>())
        known += (known.empty() ? "" : ", ") + k.getSymName().str();
      throw Error("mmrec: " + sourceName + " has no kernel '" + name +
                  "' (it has: " + (known.empty() ? "none" : known) + ")");
    }

    // One kernel per module from here on; its fused form is what the key
    // and the launch checks are computed from.
    mlir::OwningOpRef<mlir::ModuleOp> single = mlir::ModuleOp::create(kernel.getLoc());
    single->getBody()->push_back(kernel->clone());
    mlir::PassManager pm(&mlirContext);
    pm.addPass(createMmrecCheckCombiners());
    // Canonical IR: the same kernel written by hand or built by the DSL gets
    // the same key.
    pm.addPass(mlir::createCanonicalizerPass());
    pm.addPass(mlir::createCSEPass());
    pm.addNestedPass<KernelOp>(createMmrecFuse());
    if (failed(pm.run(*single)))
      throw Error("mmrec kernel '" + name + "' in " + sourceName + " is rejected:\n" + diagnostics);
    if (!diagnostics.empty())
      log(LogLevel::Info, "kernel '" + name + "':\n" + diagnostics);
    if (device == Device::CUDA) {
      KernelAnalysis analysis = analyzeModule(*single, name);
      tileIfLowered<ReduceOp>(
          *single, name, "reduces keep vector 1", [&](ReduceOp reduce) -> std::string {
            return reduce.getChunk() ? chunkedReduceTiling(*reduce.getChunk(), analysis) : "";
          });
      // The lookback variants start from the scans as written, the `lanes`
      // code from the heuristic's tiling for it.
      std::unique_ptr<LookbackAlternative> lookback = lookbackAlternative(*single, name, analysis);
      tileIfLowered<ScanOp>(*single, name, "`lanes` scans keep vector 1",
                            [&](ScanOp scan) -> std::string {
                              return alongInnermost(scan) ? "" : lanesScanTiling(analysis);
                            });
      Variants variants = buildCudaVariants(*single, name);
      auto impl = std::make_shared<KernelImpl>(name, device, std::move(variants.generic),
                                               std::move(variants.contiguous), pool);
      impl->lookback = std::move(lookback);
      return Kernel(std::move(impl));
    }
    mlir::OwningOpRef<mlir::ModuleOp> specialized = single->clone();
    bool changed = specializeContiguous(*specialized->getOps<KernelOp>().begin());
    Variant generic = buildVariant(*single, name);
    std::optional<Variant> contiguous;
    if (changed)
      contiguous = buildVariant(*specialized, name);
    return Kernel(std::make_shared<KernelImpl>(name, device, std::move(generic),
                                               std::move(contiguous), pool));
  }

  Device device;
  std::shared_ptr<ThreadPool> pool;
  std::shared_ptr<const CudaDevice> cudaDevice; // with Device::CUDA

private:
  /// The generic CUDA code of `module` (one fused kernel) and its aligned
  /// specialization.
  Variants buildCudaVariants(mlir::ModuleOp module, const std::string &name) {
    mlir::OwningOpRef<mlir::ModuleOp> specialized = module.clone();
    // Allocations and most views have aligned rows: 16-byte accesses.
    specializeContiguous(*specialized->getOps<KernelOp>().begin(), kCudaRowAlignment);
    Variant aligned = buildCudaVariant(*specialized, name);
    aligned.rowAlignment = kCudaRowAlignment;
    return Variants{buildCudaVariant(module, name), std::move(aligned)};
  }

  /// Gives each op of type `Op` without a tiling the one `tilingOf` returns
  /// for it (none where empty), unless the lowering rejects them (then none
  /// changes and the log says `otherwise`).
  template <typename Op, typename TilingOf>
  void tileIfLowered(mlir::ModuleOp module, const std::string &name, const char *otherwise,
                     TilingOf tilingOf) {
    auto apply = [&](mlir::ModuleOp target) {
      bool changed = false;
      target.walk([&](Op op) {
        if (op.getTiling())
          return;
        std::string tiling = tilingOf(op);
        if (tiling.empty())
          return;
        op.setTilingAttr(mlir::cast<TilingAttr>(mlir::parseAttribute(tiling, &mlirContext)));
        changed = true;
      });
      return changed;
    };
    mlir::OwningOpRef<mlir::ModuleOp> tiled = module.clone();
    if (!apply(*tiled))
      return;
    try {
      lowerToGpuKernels(*tiled, name);
    } catch (const Error &error) {
      log(LogLevel::Info, "kernel '" + name + "': " + otherwise + " (" + error.what() + ")");
      return;
    }
    apply(module);
  }

  /// For a fused kernel (`module`) with scans without a tiling: its lookback
  /// variants, built when a launch first needs them (null otherwise).
  std::unique_ptr<LookbackAlternative>
  lookbackAlternative(mlir::ModuleOp module, const std::string &name,
                      const KernelAnalysis &analysis) {
    auto alternative = std::make_unique<LookbackAlternative>();
    std::vector<ScanOp> groupScans; // each scan group's first untiled scan
    unsigned index = 0;
    module.walk<mlir::WalkOrder::PreOrder>([&](GroupOp group) {
      ScanOp untiled;
      group.walk([&](ScanOp scan) {
        if (!scan.getTiling() && !untiled)
          untiled = scan;
      });
      if (untiled) {
        alternative->scanGroups.push_back(index);
        groupScans.push_back(untiled);
      }
      ++index;
    });
    if (alternative->scanGroups.empty())
      return nullptr;
    alternative->minLanes = kLanesPerMultiprocessor * cudaDevice->multiprocessors;
    alternative->maxShortTiles = kShortChainBlocksPerSm * cudaDevice->multiprocessors;
    for (ScanOp scan : groupScans) {
      alternative->maxFewLanes.push_back((alongInnermost(scan) ? kFewRowsPerSm : kFewLanesPerSm) *
                                         cudaDevice->multiprocessors);
      alternative->alongInnermost.push_back(alongInnermost(scan));
    }
    alternative->axisRunSteps = vectorLanes(analysis, 16);
    auto build = [&](Chains chains, const LookbackTiles *unlessAs = nullptr, int64_t axisRuns = 0) {
      std::unique_ptr<LookbackTiles> tiles =
          lookbackTiles(module, name, analysis, chains, unlessAs, axisRuns);
      if (tiles)
        for (ScanOp scan : groupScans) {
          auto tiling = mlir::cast<TilingAttr>(
              mlir::parseAttribute(lookbackTiling(analysis, scan, chains, axisRuns), &mlirContext));
          tiles->steps.push_back(tiling.getChunk());
          tiles->lanes.push_back(tiling.getLanes());
        }
      return tiles;
    };
    alternative->tiles = build(Chains::Many);
    alternative->fewTiles = build(Chains::Few, alternative->tiles.get());
    alternative->shortTiles = build(Chains::Short);
    if (llvm::any_of(groupScans, alongInnermost))
      for (int64_t runs = kAxisShortMinRuns; runs <= kAxisShortMaxRuns; runs *= 2)
        alternative->shortAxisTiles.push_back(build(Chains::Many, nullptr, runs));
    // Where the lowering rejects the many-chain tiles (the largest), the
    // others serve every launch; where it rejects all, the scans keep
    // `lanes`.
    if (!alternative->tiles)
      alternative->tiles = std::move(alternative->fewTiles);
    if (!alternative->tiles)
      alternative->tiles = std::move(alternative->shortTiles);
    if (!alternative->tiles)
      return nullptr;
    return alternative;
  }

  /// `module`'s untiled scans with the heuristic's lookback tiles for
  /// launches of `chains` (and `axisRuns`: lookbackTiling), built when first
  /// needed; null where the lowering rejects them (shared memory, lanes),
  /// which is tried first, and where they are `unlessAs`' own (not lowered
  /// again).
  std::unique_ptr<LookbackTiles> lookbackTiles(mlir::ModuleOp module, const std::string &name,
                                               const KernelAnalysis &analysis, Chains chains,
                                               const LookbackTiles *unlessAs, int64_t axisRuns) {
    // The tilings given, for the log.
    std::string tiling;
    mlir::OwningOpRef<mlir::ModuleOp> tiled = module.clone();
    tiled->walk([&](ScanOp scan) {
      if (scan.getTiling())
        return;
      std::string text = lookbackTiling(analysis, scan, chains, axisRuns);
      scan.setTilingAttr(mlir::cast<TilingAttr>(mlir::parseAttribute(text, &mlirContext)));
      if (tiling.find(text) == std::string::npos)
        tiling += (tiling.empty() ? "" : ", ") + text;
    });
    if (unlessAs && unlessAs->tiling == tiling)
      return nullptr;
    try {
      mlir::OwningOpRef<mlir::ModuleOp> lowered = tiled->clone();
      lowerToGpuKernels(*lowered, name);
    } catch (const Error &error) {
      log(LogLevel::Info,
          "kernel '" + name + "': no lookback variant with " + tiling + " (" + error.what() + ")");
      return nullptr;
    }
    auto tiles = std::make_unique<LookbackTiles>();
    tiles->tiling = tiling;
    // The closure owns the context (kernels outlive it) and the IR as text
    // (modules belong to the context's MLIR context).
    std::string text = canonicalText(*tiled);
    tiles->build = [context = shared_from_this(), text, name, tiling] {
      std::lock_guard<std::mutex> lock(context->mutex);
      mlir::OwningOpRef<mlir::ModuleOp> module =
          mlir::parseSourceString<mlir::ModuleOp>(text, &context->mlirContext);
      if (!module)
        throw Error("mmrec kernel '" + name + "': cannot reparse its lookback variant");
      log(LogLevel::Info, "kernel '" + name + "': few lanes, compiling scans with " + tiling);
      return context->buildCudaVariants(*module, name);
    };
    return tiles;
  }

  static void checkArgumentCount(const KernelAnalysis &analysis, const std::string &name) {
    if (analysis.args.size() + analysis.temporaries.size() > kMaxArgs)
      throw Error("mmrec kernel '" + name + "' has " + std::to_string(analysis.args.size()) +
                  " arguments and " + std::to_string(analysis.temporaries.size()) +
                  " intermediates; the runtime passes at most " + std::to_string(kMaxArgs) +
                  " in all");
  }

  /// The launch checks of `module`'s one fused kernel.
  static KernelAnalysis analyzeModule(mlir::ModuleOp module, const std::string &name) {
    KernelAnalysis analysis = analyzeKernel(*module.getOps<KernelOp>().begin());
    checkArgumentCount(analysis, name);
    return analysis;
  }

  /// The text of `module` that cache keys hash: the generic form.
  static std::string canonicalText(mlir::ModuleOp module) {
    std::string text;
    llvm::raw_string_ostream os(text);
    module.print(os, mlir::OpPrintingFlags().printGenericOpForm());
    return text;
  }

  /// Analyzes `module` (one fused kernel), finds or builds its code.
  Variant buildVariant(mlir::ModuleOp module, const std::string &name) {
    KernelAnalysis analysis = analyzeModule(module, name);
    std::string canonical = canonicalText(module);
    std::string key =
        hashKey(canonical + "\ncpu\n" + hostTarget() + "\n" + compilerIdentity() + "\n");
    mlir::OwningOpRef<mlir::ModuleOp> lowered = module.clone();
    std::shared_ptr<const CpuCode> code = findOrBuild<CpuCode>(
        cpuCode, name, key, "cpu", [&] { return compileToObject(*lowered, name); },
        [&](const std::vector<char> &object) {
          return loadObject(object, name, analysis.numGroups);
        });
    return Variant{std::move(key), std::move(analysis), std::move(code), nullptr};
  }

  /// The CUDA code of `module` (one fused kernel) for the context's GPU.
  Variant buildCudaVariant(mlir::ModuleOp module, const std::string &name) {
    KernelAnalysis analysis = analyzeModule(module, name);
    std::string canonical = canonicalText(module);
    std::string chip = cudaDevice->chip();
    std::string key = hashKey(canonical + "\ncuda\n" + chip + "\ndriver " +
                              std::to_string(cudaDevice->driver.version) + "\n" +
                              compilerIdentity() + "\n");
    // The launch of each group comes from its gpu.func, also on a cache hit
    // (the lowering to gpu.func is quick; PTX is not).
    mlir::OwningOpRef<mlir::ModuleOp> lowered = module.clone();
    std::vector<CudaLaunch> launches = lowerToGpuKernels(*lowered, name);
    std::shared_ptr<const CudaCode> code = findOrBuild<CudaCode>(
        cudaCode, name, key, chip.c_str(),
        [&] {
          std::string ptx = compileToPtx(*lowered, name, chip);
          if (logLevel() >= LogLevel::Debug && disk.enabled()) {
            // The exact PTX the driver assembles, for ptxas -v and profilers.
            std::string path = disk.pathOf(key) + ".ptx";
            std::ofstream(path) << ptx;
            log(LogLevel::Debug, "kernel '" + name + "': PTX written to " + path);
          }
          return std::vector<char>(ptx.begin(), ptx.end());
        },
        [&](const std::vector<char> &ptx) { return loadPtx(cudaDevice, ptx, name, launches); });
    return Variant{std::move(key), std::move(analysis), nullptr, std::move(code)};
  }

  static unsigned threadCount() {
    if (std::optional<long long> threads =
            integerFromEnvironment("MMREC_NUM_THREADS", 1, 1024, "an integer in [1, 1024]"))
      return static_cast<unsigned>(*threads);
    return std::max(1u, std::thread::hardware_concurrency());
  }

  /// The code under `key`: in memory, else loaded from the disk cache,
  /// else built (and stored on disk). An unusable disk entry is rebuilt.
  template <typename Code>
  std::shared_ptr<const Code>
  findOrBuild(llvm::StringMap<std::shared_ptr<const Code>> &memory, const std::string &name,
              const std::string &key, const char *target,
              llvm::function_ref<std::vector<char>()> build,
              llvm::function_ref<std::unique_ptr<Code>(const std::vector<char> &)> load) {
    if (auto it = memory.find(key); it != memory.end()) {
      log(LogLevel::Debug, "kernel '" + name + "': in memory (" + key + ")");
      return it->second;
    }
    std::shared_ptr<const Code> code;
    if (std::optional<std::vector<char>> bytes = disk.load(key)) {
      try {
        code = load(*bytes);
        log(LogLevel::Info, "kernel '" + name + "': loaded from the cache " + disk.pathOf(key));
      } catch (const Error &error) {
        log(LogLevel::Info,
            "kernel '" + name + "': rebuilding an unusable cache entry (" + error.what() + ")");
      }
    }
    if (!code) {
      auto start = std::chrono::steady_clock::now();
      std::vector<char> bytes = build();
      code = load(bytes);
      disk.store(key, bytes);
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count();
      log(LogLevel::Info, "kernel '" + name + "': compiled for " + target + " in " +
                              std::to_string(ms) + " ms" +
                              (disk.enabled() ? ", cached as " + disk.pathOf(key) : ""));
    }
    memory[key] = code;
    return code;
  }

  mlir::MLIRContext mlirContext;
  std::mutex mutex;
  CompileCache disk;
  llvm::StringMap<std::shared_ptr<const CpuCode>> cpuCode;
  llvm::StringMap<std::shared_ptr<const CudaCode>> cudaCode;
};

//===----------------------------------------------------------------------===//
// Public API
//===----------------------------------------------------------------------===//

namespace {
/// MMREC_DEVICE, else CUDA when a driver and a GPU are there, else the CPU.
Device deviceFromEnvironment() {
  const char *env = std::getenv("MMREC_DEVICE");
  if (env && !std::strcmp(env, "cpu"))
    return Device::CPU;
  if (env && !std::strcmp(env, "cuda"))
    return Device::CUDA;
  if (env && *env)
    throw Error(std::string("MMREC_DEVICE must be 'cpu' or 'cuda', got '") + env + "'");
  try {
    CudaDriver::get();
    return Device::CUDA;
  } catch (const Error &error) {
    log(LogLevel::Info, std::string("using the cpu: ") + error.what());
    return Device::CPU;
  }
}
} // namespace

Context::Context() : Context(deviceFromEnvironment()) {}

Context::Context(Device device) : impl(std::make_shared<ContextImpl>(device)) {}

Context::~Context() = default;

Device Context::device() const { return impl->device; }
unsigned Context::numThreads() const { return impl->pool->size(); }

void Context::synchronize() const {
  if (!impl->cudaDevice)
    return;
  const CudaDriver &driver = impl->cudaDevice->driver;
  CudaContextScope scope(driver, impl->cudaDevice->context, "mmrec");
  driver.check(driver.cuCtxSynchronize(), "mmrec", "cuCtxSynchronize");
}

std::string Context::deviceName() const {
  if (!impl->cudaDevice)
    return "cpu";
  return impl->cudaDevice->name + " (" + impl->cudaDevice->chip() + ")";
}

/// The memory of a DeviceBuffer; freed with it (in its context on a GPU).
struct DeviceBuffer::State {
  std::shared_ptr<const CudaDevice> cuda; // null: host memory
  void *data = nullptr;
  size_t size = 0;

  ~State() {
    if (!cuda) {
      std::free(data);
      return;
    }
    if (!data || cuda->driver.cuCtxPushCurrent(cuda->context) != CUDA_SUCCESS)
      return;
    cuda->driver.cuMemFree(reinterpret_cast<CUdeviceptr>(data));
    CUcontext popped;
    cuda->driver.cuCtxPopCurrent(&popped);
  }
};

DeviceBuffer::DeviceBuffer(const Context &context, size_t bytes)
    : state(std::make_unique<State>()) {
  state->cuda = context.impl->cudaDevice;
  state->size = bytes;
  if (!state->cuda) {
    state->data = std::malloc(std::max<size_t>(bytes, 1));
    if (!state->data)
      throw Error("mmrec: cannot allocate " + std::to_string(bytes) + " bytes");
    return;
  }
  const CudaDriver &driver = state->cuda->driver;
  CudaContextScope scope(driver, state->cuda->context, "mmrec");
  CUdeviceptr pointer = 0;
  driver.check(driver.cuMemAlloc(&pointer, std::max<size_t>(bytes, 1)),
               "mmrec: a buffer of " + std::to_string(bytes) + " bytes", "cuMemAlloc");
  state->data = reinterpret_cast<void *>(pointer);
}

DeviceBuffer::~DeviceBuffer() = default;
DeviceBuffer::DeviceBuffer(DeviceBuffer &&other) noexcept = default;
DeviceBuffer &DeviceBuffer::operator=(DeviceBuffer &&other) noexcept = default;

void *DeviceBuffer::data() const { return state->data; }
size_t DeviceBuffer::size() const { return state->size; }

void DeviceBuffer::upload(const void *host, size_t bytes) {
  if (bytes > state->size)
    throw Error("mmrec: upload of " + std::to_string(bytes) + " bytes into a buffer of " +
                std::to_string(state->size));
  if (!state->cuda) {
    std::memcpy(state->data, host, bytes);
    return;
  }
  const CudaDriver &driver = state->cuda->driver;
  CudaContextScope scope(driver, state->cuda->context, "mmrec");
  driver.check(driver.cuMemcpyHtoD(reinterpret_cast<CUdeviceptr>(state->data), host, bytes),
               "mmrec: upload", "cuMemcpyHtoD");
  // From pageable memory cuMemcpyHtoD returns once the bytes are staged; the
  // DMA may still run, unordered with kernels on non-blocking streams (a
  // graph replayed on one read half-copied inputs).
  driver.check(driver.cuStreamSynchronize(CU_STREAM_LEGACY), "mmrec: upload",
               "cuStreamSynchronize");
}

void DeviceBuffer::download(void *host, size_t bytes) const {
  if (bytes > state->size)
    throw Error("mmrec: download of " + std::to_string(bytes) + " bytes from a buffer of " +
                std::to_string(state->size));
  if (!state->cuda) {
    std::memcpy(host, state->data, bytes);
    return;
  }
  const CudaDriver &driver = state->cuda->driver;
  CudaContextScope scope(driver, state->cuda->context, "mmrec");
  driver.check(driver.cuMemcpyDtoH(host, reinterpret_cast<CUdeviceptr>(state->data), bytes),
               "mmrec: download", "cuMemcpyDtoH");
}

Kernel Context::compile(std::string_view source, std::string_view kernel) {
  return impl->compile(source, kernel, "<source>");
}

Kernel Context::compileFile(const std::string &path, std::string_view kernel) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    throw Error("mmrec: cannot read " + path + ": " + buffer.getError().message());
  return impl->compile((*buffer)->getBuffer().str(), kernel, path);
}

const std::string &Kernel::name() const {
  if (!impl)
    throw Error("mmrec: use of an empty Kernel");
  return impl->name;
}

const std::string &Kernel::key() const {
  if (!impl)
    throw Error("mmrec: use of an empty Kernel");
  return impl->generic.key;
}

size_t Kernel::numArgs() const {
  if (!impl)
    throw Error("mmrec: use of an empty Kernel");
  return impl->generic.analysis.args.size();
}

void Kernel::launch(std::initializer_list<TensorView> args, void *stream) const {
  launch(args.begin(), args.size(), stream);
}

void Kernel::launch(const TensorView *args, size_t count, void *stream) const {
  if (!impl)
    throw Error("mmrec: launch of an empty Kernel");
  impl->launch(args, count, stream);
}

} // namespace mmrec
