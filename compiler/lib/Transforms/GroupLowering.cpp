//===- GroupLowering.cpp - fused groups to loop nests ---------------------===//
//
// Each group becomes loop nests over lane blocks. A lane block is a run of
// consecutive elements of the innermost dimension that is not the scan axis
// (the contiguous one in the usual layouts), at one index of the other lane
// dimensions: up to `lanes` elements for a CPU thread, `vector` for a GPU
// thread. A scan walks its axis sequentially inside the block.
//
// On the CPU the walk goes in tiles of a few steps: in a tile, each register
// chunk of lanes (a cache line) walks the steps with its carries in
// registers, then the lanes that do not fill a chunk walk them with their
// carries in the block's stack buffer, which also holds every carry between
// tiles. On the GPU a thread's carries are in registers all along.
//
// Maps of the group are evaluated at each point (prologue and epilogue), at
// each lane (init and final carry) or at each reduced element, and never
// materialized. Carries that nothing needs are not kept; operands that are
// the same for every lane combine once per step.
//
//===----------------------------------------------------------------------===//

#include "GroupLowering.h"

#include "mmrec/Analysis/DimSource.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/SaveAndRestore.h"

using namespace mlir;
using namespace mmrec;

namespace {

/// The index space a value of a group is computed in.
enum class Level { Point, Lane, Reduced };

/// Lane blocks hold this many elements when the op has no #mmrec.tiling.
constexpr int64_t kDefaultLanes = 256;

/// The steps of a run of a shared chunk unrolled together (longer full
/// runs loop over batches of them).
constexpr int64_t kMaxUnrolledRun = 16;

/// Tiles a look-back round reads without a tiling's `window` (a run of
/// the lane each, which its lane's thread then combines one by one). One:
/// on the H100 (session 8) rounds of one tile were faster than rounds of 2,
/// 4 or 8 on every long axis (linear_recurrence 181.5 -> 174.4 us at [2, 8,
/// 32768, 128], 645.7 -> 635.0 at [8, 32, 8192, 128]; decayed_sum 36.0 ->
/// 34.7 us): the wait is for the tile just before, and a wider round only
/// polls and combines more. Short axes (a chain of 8 tiles that all start
/// together) lose about a microsecond to the extra rounds: the runtime's
/// heuristic gives them rounds of 8.
constexpr int64_t kLookbackWindow = 1;

/// Threads of a warp: what gpu.shuffle exchanges among.
constexpr int64_t kWarpSize = 32;
/// The static shared memory a GPU block may have (48 KiB on every NVIDIA
/// GPU; more needs dynamic shared memory and an opt-in at launch).
constexpr int64_t kMaxSharedBytes = 48 * 1024;
/// The shared memory a block may opt in to on the largest GPU (227 KiB on
/// sm_90; 163 KiB on sm_80, 99 KiB on sm_86 and sm_89: the runtime checks
/// the device's at load).
constexpr int64_t kMaxOptInSharedBytes = 227 * 1024;
/// The widest load or store of a GPU thread (ld.global.v4.b32).
constexpr int64_t kVectorBytes = 16;

/// Threads of a GPU block when the op has no #mmrec.tiling (4 warps).
constexpr int64_t kDefaultGpuBlockThreads = 128;

/// The unit of memory traffic of CPUs: a register chunk of lanes reads whole
/// lines of it at each step of the axis.
constexpr int64_t kCacheLineBytes = 64;

/// Cache lines of each row a CPU tile walks along an innermost axis
/// (rowTileSteps).
constexpr int64_t kRowTileLines = 16;

/// The associativity of first-level data caches (8 on AMD Zen and older
/// Intel cores, 12 on recent Intel cores): the lines of one set it holds.
constexpr int64_t kCacheWays = 8;

/// The arguments of `block` that `value`, computed in it, depends on.
llvm::SmallDenseSet<unsigned> argumentsRead(Block &block, Value value) {
  llvm::SmallDenseSet<unsigned> read;
  SmallVector<Value> work{value};
  llvm::DenseSet<Value> seen;
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (!seen.insert(v).second)
      continue;
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      if (arg.getOwner() == &block)
        read.insert(arg.getArgNumber());
      continue;
    }
    v.getDefiningOp()->walk(
        [&](Operation *op) { work.append(op->operand_begin(), op->operand_end()); });
  }
  return read;
}

class GroupLowering {
public:
  /// `temporaries` are the kernel's buffers between groups
  /// (KernelOp::getTemporaries); every group function takes them after the
  /// kernel's arguments.
  GroupLowering(KernelOp kernel, GroupOp group, unsigned index, ArrayRef<Value> temporaries,
                gpu::GPUModuleOp gpuModule = {}, GpuDefaults defaults = {})
      : kernel(kernel), group(group), index(index), temporaries(temporaries),
        gpuModule(gpuModule), defaults(defaults) {
    for (BlockArgument arg : kernel.getArguments())
      memoryIndex[arg] = arg.getArgNumber();
    for (auto [k, temporary] : llvm::enumerate(temporaries))
      memoryIndex[temporary] = kernel.getNumArguments() + k;
  }

  /// The memref type of a temporary: its tensor's shape, a unit innermost
  /// stride (the runtime allocates temporaries contiguous), other strides
  /// dynamic.
  static MemRefType temporaryType(Value temporary) {
    auto type = cast<RankedTensorType>(temporary.getType());
    SmallVector<int64_t> strides(type.getRank(), ShapedType::kDynamic);
    if (!strides.empty())
      strides.back() = 1;
    return MemRefType::get(
        type.getShape(), type.getElementType(),
        StridedLayoutAttr::get(type.getContext(), ShapedType::kDynamic, strides));
  }

  LogicalResult lower() {
    if (failed(bindMemory()) || failed(classify()))
      return failure();
    std::string name = (kernel.getSymName() + "__group" + Twine(index)).str();
    OpBuilder builder(kernel.getContext());
    if (gpuModule) {
      builder.setInsertionPoint(gpuModule.getBody()->getTerminator());
      return emitGpuKernel(builder, name);
    }
    ModuleOp module = kernel->getParentOfType<ModuleOp>();
    builder.setInsertionPointToEnd(module.getBody());
    emitBlockCount(builder, name + "_blocks");
    emitBody(builder, name);
    return success();
  }

private:
  //===--------------------------------------------------------------------===//
  // Analysis
  //===--------------------------------------------------------------------===//

  /// Finds the memory behind each group input (a kernel argument or a
  /// temporary) and the memory each group result is written to.
  LogicalResult bindMemory() {
    for (auto [input, arg] : llvm::zip(group.getInputs(), group.getBody().getArguments())) {
      if (auto load = input.getDefiningOp<LoadOp>())
        inputMemref[arg] = load.getSource();
      else if (memoryIndex.count(input))
        inputMemref[arg] = input;
      else
        return group.emitOpError("reads a value that is neither loaded nor computed by a group; "
                                 "run -mmrec-fuse first");
    }
    auto yield = cast<YieldOp>(group.getBody().front().getTerminator());
    for (auto [result, inner] : llvm::zip(group.getResults(), yield.getValues())) {
      if (memoryIndex.count(result))
        outputs.push_back({inner, result});
      for (Operation *user : result.getUsers())
        if (auto store = dyn_cast<StoreOp>(user))
          outputs.push_back({inner, store.getTarget()});
    }
    return success();
  }

  /// Assigns each map of the group the index space it is evaluated in.
  LogicalResult classify() {
    anchor = group.getScanOrReduce();
    Block &body = group.getBody().front();
    GroupDomain domain = findGroupDomain(group);
    if (!domain.tensor)
      return group.emitOpError("computes nothing (no scan, reduce or result) to lower");
    domainSource = domain.tensor;
    axis = domain.axis;
    if (!anchor) {
      for (Operation &op : body.without_terminator())
        if (auto map = dyn_cast<MapOp>(op))
          levels[map] = Level::Point;
      return success();
    }
    auto markProducers = [&](auto &&self, Value value, Level level) -> void {
      auto map = value.getDefiningOp<MapOp>();
      if (!map || levels.count(map))
        return;
      levels[map] = level;
      for (Value input : map.getInputs())
        self(self, input, level);
    };
    if (auto scan = dyn_cast<ScanOp>(anchor)) {
      for (Value input : scan.getInputs())
        markProducers(markProducers, input, Level::Point);
      for (Value init : scan.getInits())
        markProducers(markProducers, init, Level::Lane);
      for (Value v : scan.getScanned())
        valueLevels[v] = Level::Point;
      for (Value v : scan.getCarries())
        valueLevels[v] = Level::Lane;
    } else {
      auto reduce = cast<ReduceOp>(anchor);
      for (Value input : reduce.getInputs())
        markProducers(markProducers, input, Level::Point);
      for (Value v : reduce.getResults())
        valueLevels[v] = Level::Reduced;
      chunk = reduce.getChunk();
    }
    for (auto [map, level] : levels)
      for (Value v : map->getResults())
        valueLevels[v] = level;
    // Consumers: the level of what they read from the group.
    for (Operation &op : body.without_terminator()) {
      auto map = dyn_cast<MapOp>(op);
      if (!map || levels.count(map))
        continue;
      std::optional<Level> level;
      for (Value input : map.getInputs())
        if (auto it = valueLevels.find(input); it != valueLevels.end())
          level = it->second;
      if (!level)
        return map.emitOpError("reads nothing computed in its group; run -mmrec-fuse to build "
                               "groups");
      levels[map] = *level;
      for (Value v : map->getResults())
        valueLevels[v] = *level;
    }
    return success();
  }

  //===--------------------------------------------------------------------===//
  // Shapes
  //===--------------------------------------------------------------------===//

  /// The size of dimension `d` of a tensor of the group, from the memrefs.
  Value dimOf(OpBuilder &b, Location loc, Value tensor, int64_t d) {
    DimSource source = findDimSource(tensor, d);
    if (source.isStatic())
      return b.create<arith::ConstantIndexOp>(loc, source.staticSize);
    Value size = b.create<memref::DimOp>(loc, funcArg(source.memref), source.dim);
    if (source.divisor == 1)
      return size;
    return b.create<arith::CeilDivUIOp>(loc, size,
                                        b.create<arith::ConstantIndexOp>(loc, source.divisor));
  }

  /// The loop structure of the group: lane dimensions, block size, counts.
  struct Shape {
    SmallVector<Value> dims;         // the domain's sizes
    SmallVector<int64_t> outerDims;  // lane dimensions indexed per block
    std::optional<int64_t> innerDim; // lane dimension split into blocks
    Value innerBlocks, blocks;
  };

  Shape computeShape(OpBuilder &b, Location loc) {
    Shape shape;
    auto type = cast<RankedTensorType>(domainSource.getType());
    for (int64_t d = 0; d < type.getRank(); ++d)
      shape.dims.push_back(dimOf(b, loc, domainSource, d));
    SmallVector<int64_t> laneDims;
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (!axis || d != *axis)
        laneDims.push_back(d);
    Value one = b.create<arith::ConstantIndexOp>(loc, 1);
    shape.innerBlocks = one;
    if (!laneDims.empty()) {
      shape.innerDim = laneDims.back();
      laneDims.pop_back();
      Value lanes = b.create<arith::ConstantIndexOp>(loc, blockLanes());
      shape.innerBlocks = b.create<arith::CeilDivUIOp>(loc, shape.dims[*shape.innerDim], lanes);
    }
    shape.outerDims = laneDims;
    shape.blocks = shape.innerBlocks;
    for (int64_t d : shape.outerDims)
      shape.blocks = b.create<arith::MulIOp>(loc, shape.blocks, shape.dims[d]);
    return shape;
  }

  /// Lanes of a block: `lanes` of the tiling on the CPU (a thread's run),
  /// `vector` on the GPU (a GPU thread's lanes).
  int64_t blockLanes() {
    TilingAttr tiling = anchorTiling();
    if (gpuModule)
      return tiling ? tiling.getVector() : 1;
    return tiling ? tiling.getLanes() : kDefaultLanes;
  }

  //===--------------------------------------------------------------------===//
  // Functions
  //===--------------------------------------------------------------------===//

  /// The function argument standing for a kernel argument or a temporary.
  Value funcArg(Value memory) { return currentArgs[memoryIndex.lookup(memory)]; }

  /// The kernel's memref types, then its temporaries'.
  SmallVector<Type> memoryArgTypes() {
    SmallVector<Type> inputs(kernel.getArgumentTypes());
    for (Value temporary : temporaries)
      inputs.push_back(temporaryType(temporary));
    return inputs;
  }

  func::FuncOp createFunc(OpBuilder &builder, StringRef name, TypeRange extraInputs,
                          TypeRange results) {
    SmallVector<Type> inputs = memoryArgTypes();
    inputs.append(extraInputs.begin(), extraInputs.end());
    auto func = builder.create<func::FuncOp>(kernel.getLoc(), name,
                                             builder.getFunctionType(inputs, results));
    func->setAttr("llvm.emit_c_interface", builder.getUnitAttr());
    // Argument attributes of the kernel (e.g. llvm.noalias from the
    // runtime's specializations) carry over to its functions.
    for (unsigned i = 0; i < kernel.getNumArguments(); ++i)
      if (DictionaryAttr attrs = kernel.getArgAttrDict(i))
        func.setArgAttrs(i, attrs);
    return func;
  }

  void emitBlockCount(OpBuilder &builder, StringRef name) {
    OpBuilder::InsertionGuard guard(builder);
    Location loc = group.getLoc();
    func::FuncOp func = createFunc(builder, name, {}, builder.getIndexType());
    builder.setInsertionPointToStart(func.addEntryBlock());
    currentArgs = func.getArguments();
    Shape shape = computeShape(builder, loc);
    builder.create<func::ReturnOp>(loc, shape.blocks);
  }

  void emitBody(OpBuilder &builder, StringRef name) {
    OpBuilder::InsertionGuard guard(builder);
    Location loc = group.getLoc();
    Type index = builder.getIndexType();
    func::FuncOp func = createFunc(builder, name, {index, index}, {});
    Block *entry = func.addEntryBlock();
    builder.setInsertionPointToStart(entry);
    currentArgs = func.getArguments();
    Shape shape = computeShape(builder, loc);
    this->shape = &shape;

    // Carries of the block's lanes live on the stack.
    SmallVector<Value> carries;
    if (anchor) {
      analyzeCarries();
      for (auto [k, input] : llvm::enumerate(anchorInputs()))
        carries.push_back(builder.create<memref::AllocaOp>(
            loc, MemRefType::get({uniform[k] ? 1 : blockLanes()},
                                 getElementTypeOrSelf(input.getType()))));
    }

    Value begin = entry->getArgument(entry->getNumArguments() - 2);
    Value end = entry->getArgument(entry->getNumArguments() - 1);
    Value c1 = builder.create<arith::ConstantIndexOp>(loc, 1);
    auto blockLoop = builder.create<scf::ForOp>(loc, begin, end, c1);
    builder.setInsertionPointToStart(blockLoop.getBody());
    Value laneCount = decodeBlock(builder, loc, blockLoop.getInductionVar());

    if (!anchor)
      emitMapGroup(builder, loc, laneCount);
    else if (auto scan = dyn_cast<ScanOp>(anchor))
      emitScan(builder, loc, scan, laneCount, carries);
    else
      emitReduce(builder, loc, cast<ReduceOp>(anchor), laneCount, carries);

    builder.setInsertionPointToEnd(entry);
    builder.create<func::ReturnOp>(loc);
  }

  /// Sets `laneBase` to lane 0 of lane block `block` and returns its number
  /// of lanes: the index of each outer lane dimension (the last varies
  /// fastest), then the run of inner lanes.
  Value decodeBlock(OpBuilder &builder, Location loc, Value block) {
    Value c0 = builder.create<arith::ConstantIndexOp>(loc, 0);
    laneBase.assign(shape->dims.size(), c0);
    Value rest = builder.create<arith::DivUIOp>(loc, block, shape->innerBlocks);
    for (int64_t d : llvm::reverse(shape->outerDims)) {
      laneBase[d] = builder.create<arith::RemUIOp>(loc, rest, shape->dims[d]);
      rest = builder.create<arith::DivUIOp>(loc, rest, shape->dims[d]);
    }
    if (!shape->innerDim)
      return builder.create<arith::ConstantIndexOp>(loc, 1);
    Value lanes = builder.create<arith::ConstantIndexOp>(loc, blockLanes());
    Value innerBlock = builder.create<arith::RemUIOp>(loc, block, shape->innerBlocks);
    Value first = builder.create<arith::MulIOp>(loc, innerBlock, lanes);
    laneBase[*shape->innerDim] = first;
    Value left = builder.create<arith::SubIOp>(loc, shape->dims[*shape->innerDim], first);
    return builder.create<arith::MinUIOp>(loc, left, lanes);
  }

  void analyzeCarries() {
    uniform = laneUniformOperands();
    needed = neededCarries();
  }

  //===--------------------------------------------------------------------===//
  // GPU kernels (the `lanes` strategy)
  //===--------------------------------------------------------------------===//

  /// The strategy of the anchor on the GPU: its tiling's, else the pass's
  /// default for scans (reduces walk their own chunks: lanes).
  ScanStrategy gpuStrategy() {
    if (TilingAttr tiling = anchorTiling())
      return tiling.getStrategy();
    return isa<ScanOp>(anchor) ? defaults.strategy : ScanStrategy::lanes;
  }

  int64_t gpuChunk() {
    TilingAttr tiling = anchorTiling();
    return tiling ? tiling.getChunk() : defaults.chunk;
  }

  /// A gpu.func kernel on the kernel's memrefs, then `extra` arguments,
  /// with the attributes its launch needs.
  gpu::GPUFuncOp createGpuFunc(OpBuilder &builder, StringRef name, TypeRange extra,
                               int64_t chunkLength, int64_t blockLanesOfChunk = 0,
                               TypeRange workgroup = {}, int64_t tileWordsPerLane = 0) {
    Location loc = group.getLoc();
    SmallVector<Type> inputs = memoryArgTypes();
    inputs.append(extra.begin(), extra.end());
    if (tileWordsPerLane)
      inputs.push_back(MemRefType::get({ShapedType::kDynamic}, builder.getI64Type()));
    auto func = builder.create<gpu::GPUFuncOp>(loc, name, builder.getFunctionType(inputs, {}));
    func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), builder.getUnitAttr());
    func->setAttr(kBlockThreadsAttr, builder.getI64IntegerAttr(gpuBlockThreads()));
    // The block size is fixed: ptxas allocates registers for it (.maxntid).
    func.setKnownBlockSizeAttr(
        builder.getDenseI32ArrayAttr({static_cast<int32_t>(gpuBlockThreads()), 1, 1}));
    func->setAttr(kLanesPerThreadAttr, builder.getI64IntegerAttr(blockLanes()));
    func->setAttr(kGroupAttr, builder.getI64IntegerAttr(index));
    func->setAttr(kChunkAttr, builder.getI64IntegerAttr(chunkLength));
    func->setAttr(kBlockLanesAttr, builder.getI64IntegerAttr(blockLanesOfChunk));
    // Shared arrays aligned for 16-byte accesses: LLVM's load-store
    // vectorizer merges the cells of a thread's lanes and counts on it
    // (without an explicit alignment the PTX declares the element's).
    for (Type type : workgroup) {
      func.addWorkgroupAttribution(type, loc);
      func.setWorkgroupAttributionAttr(func.getNumWorkgroupAttributions() - 1,
                                       LLVM::LLVMDialect::getAlignAttrName(),
                                       builder.getI64IntegerAttr(kVectorBytes));
    }
    SmallVector<Attribute> scratch;
    for (Type type : extra)
      scratch.push_back(TypeAttr::get(cast<MemRefType>(type).getElementType()));
    func->setAttr(kScratchAttr, builder.getArrayAttr(scratch));
    if (tileWordsPerLane)
      func->setAttr(kTileStateAttr, builder.getI64IntegerAttr(tileWordsPerLane));
    // Not llvm.noalias: a gpu.func's memref descriptors cannot carry it (the
    // NVVM conversion drops it with a warning); read-only inputs take the
    // non-coherent path through loadReadOnly instead.
    for (unsigned i = 0; i < kernel.getNumArguments(); ++i)
      if (DictionaryAttr attrs = kernel.getArgAttrDict(i)) {
        NamedAttrList kept(attrs);
        kept.erase("llvm.noalias");
        func.setArgAttrs(i, kept.getDictionary(builder.getContext()));
      }
    currentArgs = func.getBody().getArguments().take_front(func.getNumArguments());
    return func;
  }

  /// The global index x of the thread: block_id * block_dim + thread_id.
  Value globalThread(OpBuilder &b, Location loc) {
    Value blockId = b.create<gpu::BlockIdOp>(loc, gpu::Dimension::x);
    Value blockDim = b.create<gpu::BlockDimOp>(loc, gpu::Dimension::x);
    Value threadId = b.create<gpu::ThreadIdOp>(loc, gpu::Dimension::x);
    return b.create<arith::AddIOp>(loc, b.create<arith::MulIOp>(loc, blockId, blockDim),
                                   threadId);
  }

  /// Calls `emit(width)` with the carries of `width` lanes in registers:
  /// once for a thread's full lane block (width `vector`, lanes unrolled),
  /// else once per lane of the partial last block of a row (width 1).
  void emitPerThreadLanes(OpBuilder &builder, Location loc, Value laneCount,
                          function_ref<void(int64_t)> emit) {
    auto withRegisters = [&](int64_t width) {
      emitWithRegisters(builder, loc, width, [&] { emit(width); });
    };
    if (blockLanes() == 1) {
      withRegisters(1);
      return;
    }
    OpBuilder::InsertionGuard guard(builder);
    Value width = builder.create<arith::ConstantIndexOp>(loc, blockLanes());
    Value full = builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, laneCount, width);
    auto split = builder.create<scf::IfOp>(loc, full, /*withElseRegion=*/true);
    builder.setInsertionPointToStart(split.thenBlock());
    withRegisters(blockLanes());
    builder.setInsertionPointToStart(split.elseBlock());
    Value c0 = builder.create<arith::ConstantIndexOp>(loc, 0);
    Value c1 = builder.create<arith::ConstantIndexOp>(loc, 1);
    auto lanes = builder.create<scf::ForOp>(loc, c0, laneCount, c1);
    builder.setInsertionPointToStart(lanes.getBody());
    laneOffset = lanes.getInductionVar();
    withRegisters(1);
    laneOffset = Value();
  }

  /// Calls `emit()` with the carries of `width` lanes in registers (zero).
  void emitWithRegisters(OpBuilder &builder, Location loc, int64_t width,
                         function_ref<void()> emit) {
    chunkLanes = width;
    SmallVector<SmallVector<Value>> cells;
    for (auto [k, input] : llvm::enumerate(anchorInputs())) {
      Value zero = builder.create<arith::ConstantOp>(
          loc, builder.getZeroAttr(getElementTypeOrSelf(input.getType())));
      cells.emplace_back(uniform[k] ? 1 : width, zero);
    }
    registerCarries = &cells;
    emit();
    registerCarries = nullptr;
  }

  /// Calls `emit()` with the carries of the thread's `vector` lanes in
  /// registers, in the shared-chunk shapes, where the threads of a block
  /// exchange them. The partial lane block at the end of a row (`count` <
  /// vector lanes) repeats its last lane in the others (lanesInBlock): they
  /// read memory that exists and write what the last lane writes, the same
  /// values, so that every thread keeps the same registers and code.
  void withThreadLanes(OpBuilder &builder, Location loc, Value count,
                       function_ref<void()> emit) {
    if (blockLanes() > 1)
      lanesInBlock = count;
    emitWithRegisters(builder, loc, blockLanes(), emit);
    lanesInBlock = Value();
  }

  /// Where cell `j` of `slot` (a thread, run or lane block of the GPU
  /// block) is in a shared array with a cell per lane of a thread.
  Value cellIndex(OpBuilder &b, Location loc, Value slot, int64_t j) {
    if (blockLanes() == 1)
      return slot;
    return b.create<arith::AddIOp>(
        loc, b.create<arith::MulIOp>(loc, slot, b.create<arith::ConstantIndexOp>(loc, blockLanes())),
        b.create<arith::ConstantIndexOp>(loc, j));
  }

  /// Prepares the body of a GPU kernel: shapes, the carry analysis, and an
  /// scf.if for the threads below `threads(shape)`; returns the thread.
  Value beginGpuBody(OpBuilder &builder, gpu::GPUFuncOp func, Shape &shape,
                     function_ref<Value(OpBuilder &, Shape &)> threads) {
    Location loc = group.getLoc();
    builder.setInsertionPointToStart(&func.getBody().front());
    shape = computeShape(builder, loc);
    this->shape = &shape;
    if (anchor)
      analyzeCarries();
    Value thread = globalThread(builder, loc);
    Value inRange = builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, thread,
                                                  threads(builder, shape));
    auto ifOp = builder.create<scf::IfOp>(loc, inRange, /*withElseRegion=*/false);
    builder.setInsertionPointToEnd(&func.getBody().front());
    builder.create<gpu::ReturnOp>(loc);
    builder.setInsertionPointToStart(ifOp.thenBlock());
    return thread;
  }

  /// The `lanes` strategy: one gpu.func kernel; each thread owns one lane
  /// block of `vector` consecutive lanes (from #mmrec.tiling, else 1) and
  /// walks the whole axis with its carries in registers.
  LogicalResult emitGpuKernel(OpBuilder &builder, StringRef name) {
    OpBuilder::InsertionGuard guard(builder);
    Location loc = group.getLoc();
    if (anchor && gpuStrategy() != ScanStrategy::lanes && !isa<ScanOp>(anchor))
      return anchor->emitOpError("the ")
             << stringifyScanStrategy(gpuStrategy())
             << " strategy applies to scans; a reduce with chunks uses the lanes strategy";
    if (anchor && gpuStrategy() == ScanStrategy::chunked)
      return emitGpuChunked(builder, name);
    if (anchor && gpuStrategy() == ScanStrategy::lookback)
      return emitGpuLookback(builder, name);
    // A reduce with chunks has a thread per lane block and chunk: chunks
    // are independent, and one thread walking every chunk of its lanes
    // leaves the GPU idle when there are few lanes.
    auto reduce = dyn_cast_or_null<ReduceOp>(anchor);
    bool threadPerChunk = reduce && chunk;
    gpu::GPUFuncOp func = createGpuFunc(builder, name, {}, threadPerChunk ? *chunk : 0);
    Shape shape;
    Value chunks;
    Value thread = beginGpuBody(builder, func, shape, [&](OpBuilder &b, Shape &shape) {
      if (!threadPerChunk)
        return shape.blocks;
      chunks = b.create<arith::CeilDivUIOp>(loc, shape.dims[reduce.getAxis()],
                                            b.create<arith::ConstantIndexOp>(loc, *chunk));
      return b.create<arith::MulIOp>(loc, shape.blocks, chunks).getResult();
    });
    Value reduceChunk;
    if (threadPerChunk) {
      reduceChunk = builder.create<arith::DivUIOp>(loc, thread, shape.blocks);
      thread = builder.create<arith::RemUIOp>(loc, thread, shape.blocks);
    }
    Value laneCount = decodeBlock(builder, loc, thread);
    if (!anchor) {
      emitMapGroup(builder, loc, laneCount);
      return success();
    }
    emitPerThreadLanes(builder, loc, laneCount, [&](int64_t width) {
      Value count = builder.create<arith::ConstantIndexOp>(loc, width);
      SmallVector<Value> noBuffers(anchorInputs().size());
      if (auto scan = dyn_cast<ScanOp>(anchor))
        emitScan(builder, loc, scan, count, noBuffers);
      else
        emitReduce(builder, loc, reduce, count, noBuffers, reduceChunk);
    });
    return success();
  }

  //===--------------------------------------------------------------------===//
  // GPU kernels (the `chunked` strategy)
  //===--------------------------------------------------------------------===//

  /// The `chunked` strategy: the axis is cut into chunks of `chunk` steps
  /// in scan order and a scan becomes three kernels, each thread owning a
  /// lane block as in `lanes`:
  ///   <name>_aggregate  thread (chunk c, block): combines chunk c's elements
  ///                     and writes the aggregate to scratch;
  ///   <name>_prefix     thread (block): walks the aggregates in order and
  ///                     replaces each by the carry before its chunk (from
  ///                     the inits or the identity where the scan has one);
  ///                     writes the final carries;
  ///   <name>            thread (chunk c, block): rescans chunk c from its
  ///                     carry and writes the outputs.
  /// Scratch holds one value per operand, chunk and lane: memref<?xT> per
  /// operand, index (c * blocks + block) * vector + lane. It reads the input
  /// twice, so it reaches at most ~2/3 of the memory roofline, but it uses
  /// lanes x chunks threads where `lanes` uses lanes.
  LogicalResult emitGpuChunked(OpBuilder &builder, StringRef name) {
    chunkLength = gpuChunk();
    int64_t runs = 1;
    TilingAttr tiling = anchorTiling();
    if (tiling && tiling.getLanes() < gpuBlockThreads() * tiling.getVector()) {
      // Fewer lanes than a block has threads: the threads of a lane share its
      // chunk in runs.
      FailureOr<int64_t> shared = runsOfSharedChunk("chunked", tiling.getLanes());
      if (failed(shared))
        return failure();
      runs = *shared;
    }
    SmallVector<Type> scratch = scratchTypes();
    if (runs == 1) {
      emitChunkedPass(builder, (name + "_aggregate").str(), scratch, ChunkedPass::Aggregate);
      emitChunkedPass(builder, (name + "_prefix").str(), scratch, ChunkedPass::Prefix);
      emitChunkedPass(builder, name, scratch, ChunkedPass::Rescan);
      return success();
    }
    if (failed(emitSharedChunkPass(builder, (name + "_aggregate").str(), scratch,
                                   ChunkedPass::Aggregate, runs)))
      return failure();
    emitChunkedPass(builder, (name + "_prefix").str(), scratch, ChunkedPass::Prefix);
    return emitSharedChunkPass(builder, name, scratch, ChunkedPass::Rescan, runs);
  }

  /// One memref<?xT> per operand of the anchor.
  SmallVector<Type> scratchTypes() {
    SmallVector<Type> scratch;
    for (Value input : anchorInputs())
      scratch.push_back(MemRefType::get({ShapedType::kDynamic},
                                        getElementTypeOrSelf(input.getType())));
    return scratch;
  }

  /// The runs of each lane's chunk when a block's threads share it, `lanes`
  /// lanes per block in lane blocks of `vector`; an error unless the tiling
  /// allows it.
  FailureOr<int64_t> runsOfSharedChunk(StringRef strategy, int64_t lanes) {
    int64_t vector = blockLanes();
    if (lanes <= 0 || lanes % vector != 0 || gpuBlockThreads() % (lanes / vector) != 0)
      return anchor->emitOpError("the ")
             << strategy << " strategy with a block's threads sharing a chunk needs lanes / "
             << "vector (" << lanes << " / " << vector << ") dividing 32 x warps ("
             << gpuBlockThreads() << ")";
    int64_t runs = gpuBlockThreads() / (lanes / vector);
    if (chunkLength % runs != 0)
      return anchor->emitOpError("chunk (")
             << chunkLength << ") must be a multiple of the threads per lane (" << runs << ")";
    return runs;
  }

  //===--------------------------------------------------------------------===//
  // GPU kernels (the `lookback` strategy)
  //===--------------------------------------------------------------------===//

  /// The `lookback` strategy: one kernel, one pass over memory (Merrill and
  /// Garland, "Single-pass Parallel Prefix Scan with Decoupled Look-back",
  /// 2016). The axis is cut into tiles of `chunk` steps x `lanes` lanes; a
  /// block takes the next tile from a ticket counter, so that a tile's
  /// predecessors along the axis have started before it. Its threads share
  /// the tile in runs as in the shared-chunk shape of `chunked`. The block
  /// publishes the tile's aggregate (status 1), looks back over the tiles
  /// before it for its exclusive prefix, a window of `runs` tiles at a time
  /// (one per run of threads), combining aggregates until a tile with an
  /// inclusive prefix (status 2), publishes its own inclusive prefix, then
  /// rescans its tile from the prefix. Published values travel in the tile
  /// state as tagged words (tagWords). Defaults without a tiling: 32 lanes a
  /// block, `chunk` steps a tile.
  LogicalResult emitGpuLookback(OpBuilder &builder, StringRef name) {
    chunkLength = gpuChunk();
    TilingAttr tiling = anchorTiling();
    FailureOr<int64_t> runs =
        runsOfSharedChunk("lookback", tiling ? tiling.getLanes() : kWarpSize);
    if (failed(runs))
      return failure();
    for (Value input : anchorInputs())
      if (getElementTypeOrSelf(input.getType()).getIntOrFloatBitWidth() > 64)
        return anchor->emitOpError(
                   "the lookback strategy publishes carries of at most 64 bits, got ")
               << getElementTypeOrSelf(input.getType());
    return emitSharedChunkPass(builder, name, {}, ChunkedPass::Lookback, *runs);
  }

  /// Element `linear` (from the aligned pointer) of `memory` as a global
  /// pointer, for the accesses memref ops cannot express: the relaxed ones
  /// of the look-back's tagged words, the aligned vectors of lanes.
  Value globalPointer(OpBuilder &b, Location loc, Value memory, Value linear) {
    Value base = b.create<memref::ExtractAlignedPointerAsIndexOp>(loc, memory);
    Value address = b.create<arith::IndexCastUIOp>(loc, b.getI64Type(), base);
    auto pointer = LLVM::LLVMPointerType::get(b.getContext(), /*addressSpace=*/1);
    Value start = b.create<LLVM::IntToPtrOp>(loc, pointer, address);
    Value offset = b.create<arith::IndexCastUIOp>(loc, b.getI64Type(), linear);
    return b.create<LLVM::GEPOp>(loc, pointer, getElementTypeOrSelf(memory.getType()), start,
                                 ValueRange{offset});
  }

  /// The look-back's tagged words: each 32-bit piece of a published carry
  /// travels in a 64-bit word with a tag in its upper half, (launch epoch
  /// << 2) | status (1: the tile's aggregate, 2: its inclusive prefix).
  /// A 64-bit store is single-copy atomic, so a reader that finds the tag
  /// it expects has the value of that store: no flag, no fence (CUB's
  /// single-word tile descriptors). A lane's words come from one store
  /// each; a reader takes them only when all carry the same tag.
  /// The words of one lane: its needed carries in 32-bit pieces.
  int64_t tagPiecesPerLane(ArrayRef<bool> neededCarries) {
    int64_t pieces = 0;
    for (auto [k, input] : llvm::enumerate(anchorInputs()))
      if (neededCarries[k])
        pieces += (getElementTypeOrSelf(input.getType()).getIntOrFloatBitWidth() + 31) / 32;
    return pieces;
  }

  /// The tagged words of a flat list of register carries (operand k of lane
  /// j at k x lanes + j): lane by lane, each needed carry's pieces, low first.
  SmallVector<Value> tagWords(OpBuilder &b, Location loc, ArrayRef<Value> values, Value tag) {
    size_t n = anchorInputs().size(), lanes = values.size() / n;
    Type i64 = b.getI64Type();
    Value high = b.create<arith::ShLIOp>(loc, b.create<arith::ExtUIOp>(loc, i64, tag),
                                         b.create<arith::ConstantIntOp>(loc, 32, 64));
    Value lowMask = b.create<arith::ConstantIntOp>(loc, 0xffffffff, 64);
    SmallVector<Value> words;
    for (size_t j = 0; j < lanes; ++j)
      for (size_t k = 0; k < n; ++k) {
        if (!needed[k])
          continue;
        Value value = values[k * lanes + j];
        unsigned bits = value.getType().getIntOrFloatBitWidth();
        Value wide = value;
        if (isa<FloatType>(value.getType()))
          wide = b.create<arith::BitcastOp>(loc, b.getIntegerType(bits), value);
        if (bits < 64)
          wide = b.create<arith::ExtUIOp>(loc, i64, wide);
        for (unsigned low = 0; low < bits; low += 32) {
          Value piece = wide;
          if (bits > 32)
            piece = b.create<arith::AndIOp>(
                loc, b.create<arith::ShRUIOp>(loc, wide, b.create<arith::ConstantIntOp>(loc, low, 64)),
                lowMask);
          words.push_back(b.create<arith::OrIOp>(loc, high, piece));
        }
      }
    return words;
  }

  /// The tag of a tagged word.
  Value wordTag(OpBuilder &b, Location loc, Value word) {
    return b.create<arith::TruncIOp>(
        loc, b.getI32Type(),
        b.create<arith::ShRUIOp>(loc, word, b.create<arith::ConstantIntOp>(loc, 32, 64)));
  }

  /// tagWords' inverse: the flat list of register carries in `words`
  /// (operands not needed keep their value in `otherwise`).
  SmallVector<Value> untagWords(OpBuilder &b, Location loc, ArrayRef<Value> words,
                                ArrayRef<Value> otherwise) {
    size_t n = anchorInputs().size(), lanes = otherwise.size() / n;
    SmallVector<Value> values(otherwise);
    Value c32 = b.create<arith::ConstantIntOp>(loc, 32, 64);
    for (size_t j = 0; j < lanes; ++j)
      for (size_t k = 0; k < n; ++k) {
        if (!needed[k])
          continue;
        Type type = otherwise[k * lanes + j].getType();
        unsigned bits = type.getIntOrFloatBitWidth();
        Value wide;
        if (bits > 32) { // two pieces: the high one's upper half is its tag
          Value low = b.create<arith::AndIOp>(
              loc, words.front(), b.create<arith::ConstantIntOp>(loc, 0xffffffff, 64));
          wide = b.create<arith::OrIOp>(loc, low, b.create<arith::ShLIOp>(loc, words[1], c32));
          words = words.drop_front(2);
        } else {
          wide = b.create<arith::TruncIOp>(loc, b.getIntegerType(bits), words.front());
          words = words.drop_front();
        }
        values[k * lanes + j] =
            isa<FloatType>(type) ? b.create<arith::BitcastOp>(loc, type, wide).getResult() : wide;
      }
    return values;
  }

  /// Stores tagged words at `at` (16-byte aligned when their number is even)
  /// with relaxed GPU-scope stores, two words at a time where it can. Inline
  /// PTX: LLVM 19's NVPTX backend does not select atomic orderings.
  void storeTagged(OpBuilder &b, Location loc, Value at, ArrayRef<Value> words) {
    bool pairs = words.size() % 2 == 0;
    for (size_t w = 0; w < words.size(); w += pairs ? 2 : 1) {
      Value pointer = taggedWordPointer(b, loc, at, w);
      if (pairs)
        emitAsm(b, loc, {}, "st.relaxed.gpu.global.v2.b64 [$0], {$1, $2};", "l,l,l",
                {pointer, words[w], words[w + 1]});
      else
        emitAsm(b, loc, {}, "st.relaxed.gpu.global.b64 [$0], $1;", "l,l", {pointer, words[w]});
    }
  }

  /// `count` tagged words from `at` with relaxed GPU-scope loads (from L2:
  /// each load sees the latest stores); a side effect each, so that a spin
  /// loop reloads them.
  SmallVector<Value> loadTagged(OpBuilder &b, Location loc, Value at, int64_t count) {
    bool pairs = count % 2 == 0;
    Type i64 = b.getI64Type();
    SmallVector<Value> words;
    for (int64_t w = 0; w < count; w += pairs ? 2 : 1) {
      Value pointer = taggedWordPointer(b, loc, at, w);
      if (!pairs) {
        words.push_back(emitAsm(b, loc, i64, "ld.relaxed.gpu.global.b64 $0, [$1];", "=l,l",
                                {pointer}));
        continue;
      }
      Type pair = LLVM::LLVMStructType::getLiteral(b.getContext(), {i64, i64});
      Value loaded = emitAsm(b, loc, pair, "ld.relaxed.gpu.global.v2.b64 {$0, $1}, [$2];",
                             "=l,=l,l", {pointer});
      words.push_back(b.create<LLVM::ExtractValueOp>(loc, loaded, 0));
      words.push_back(b.create<LLVM::ExtractValueOp>(loc, loaded, 1));
    }
    return words;
  }

  Value taggedWordPointer(OpBuilder &b, Location loc, Value at, int64_t w) {
    if (w == 0)
      return at;
    auto pointer = LLVM::LLVMPointerType::get(b.getContext(), /*addressSpace=*/1);
    return b.create<LLVM::GEPOp>(loc, pointer, b.getI64Type(), at,
                                 ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(w)});
  }

  /// Inline PTX with side effects; its result (null for none).
  Value emitAsm(OpBuilder &b, Location loc, Type result, StringRef instruction,
                StringRef constraints, ValueRange operands) {
    auto op = b.create<LLVM::InlineAsmOp>(loc, result ? TypeRange{result} : TypeRange{}, operands,
                                          instruction, constraints, /*has_side_effects=*/true,
                                          /*is_align_stack=*/false, LLVM::AsmDialectAttr(),
                                          ArrayAttr());
    return result ? op.getResult(0) : Value();
  }

  /// Shared memory and the tile state of a `lookback` kernel.
  struct LookbackMemory {
    // Per operand: a value per thread (the run aggregates' arrays), per lane.
    SmallVector<Value> window, prefix;
    Value windowStatus, prefixValid, control, tileState;
  };

  /// Where a thread of a `lookback` block stands.
  struct LookbackTile {
    Value chunk;
    Value slot; // the thread's cell in the window: run x lanesPerBlock + laneInGroup
    Value run, laneInGroup, lanesPerBlock, laneBlock;
    Value epoch; // of this launch: the tags' upper bits
    int64_t runs;
    int64_t window;   // tiles a round looks at: a run each, at most lookbackWindow()
    Value laneThread; // run 0 of a lane that exists: it owns the lane's prefix
    Value active;     // the thread's lane exists
  };

  /// The tile state: word 0 (64 bits) counts the launch's tickets (low
  /// half) and launches (the epoch, high half); word 1 pads; from word 2 on,
  /// the tagged words of each tile and lane.
  static constexpr int64_t kTileStateHeaderWords = 2;

  /// The block's next ticket and the launch's epoch: thread 0 takes the
  /// ticket from the counter and shares both through shared memory. Tickets
  /// number the tiles lanes first, so that a tile's predecessors along the
  /// axis hold smaller ones and have started: waiting for them cannot
  /// deadlock (a block holds one tile at a time). A launch takes `draws`
  /// tickets (past the tiles: the draws that end persistent blocks); the
  /// block with the last one starts the next epoch with no tickets taken:
  /// the next launch on the stream (they run in order) finds it so, and
  /// every tag of this one stale.
  std::pair<Value, Value> emitTicket(OpBuilder &b, Location loc, LookbackMemory &memory,
                                     Value threadId, Value draws) {
    Value c0 = b.create<arith::ConstantIndexOp>(loc, 0);
    Value c1 = b.create<arith::ConstantIndexOp>(loc, 1);
    Type i32 = b.getI32Type(), i64 = b.getI64Type();
    Value isThread0 = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, threadId, c0);
    emitIf(b, loc, isThread0, [&](OpBuilder &b) {
      Value one = b.create<arith::ConstantIntOp>(loc, 1, 64);
      Value taken = b.create<memref::AtomicRMWOp>(loc, arith::AtomicRMWKind::addi, one,
                                                  memory.tileState, ValueRange{c0});
      Value ticket = b.create<arith::TruncIOp>(loc, i32, taken);
      Value draws64 = b.create<arith::IndexCastUIOp>(loc, i64, draws);
      Value last = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq,
                                           b.create<arith::ExtUIOp>(loc, i64, ticket),
                                           b.create<arith::SubIOp>(loc, draws64, one));
      emitIf(b, loc, last, [&](OpBuilder &b) {
        // (epoch, draws) + (1 << 32) - draws = (epoch + 1, 0).
        Value next = b.create<arith::SubIOp>(
            loc, b.create<arith::ConstantIntOp>(loc, int64_t(1) << 32, 64), draws64);
        b.create<memref::AtomicRMWOp>(loc, arith::AtomicRMWKind::addi, next, memory.tileState,
                                      ValueRange{c0});
      });
      b.create<memref::StoreOp>(loc, ticket, memory.control, c0);
      b.create<memref::StoreOp>(loc, wordTag(b, loc, taken), memory.control, c1);
    });
    b.create<gpu::BarrierOp>(loc);
    Value ticket = b.create<memref::LoadOp>(loc, memory.control, c0);
    return {b.create<arith::IndexCastUIOp>(loc, b.getIndexType(), ticket),
            b.create<memref::LoadOp>(loc, memory.control, c1)};
  }

  /// The look-back of a `lookback` tile, after its threads took what they
  /// need of the runs' aggregates (the window reuses their memory).
  /// `inLaneThreads(body)` calls body(aggregate valid) in the lane threads
  /// with the lane's tile aggregate in the register carries.
  /// Leaves the exclusive prefix of each lane in shared memory (after a
  /// barrier).
  void emitLookback(OpBuilder &b, Location loc, ScanOp scan, LookbackMemory &m,
                    const LookbackTile &t,
                    function_ref<void(function_ref<void(Value)>)> inLaneThreads) {
    auto index = [&](int64_t v) -> Value { return b.create<arith::ConstantIndexOp>(loc, v); };
    auto i32 = [&](int64_t v) -> Value { return b.create<arith::ConstantIntOp>(loc, v, 32); };
    auto i1 = [&](bool v) -> Value { return b.create<arith::ConstantIntOp>(loc, v, 1); };
    auto cmp = [&](arith::CmpIPredicate predicate, Value x, Value y) {
      return b.create<arith::CmpIOp>(loc, predicate, x, y).getResult();
    };
    // Values of the thread's lanes: flat lists, operand k of lane j at
    // k x lanes + j.
    size_t n = anchorInputs().size();
    int64_t lanes = blockLanes();
    SmallVector<Type> types;
    for (Value input : anchorInputs())
      types.append(lanes, getElementTypeOrSelf(input.getType()));
    Value c0 = index(0);
    Value isFirstChunk = cmp(arith::CmpIPredicate::eq, t.chunk, c0);
    Value epochTag = b.create<arith::ShLIOp>(loc, t.epoch, i32(2));
    Value aggregateTag = b.create<arith::OrIOp>(loc, epochTag, i32(1));
    Value prefixTag = b.create<arith::OrIOp>(loc, epochTag, i32(2));
    // The thread's lane block's words of tile row `chunk`.
    int64_t words = lanes * tagPiecesPerLane(needed);
    auto wordsOf = [&](Value chunk) {
      Value slot = b.create<arith::AddIOp>(
          loc, b.create<arith::MulIOp>(loc, chunk, shape->blocks), t.laneBlock);
      return globalPointer(
          b, loc, m.tileState,
          b.create<arith::AddIOp>(loc, index(kTileStateHeaderWords),
                                  b.create<arith::MulIOp>(loc, slot, index(words))));
    };
    auto publish = [&](ArrayRef<Value> values, Value tag) {
      storeTagged(b, loc, wordsOf(t.chunk), tagWords(b, loc, values, tag));
    };
    auto storePrefix = [&](ArrayRef<Value> values, Value valid) {
      storeSharedLanes(b, loc, values, m.prefix, t.laneInGroup);
      b.create<memref::StoreOp>(loc, b.create<arith::ExtUIOp>(loc, b.getI32Type(), valid),
                                m.prefixValid, t.laneInGroup);
    };

    // Publish the aggregate; the first tile publishes its inclusive prefix
    // (the inits or identity, if any, then its aggregate) and its exclusive
    // prefix is the start.
    inLaneThreads([&](Value aggregateValid) {
      SmallVector<Value> aggregate = flatRegisterCarries();
      auto first = b.create<scf::IfOp>(loc, isFirstChunk, /*withElseRegion=*/true);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(first.thenBlock());
      SmallVector<Value> start = aggregate;
      Value startValid = i1(false);
      if (hasStart(scan)) {
        emitStartCarries(b, loc, scan, index(1), {});
        start = flatRegisterCarries();
        setRegisterCarries(aggregate);
        startValid = i1(true);
      }
      auto [inclusive, inclusiveValid] =
          optionalCombine(b, loc, start, startValid, aggregate, aggregateValid);
      publish(inclusive, prefixTag);
      storePrefix(start, startValid);
      b.setInsertionPointToStart(first.elseBlock());
      publish(aggregate, aggregateTag);
    });

    // Look back, `window` tiles at a time: thread (run r < window, lane l)
    // waits for lane l's words of the tile r + base before this one (all
    // with the aggregate's or all with the prefix's tag) and puts them in
    // the window; lane l's thread combines the window from the nearest tile
    // back, stopping at an inclusive prefix.
    auto notFirst = b.create<scf::IfOp>(loc, b.create<arith::XOrIOp>(loc, isFirstChunk, i1(true)),
                                        /*withElseRegion=*/false);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(notFirst.thenBlock());
      SmallVector<Value> initial = {c0};
      for (Type type : types)
        initial.push_back(b.create<arith::ConstantOp>(loc, b.getZeroAttr(type)));
      initial.push_back(i1(false)); // the prefix so far is valid
      initial.push_back(i1(false)); // the lane found an inclusive prefix
      TypeRange loopTypes = ValueRange(initial).getTypes();
      SmallVector<Location> locs(initial.size(), loc);
      auto loop = b.create<scf::WhileOp>(loc, loopTypes, initial);
      Block *before = b.createBlock(&loop.getBefore(), {}, loopTypes, locs);
      Value base = before->getArgument(0);
      size_t width = types.size();
      SmallVector<Value> acc(before->getArguments().slice(1, width));
      Value accValid = before->getArgument(width + 1), done = before->getArgument(width + 2);
      Value distance = b.create<arith::AddIOp>(loc, base, t.run);
      Value fetches = b.create<arith::AndIOp>(
          loc, cmp(arith::CmpIPredicate::ult, distance, t.chunk), t.active);
      if (t.window < t.runs)
        fetches = b.create<arith::AndIOp>(loc, fetches,
                                          cmp(arith::CmpIPredicate::ult, t.run, index(t.window)));
      auto fetch = b.create<scf::IfOp>(loc, TypeRange{b.getI32Type()}, fetches, true);
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(fetch.thenBlock());
        Value predecessor = b.create<arith::SubIOp>(
            loc, b.create<arith::SubIOp>(loc, t.chunk, index(1)), distance);
        Value at = wordsOf(predecessor);
        SmallVector<Type> wordTypes(words, b.getI64Type());
        auto spin = b.create<scf::WhileOp>(loc, wordTypes, ValueRange{});
        b.createBlock(&spin.getBefore());
        SmallVector<Value> loaded = loadTagged(b, loc, at, words);
        Value tag = wordTag(b, loc, loaded.front());
        Value ready = b.create<arith::OrIOp>(loc, cmp(arith::CmpIPredicate::eq, tag, aggregateTag),
                                             cmp(arith::CmpIPredicate::eq, tag, prefixTag));
        for (Value word : ArrayRef<Value>(loaded).drop_front())
          ready = b.create<arith::AndIOp>(
              loc, ready, cmp(arith::CmpIPredicate::eq, wordTag(b, loc, word), tag));
        b.create<scf::ConditionOp>(loc, b.create<arith::XOrIOp>(loc, ready, i1(true)), loaded);
        b.createBlock(&spin.getAfter(), {}, wordTypes, SmallVector<Location>(words, loc));
        b.create<scf::YieldOp>(loc);
        b.setInsertionPointAfter(spin);
        SmallVector<Value> found(spin.getResults());
        SmallVector<Value> values = untagWords(b, loc, found, acc);
        for (size_t k = 0; k < n; ++k)
          if (needed[k])
            for (int64_t j = 0; j < lanes; ++j)
              b.create<memref::StoreOp>(loc, values[k * lanes + j], m.window[k],
                                        cellIndex(b, loc, t.slot, j));
        Value isPrefix = cmp(arith::CmpIPredicate::eq, wordTag(b, loc, found.front()), prefixTag);
        b.create<scf::YieldOp>(loc, b.create<arith::SelectOp>(loc, isPrefix, i32(2), i32(1))
                                        .getResult());
        b.setInsertionPointToStart(fetch.elseBlock());
        b.create<scf::YieldOp>(loc, ValueRange{i32(0)});
      }
      b.create<memref::StoreOp>(loc, fetch.getResult(0), m.windowStatus, t.slot);
      b.create<gpu::BarrierOp>(loc);

      SmallVector<Type> laneTypes(types);
      laneTypes.push_back(b.getI1Type());
      laneTypes.push_back(b.getI1Type());
      auto combineWindow = b.create<scf::IfOp>(loc, laneTypes, t.laneThread, true);
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(combineWindow.thenBlock());
        SmallVector<Value> state(acc);
        state.push_back(accValid);
        state.push_back(done);
        auto window = b.create<scf::ForOp>(loc, c0, index(t.window), index(1), state);
        {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(window.getBody());
          ValueRange args = window.getRegionIterArgs();
          SmallVector<Value> later(args.take_front(width));
          Value laterValid = args[width], stopped = args[width + 1];
          Value slot = b.create<arith::AddIOp>(
              loc, b.create<arith::MulIOp>(loc, window.getInductionVar(), t.lanesPerBlock),
              t.laneInGroup);
          Value status = b.create<memref::LoadOp>(loc, m.windowStatus, slot);
          Value take = b.create<arith::AndIOp>(
              loc, b.create<arith::XOrIOp>(loc, stopped, i1(true)),
              cmp(arith::CmpIPredicate::ne, status, i32(0)));
          SmallVector<Value> earlier = loadSharedLanes(b, loc, m.window, slot, later);
          auto [next, nextValid] = optionalCombine(b, loc, earlier, take, later, laterValid);
          next.push_back(nextValid);
          next.push_back(
              b.create<arith::OrIOp>(loc, stopped, cmp(arith::CmpIPredicate::eq, status, i32(2))));
          b.create<scf::YieldOp>(loc, next);
        }
        b.create<scf::YieldOp>(loc, window.getResults());
        b.setInsertionPointToStart(combineWindow.elseBlock());
        SmallVector<Value> unchanged(acc);
        unchanged.push_back(accValid);
        unchanged.push_back(done);
        b.create<scf::YieldOp>(loc, unchanged);
      }
      // One barrier ends the round and tells whether a lane looks further
      // back (bar.red.or): the window is free again after it.
      Value looking = b.create<arith::AndIOp>(
          loc, t.laneThread,
          b.create<arith::XOrIOp>(loc, combineWindow.getResults().back(), i1(true)));
      Value more = b.create<LLVM::CallIntrinsicOp>(
                        loc, b.getI32Type(), "llvm.nvvm.barrier0.or",
                        ValueRange{b.create<arith::ExtUIOp>(loc, b.getI32Type(), looking)})
                       .getResult(0);
      SmallVector<Value> carried = {base};
      carried.append(combineWindow.getResults().begin(), combineWindow.getResults().end());
      b.create<scf::ConditionOp>(loc, cmp(arith::CmpIPredicate::ne, more, i32(0)), carried);

      Block *after = b.createBlock(&loop.getAfter(), {}, loopTypes, locs);
      SmallVector<Value> next(after->getArguments());
      next[0] = b.create<arith::AddIOp>(loc, after->getArgument(0), index(t.window));
      b.create<scf::YieldOp>(loc, next);

      // The inclusive prefix: the exclusive one, then the tile's aggregate.
      b.setInsertionPointAfter(loop);
      SmallVector<Value> exclusive(loop.getResults().slice(1, width));
      Value exclusiveValid = loop.getResult(width + 1);
      inLaneThreads([&](Value aggregateValid) {
        auto [inclusive, inclusiveValid] = optionalCombine(
            b, loc, exclusive, exclusiveValid, flatRegisterCarries(), aggregateValid);
        publish(inclusive, prefixTag);
        storePrefix(exclusive, exclusiveValid);
      });
    }
    b.create<gpu::BarrierOp>(loc);
  }

  enum class ChunkedPass { Aggregate, Prefix, Rescan, Lookback };

  void emitChunkedPass(OpBuilder &builder, StringRef name, TypeRange scratch, ChunkedPass pass) {
    OpBuilder::InsertionGuard guard(builder);
    Location loc = group.getLoc();
    auto scan = cast<ScanOp>(anchor);
    gpu::GPUFuncOp func =
        createGpuFunc(builder, name, scratch, pass == ChunkedPass::Prefix ? 0 : chunkLength);
    scratchArgs = currentArgs.take_back(scratch.size());
    Value chunks;
    Shape shape;
    Value thread = beginGpuBody(builder, func, shape, [&](OpBuilder &b, Shape &shape) {
      Value length = b.create<arith::ConstantIndexOp>(loc, chunkLength);
      chunks = b.create<arith::CeilDivUIOp>(loc, shape.dims[scan.getAxis()], length);
      if (pass == ChunkedPass::Prefix)
        return shape.blocks;
      return b.create<arith::MulIOp>(loc, shape.blocks, chunks).getResult();
    });
    Value chunk;
    currentBlock = thread;
    if (pass != ChunkedPass::Prefix) {
      chunk = builder.create<arith::DivUIOp>(loc, thread, shape.blocks);
      currentBlock = builder.create<arith::RemUIOp>(loc, thread, shape.blocks);
    }
    Value laneCount = decodeBlock(builder, loc, currentBlock);
    emitPerThreadLanes(builder, loc, laneCount, [&](int64_t width) {
      Value count = builder.create<arith::ConstantIndexOp>(loc, width);
      if (pass == ChunkedPass::Aggregate)
        emitChunkAggregate(builder, loc, scan, count, chunk);
      else if (pass == ChunkedPass::Prefix)
        emitChunkPrefixes(builder, loc, scan, count, chunks);
      else
        emitChunkRescan(builder, loc, scan, count, chunk);
    });
    scratchArgs = ValueRange();
  }

  /// Passes 1 and 3 of `chunked` when a block's threads share each lane's
  /// chunk: a GPU block covers `lanes` lanes (one per thread, vector = 1)
  /// of one chunk, and its 32 x warps threads are `runs` runs of the chunk
  /// for each lane (thread t: run t / lanes, lane t % lanes, so consecutive
  /// threads read consecutive lanes). Each thread combines its run in
  /// registers; the run aggregates go through shared memory, a barrier, then
  /// each thread combines those of the runs before its own (pass 3) or run 0
  /// combines all of them into the chunk's aggregate (pass 1). Runs without
  /// elements (past the end of the last chunk) are skipped. The `lookback`
  /// kernel is pass 3 with the tile's chunk from a ticket and its carry from
  /// the look-back (emitLookback).
  LogicalResult emitSharedChunkPass(OpBuilder &builder, StringRef name, TypeRange scratch,
                                    ChunkedPass pass,
                           int64_t runs) {
    OpBuilder::InsertionGuard guard(builder);
    Location loc = group.getLoc();
    auto scan = cast<ScanOp>(anchor);
    MLIRContext *ctx = builder.getContext();
    // Lane blocks of `vector` lanes: a cell per lane in the shared arrays.
    int64_t threads = gpuBlockThreads(), lanesPerBlock = threads / runs, cells = blockLanes();
    auto workgroup = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
    SmallVector<Type> sharedTypes;
    for (Value input : anchorInputs())
      sharedTypes.push_back(MemRefType::get({threads * cells},
                                            getElementTypeOrSelf(input.getType()),
                                            MemRefLayoutAttrInterface(), workgroup));
    auto sharedI32 = [&](int64_t size) {
      return MemRefType::get({size}, builder.getI32Type(), MemRefLayoutAttrInterface(), workgroup);
    };
    sharedTypes.push_back(sharedI32(threads));
    bool lookback = pass == ChunkedPass::Lookback;
    size_t n = anchorInputs().size();
    if (lookback) {
      // The exclusive prefix of each lane (and whether it has one), and two
      // words: the ticket and the epoch. The look-back's window (a value and
      // a status per thread) reuses the run aggregates' arrays.
      for (Value input : anchorInputs())
        sharedTypes.push_back(MemRefType::get({lanesPerBlock * cells},
                                              getElementTypeOrSelf(input.getType()),
                                              MemRefLayoutAttrInterface(), workgroup));
      sharedTypes.push_back(sharedI32(lanesPerBlock));
      sharedTypes.push_back(sharedI32(2));
    }
    int64_t sharedBytes = 0;
    for (Type type : sharedTypes) {
      auto array = cast<MemRefType>(type);
      sharedBytes += array.getNumElements() * array.getElementTypeBitWidth() / 8;
    }
    if (sharedBytes > kMaxSharedBytes)
      return anchor->emitOpError("the tiling needs ")
             << sharedBytes << " bytes of shared memory a block, more than " << kMaxSharedBytes
             << ": use fewer warps or a narrower vector";
    // Lookback: a thread's full run is one unrolled batch; its loads go
    // through the staging buffer (stagedLoads) where the tile fits in what
    // shared memory is left.
    runSteps = chunkLength / runs;
    runsAlongAxis =
        gpuModule && axis && *axis + 1 == cast<RankedTensorType>(domainSource.getType()).getRank();
    stagedStepBytes = stagedBytesPerStep();
    int64_t stagingBytes = runSteps * stagedStepBytes * threads;
    // A staging buffer that does not fit the static 48 KiB with the rest
    // goes to dynamic shared memory (kDynamicSharedAttr: the runtime opts in
    // and passes its size at launch).
    bool stages = lookback && runSteps <= kMaxUnrolledRun && stagingBytes > 0 &&
                  sharedBytes + stagingBytes <= kMaxOptInSharedBytes;
    bool dynamicStaging = stages && sharedBytes + stagingBytes > kMaxSharedBytes;
    if (stages && !dynamicStaging)
      sharedTypes.push_back(sharedI32(stagingBytes / 4));
    gpu::GPUFuncOp func =
        createGpuFunc(builder, name, scratch, chunkLength, lanesPerBlock, sharedTypes,
                      lookback ? tagPiecesPerLane(neededCarries()) : 0);
    Value staticStaging;
    if (stages && !dynamicStaging)
      staticStaging = func.getWorkgroupAttributions().back();
    if (dynamicStaging)
      func->setAttr(kDynamicSharedAttr, builder.getI64IntegerAttr(stagingBytes));
    scratchArgs = currentArgs.drop_back(lookback ? 1 : 0).take_back(scratch.size());
    Value tileState = lookback ? currentArgs.back() : Value();
    ArrayRef<BlockArgument> attributions = func.getWorkgroupAttributions();
    SmallVector<Value> shared(attributions.begin(), attributions.begin() + n);
    Value sharedValid = attributions[n];
    LookbackMemory memory;
    if (lookback) {
      ArrayRef<BlockArgument> rest = attributions.drop_front(n + 1);
      memory.window = shared;
      memory.windowStatus = sharedValid;
      memory.prefix.assign(rest.begin(), rest.begin() + n);
      memory.prefixValid = rest[n];
      memory.control = rest[n + 1];
      memory.tileState = tileState;
    }

    Block *entry = &func.getBody().front();
    builder.setInsertionPointToStart(entry);
    if (staticStaging)
      staging = builder.create<arith::IndexCastUIOp>(
          loc, builder.getI64Type(),
          builder.create<memref::ExtractAlignedPointerAsIndexOp>(loc, staticStaging));
    if (dynamicStaging)
      staging = builder.create<LLVM::PtrToIntOp>(
          loc, builder.getI64Type(),
          builder.create<LLVM::AddressOfOp>(loc, dynamicSharedMemory(builder, loc)));
    Shape shape = computeShape(builder, loc);
    this->shape = &shape;
    // Lookback: a tile that is not staged reads its inputs in the first
    // walk and again in the rescan; they stay in L2 in between (evict_last),
    // the rescan's reads and the outputs go first (evict_first). Without the
    // hints a third of the rescan's reads went to DRAM (ncu, assoc_scan_exp
    // at [2, 8, 32768, 128]). A staged tile reads its inputs once (the
    // rescan reads shared memory); its copies take evict_last all the same,
    // and its stores evict_first. On the H100 (session 11, same machine, two rounds each,
    // against no hints on staged tiles): assoc_scan_exp 397.4 -> 387.0 us
    // at [8, 32, 8192, 128] and 114.3 -> 112.9 at [2, 8, 32768, 128];
    // linear_recurrence 589.5 -> 582.8 and 161.4 -> 158.6; decayed_sum (f32)
    // 36.0 -> 35.8; linear_recurrence_rows 172.9 -> 171.5 at [2, 8, 128,
    // 32768]; the small shapes within 0.1 us. Copies alone with evict_last
    // were within 1% of it (faster at [2, 8, 32768, 128], slower for
    // decayed_sum); stores alone with evict_first, or both evict_last,
    // slower; evict_first on the copies too (session 9) was slower than no
    // hints (session 10: 413.6 against 397 us).
    Value keepInL2, dropFromL2;
    if (lookback) {
      keepInL2 = l2Policy(builder, loc, "evict_last");
      dropFromL2 = l2Policy(builder, loc, "evict_first");
    }
    auto startFirstWalk = [&] {
      writeOutputs = false;
      loadPolicy = keepInL2;
      if (stages)
        stagedLoads = StagedLoads::Copy;
    };
    auto endWalk = [&] {
      writeOutputs = true;
      loadPolicy = storePolicy = Value();
      stagedLoads = StagedLoads::None;
    };
    analyzeCarries();
    // Carries cross threads lane by lane: every lane keeps its own.
    if (cells > 1)
      uniform.assign(uniform.size(), false);
    auto index = [&](int64_t v) { return builder.create<arith::ConstantIndexOp>(loc, v); };
    Value lanesValue = index(lanesPerBlock), runLength = index(chunkLength / runs);
    Value steps = shape.dims[scan.getAxis()];
    Value groups = builder.create<arith::CeilDivUIOp>(loc, shape.blocks, lanesValue);
    Value tile = builder.create<gpu::BlockIdOp>(loc, gpu::Dimension::x);
    Value threadId = builder.create<gpu::ThreadIdOp>(loc, gpu::Dimension::x);
    stagingThread = threadId;
    Value c1 = index(1);
    Value epoch;
    // Lookback: a block takes tiles by ticket until none is left. With a
    // grid other than a block a tile (the runtime's cap,
    // MMREC_LOOKBACK_BLOCKS_PER_SM, or a launch from elsewhere) each block
    // takes tickets until one is past the tiles; with a block a tile, one.
    // Either way the tile is a loop body: LLVM hoists its tile-invariant
    // setup above the ticket (docs/gpu.md).
    if (lookback) {
      Value tiles = builder.create<arith::MulIOp>(
          loc, groups,
          builder.create<arith::MaxUIOp>(
              loc, builder.create<arith::CeilDivUIOp>(loc, steps, index(chunkLength)), c1));
      Value grid = builder.create<gpu::GridDimOp>(loc, gpu::Dimension::x);
      Value persistent = builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, grid, tiles);
      Value draws = builder.create<arith::AddIOp>(
          loc, tiles, builder.create<arith::SelectOp>(loc, persistent, grid, index(0)));
      Type i1 = builder.getI1Type(), i32 = builder.getI32Type(), indexType = builder.getIndexType();
      auto loop =
          builder.create<scf::WhileOp>(loc, TypeRange{indexType, i32},
                                       ValueRange{builder.create<arith::ConstantIntOp>(loc, 1, 1)});
      Block *before = builder.createBlock(&loop.getBefore(), {}, {i1}, {loc});
      auto draw = builder.create<scf::IfOp>(loc, TypeRange{indexType, i32}, before->getArgument(0),
                                            /*withElseRegion=*/true);
      {
        OpBuilder::InsertionGuard guard(builder);
        builder.setInsertionPointToStart(draw.thenBlock());
        auto [ticket, ticketEpoch] = emitTicket(builder, loc, memory, threadId, draws);
        builder.create<scf::YieldOp>(loc, ValueRange{ticket, ticketEpoch});
        builder.setInsertionPointToStart(draw.elseBlock());
        builder.create<scf::YieldOp>(
            loc, ValueRange{tiles, builder.create<arith::ConstantIntOp>(loc, 0, 32)});
      }
      Value more =
          builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, draw.getResult(0), tiles);
      builder.create<scf::ConditionOp>(loc, more, draw.getResults());
      Block *tileBody = builder.createBlock(&loop.getAfter(), {}, {indexType, i32}, {loc, loc});
      builder.create<scf::YieldOp>(loc, persistent);
      builder.setInsertionPointToStart(tileBody);
      tile = tileBody->getArgument(0);
      epoch = tileBody->getArgument(1);
    }
    Value chunk = builder.create<arith::DivUIOp>(loc, tile, groups);
    Value groupIndex = builder.create<arith::RemUIOp>(loc, tile, groups);
    // Consecutive threads take consecutive lanes (a warp's accesses at a
    // step are consecutive), or, along the innermost axis, consecutive runs
    // of a lane (a warp's run vectors are). A thread's cell in the shared
    // arrays is run x lanes + lane either way.
    Value run, laneInGroup, slot = threadId;
    if (runsAlongAxis) {
      Value runsValue = index(runs);
      run = builder.create<arith::RemUIOp>(loc, threadId, runsValue);
      laneInGroup = builder.create<arith::DivUIOp>(loc, threadId, runsValue);
      slot = builder.create<arith::AddIOp>(loc, builder.create<arith::MulIOp>(loc, run, lanesValue),
                                           laneInGroup);
    } else {
      run = builder.create<arith::DivUIOp>(loc, threadId, lanesValue);
      laneInGroup = builder.create<arith::RemUIOp>(loc, threadId, lanesValue);
    }
    Value laneBlock = builder.create<arith::AddIOp>(
        loc, builder.create<arith::MulIOp>(loc, groupIndex, lanesValue), laneInGroup);
    Value active =
        builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, laneBlock, shape.blocks);
    if (cells > 1)
      scratchLanes = decodeBlock(builder, loc, laneBlock);
    auto [chunkFirst, chunkLast] = chunkSteps(builder, loc, scan, chunk);
    Value runFirst = builder.create<arith::MinUIOp>(
        loc, builder.create<arith::AddIOp>(loc, chunkFirst,
                                           builder.create<arith::MulIOp>(loc, run, runLength)),
        chunkLast);
    Value runEnd = builder.create<arith::MinUIOp>(
        loc, builder.create<arith::AddIOp>(loc, runFirst, runLength), chunkLast);
    Value runValid = builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, runFirst, runEnd);

    // Registers of one lane for the body of `ifOp`'s then block.
    auto inLane = [&](scf::IfOp ifOp, function_ref<void()> body) {
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPointToStart(ifOp.thenBlock());
      currentBlock = laneBlock;
      withThreadLanes(builder, loc, decodeBlock(builder, loc, laneBlock), body);
    };
    // A full run is unrolled, kMaxUnrolledRun steps at a time (a loop of
    // such batches in longer runs), so that their loads are in flight at
    // once; the partial runs of the last chunk loop step by step.
    auto walkRun = [&](bool first, Value from) {
      auto walk = [&](bool unrolled) {
        // Only a full run stages its loads: the first walk copies all of
        // them, waits, and reads them like the rescan.
        llvm::SaveAndRestore<StagedLoads> staged(stagedLoads,
                                                 unrolled ? stagedLoads : StagedLoads::None);
        // Along the axis, a full run moves in vectors along it.
        bool vectors = unrolled && runVectors();
        if (stagedLoads == StagedLoads::Copy) {
          if (vectors)
            loadRunLanes(builder, loc, scan, from);
          else
            for (int64_t i = 0; i < runSteps; ++i) {
              runStep = i;
              Value s = builder.create<arith::AddIOp>(loc, from, index(i));
              withVectorLanes(builder, loc, axisIndex(builder, loc, scan, s), [] {});
            }
          waitForStaging(builder, loc);
          stagedLoads = StagedLoads::Read;
        }
        llvm::DenseMap<Value, SmallVector<Value>> runLanes;
        llvm::MapVector<Value, SmallVector<Value>> runStores;
        if (vectors) {
          runLanes = loadRunLanes(builder, loc, scan, from);
          pointLanes = &runLanes;
          pendingStores = &runStores;
        }
        runStep = 0;
        if (first)
          emitAnchorStep(builder, loc, index(1), {}, axisIndex(builder, loc, scan, from), true);
        if (unrolled) {
          int64_t done = first ? 1 : 0, batches = (runSteps - done) / kMaxUnrolledRun;
          auto unroll = [&](OpBuilder &b, Value at, int64_t steps) {
            for (int64_t i = 0; i < steps; ++i) {
              Value s = b.create<arith::AddIOp>(loc, at, index(i));
              runStep = done + i;
              emitAnchorStep(b, loc, index(1), {}, axisIndex(b, loc, scan, s), false);
            }
          };
          Value at = builder.create<arith::AddIOp>(loc, from, index(done));
          if (runSteps > kMaxUnrolledRun) {
            Value end = builder.create<arith::AddIOp>(loc, at, index(batches * kMaxUnrolledRun));
            emitFor(builder, loc, at, end, kMaxUnrolledRun,
                    [&](OpBuilder &b, Value batch) { unroll(b, batch, kMaxUnrolledRun); });
            at = end;
            done += batches * kMaxUnrolledRun;
          }
          unroll(builder, at, runSteps - done);
          if (vectors) {
            pointLanes = nullptr;
            pendingStores = nullptr;
            storeRunLanes(builder, loc, scan, from, runStores);
          }
          return;
        }
        Value start = first ? builder.create<arith::AddIOp>(loc, from, c1).getResult() : from;
        emitFor(builder, loc, start, runEnd, [&](OpBuilder &b, Value s) {
          emitAnchorStep(b, loc, index(1), {}, axisIndex(b, loc, scan, s), false);
        });
      };
      auto walkSteps = [&]() {
        Value full = builder.create<arith::CmpIOp>(
            loc, arith::CmpIPredicate::eq, builder.create<arith::SubIOp>(loc, runEnd, from),
            index(runSteps));
        // A reverse run's vectors start at a multiple of their width only
        // when the axis length is one; otherwise it walks step by step.
        if (int64_t width = runVectors() ? runVectorAlignment() : 1; width > 1 && scan.getReverse())
          full = builder.create<arith::AndIOp>(
              loc, full,
              builder.create<arith::CmpIOp>(
                  loc, arith::CmpIPredicate::eq,
                  builder.create<arith::RemUIOp>(loc, steps, index(width)), index(0)));
        emitIfElse(
            builder, loc, full, [&](OpBuilder &) { walk(true); },
            [&](OpBuilder &) { walk(false); });
      };
      if (!lanesInBlock) {
        walkSteps();
        return;
      }
      // A full lane block moves its lanes in vectors; a partial one repeats
      // its last lane.
      Value partial = lanesInBlock;
      Value fullBlock =
          builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, partial, index(cells));
      emitIfElse(
          builder, loc, fullBlock,
          [&](OpBuilder &) {
            lanesInBlock = Value();
            walkSteps();
            lanesInBlock = partial;
          },
          [&](OpBuilder &) { walkSteps(); });
    };

    // Where a warp holds several runs of a lane (`segment` of them,
    // `runStride` threads apart: lanes dividing 32, or runs along the axis),
    // they scan each other's aggregates with shuffles and only the
    // segments' totals go through shared memory: slot segment x lanes + lane.
    int64_t runStride = runsAlongAxis ? 1 : lanesPerBlock;
    int64_t segment = 1;
    if (runsAlongAxis)
      segment = runs >= kWarpSize ? (runs % kWarpSize == 0 ? kWarpSize : 1)
                                  : (kWarpSize % runs == 0 ? runs : 1);
    else if (lanesPerBlock < kWarpSize && kWarpSize % lanesPerBlock == 0)
      segment = kWarpSize / lanesPerBlock;
    bool warpScan = segment > 1;
    SmallVector<Value> before;
    Value beforeValid, warp = run;
    if (warpScan) {
      Value position = builder.create<arith::RemUIOp>(loc, run, index(segment));
      warp = builder.create<arith::DivUIOp>(loc, run, index(segment));
      // Every thread of the warp takes part in the shuffles: threads past the
      // last lane block walk nothing.
      Value walks = builder.create<arith::AndIOp>(loc, active, runValid);
      currentBlock = laneBlock;
      withThreadLanes(builder, loc, decodeBlock(builder, loc, laneBlock), [&] {
        startFirstWalk();
        emitIf(builder, loc, walks, [&](OpBuilder &) { walkRun(true, runFirst); });
        endWalk();
        SmallVector<Value> mine = flatRegisterCarries();
        Value mineValid = walks;
        // Inclusive scan over the segment's runs of this lane.
        for (int64_t distance = 1; distance < segment; distance *= 2) {
          auto [other, otherValid] = shuffleUp(builder, loc, mine, mineValid, distance * runStride);
          auto [both, bothValid] = optionalCombine(builder, loc, other, otherValid, mine, mineValid);
          Value take = builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::uge, position,
                                                     index(distance));
          for (size_t k = 0; k < mine.size(); ++k)
            mine[k] = builder.create<arith::SelectOp>(loc, take, both[k], mine[k]);
          mineValid = builder.create<arith::SelectOp>(loc, take, bothValid, mineValid);
        }
        // The runs before this one in the segment, and the segment's total
        // from its last run.
        std::tie(before, beforeValid) = shuffleUp(builder, loc, mine, mineValid, runStride);
        beforeValid = builder.create<arith::AndIOp>(
            loc, beforeValid,
            builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::uge, position, index(1)));
        Value last = builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, position,
                                                   index(segment - 1));
        auto storeTotal = builder.create<scf::IfOp>(loc, last, false);
        OpBuilder::InsertionGuard guard(builder);
        builder.setInsertionPointToStart(storeTotal.thenBlock());
        Value totalSlot = builder.create<arith::AddIOp>(
            loc, builder.create<arith::MulIOp>(loc, warp, lanesValue), laneInGroup);
        storeSharedLanes(builder, loc, mine, shared, totalSlot);
        builder.create<memref::StoreOp>(
            loc, builder.create<arith::ExtUIOp>(loc, builder.getI32Type(), mineValid), sharedValid,
            totalSlot);
      });
    }
    // The run's aggregate into shared memory.
    if (!warpScan)
      inLane(builder.create<scf::IfOp>(loc, active, false), [&] {
        startFirstWalk();
        emitIf(builder, loc, runValid, [&](OpBuilder &) { walkRun(true, runFirst); });
        endWalk();
        storeSharedLanes(builder, loc, flatRegisterCarries(), shared, slot);
        builder.create<memref::StoreOp>(
            loc, builder.create<arith::ExtUIOp>(loc, builder.getI32Type(), runValid), sharedValid,
            slot);
      });
    builder.create<gpu::BarrierOp>(loc);
    Value slots = index(runs / segment);
    // Lookback: from the run aggregates, each thread takes its lane's tile
    // aggregate and the runs before its own (its warp's, with warp scans)
    // into registers; after a barrier, the look-back's window reuses their
    // shared memory (a block takes less of it: more blocks an SM).
    SmallVector<Value> aggregate, runsBefore;
    Value aggregateValid, runsBeforeValid;
    if (lookback) {
      currentBlock = laneBlock;
      withThreadLanes(builder, loc, decodeBlock(builder, loc, laneBlock), [&] {
        Value none = builder.create<arith::ConstantIntOp>(loc, 0, 1);
        aggregateValid = combineSharedRuns(builder, loc, shared, sharedValid, laneInGroup,
                                           lanesValue, slots, none);
        aggregate = flatRegisterCarries();
        runsBeforeValid = combineSharedRuns(builder, loc, shared, sharedValid, laneInGroup,
                                            lanesValue, warp, none);
        runsBefore = flatRegisterCarries();
      });
      builder.create<gpu::BarrierOp>(loc);
      Value isFirstRun =
          builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, run, index(0));
      Value laneThread = builder.create<arith::AndIOp>(loc, isFirstRun, active);
      LookbackTile where{chunk,       slot,       run,
                         laneInGroup, lanesValue, laneBlock,
                         epoch,       runs,       std::min(runs, lookbackWindow()),
                         laneThread,  active};
      emitLookback(builder, loc, scan, memory, where, [&](function_ref<void(Value)> body) {
        inLane(builder.create<scf::IfOp>(loc, laneThread, false), [&] {
          setRegisterCarries(aggregate);
          body(aggregateValid);
        });
      });
    }
    inLane(builder.create<scf::IfOp>(loc, active, false), [&] {
      if (pass == ChunkedPass::Aggregate) {
        Value isFirstRun = builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, run, index(0));
        auto onlyFirst = builder.create<scf::IfOp>(loc, isFirstRun, false);
        OpBuilder::InsertionGuard guard(builder);
        builder.setInsertionPointToStart(onlyFirst.thenBlock());
        combineSharedRuns(builder, loc, shared, sharedValid, laneInGroup, lanesValue, slots,
                          builder.create<arith::ConstantIntOp>(loc, 0, 1));
        storeScratch(builder, loc, chunk, index(1));
        return;
      }
      // The carry before the chunk (chunk 0: the inits or the identity, if
      // the scan has them; lookback: the prefix it found), then the runs
      // before this one.
      Value startValid;
      if (lookback) {
        setRegisterCarries(
            loadSharedLanes(builder, loc, memory.prefix, laneInGroup, flatRegisterCarries()));
        startValid = builder.create<arith::CmpIOp>(
            loc, arith::CmpIPredicate::ne,
            builder.create<memref::LoadOp>(loc, memory.prefixValid, laneInGroup),
            builder.create<arith::ConstantIntOp>(loc, 0, 32));
      } else {
        Value isFirstChunk =
            builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, chunk, index(0));
        emitIfElse(
            builder, loc, isFirstChunk,
            [&](OpBuilder &b) { emitStartCarries(b, loc, scan, index(1), {}); },
            [&](OpBuilder &b) { loadScratch(b, loc, chunk, index(1)); });
        startValid = hasStart(scan)
                         ? builder.create<arith::ConstantIntOp>(loc, 1, 1).getResult()
                         : builder.create<arith::XOrIOp>(
                               loc, isFirstChunk, builder.create<arith::ConstantIntOp>(loc, 1, 1))
                               .getResult();
      }
      Value valid;
      if (lookback) {
        auto [carry, carryValid] = optionalCombine(builder, loc, flatRegisterCarries(), startValid,
                                                   runsBefore, runsBeforeValid);
        setRegisterCarries(carry);
        valid = carryValid;
      } else {
        valid = combineSharedRuns(builder, loc, shared, sharedValid, laneInGroup, lanesValue, warp,
                                  startValid);
      }
      if (warpScan) {
        auto [carry, carryValid] = optionalCombine(builder, loc, flatRegisterCarries(), valid,
                                                   before, beforeValid);
        setRegisterCarries(carry);
        valid = carryValid;
      }
      loadPolicy = storePolicy = dropFromL2;
      if (stages)
        stagedLoads = StagedLoads::Read;
      emitIfElse(
          builder, loc, valid, [&](OpBuilder &) { walkRun(false, runFirst); },
          [&](OpBuilder &) {
            emitIf(builder, loc, runValid, [&](OpBuilder &) { walkRun(true, runFirst); });
          });
      endWalk();
      if (lookback && !scan.getInits().empty()) {
        // The final carries: from the run that ends the axis (run 0 of the
        // only tile of an empty axis).
        Value endsAxis =
            builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, runEnd, steps);
        Value emptyAxis = builder.create<arith::AndIOp>(
            loc, builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, steps, index(0)),
            builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, run, index(0)));
        Value writes = builder.create<arith::AndIOp>(
            loc, endsAxis, builder.create<arith::OrIOp>(loc, runValid, emptyAxis));
        emitIf(builder, loc, writes,
               [&](OpBuilder &b) { emitFinalCarries(b, loc, scan, index(1), {}); });
      }
    });
    builder.setInsertionPointToEnd(entry);
    builder.create<gpu::ReturnOp>(loc);
    scratchArgs = ValueRange();
    scratchLanes = Value();
    staging = stagingThread = Value();
    runsAlongAxis = false;
    return success();
  }

  /// `values` and `valid` of the thread `distance` lanes below in the warp
  /// (gpu.shuffle up); invalid for the first `distance` lanes.
  std::pair<SmallVector<Value>, Value> shuffleUp(OpBuilder &b, Location loc, ArrayRef<Value> values,
                                                 Value valid, int64_t distance) {
    Value offset = b.create<arith::ConstantIntOp>(loc, distance, 32);
    Value width = b.create<arith::ConstantIntOp>(loc, kWarpSize, 32);
    auto shuffle = [&](Value value) -> std::pair<Value, Value> {
      Type type = value.getType();
      unsigned bits = type.getIntOrFloatBitWidth();
      if (bits == 32 || bits == 64) {
        auto op = b.create<gpu::ShuffleOp>(loc, value, offset, width, gpu::ShuffleMode::UP);
        return {op.getShuffleResult(), op.getValid()};
      }
      // Narrower values travel as i32.
      Type integer = b.getIntegerType(bits);
      Value bitsValue = isa<FloatType>(type) ? b.create<arith::BitcastOp>(loc, integer, value).getResult() : value;
      Value wide = b.create<arith::ExtUIOp>(loc, b.getI32Type(), bitsValue);
      auto op = b.create<gpu::ShuffleOp>(loc, wide, offset, width, gpu::ShuffleMode::UP);
      Value narrow = b.create<arith::TruncIOp>(loc, integer, op.getShuffleResult());
      if (isa<FloatType>(type))
        narrow = b.create<arith::BitcastOp>(loc, type, narrow);
      return {narrow, op.getValid()};
    };
    SmallVector<Value> out;
    for (Value value : values)
      out.push_back(shuffle(value).first);
    auto [otherValid, inRange] = shuffle(valid);
    return {out, b.create<arith::AndIOp>(loc, otherValid, inRange)};
  }

  /// `combine` on flat lists of the register carries of several lanes
  /// (operand-major: operand k of lane j at k x lanes + j), lane by lane.
  SmallVector<Value> combineLanes(OpBuilder &b, ArrayRef<Value> earlier, ArrayRef<Value> later) {
    size_t n = anchorInputs().size();
    size_t lanes = earlier.size() / n;
    if (lanes == 1)
      return combine(b, earlier, later);
    SmallVector<Value> out(earlier.size());
    for (size_t j = 0; j < lanes; ++j) {
      SmallVector<Value> lhs, rhs;
      for (size_t k = 0; k < n; ++k) {
        lhs.push_back(earlier[k * lanes + j]);
        rhs.push_back(later[k * lanes + j]);
      }
      for (auto [k, value] : llvm::enumerate(combine(b, lhs, rhs)))
        out[k * lanes + j] = value;
    }
    return out;
  }

  /// `earlier` then `later`, either of which may be absent (not valid).
  std::pair<SmallVector<Value>, Value> optionalCombine(OpBuilder &b, Location loc,
                                                       ArrayRef<Value> earlier, Value earlierValid,
                                                       ArrayRef<Value> later, Value laterValid) {
    SmallVector<Value> both = combineLanes(b, earlier, later), out;
    for (size_t k = 0; k < earlier.size(); ++k) {
      Value kept = b.create<arith::SelectOp>(loc, laterValid, both[k], earlier[k]);
      out.push_back(b.create<arith::SelectOp>(loc, earlierValid, kept, later[k]));
    }
    return {out, b.create<arith::OrIOp>(loc, earlierValid, laterValid)};
  }

  /// Combines into the register carries (valid or not, `valid`) the run
  /// aggregates in shared memory of runs [0, upper) of this lane, in order,
  /// skipping runs without elements; returns whether the carries are valid.
  Value combineSharedRuns(OpBuilder &b, Location loc, ArrayRef<Value> shared, Value sharedValid,
                          Value laneInGroup, Value lanesPerBlock, Value upper, Value valid) {
    SmallVector<Value> initial = flatRegisterCarries();
    initial.push_back(valid);
    Value c0 = b.create<arith::ConstantIndexOp>(loc, 0);
    Value c1 = b.create<arith::ConstantIndexOp>(loc, 1);
    auto loop = b.create<scf::ForOp>(loc, c0, upper, c1, initial);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      ValueRange iterArgs = loop.getRegionIterArgs();
      SmallVector<Value> mine(iterArgs.drop_back());
      Value have = iterArgs.back();
      Value slot = b.create<arith::AddIOp>(
          loc, b.create<arith::MulIOp>(loc, loop.getInductionVar(), lanesPerBlock), laneInGroup);
      Value zero32 = b.create<arith::ConstantIntOp>(loc, 0, 32);
      Value otherValid = b.create<arith::CmpIOp>(
          loc, arith::CmpIPredicate::ne, b.create<memref::LoadOp>(loc, sharedValid, slot), zero32);
      SmallVector<Value> other = loadSharedLanes(b, loc, shared, slot, mine);
      SmallVector<Value> both = combineLanes(b, mine, other), next;
      for (size_t i = 0; i < mine.size(); ++i) {
        Value kept = b.create<arith::SelectOp>(loc, otherValid, both[i], mine[i]);
        next.push_back(b.create<arith::SelectOp>(loc, have, kept, other[i]));
      }
      next.push_back(b.create<arith::OrIOp>(loc, have, otherValid));
      b.create<scf::YieldOp>(loc, next);
    }
    setRegisterCarries(loop.getResults().drop_back());
    return loop.getResults().back();
  }

  /// The cells of `slot` in the shared arrays `shared` (one per operand, a
  /// cell per lane of a thread), as a flat list of register carries;
  /// operands whose carry is not needed keep their value in `otherwise`.
  SmallVector<Value> loadSharedLanes(OpBuilder &b, Location loc, ArrayRef<Value> shared,
                                     Value slot, ArrayRef<Value> otherwise) {
    size_t lanes = otherwise.size() / shared.size();
    SmallVector<Value> values(otherwise);
    for (size_t k = 0; k < shared.size(); ++k)
      for (size_t j = 0; j < lanes; ++j)
        if (needed[k])
          values[k * lanes + j] =
              b.create<memref::LoadOp>(loc, shared[k], cellIndex(b, loc, slot, j));
    return values;
  }

  /// Stores a flat list of register carries to the cells of `slot` in the
  /// shared arrays `shared` (the needed operands).
  void storeSharedLanes(OpBuilder &b, Location loc, ArrayRef<Value> values,
                        ArrayRef<Value> shared, Value slot) {
    size_t lanes = values.size() / shared.size();
    for (size_t k = 0; k < shared.size(); ++k)
      for (size_t j = 0; j < lanes; ++j)
        if (needed[k])
          b.create<memref::StoreOp>(loc, values[k * lanes + j], shared[k],
                                    cellIndex(b, loc, slot, j));
  }

  /// Where lane `lane` of the thread's block keeps chunk `chunk`'s value.
  /// A partial lane block of the shared-chunk shapes keeps the values of
  /// the lanes that repeat its last one in that lane's cell (scratchLanes):
  /// every kernel of a strategy then finds them where the others wrote.
  Value scratchIndex(OpBuilder &b, Location loc, Value chunk, Value lane) {
    Value width = b.create<arith::ConstantIndexOp>(loc, blockLanes());
    Value row = b.create<arith::AddIOp>(loc, b.create<arith::MulIOp>(loc, chunk, shape->blocks),
                                        currentBlock);
    Value inBlock = carryIndex(b, loc, lane);
    if (scratchLanes)
      inBlock = b.create<arith::MinUIOp>(
          loc, inBlock,
          b.create<arith::SubIOp>(loc, scratchLanes, b.create<arith::ConstantIndexOp>(loc, 1)));
    return b.create<arith::AddIOp>(loc, b.create<arith::MulIOp>(loc, row, width), inBlock);
  }

  /// The steps [first, last) in scan order of chunk `chunk`.
  std::pair<Value, Value> chunkSteps(OpBuilder &b, Location loc, ScanOp scan, Value chunk) {
    Value length = b.create<arith::ConstantIndexOp>(loc, chunkLength);
    Value first = b.create<arith::MulIOp>(loc, chunk, length);
    Value end = b.create<arith::AddIOp>(loc, first, length);
    return {first, b.create<arith::MinUIOp>(loc, end, shape->dims[scan.getAxis()])};
  }

  void storeScratch(OpBuilder &b, Location loc, Value chunk, Value laneCount) {
    forLanes(b, loc, laneCount, [&](OpBuilder &b, Value lane) {
      for (size_t k = 0; k < scratchArgs.size(); ++k)
        if (needed[k])
          b.create<memref::StoreOp>(loc, loadCarry(b, loc, {}, k, lane), scratchArgs[k],
                                    scratchIndex(b, loc, chunk, lane));
    });
  }

  void loadScratch(OpBuilder &b, Location loc, Value chunk, Value laneCount) {
    forLanes(b, loc, laneCount, [&](OpBuilder &b, Value lane) {
      for (size_t k = 0; k < scratchArgs.size(); ++k)
        if (needed[k])
          storeCarry(b, loc, {}, k,
                     b.create<memref::LoadOp>(loc, scratchArgs[k],
                                              scratchIndex(b, loc, chunk, lane)),
                     lane);
    });
  }

  /// Pass 1: the aggregate of chunk `chunk` (never empty) into scratch.
  void emitChunkAggregate(OpBuilder &b, Location loc, ScanOp scan, Value laneCount,
                          Value chunk) {
    auto [first, last] = chunkSteps(b, loc, scan, chunk);
    writeOutputs = false;
    emitAnchorStep(b, loc, laneCount, {}, axisIndex(b, loc, scan, first), /*first=*/true);
    Value c1 = b.create<arith::ConstantIndexOp>(loc, 1);
    emitFor(b, loc, b.create<arith::AddIOp>(loc, first, c1), last, [&](OpBuilder &b, Value s) {
      emitAnchorStep(b, loc, laneCount, {}, axisIndex(b, loc, scan, s), /*first=*/false);
    });
    writeOutputs = true;
    storeScratch(b, loc, chunk, laneCount);
  }

  /// Pass 2: the carry before each chunk, in place of its aggregate; the
  /// final carries.
  void emitChunkPrefixes(OpBuilder &b, Location loc, ScanOp scan, Value laneCount,
                         Value chunks) {
    Value c0 = b.create<arith::ConstantIndexOp>(loc, 0);
    Value c1 = b.create<arith::ConstantIndexOp>(loc, 1);
    Value firstChunk = c0;
    if (hasStart(scan)) {
      emitStartCarries(b, loc, scan, laneCount, {});
    } else {
      // Chunk 0 starts with its first element: its carry is its aggregate.
      Value any = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ugt, chunks, c0);
      emitIf(b, loc, any, [&](OpBuilder &b) { loadScratch(b, loc, c0, laneCount); });
      firstChunk = c1;
    }
    emitFor(b, loc, firstChunk, chunks, [&](OpBuilder &b, Value chunk) {
      forLanes(b, loc, laneCount, [&](OpBuilder &b, Value lane) {
        size_t n = anchorInputs().size();
        SmallVector<Value> carry = loadCarries(b, loc, SmallVector<Value>(n), lane), aggregate(n);
        for (size_t k = 0; k < n; ++k) {
          if (!needed[k]) {
            aggregate[k] = carry[k];
            continue;
          }
          Value index = scratchIndex(b, loc, chunk, lane);
          aggregate[k] = b.create<memref::LoadOp>(loc, scratchArgs[k], index);
          b.create<memref::StoreOp>(loc, carry[k], scratchArgs[k], index);
        }
        storeCarries(b, loc, {}, combine(b, carry, aggregate), lane);
      });
    });
    emitFinalCarries(b, loc, scan, laneCount, {});
  }

  /// Pass 3: chunk `chunk` rescanned from its carry (chunk 0: the inits,
  /// the identity, or its first element), writing the outputs.
  void emitChunkRescan(OpBuilder &b, Location loc, ScanOp scan, Value laneCount, Value chunk) {
    auto [first, last] = chunkSteps(b, loc, scan, chunk);
    Value c0 = b.create<arith::ConstantIndexOp>(loc, 0);
    Value c1 = b.create<arith::ConstantIndexOp>(loc, 1);
    Value isFirst = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, chunk, c0);
    Value start = first;
    emitIfElse(
        b, loc, isFirst,
        [&](OpBuilder &b) {
          if (hasStart(scan))
            emitStartCarries(b, loc, scan, laneCount, {});
          else
            emitAnchorStep(b, loc, laneCount, {}, axisIndex(b, loc, scan, first), true);
        },
        [&](OpBuilder &b) { loadScratch(b, loc, chunk, laneCount); });
    if (!hasStart(scan))
      start = b.create<arith::SelectOp>(loc, isFirst, b.create<arith::AddIOp>(loc, first, c1),
                                        first);
    emitFor(b, loc, start, last, [&](OpBuilder &b, Value s) {
      emitAnchorStep(b, loc, laneCount, {}, axisIndex(b, loc, scan, s), /*first=*/false);
    });
  }

  int64_t gpuBlockThreads() {
    TilingAttr tiling = anchorTiling();
    return tiling ? 32 * tiling.getWarps() : kDefaultGpuBlockThreads;
  }

  int64_t lookbackWindow() {
    TilingAttr tiling = anchorTiling();
    return tiling ? tiling.getWindow() : kLookbackWindow;
  }

  TilingAttr anchorTiling() {
    if (auto scan = dyn_cast_or_null<ScanOp>(anchor))
      return scan.getTilingAttr();
    if (auto reduce = dyn_cast_or_null<ReduceOp>(anchor))
      return reduce.getTilingAttr();
    return {};
  }

  ValueRange anchorInputs() {
    if (auto scan = dyn_cast<ScanOp>(anchor))
      return scan.getInputs();
    return cast<ReduceOp>(anchor).getInputs();
  }

  //===--------------------------------------------------------------------===//
  // Scalar evaluation
  //===--------------------------------------------------------------------===//

  using Env = llvm::DenseMap<Value, Value>;

  /// The point of the domain for lane `lane` of the block at `t` on the axis.
  SmallVector<Value> pointIndex(OpBuilder &b, Location loc, Value lane, Value t) {
    SmallVector<Value> idx(laneBase);
    if (shape->innerDim) {
      Value inBlock = carryIndex(b, loc, lane);
      if (lanesInBlock) // a partial block repeats its last lane
        inBlock = b.create<arith::MinUIOp>(
            loc, inBlock,
            b.create<arith::SubIOp>(loc, lanesInBlock, b.create<arith::ConstantIndexOp>(loc, 1)));
      idx[*shape->innerDim] = b.create<arith::AddIOp>(loc, laneBase[*shape->innerDim], inBlock);
    }
    if (axis)
      idx[*axis] = t;
    return idx;
  }

  /// `point` without the axis (the lane index), or with the axis replaced by
  /// `chunkIndex` (a reduced element).
  SmallVector<Value> levelIndex(ArrayRef<Value> point, Level level, Value chunkIndex) {
    SmallVector<Value> idx(point);
    if (level == Level::Lane || (level == Level::Reduced && !chunk))
      idx.erase(idx.begin() + *axis);
    else if (level == Level::Reduced)
      idx[*axis] = chunkIndex;
    return idx;
  }

  Value scalarAt(OpBuilder &b, Location loc, Value tensor, ArrayRef<Value> idx, Env &env) {
    if (Value known = env.lookup(tensor))
      return known;
    auto arg = cast<BlockArgument>(tensor);
    return b.create<memref::LoadOp>(loc, funcArg(inputMemref.lookup(arg)), idx);
  }

  /// Evaluates the maps of `level` at `idx` (in the level's index space),
  /// in order, adding their results to `env`.
  void evalMaps(OpBuilder &b, Location loc, Level level, bool beforeAnchor, ArrayRef<Value> idx,
                Env &env) {
    Block &body = group.getBody().front();
    for (Operation &op : body.without_terminator()) {
      if (anchor && (&op == anchor))
        continue;
      bool before = anchor && op.isBeforeInBlock(anchor);
      auto map = dyn_cast<MapOp>(op);
      if (!map || levels.lookup(map) != level || (anchor && before != beforeAnchor))
        continue;
      IRMapping mapping;
      for (auto [i, input] : llvm::enumerate(map.getInputs())) {
        AffineMap indexing = map.getIndexingMap(i);
        if (level == Level::Point && indexing.isIdentity()) {
          mapping.map(map.getBody().getArgument(i), pointScalar(b, loc, input, idx, env));
          continue;
        }
        SmallVector<Value> inputIdx;
        for (unsigned q = 0; q < indexing.getNumResults(); ++q)
          inputIdx.push_back(idx[indexing.getDimPosition(q)]);
        mapping.map(map.getBody().getArgument(i), scalarAt(b, loc, input, inputIdx, env));
      }
      Block &mapBody = map.getBody().front();
      for (Operation &inner : mapBody.without_terminator())
        b.clone(inner, mapping);
      for (auto [result, yielded] :
           llvm::zip(map.getResults(), mapBody.getTerminator()->getOperands()))
        env[result] = mapping.lookupOrDefault(yielded);
    }
  }

  /// The index space a group value is computed in.
  Level levelOf(Value value) {
    auto it = valueLevels.find(value);
    return it == valueLevels.end() ? Level::Point : it->second;
  }

  /// Stores the group results of `level` at `idx`.
  void storeOutputs(OpBuilder &b, Location loc, Level level, ArrayRef<Value> idx, Env &env) {
    for (auto [value, target] : outputs) {
      if (levelOf(value) != level)
        continue;
      Value scalar = scalarAt(b, loc, value, idx, env);
      if (pendingStores && level == Level::Point && rowAligned(target))
        (*pendingStores)[target].push_back(scalar);
      else
        b.create<memref::StoreOp>(loc, scalar, funcArg(target), idx);
    }
  }

  /// Applies the combiner of `anchor` to lhs and rhs scalars.
  SmallVector<Value> combine(OpBuilder &b, ValueRange lhs, ValueRange rhs) {
    Region &combiner = anchor->getRegion(0);
    Block &block = combiner.front();
    SmallVector<Value> operands(lhs);
    operands.append(rhs.begin(), rhs.end());
    IRMapping mapping;
    mapping.map(block.getArguments(), operands);
    for (Operation &inner : block.without_terminator())
      b.clone(inner, mapping);
    SmallVector<Value> out;
    for (Value yielded : block.getTerminator()->getOperands())
      out.push_back(mapping.lookupOrDefault(yielded));
    return out;
  }

  /// Calls `body(lane)` for each lane of the block: in a loop, or unrolled
  /// over the lanes of a register chunk while one is being emitted.
  void forLanes(OpBuilder &b, Location loc, Value laneCount,
                function_ref<void(OpBuilder &, Value)> body) {
    if (registerCarries) {
      for (int64_t lane = 0; lane < chunkLanes; ++lane) {
        unrolledLane = lane;
        body(b, b.create<arith::ConstantIndexOp>(loc, lane));
      }
      return;
    }
    Value c0 = b.create<arith::ConstantIndexOp>(loc, 0);
    Value c1 = b.create<arith::ConstantIndexOp>(loc, 1);
    auto loop = b.create<scf::ForOp>(loc, c0, laneCount, c1);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    body(b, loop.getInductionVar());
  }

  /// The index in the block of `lane`, a lane of the run being emitted.
  Value carryIndex(OpBuilder &b, Location loc, Value lane) {
    return laneOffset ? b.create<arith::AddIOp>(loc, laneOffset, lane).getResult() : lane;
  }

  /// Carry `k` of `lane`: a cell of the block's stack buffer, or a value of
  /// the register chunk being emitted. Lane-uniform carries have one cell.
  Value loadCarry(OpBuilder &b, Location loc, ArrayRef<Value> carries, size_t k, Value lane) {
    if (!needed[k]) {
      Type type = getElementTypeOrSelf(anchorInputs()[k].getType());
      return b.create<arith::ConstantOp>(loc, b.getZeroAttr(type));
    }
    if (registerCarries) {
      SmallVector<Value> &cells = (*registerCarries)[k];
      return cells.size() == 1 ? cells[0] : cells[unrolledLane];
    }
    if (isUniformCarry(k))
      return b.create<memref::LoadOp>(loc, carries[k], ValueRange{b.create<arith::ConstantIndexOp>(loc, 0)});
    return b.create<memref::LoadOp>(loc, carries[k], carryIndex(b, loc, lane));
  }

  void storeCarry(OpBuilder &b, Location loc, ArrayRef<Value> carries, size_t k, Value value,
                  Value lane) {
    if (!needed[k])
      return;
    if (registerCarries) {
      SmallVector<Value> &cells = (*registerCarries)[k];
      cells[cells.size() == 1 ? 0 : unrolledLane] = value;
      return;
    }
    if (isUniformCarry(k))
      b.create<memref::StoreOp>(loc, value, carries[k], ValueRange{b.create<arith::ConstantIndexOp>(loc, 0)});
    else
      b.create<memref::StoreOp>(loc, value, carries[k], carryIndex(b, loc, lane));
  }

  bool isUniformCarry(size_t k) { return k < uniform.size() && uniform[k]; }

  /// Which carries of the anchor are needed: those whose scanned values,
  /// final carries or reduced values are used, and those that the combiner
  /// results of needed carries read (as the lhs, the earlier element). The
  /// others (the cumulative decay of linear_recurrence, whose product only
  /// feeds itself) are never kept: their lhs reads as zero and LLVM deletes
  /// what computes them. Walking elements, the rhs is an element; where
  /// aggregates of runs or chunks combine (the chunked strategy) the rhs is
  /// an aggregate too, so what needed results read as the rhs is needed.
  SmallVector<bool> neededCarries() {
    bool combinesAggregates = gpuModule && isa<ScanOp>(anchor) &&
                              gpuStrategy() != ScanStrategy::lanes;
    size_t n = anchorInputs().size();
    SmallVector<bool> needed(n, false);
    for (size_t k = 0; k < n; ++k) {
      if (auto scan = dyn_cast<ScanOp>(anchor))
        needed[k] = !scan.getScanned()[k].use_empty() ||
                    (!scan.getCarries().empty() && !scan.getCarries()[k].use_empty());
      else
        needed[k] = !anchor->getResult(k).use_empty();
    }
    Block &combiner = anchor->getRegion(0).front();
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t k = 0; k < n; ++k) {
        if (!needed[k])
          continue;
        for (unsigned j : argumentsRead(combiner, combiner.getTerminator()->getOperand(k))) {
          if (j < n && !needed[j]) // an lhs argument: the carry of operand j
            needed[j] = changed = true;
          else if (combinesAggregates && j >= n && !needed[j - n])
            needed[j - n] = changed = true; // an rhs aggregate of operand j - n
        }
      }
    }
    return needed;
  }

  /// Loads the carries of `lane`.
  SmallVector<Value> loadCarries(OpBuilder &b, Location loc, ArrayRef<Value> carries, Value lane) {
    SmallVector<Value> values;
    for (size_t k = 0; k < anchorInputs().size(); ++k)
      values.push_back(loadCarry(b, loc, carries, k, lane));
    return values;
  }

  void storeCarries(OpBuilder &b, Location loc, ArrayRef<Value> carries, ValueRange values,
                    Value lane) {
    for (auto [k, value] : llvm::enumerate(values))
      storeCarry(b, loc, carries, k, value, lane);
  }

  /// The scan inputs at a point, after the point's prologue maps.
  SmallVector<Value> anchorScalars(OpBuilder &b, Location loc, ArrayRef<Value> point, Env &env) {
    evalMaps(b, loc, Level::Point, /*beforeAnchor=*/true, point, env);
    SmallVector<Value> values;
    for (Value input : anchorInputs())
      values.push_back(pointScalar(b, loc, input, point, env));
    return values;
  }

  //===--------------------------------------------------------------------===//
  // Vector access (GPU, aligned kernels)
  //===--------------------------------------------------------------------===//

  /// Whether `memory` is a kernel argument whose rows the runtime's aligned
  /// specialization aligns to 16 bytes (kAlignmentAttr) with unit innermost
  /// stride, of an element a whole number of bytes wide.
  bool rowAligned(Value memory) {
    auto alignment = kernel->getAttrOfType<IntegerAttr>(kAlignmentAttr);
    if (!gpuModule || !alignment || alignment.getInt() < kVectorBytes ||
        memoryIndex.lookup(memory) >= kernel.getNumArguments())
      return false;
    auto type = cast<MemRefType>(memory.getType());
    unsigned bits = type.getElementType().getIntOrFloatBitWidth();
    SmallVector<int64_t> strides;
    int64_t offset;
    return bits % 8 == 0 && llvm::isPowerOf2_32(bits) && type.getRank() > 0 &&
           succeeded(getStridesAndOffset(type, strides, offset)) && strides.back() == 1;
  }

  /// Whether the register chunk being emitted moves the lanes of its point
  /// in vectors: a full block of `vector` (a power of 2) lanes of a GPU
  /// thread, which starts at a multiple of `vector` in its row, along the
  /// innermost dimension (not the axis: a scan along it has lanes in
  /// another dimension).
  bool vectorAccess() {
    return gpuModule && registerCarries && chunkLanes > 1 && llvm::isPowerOf2_64(chunkLanes) &&
           shape->innerDim && *shape->innerDim + 1 == static_cast<int64_t>(shape->dims.size()) &&
           !laneOffset && !lanesInBlock;
  }

  /// The group inputs read from aligned kernel arguments at the point
  /// itself: the anchor's inputs and the identity-indexed inputs of maps at
  /// points.
  llvm::SetVector<Value> pointReads() {
    llvm::SetVector<Value> reads;
    auto add = [&](Value tensor) {
      if (Value memory = inputMemref.lookup(tensor); memory && rowAligned(memory))
        reads.insert(tensor);
    };
    for (Value input : anchorInputs())
      add(input);
    for (Operation &op : group.getBody().front().without_terminator())
      if (auto map = dyn_cast<MapOp>(op); map && levels.lookup(map) == Level::Point)
        for (auto [i, input] : llvm::enumerate(map.getInputs()))
          if (map.getIndexingMap(i).isIdentity())
            add(input);
    return reads;
  }

  /// The bytes that a GPU thread's vector loads read at each step: its
  /// lanes of every point read.
  int64_t stagedBytesPerStep() {
    int64_t bytes = 0;
    for (Value tensor : pointReads())
      bytes += blockLanes() * getElementTypeOrSelf(tensor.getType()).getIntOrFloatBitWidth() / 8;
    return bytes;
  }

  /// The input `tensor` at `point` (its identity index): the lane's element
  /// of a vector loaded for the register chunk, else a scalar load.
  Value pointScalar(OpBuilder &b, Location loc, Value tensor, ArrayRef<Value> point, Env &env) {
    if (Value known = env.lookup(tensor))
      return known;
    if (pointLanes)
      if (auto it = pointLanes->find(tensor); it != pointLanes->end())
        return it->second[runsAlongAxis ? runStep * chunkLanes + unrolledLane : unrolledLane];
    return scalarAt(b, loc, tensor, point, env);
  }

  /// The global pointer to `memory` (a function argument) at `idx`.
  Value pointerAt(OpBuilder &b, Location loc, Value memory, ArrayRef<Value> idx) {
    auto metadata = b.create<memref::ExtractStridedMetadataOp>(loc, memory);
    Value linear = metadata.getOffset();
    for (auto [i, stride] : llvm::zip(idx, metadata.getStrides()))
      linear = b.create<arith::AddIOp>(loc, linear, b.create<arith::MulIOp>(loc, i, stride));
    return globalPointer(b, loc, memory, linear);
  }

  /// The chunk's lanes of `memory` from `idx` (lane 0) on: vectors of at
  /// most 16 bytes, each aligned to its size.
  template <typename Access>
  void forVectors(OpBuilder &b, Location loc, Value memory, ArrayRef<Value> idx, Access access) {
    Type element = getElementTypeOrSelf(memory.getType());
    int64_t bytes = element.getIntOrFloatBitWidth() / 8;
    int64_t width = std::min<int64_t>(chunkLanes, kVectorBytes / bytes);
    auto type = VectorType::get({width}, element);
    Value first = pointerAt(b, loc, memory, idx);
    for (int64_t lane = 0; lane < chunkLanes; lane += width)
      access(type, elementAt(b, loc, first, element, lane), width * bytes, lane);
  }

  /// Loads the chunk's lanes of `memory` at `idx`, one scalar per lane.
  /// Memory the group does not write (`readOnly`) is read through the
  /// non-coherent path, 4 to 16 bytes at a time.
  SmallVector<Value> loadLanes(OpBuilder &b, Location loc, Value memory, ArrayRef<Value> idx,
                               bool readOnly) {
    SmallVector<Value> lanes;
    forVectors(b, loc, memory, idx, [&](VectorType type, Value at, int64_t bytes, int64_t) {
      lanes.append(loadVector(b, loc, type, at, bytes, readOnly));
    });
    return lanes;
  }

  /// The elements of the vector `type` (`bytes`, aligned to that) at the
  /// global `at`. Memory the group does not write (`readOnly`) is read
  /// through the non-coherent path when the vector has 4 bytes or more, or
  /// through the staging buffer (nothing returned while copying to it).
  SmallVector<Value> loadVector(OpBuilder &b, Location loc, VectorType type, Value at,
                                int64_t bytes, bool readOnly) {
    if (readOnly && bytes >= 4) {
      if (stagedLoads == StagedLoads::None)
        return wordsToLanes(b, loc, type, loadWords(b, loc, type, at, bytes));
      Value slot = stagedSlot(b, loc, bytes);
      if (stagedLoads == StagedLoads::Copy) {
        copyToStaging(b, loc, slot, at, bytes);
        return {};
      }
      return wordsToLanes(b, loc, type, loadStaged(b, loc, type, slot, bytes));
    }
    Value vector = b.create<LLVM::LoadOp>(loc, type, at, bytes);
    SmallVector<Value> lanes;
    for (int64_t j = 0; j < type.getNumElements(); ++j)
      lanes.push_back(b.create<LLVM::ExtractElementOp>(
          loc, vector, b.create<LLVM::ConstantOp>(loc, b.getI32Type(), j)));
    return lanes;
  }

  /// Whether `memory` is constant while the group runs: the group does not
  /// write it, and no other argument aliases it (llvm.noalias: the
  /// runtime's aligned variant).
  bool readOnlyMemory(Value memory) {
    for (auto [value, target] : outputs)
      if (target == memory)
        return false;
    return static_cast<bool>(kernel.getArgAttr(memoryIndex.lookup(memory), "llvm.noalias"));
  }

  /// Whether the full run being emitted moves in vectors along the axis
  /// (runsAlongAxis): its steps unrolled, the carries in registers.
  bool runVectors() {
    return runsAlongAxis && registerCarries && !laneOffset && runSteps <= kMaxUnrolledRun;
  }

  /// Elements of `element` in a vector of a run along the axis: the largest
  /// power of two that divides the run and fits 16 bytes, so that a run
  /// starting at a multiple of its length starts each vector aligned.
  int64_t runVectorWidth(Type element) {
    int64_t bytes = element.getIntOrFloatBitWidth() / 8;
    return std::min<int64_t>(kVectorBytes / bytes, runSteps & -runSteps);
  }

  /// The widest run vector (in elements) of the group's point reads and
  /// writes: the multiple a run's first element must be at.
  int64_t runVectorAlignment() {
    int64_t width = 1;
    for (Value tensor : pointReads())
      width = std::max(width, runVectorWidth(getElementTypeOrSelf(tensor.getType())));
    for (auto [value, target] : outputs)
      if (rowAligned(target) && levelOf(value) == Level::Point)
        width = std::max(width, runVectorWidth(getElementTypeOrSelf(target.getType())));
    return width;
  }

  /// The axis index of a run's first element in memory: of its first step,
  /// or of its last in a reverse scan.
  Value runMemoryStart(OpBuilder &b, Location loc, ScanOp scan, Value from) {
    if (scan.getReverse())
      from =
          b.create<arith::AddIOp>(loc, from, b.create<arith::ConstantIndexOp>(loc, runSteps - 1));
    return axisIndex(b, loc, scan, from);
  }

  /// Step `m` of a run in memory order, in scan order.
  int64_t runStepAt(ScanOp scan, int64_t m) { return scan.getReverse() ? runSteps - 1 - m : m; }

  /// The run's elements of each point read (pointReads) from scan position
  /// `from` on, loaded in vectors along the axis (runVectorWidth), lane by
  /// lane: step i of lane j at i x lanes + j. Staged loads come from the
  /// staging buffer; while copying into it, nothing is returned.
  llvm::DenseMap<Value, SmallVector<Value>> loadRunLanes(OpBuilder &b, Location loc, ScanOp scan,
                                                         Value from) {
    Value start = runMemoryStart(b, loc, scan, from);
    runStep = 0;
    stagedOffset = 0;
    llvm::DenseMap<Value, SmallVector<Value>> loaded;
    for (Value tensor : pointReads()) {
      Value memory = inputMemref.lookup(tensor);
      bool readOnly = readOnlyMemory(memory);
      Type element = getElementTypeOrSelf(tensor.getType());
      int64_t width = runVectorWidth(element);
      auto type = VectorType::get({width}, element);
      SmallVector<Value> &lanes = loaded[tensor];
      lanes.resize(runSteps * chunkLanes);
      for (int64_t j = 0; j < chunkLanes; ++j) {
        Value lane = b.create<arith::ConstantIndexOp>(loc, j);
        Value first = pointerAt(b, loc, funcArg(memory), pointIndex(b, loc, lane, start));
        for (int64_t m = 0; m < runSteps; m += width) {
          SmallVector<Value> elements =
              loadVector(b, loc, type, elementAt(b, loc, first, element, m),
                         width * element.getIntOrFloatBitWidth() / 8, readOnly);
          for (auto [e, value] : llvm::enumerate(elements))
            lanes[runStepAt(scan, m + e) * chunkLanes + j] = value;
        }
      }
    }
    if (stagedLoads == StagedLoads::Copy)
      loaded.clear();
    return loaded;
  }

  /// Stores a run's point writes (`stores`: per memory written, step i of
  /// lane j at i x lanes + j) in vectors along the axis.
  void storeRunLanes(OpBuilder &b, Location loc, ScanOp scan, Value from,
                     const llvm::MapVector<Value, SmallVector<Value>> &stores) {
    Value start = runMemoryStart(b, loc, scan, from);
    for (auto &[target, values] : stores) {
      assert(static_cast<int64_t>(values.size()) == runSteps * chunkLanes);
      Type element = getElementTypeOrSelf(target.getType());
      int64_t width = runVectorWidth(element);
      auto type = VectorType::get({width}, element);
      for (int64_t j = 0; j < chunkLanes; ++j) {
        Value lane = b.create<arith::ConstantIndexOp>(loc, j);
        Value first = pointerAt(b, loc, funcArg(target), pointIndex(b, loc, lane, start));
        for (int64_t m = 0; m < runSteps; m += width) {
          SmallVector<Value> elements;
          for (int64_t e = 0; e < width; ++e)
            elements.push_back(values[runStepAt(scan, m + e) * chunkLanes + j]);
          storeVector(b, loc, type, elementAt(b, loc, first, element, m),
                      width * element.getIntOrFloatBitWidth() / 8, elements);
        }
      }
    }
  }

  /// The global pointer `offset` elements of `element` after `first`.
  Value elementAt(OpBuilder &b, Location loc, Value first, Type element, int64_t offset) {
    if (offset == 0)
      return first;
    auto pointer = LLVM::LLVMPointerType::get(b.getContext(), /*addressSpace=*/1);
    return b.create<LLVM::GEPOp>(loc, pointer, element, first,
                                 ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(offset)});
  }

  /// The GPU module's dynamic shared memory: an external shared array of
  /// no size (PTX `.extern .shared`), which a launch sizes. (LLVM 19 demotes
  /// the internal global of gpu.dynamic_shared_memory's lowering to a static
  /// shared byte.)
  LLVM::GlobalOp dynamicSharedMemory(OpBuilder &b, Location loc) {
    static constexpr llvm::StringLiteral name = "mmrec_dynamic_shared";
    if (auto global = gpuModule.lookupSymbol<LLVM::GlobalOp>(name))
      return global;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(gpuModule.getBody());
    return b.create<LLVM::GlobalOp>(loc, LLVM::LLVMArrayType::get(b.getI8Type(), 0),
                                    /*isConstant=*/false, LLVM::Linkage::External, name,
                                    Attribute(), /*alignment=*/16, /*addrSpace=*/3);
  }

  /// The thread's place in the staging buffer for its next vector of
  /// `bytes` in step runStep: the steps one after the other, in a step
  /// its vectors in order, for each vector the block's threads in order (so
  /// that a warp's accesses are consecutive).
  Value stagedSlot(OpBuilder &b, Location loc, int64_t bytes) {
    int64_t threads = gpuBlockThreads();
    int64_t first = (runStep * stagedStepBytes + stagedOffset) * threads;
    stagedOffset += bytes;
    Value base = staging;
    Value offset = b.create<arith::AddIOp>(
        loc, b.create<arith::ConstantIntOp>(loc, first, 64),
        b.create<arith::MulIOp>(loc,
                                b.create<arith::IndexCastUIOp>(loc, b.getI64Type(), stagingThread),
                                b.create<arith::ConstantIntOp>(loc, bytes, 64)));
    return b.create<arith::AddIOp>(loc, base, offset);
  }

  /// cp.async of `bytes` from the global `at` to the shared address `slot`
  /// (.cg: through L2 only, for 16 bytes; .ca for fewer), with the L2
  /// policy loadPolicy where there is one. Its completion is awaited by
  /// waitForStaging.
  void copyToStaging(OpBuilder &b, Location loc, Value slot, Value at, int64_t bytes) {
    std::string instruction =
        bytes == 16 ? "cp.async.cg.shared.global" : "cp.async.ca.shared.global";
    SmallVector<Value> operands = {slot, at};
    std::string constraints = "l,l";
    if (loadPolicy) {
      instruction += ".L2::cache_hint [$0], [$1], " + std::to_string(bytes) + ", $2;";
      operands.push_back(loadPolicy);
      constraints += ",l";
    } else {
      instruction += " [$0], [$1], " + std::to_string(bytes) + ";";
    }
    emitAsm(b, loc, {}, instruction, constraints, operands);
  }

  /// Waits for the thread's cp.async copies; a memory clobber, so that
  /// LLVM keeps the staged reads after it.
  void waitForStaging(OpBuilder &b, Location loc) {
    emitAsm(b, loc, {}, "cp.async.wait_all;", "~{memory}", {});
  }

  /// The words of `type` (`bytes`) staged at the shared address `slot`, in
  /// loadWords' words.
  SmallVector<Value> loadStaged(OpBuilder &b, Location loc, VectorType type, Value slot,
                                int64_t bytes) {
    int64_t wordBytes = std::max<int64_t>(4, type.getElementTypeBitWidth() / 8);
    Type word = b.getIntegerType(wordBytes * 8);
    auto vectorType = VectorType::get({bytes / wordBytes}, word);
    Value pointer = b.create<LLVM::IntToPtrOp>(
        loc, LLVM::LLVMPointerType::get(b.getContext(), /*addressSpace=*/3), slot);
    Value vector = b.create<LLVM::LoadOp>(loc, vectorType, pointer, bytes);
    SmallVector<Value> words;
    for (int64_t w = 0; w < bytes / wordBytes; ++w)
      words.push_back(b.create<LLVM::ExtractElementOp>(
          loc, vector, b.create<LLVM::ConstantOp>(loc, b.getI32Type(), w)));
    return words;
  }

  /// The elements of `type` at `at` (`bytes`, aligned to that), read with
  /// one ld.global.nc in words of 32 bits (64 for wider elements). Inline
  /// PTX because LLVM 19's NVPTX backend splits a vector load whose elements
  /// are extracted one by one into 2- and 4-byte loads (seen in the unrolled
  /// runs: 5 loads for 8 bf16), and because it selects the non-coherent path
  /// only for loads it proves read-only. The asm has no side effects: the
  /// memory is constant while the kernel runs, so LLVM may move or merge it
  /// like a load.
  SmallVector<Value> loadWords(OpBuilder &b, Location loc, VectorType type, Value at,
                               int64_t bytes) {
    int64_t elementBytes = type.getElementTypeBitWidth() / 8;
    int64_t wordBytes = std::max<int64_t>(4, elementBytes), words = bytes / wordBytes;
    Type word = b.getIntegerType(wordBytes * 8);
    std::string registers, constraints;
    for (int64_t w = 0; w < words; ++w) {
      registers += (w ? ", $" : "$") + std::to_string(w);
      constraints += wordBytes == 4 ? "=r," : "=l,";
    }
    std::string suffix = ".b" + std::to_string(wordBytes * 8) + " ";
    std::string opcode = loadPolicy ? "ld.global.nc.L2::cache_hint" : "ld.global.nc";
    std::string instruction =
        words == 1 ? opcode + suffix + registers
                   : opcode + ".v" + std::to_string(words) + suffix + "{" + registers + "}";
    instruction += ", [$" + std::to_string(words) + "]";
    SmallVector<Value> operands = {at};
    constraints += "l";
    if (loadPolicy) {
      instruction += ", $" + std::to_string(words + 1);
      operands.push_back(loadPolicy);
      constraints += ",l";
    }
    instruction += ";";
    Type result = words == 1 ? word
                             : LLVM::LLVMStructType::getLiteral(b.getContext(),
                                                                SmallVector<Type>(words, word));
    Value loaded = b.create<LLVM::InlineAsmOp>(loc, result, operands, instruction, constraints,
                                               /*has_side_effects=*/false,
                                               /*is_align_stack=*/false, LLVM::AsmDialectAttr(),
                                               ArrayAttr())
                       .getResult(0);
    if (words == 1)
      return {loaded};
    SmallVector<Value> out;
    for (int64_t w = 0; w < words; ++w)
      out.push_back(b.create<LLVM::ExtractValueOp>(loc, loaded, w));
    return out;
  }

  /// The elements of `type` in `words` (loadWords).
  SmallVector<Value> wordsToLanes(OpBuilder &b, Location loc, VectorType type,
                                  ArrayRef<Value> words) {
    int64_t elementBytes = type.getElementTypeBitWidth() / 8;
    int64_t perWord = words.front().getType().getIntOrFloatBitWidth() / 8 / elementBytes;
    SmallVector<Value> lanes;
    for (Value bits : words) {
      if (perWord == 1) {
        lanes.push_back(b.create<LLVM::BitcastOp>(loc, type.getElementType(), bits));
        continue;
      }
      Value vector = b.create<LLVM::BitcastOp>(
          loc, VectorType::get({perWord}, type.getElementType()), bits);
      for (int64_t j = 0; j < perWord; ++j)
        lanes.push_back(b.create<LLVM::ExtractElementOp>(
            loc, vector, b.create<LLVM::ConstantOp>(loc, b.getI32Type(), j)));
    }
    assert(static_cast<int64_t>(lanes.size()) == type.getNumElements());
    return lanes;
  }

  /// Stores `lanes` (one scalar per lane of the chunk) to `memory` at `idx`;
  /// with a store policy, vectors of 4 bytes or more through one inline
  /// `st.global.L2::cache_hint` in words of 32 bits (64 for wider elements).
  void storeLanes(OpBuilder &b, Location loc, Value memory, ArrayRef<Value> idx,
                  ArrayRef<Value> lanes) {
    forVectors(b, loc, memory, idx, [&](VectorType type, Value at, int64_t align, int64_t lane) {
      storeVector(b, loc, type, at, align, lanes.slice(lane, type.getNumElements()));
    });
  }

  /// Stores `elements` as one vector of `type` (`align` bytes) at the
  /// global `at`; with a store policy, vectors of 4 bytes or more through
  /// one inline `st.global.L2::cache_hint` in words of 32 bits (64 for
  /// wider elements).
  void storeVector(OpBuilder &b, Location loc, VectorType type, Value at, int64_t align,
                   ArrayRef<Value> elements) {
    Value vector = b.create<LLVM::PoisonOp>(loc, type);
    for (int64_t j = 0; j < type.getNumElements(); ++j)
      vector = b.create<LLVM::InsertElementOp>(loc, vector, elements[j],
                                               b.create<LLVM::ConstantOp>(loc, b.getI32Type(), j));
    if (!storePolicy || align < 4) {
      b.create<LLVM::StoreOp>(loc, vector, at, align);
      return;
    }
    int64_t elementBytes = type.getElementTypeBitWidth() / 8;
    int64_t wordBytes = std::max<int64_t>(4, elementBytes), words = align / wordBytes;
    Type word = b.getIntegerType(wordBytes * 8);
    Value packed = b.create<LLVM::BitcastOp>(loc, VectorType::get({words}, word), vector);
    SmallVector<Value> operands = {at};
    std::string registers, constraints = "l";
    for (int64_t w = 0; w < words; ++w) {
      operands.push_back(b.create<LLVM::ExtractElementOp>(
          loc, packed, b.create<LLVM::ConstantOp>(loc, b.getI32Type(), w)));
      registers += (w ? ", $" : "$") + std::to_string(w + 1);
      constraints += wordBytes == 4 ? ",r" : ",l";
    }
    operands.push_back(storePolicy);
    constraints += ",l";
    std::string suffix = ".b" + std::to_string(wordBytes * 8) + " ";
    std::string instruction = words == 1
                                  ? "st.global.L2::cache_hint" + suffix + "[$0], " + registers
                                  : "st.global.L2::cache_hint.v" + std::to_string(words) + suffix +
                                        "[$0], {" + registers + "}";
    instruction += ", $" + std::to_string(words + 1) + ";";
    emitAsm(b, loc, {}, instruction, constraints, operands);
  }

  /// An L2 eviction policy for all of an access's lines (createpolicy;
  /// `priority`: evict_first, evict_last, ...).
  Value l2Policy(OpBuilder &b, Location loc, StringRef priority) {
    return b
        .create<LLVM::InlineAsmOp>(
            loc, b.getI64Type(), ValueRange{},
            ("createpolicy.fractional.L2::" + priority + ".b64 $0, 1.0;").str(), "=l",
            /*has_side_effects=*/false, /*is_align_stack=*/false, LLVM::AsmDialectAttr(),
            ArrayAttr())
        .getResult(0);
  }

  /// Emits `body` (the lanes of one step at axis position `t`) with the
  /// chunk's point reads loaded as vectors before it and its point writes
  /// stored as vectors after it, where vectorAccess() allows.
  void withVectorLanes(OpBuilder &b, Location loc, Value t, function_ref<void()> body) {
    if (!vectorAccess()) {
      body();
      return;
    }
    stagedOffset = 0;
    Value c0 = b.create<arith::ConstantIndexOp>(loc, 0);
    SmallVector<Value> point = pointIndex(b, loc, c0, t);
    llvm::DenseMap<Value, SmallVector<Value>> loaded;
    for (Value tensor : pointReads()) {
      Value memory = inputMemref.lookup(tensor);
      loaded[tensor] = loadLanes(b, loc, funcArg(memory), point, readOnlyMemory(memory));
    }
    if (stagedLoads == StagedLoads::Copy)
      return;
    llvm::MapVector<Value, SmallVector<Value>> stores;
    pointLanes = &loaded;
    pendingStores = &stores;
    body();
    pointLanes = nullptr;
    pendingStores = nullptr;
    for (auto &[target, lanes] : stores)
      storeLanes(b, loc, funcArg(target), point, lanes);
  }

  //===--------------------------------------------------------------------===//
  // Register chunks
  //===--------------------------------------------------------------------===//

  /// The values of the register chunk's carries, in one list.
  SmallVector<Value> flatRegisterCarries() {
    SmallVector<Value> flat;
    for (SmallVector<Value> &cells : *registerCarries)
      flat.append(cells.begin(), cells.end());
    return flat;
  }

  void setRegisterCarries(ValueRange flat) {
    for (SmallVector<Value> &cells : *registerCarries)
      for (Value &cell : cells) {
        cell = flat.front();
        flat = flat.drop_front();
      }
  }

  /// scf.for over [lower, upper) calling `body(b, iv)`; in a register chunk
  /// the carries are the loop's iteration arguments.
  void emitFor(OpBuilder &b, Location loc, Value lower, Value upper,
               function_ref<void(OpBuilder &, Value)> body) {
    emitFor(b, loc, lower, upper, 1, body);
  }

  void emitFor(OpBuilder &b, Location loc, Value lower, Value upper, int64_t step,
               function_ref<void(OpBuilder &, Value)> body) {
    Value c1 = b.create<arith::ConstantIndexOp>(loc, step);
    ValueRange flat;
    SmallVector<Value> initial;
    if (registerCarries)
      initial = flatRegisterCarries();
    auto loop = b.create<scf::ForOp>(loc, lower, upper, c1, initial);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      if (registerCarries)
        setRegisterCarries(loop.getRegionIterArgs());
      body(b, loop.getInductionVar());
      if (registerCarries)
        b.create<scf::YieldOp>(loc, flatRegisterCarries());
    }
    if (registerCarries)
      setRegisterCarries(loop.getResults());
  }

  /// scf.if on `condition` around `body`; with the carries in registers they
  /// are its results (unchanged when the condition is false).
  void emitIf(OpBuilder &b, Location loc, Value condition, function_ref<void(OpBuilder &)> body) {
    emitIfElse(b, loc, condition, body, [](OpBuilder &) {});
  }

  /// scf.if/else; with the carries in registers, both branches start from
  /// the carries before and the carries after are the results.
  void emitIfElse(OpBuilder &b, Location loc, Value condition,
                  function_ref<void(OpBuilder &)> thenBody,
                  function_ref<void(OpBuilder &)> elseBody) {
    SmallVector<Value> before;
    if (registerCarries)
      before = flatRegisterCarries();
    auto ifOp = b.create<scf::IfOp>(loc, ValueRange(before).getTypes(), condition,
                                    /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      thenBody(b);
      if (registerCarries) {
        b.create<scf::YieldOp>(loc, flatRegisterCarries());
        setRegisterCarries(before);
      }
      b.setInsertionPointToStart(ifOp.elseBlock());
      elseBody(b);
      if (registerCarries)
        b.create<scf::YieldOp>(loc, flatRegisterCarries());
    }
    if (registerCarries)
      setRegisterCarries(ifOp.getResults());
  }

  /// Lanes of a register chunk: one cache line of the group's narrowest
  /// element type, so that each step of the axis uses whole lines.
  int64_t registerChunkLanes() {
    return std::min<int64_t>(kCacheLineBytes / narrowestElementBytes(), blockLanes());
  }

  /// Bytes of the narrowest element the group reads or writes.
  int64_t narrowestElementBytes() {
    unsigned narrowest = kCacheLineBytes;
    for (Type type : memoryTypes())
      narrowest = std::min(narrowest, std::max(getElementTypeOrSelf(type).getIntOrFloatBitWidth() / 8, 1u));
    return narrowest;
  }

  /// Steps of the axis per tile. The rows that a tile's steps touch must
  /// stay in the first-level cache while its register chunks walk them; with
  /// a power-of-two stride along the axis (common: 16 KiB between the rows
  /// of decayed_sum's [b, t, r, c]) every row lands in the same cache sets,
  /// so a tile keeps (rows per step) x (steps) within the cache's ways. At
  /// least 4 steps, so that moving the carries between the registers and
  /// the stack costs little.
  int64_t tileSteps() { return std::max<int64_t>(4, kCacheWays / pointArrays()); }

  /// Arrays each step reads or writes: the group's inputs, and its outputs
  /// at points (values of lanes or reduced chunks are written once).
  int64_t pointArrays() {
    int64_t arrays = inputMemref.size();
    for (auto [value, target] : outputs)
      if (valueLevels.lookup(value) == Level::Point)
        ++arrays;
    return std::max<int64_t>(arrays, 1);
  }

  /// Whether the axis is the domain's innermost dimension (contiguous in
  /// the usual layouts): each lane is a row of its own.
  bool axisInnermost() {
    return axis && *axis + 1 == cast<RankedTensorType>(domainSource.getType()).getRank();
  }

  /// Along the innermost axis a register chunk's lanes are rows, a row
  /// apart in memory (a power of two apart, often: all in the same cache
  /// sets). A chunk takes as many rows as the cache's ways hold for every
  /// array, and walks kRowTileLines lines of each row before the next chunk
  /// (its carries go to the stack between tiles). linear_recurrence_rows
  /// [2, 8, 128, 8192] bf16 on 2 cores of the build VM: 32 rows a step
  /// (the lanes' register chunk) 144 ms, 37x linear_recurrence's time; 2
  /// rows x 32 steps 20.1 ms, x 128 steps 13.2 ms, x 512 steps 12.7 ms; 4
  /// rows (12 lines of one set) 17.5-19 ms, 8 rows 58-67 ms.
  int64_t rowChunkLanes() {
    return std::clamp<int64_t>(kCacheWays / pointArrays(), 1, registerChunkLanes());
  }
  int64_t rowTileSteps() { return kRowTileLines * kCacheLineBytes / narrowestElementBytes(); }

  SmallVector<Type> memoryTypes() {
    SmallVector<Type> types(kernel.getArgumentTypes());
    for (Value temporary : temporaries)
      types.push_back(temporary.getType());
    return types;
  }

  /// Emits `step(b, s, laneCount)`, one step of the axis for all lanes of
  /// the block, for s in [lower, upper). The steps run in tiles; in each
  /// tile, each full chunk of `chunkLanes` lanes keeps its carries in
  /// registers (the lanes unrolled, which LLVM's SLP vectorizer turns into
  /// vector code) and the remaining lanes use the stack buffer, which also
  /// holds every carry between tiles. Lane-uniform carries advance in the
  /// remainder run only (it is emitted even when it has no lanes).
  void emitSteps(OpBuilder &b, Location loc, Value lower, Value upper, Value laneCount,
                 ArrayRef<Value> carries,
                 function_ref<void(OpBuilder &, Value, Value)> step) {
    if (registerCarries) {
      // On the GPU every carry of a thread is in registers all along.
      emitFor(b, loc, lower, upper, [&](OpBuilder &b, Value s) { step(b, s, laneCount); });
      return;
    }
    bool rows = axisInnermost();
    chunkLanes = !shape->innerDim ? 1 : rows ? rowChunkLanes() : registerChunkLanes();
    // Rows take tiles even one at a time: a step over all of them thrashes.
    if (chunkLanes <= 1 && !(rows && shape->innerDim)) {
      emitFor(b, loc, lower, upper, [&](OpBuilder &b, Value s) { step(b, s, laneCount); });
      return;
    }
    Value c0 = b.create<arith::ConstantIndexOp>(loc, 0);
    Value c1 = b.create<arith::ConstantIndexOp>(loc, 1);
    Value width = b.create<arith::ConstantIndexOp>(loc, chunkLanes);
    Value tile = b.create<arith::ConstantIndexOp>(loc, rows ? rowTileSteps() : tileSteps());
    Value chunks = b.create<arith::DivUIOp>(loc, laneCount, width);
    Value chunked = b.create<arith::MulIOp>(loc, chunks, width);
    auto tileLoop = b.create<scf::ForOp>(loc, lower, upper, tile);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(tileLoop.getBody());
    Value tileBegin = tileLoop.getInductionVar();
    Value tileEnd =
        b.create<arith::MinUIOp>(loc, b.create<arith::AddIOp>(loc, tileBegin, tile), upper);
    auto chunkLoop = b.create<scf::ForOp>(loc, c0, chunks, c1);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(chunkLoop.getBody());
      laneOffset = b.create<arith::MulIOp>(loc, chunkLoop.getInductionVar(), width);
      SmallVector<SmallVector<Value>> cells;
      for (size_t k = 0; k < carries.size(); ++k) {
        cells.emplace_back();
        for (int64_t lane = 0; lane < (isUniformCarry(k) ? 1 : chunkLanes); ++lane) {
          Value index = b.create<arith::ConstantIndexOp>(loc, lane);
          cells.back().push_back(loadCarry(b, loc, carries, k, index));
        }
      }
      registerCarries = &cells;
      emitFor(b, loc, tileBegin, tileEnd, [&](OpBuilder &b, Value s) { step(b, s, width); });
      registerCarries = nullptr;
      for (size_t k = 0; k < carries.size(); ++k)
        if (!isUniformCarry(k))
          for (auto [lane, value] : llvm::enumerate(cells[k]))
            storeCarry(b, loc, carries, k, value, b.create<arith::ConstantIndexOp>(loc, lane));
    }
    laneOffset = chunked;
    Value rest = b.create<arith::SubIOp>(loc, laneCount, chunked);
    emitFor(b, loc, tileBegin, tileEnd, [&](OpBuilder &b, Value s) { step(b, s, rest); });
    laneOffset = Value();
  }

  //===--------------------------------------------------------------------===//
  // Group kinds
  //===--------------------------------------------------------------------===//

  void emitMapGroup(OpBuilder &b, Location loc, Value laneCount) {
    forLanes(b, loc, laneCount, [&](OpBuilder &b, Value lane) {
      Env env;
      SmallVector<Value> point = pointIndex(b, loc, lane, Value());
      evalMaps(b, loc, Level::Point, false, point, env);
      storeOutputs(b, loc, Level::Point, point, env);
    });
  }

  /// One step of the scan or reduce at axis position `t` for every lane of
  /// the block. `first` marks the step that starts the carries (a scan
  /// without an init, a chunk of a reduce). Operands that are the same for
  /// every lane (`uniform`) combine once per step, before the lanes, in a
  /// carry of one cell; the lanes read the carry before the step. A scan
  /// also evaluates its epilogue maps and stores its outputs at the point.
  void emitAnchorStep(OpBuilder &b, Location loc, Value laneCount, ArrayRef<Value> carries,
                      Value t, bool first) {
    auto scan = dyn_cast<ScanOp>(anchor);
    size_t n = anchorInputs().size();
    Value c0 = b.create<arith::ConstantIndexOp>(loc, 0);
    SmallVector<Value> before(n), after(n), shared(n);
    if (llvm::is_contained(uniform, true)) {
      Env env;
      SmallVector<Value> point = pointIndex(b, loc, c0, t);
      SmallVector<Value> x = anchorScalars(b, loc, point, env);
      shared = x;
      if (first) {
        after = x;
      } else {
        SmallVector<Value> lhs(n), rhs(n);
        for (size_t k = 0; k < n; ++k) {
          Type type = getElementTypeOrSelf(anchorInputs()[k].getType());
          Value zero = b.create<arith::ConstantOp>(loc, b.getZeroAttr(type));
          before[k] = uniform[k] ? loadCarry(b, loc, carries, k, c0) : zero;
          lhs[k] = before[k];
          rhs[k] = uniform[k] ? x[k] : zero;
        }
        after = combine(b, lhs, rhs);
      }
    }
    withVectorLanes(b, loc, t, [&] {
      forLanes(b, loc, laneCount, [&](OpBuilder &b, Value lane) {
        Env env;
        SmallVector<Value> point = pointIndex(b, loc, lane, t);
        SmallVector<Value> x = anchorScalars(b, loc, point, env);
        for (size_t k = 0; k < n; ++k)
          if (uniform[k])
            x[k] = shared[k]; // computed once, before the lanes
        SmallVector<Value> scanned(n);
        if (first) {
          scanned = x;
        } else {
          SmallVector<Value> carry(n);
          for (size_t k = 0; k < n; ++k)
            carry[k] = uniform[k] ? before[k] : loadCarry(b, loc, carries, k, lane);
          SmallVector<Value> next = combine(b, carry, x);
          for (size_t k = 0; k < n; ++k)
            scanned[k] = scan && scan.getExclusive() ? carry[k] : uniform[k] ? after[k] : next[k];
          x = next;
        }
        for (size_t k = 0; k < n; ++k)
          if (!uniform[k])
            storeCarry(b, loc, carries, k, x[k], lane);
        if (!scan || !writeOutputs)
          return;
        for (auto [result, value] : llvm::zip(scan.getScanned(), scanned))
          env[result] = value;
        evalMaps(b, loc, Level::Point, /*beforeAnchor=*/false, point, env);
        storeOutputs(b, loc, Level::Point, point, env);
      });
    });
    for (size_t k = 0; k < n; ++k)
      if (uniform[k])
        storeCarry(b, loc, carries, k, after[k], c0);
  }

  /// Whether a point value of the group is the same for every lane of the
  /// inner dimension: computed by maps from inputs that do not index it.
  bool laneUniform(Value value) {
    auto map = value.getDefiningOp<MapOp>();
    if (!map || !shape->innerDim)
      return false;
    Block &body = map.getBody().front();
    Value yielded = body.getTerminator()->getOperand(cast<OpResult>(value).getResultNumber());
    llvm::SmallDenseSet<unsigned> read = argumentsRead(body, yielded);
    for (auto [i, input] : llvm::enumerate(map.getInputs())) {
      // Inputs this result does not read (there for the domain's extent, or
      // for other results) do not matter.
      if (!read.contains(i))
        continue;
      if (!isa<BlockArgument>(input)) {
        if (!laneUniform(input))
          return false;
        continue;
      }
      AffineMap indexing = map.getIndexingMap(i);
      for (unsigned q = 0; q < indexing.getNumResults(); ++q)
        if (indexing.getDimPosition(q) == *shape->innerDim)
          return false;
    }
    return true;
  }

  /// The anchor operands whose inputs are lane-uniform and whose combiner
  /// results depend only on such operands (decayed_sum's A, broadcast over
  /// c; chunk_aggregate's count). Scans with inits or exclusive ones keep
  /// per-lane carries.
  SmallVector<bool> laneUniformOperands() {
    size_t n = anchorInputs().size();
    SmallVector<bool> result(n, false);
    auto scan = dyn_cast<ScanOp>(anchor);
    if (scan && (!scan.getInits().empty() || scan.getExclusive()))
      return result;
    // The chunked passes and the look-back keep every carry per lane in
    // scratch.
    if (gpuModule && scan && gpuStrategy() != ScanStrategy::lanes)
      return result;
    for (size_t k = 0; k < n; ++k)
      result[k] = laneUniform(anchorInputs()[k]);
    Block &combiner = anchor->getRegion(0).front();
    for (bool changed = true; changed;) {
      changed = false;
      llvm::DenseSet<Value> uniformValues;
      for (size_t k = 0; k < n; ++k)
        if (result[k]) {
          uniformValues.insert(combiner.getArgument(k));
          uniformValues.insert(combiner.getArgument(n + k));
        }
      for (Operation &op : combiner.without_terminator())
        if (llvm::all_of(op.getOperands(), [&](Value v) { return uniformValues.contains(v); }))
          for (Value r : op.getResults())
            uniformValues.insert(r);
      Operation *yield = combiner.getTerminator();
      for (size_t k = 0; k < n; ++k)
        if (result[k] && !uniformValues.contains(yield->getOperand(k))) {
          result[k] = false;
          changed = true;
        }
    }
    return result;
  }

  void emitScan(OpBuilder &b, Location loc, ScanOp scan, Value laneCount, ArrayRef<Value> carries) {
    int64_t a = scan.getAxis();
    Value size = shape->dims[a];
    Value c0 = b.create<arith::ConstantIndexOp>(loc, 0);
    Value c1 = b.create<arith::ConstantIndexOp>(loc, 1);
    emitStartCarries(b, loc, scan, laneCount, carries);

    Value start = c0;
    if (!hasStart(scan)) {
      Value nonEmpty = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ugt, size, c0);
      emitIf(b, loc, nonEmpty, [&](OpBuilder &b) {
        emitAnchorStep(b, loc, laneCount, carries, axisIndex(b, loc, scan, c0), /*first=*/true);
      });
      start = c1;
    }
    emitSteps(b, loc, start, size, laneCount, carries, [&](OpBuilder &b, Value s, Value lanes) {
      emitAnchorStep(b, loc, lanes, carries, axisIndex(b, loc, scan, s), /*first=*/false);
    });
    emitFinalCarries(b, loc, scan, laneCount, carries);
  }

  static bool hasStart(ScanOp scan) { return !scan.getInits().empty() || scan.getExclusive(); }

  /// Position `s` of the scan order: index s, or size - 1 - s in reverse.
  Value axisIndex(OpBuilder &b, Location loc, ScanOp scan, Value s) {
    if (!scan.getReverse())
      return s;
    Value c1 = b.create<arith::ConstantIndexOp>(loc, 1);
    Value last = b.create<arith::SubIOp>(loc, shape->dims[scan.getAxis()], c1);
    return b.create<arith::SubIOp>(loc, last, s);
  }

  /// The carries start at the inits (lane maps evaluated per lane) or at the
  /// identity of an exclusive scan; nothing otherwise.
  void emitStartCarries(OpBuilder &b, Location loc, ScanOp scan, Value laneCount,
                        ArrayRef<Value> carries) {
    Value c0 = b.create<arith::ConstantIndexOp>(loc, 0);
    if (!scan.getInits().empty()) {
      forLanes(b, loc, laneCount, [&](OpBuilder &b, Value lane) {
        Env env;
        SmallVector<Value> lanePoint = levelIndex(pointIndex(b, loc, lane, c0), Level::Lane, {});
        evalMaps(b, loc, Level::Lane, /*beforeAnchor=*/true, lanePoint, env);
        SmallVector<Value> inits;
        for (Value init : scan.getInits())
          inits.push_back(scalarAt(b, loc, init, lanePoint, env));
        storeCarries(b, loc, carries, inits, lane);
      });
    } else if (scan.getExclusive()) {
      SmallVector<Value> identity;
      ArrayAttr identityAttr = *scan.getIdentity();
      for (Attribute value : identityAttr)
        identity.push_back(b.create<arith::ConstantOp>(loc, cast<TypedAttr>(value)));
      forLanes(b, loc, laneCount,
               [&](OpBuilder &b, Value lane) { storeCarries(b, loc, carries, identity, lane); });
    }
  }

  /// Final carries and the maps on them, per lane. Without inits a scan has
  /// no carry results.
  void emitFinalCarries(OpBuilder &b, Location loc, ScanOp scan, Value laneCount,
                        ArrayRef<Value> carries) {
    if (scan.getInits().empty())
      return;
    Value c0 = b.create<arith::ConstantIndexOp>(loc, 0);
    forLanes(b, loc, laneCount, [&](OpBuilder &b, Value lane) {
      Env env;
      SmallVector<Value> lanePoint = levelIndex(pointIndex(b, loc, lane, c0), Level::Lane, {});
      for (auto [result, value] : llvm::zip(scan.getCarries(), loadCarries(b, loc, carries, lane)))
        env[result] = value;
      evalMaps(b, loc, Level::Lane, /*beforeAnchor=*/false, lanePoint, env);
      storeOutputs(b, loc, Level::Lane, lanePoint, env);
    });
  }

  /// The reduce of the block's lanes: every chunk, or only chunk
  /// `onlyChunk` when given (a GPU thread per chunk).
  void emitReduce(OpBuilder &b, Location loc, ReduceOp reduce, Value laneCount,
                  ArrayRef<Value> carries, Value onlyChunk = Value()) {
    int64_t a = reduce.getAxis();
    Value size = shape->dims[a];
    Value c0 = b.create<arith::ConstantIndexOp>(loc, 0);
    Value c1 = b.create<arith::ConstantIndexOp>(loc, 1);
    Value chunkSize = chunk ? b.create<arith::ConstantIndexOp>(loc, *chunk).getResult() : size;
    OpBuilder::InsertionGuard guard(b);
    Value j = onlyChunk;
    if (!j) {
      Value chunks = chunk ? b.create<arith::CeilDivUIOp>(loc, size, chunkSize).getResult()
                           : b.create<arith::MinUIOp>(loc, size, c1).getResult();
      auto chunkLoop = b.create<scf::ForOp>(loc, c0, chunks, c1);
      b.setInsertionPointToStart(chunkLoop.getBody());
      j = chunkLoop.getInductionVar();
    }
    Value first = b.create<arith::MulIOp>(loc, j, chunkSize);
    Value afterLast =
        b.create<arith::MinUIOp>(loc, b.create<arith::AddIOp>(loc, first, chunkSize), size);

    // The first element of the chunk starts the carry; the rest combine.
    emitAnchorStep(b, loc, laneCount, carries, first, /*first=*/true);
    Value second = b.create<arith::AddIOp>(loc, first, c1);
    emitSteps(b, loc, second, afterLast, laneCount, carries,
              [&](OpBuilder &b, Value t, Value lanes) {
                emitAnchorStep(b, loc, lanes, carries, t, /*first=*/false);
              });
    forLanes(b, loc, laneCount, [&](OpBuilder &b, Value lane) {
      Env env;
      SmallVector<Value> out = levelIndex(pointIndex(b, loc, lane, c0), Level::Reduced, j);
      for (auto [result, value] :
           llvm::zip(reduce.getResults(), loadCarries(b, loc, carries, lane)))
        env[result] = value;
      evalMaps(b, loc, Level::Reduced, /*beforeAnchor=*/false, out, env);
      storeOutputs(b, loc, Level::Reduced, out, env);
    });
  }

  KernelOp kernel;
  GroupOp group;
  unsigned index;
  ArrayRef<Value> temporaries;
  llvm::DenseMap<Value, unsigned> memoryIndex; // kernel arg or temporary -> func arg
  Operation *anchor = nullptr;
  Value domainSource;
  std::optional<int64_t> axis, chunk;
  llvm::DenseMap<Value, Value> inputMemref;     // group block arg -> its memory
  SmallVector<std::pair<Value, Value>> outputs; // yielded value -> memory written
  llvm::DenseMap<Operation *, Level> levels;    // map -> level
  llvm::DenseMap<Value, Level> valueLevels;     // group value -> level
  gpu::GPUModuleOp gpuModule; // set when lowering for the GPU
  GpuDefaults defaults;       // strategy and chunk of ops without a tiling
  // The chunked strategy: chunk length, the scratch memrefs of the kernel
  // being emitted, the thread's lane block; no outputs in its first pass.
  int64_t chunkLength = 0;
  ValueRange scratchArgs;
  Value currentBlock;
  bool writeOutputs = true;
  // L2 eviction policies (createpolicy) of the vector loads of read-only
  // inputs and of the vector stores; null: none.
  Value loadPolicy, storePolicy;
  // Lookback: the read-only vector loads of a thread's full runs go
  // through the staging buffer in shared memory. The first walk copies the
  // run's vectors there (Copy: cp.async, all of them in flight at once,
  // without registers), then it and the rescan read them from there (Read),
  // so the tile goes through memory once. Each thread reads only what it
  // copied: no barrier. runStep is the step of the run being emitted,
  // stagedOffset the bytes of the step's vectors before the next one.
  enum class StagedLoads { None, Copy, Read };
  StagedLoads stagedLoads = StagedLoads::None;
  Value staging, stagingThread; // the buffer's shared address (i64), the thread
  int64_t runStep = 0, stagedOffset = 0, stagedStepBytes = 0;
  // The shared-chunk shapes: the steps of a thread's full run. Along the
  // domain's innermost dimension (runsAlongAxis, contiguous in memory),
  // consecutive threads take consecutive runs of a lane, and a full run of
  // at most kMaxUnrolledRun steps moves its aligned inputs and outputs in
  // vectors along the axis (loadRunLanes, storeRunLanes): a warp's accesses
  // stay consecutive.
  int64_t runSteps = 0;
  bool runsAlongAxis = false;
  ValueRange currentArgs;     // of the function being emitted
  SmallVector<Value> laneBase; // index of lane 0 of the block
  Shape *shape = nullptr;
  SmallVector<bool> uniform; // per scan operand: one carry for all lanes
  SmallVector<bool> needed;  // per anchor operand: its carry is kept
  // While a register chunk is emitted: its carries (per operand, per lane or
  // one cell when uniform), its width and the lane being unrolled.
  SmallVector<SmallVector<Value>> *registerCarries = nullptr;
  // While a step of a vector register chunk is emitted (withVectorLanes):
  // the lanes of each input read at the point, and of each point write
  // waiting for its vector store.
  llvm::DenseMap<Value, SmallVector<Value>> *pointLanes = nullptr;
  llvm::MapVector<Value, SmallVector<Value>> *pendingStores = nullptr;
  int64_t chunkLanes = 1;
  int64_t unrolledLane = 0;
  // The first lane of the run being emitted, when it is not the block's
  // first: lanes index the block's points and carries from here.
  Value laneOffset;
  // The lanes of the thread's block that exist, where the lanes past them
  // repeat the last one (withThreadLanes), in memory and in scratch.
  Value lanesInBlock, scratchLanes;
};

} // namespace

/// Lowers every group of `kernel` with `lowerGroup(group, index)`; an op
/// outside the groups is an error (the kernel was not fused).
static LogicalResult lowerGroups(KernelOp kernel, StringRef pass,
                                 function_ref<LogicalResult(GroupOp, unsigned)> lowerGroup) {
  unsigned index = 0;
  for (Operation &op : kernel.getBody().front()) {
    if (isa<LoadOp, StoreOp, YieldOp>(op))
      continue;
    auto group = dyn_cast<GroupOp>(op);
    if (!group)
      return op.emitOpError("is not in a group; run -mmrec-fuse before -") << pass;
    if (failed(lowerGroup(group, index++)))
      return failure();
  }
  return success();
}

LogicalResult mmrec::lowerKernelToLoops(KernelOp kernel) {
  SmallVector<Value> temporaries = kernel.getTemporaries();
  return lowerGroups(kernel, "mmrec-lower-to-loops", [&](GroupOp group, unsigned index) {
    return GroupLowering(kernel, group, index, temporaries).lower();
  });
}

LogicalResult mmrec::lowerKernelToGpu(KernelOp kernel, gpu::GPUModuleOp gpuModule,
                                      GpuDefaults defaults) {
  SmallVector<Value> temporaries = kernel.getTemporaries();
  return lowerGroups(kernel, "mmrec-lower-to-gpu", [&](GroupOp group, unsigned index) {
    return GroupLowering(kernel, group, index, temporaries, gpuModule, defaults).lower();
  });
}
