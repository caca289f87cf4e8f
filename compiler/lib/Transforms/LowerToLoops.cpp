//===- LowerToLoops.cpp - lower fused groups to CPU loop nests ------------===//
//
// Each group of a kernel becomes two functions on the kernel's memrefs:
//
//   @K__group<i>_blocks(args...) -> index      how many lane blocks there are
//   @K__group<i>(args..., %begin, %end)        runs lane blocks [begin, end)
//
// so that the runtime can split lanes across threads. A lane block is a run
// of up to `lanes` consecutive elements of the innermost dimension that is
// not the scan axis (the contiguous one in the usual layouts), at one index
// of the other lane dimensions. A scan walks its axis sequentially inside
// the block, the block's carries in a stack buffer, so that each step reads
// consecutive addresses. Maps of the group are evaluated at each point
// (prologue and epilogue), at each lane (init and final carry) or at each
// reduced element, and never materialized.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Analysis/DimSource.h"
#include "mmrec/Dialect/Mmrec/MmrecOps.h"
#include "mmrec/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace mmrec {
#define GEN_PASS_DEF_MMRECLOWERTOLOOPS
#include "mmrec/Transforms/Passes.h.inc"
} // namespace mmrec

using namespace mlir;
using namespace mmrec;

namespace {

/// The index space a value of a group is computed in.
enum class Level { Point, Lane, Reduced };

/// Lane blocks hold this many elements when the op has no #mmrec.tiling.
constexpr int64_t kDefaultLanes = 256;

class GroupLowering {
public:
  /// `temporaries` are the kernel's buffers between groups
  /// (KernelOp::getTemporaries); every group function takes them after the
  /// kernel's arguments.
  GroupLowering(KernelOp kernel, GroupOp group, unsigned index, ArrayRef<Value> temporaries)
      : kernel(kernel), group(group), index(index), temporaries(temporaries) {
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
    ModuleOp module = kernel->getParentOfType<ModuleOp>();
    OpBuilder builder(module.getContext());
    builder.setInsertionPointToEnd(module.getBody());
    std::string name = (kernel.getSymName() + "__group" + Twine(index)).str();
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
    if (!anchor) {
      for (Operation &op : body.without_terminator())
        if (auto map = dyn_cast<MapOp>(op))
          levels[map] = Level::Point;
      auto yield = cast<YieldOp>(body.getTerminator());
      if (yield.getValues().empty())
        return success();
      domainSource = yield.getValues()[0];
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
      domainSource = scan.getInputs()[0];
      axis = scan.getAxis();
    } else {
      auto reduce = cast<ReduceOp>(anchor);
      for (Value input : reduce.getInputs())
        markProducers(markProducers, input, Level::Point);
      for (Value v : reduce.getResults())
        valueLevels[v] = Level::Reduced;
      domainSource = reduce.getInputs()[0];
      axis = reduce.getAxis();
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

  int64_t blockLanes() {
    TilingAttr tiling;
    if (auto scan = dyn_cast_or_null<ScanOp>(anchor))
      tiling = scan.getTilingAttr();
    else if (auto reduce = dyn_cast_or_null<ReduceOp>(anchor))
      tiling = reduce.getTilingAttr();
    return tiling ? tiling.getLanes() : kDefaultLanes;
  }

  //===--------------------------------------------------------------------===//
  // Functions
  //===--------------------------------------------------------------------===//

  /// The function argument standing for a kernel argument or a temporary.
  Value funcArg(Value memory) { return currentFunc.getArgument(memoryIndex.lookup(memory)); }

  func::FuncOp createFunc(OpBuilder &builder, StringRef name, TypeRange extraInputs,
                          TypeRange results) {
    SmallVector<Type> inputs(kernel.getArgumentTypes());
    for (Value temporary : temporaries)
      inputs.push_back(temporaryType(temporary));
    inputs.append(extraInputs.begin(), extraInputs.end());
    auto func = builder.create<func::FuncOp>(kernel.getLoc(), name,
                                             builder.getFunctionType(inputs, results));
    func->setAttr("llvm.emit_c_interface", builder.getUnitAttr());
    // Argument attributes of the kernel (e.g. llvm.noalias from the
    // runtime's specializations) carry over to its functions.
    for (unsigned i = 0; i < kernel.getNumArguments(); ++i)
      if (DictionaryAttr attrs = kernel.getArgAttrDict(i))
        func.setArgAttrs(i, attrs);
    currentFunc = func;
    return func;
  }

  void emitBlockCount(OpBuilder &builder, StringRef name) {
    OpBuilder::InsertionGuard guard(builder);
    Location loc = group.getLoc();
    func::FuncOp func = createFunc(builder, name, {}, builder.getIndexType());
    builder.setInsertionPointToStart(func.addEntryBlock());
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
    Shape shape = computeShape(builder, loc);
    this->shape = &shape;

    // Carries of the block's lanes live on the stack.
    SmallVector<Value> carries;
    if (anchor) {
      uniform = laneUniformOperands();
      for (auto [k, input] : llvm::enumerate(anchorInputs()))
        carries.push_back(builder.create<memref::AllocaOp>(
            loc, MemRefType::get({uniform[k] ? 1 : blockLanes()},
                                 getElementTypeOrSelf(input.getType()))));
    }

    Value begin = entry->getArgument(entry->getNumArguments() - 2);
    Value end = entry->getArgument(entry->getNumArguments() - 1);
    Value c0 = builder.create<arith::ConstantIndexOp>(loc, 0);
    Value c1 = builder.create<arith::ConstantIndexOp>(loc, 1);
    auto blockLoop = builder.create<scf::ForOp>(loc, begin, end, c1);
    builder.setInsertionPointToStart(blockLoop.getBody());
    Value block = blockLoop.getInductionVar();

    // Decode the block: the index of each outer lane dimension (the last
    // varies fastest), then the run of inner lanes.
    laneBase.assign(shape.dims.size(), c0);
    Value rest = builder.create<arith::DivUIOp>(loc, block, shape.innerBlocks);
    for (int64_t d : llvm::reverse(shape.outerDims)) {
      laneBase[d] = builder.create<arith::RemUIOp>(loc, rest, shape.dims[d]);
      rest = builder.create<arith::DivUIOp>(loc, rest, shape.dims[d]);
    }
    Value laneCount = c1;
    if (shape.innerDim) {
      Value lanes = builder.create<arith::ConstantIndexOp>(loc, blockLanes());
      Value innerBlock = builder.create<arith::RemUIOp>(loc, block, shape.innerBlocks);
      Value first = builder.create<arith::MulIOp>(loc, innerBlock, lanes);
      laneBase[*shape.innerDim] = first;
      Value left = builder.create<arith::SubIOp>(loc, shape.dims[*shape.innerDim], first);
      laneCount = builder.create<arith::MinUIOp>(loc, left, lanes);
    }

    if (!anchor)
      emitMapGroup(builder, loc, laneCount);
    else if (auto scan = dyn_cast<ScanOp>(anchor))
      emitScan(builder, loc, scan, laneCount, carries);
    else
      emitReduce(builder, loc, cast<ReduceOp>(anchor), laneCount, carries);

    builder.setInsertionPointToEnd(entry);
    builder.create<func::ReturnOp>(loc);
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
    if (shape->innerDim)
      idx[*shape->innerDim] = b.create<arith::AddIOp>(loc, laneBase[*shape->innerDim], lane);
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

  /// Stores the group results of `level` at `idx`.
  void storeOutputs(OpBuilder &b, Location loc, Level level, ArrayRef<Value> idx, Env &env) {
    for (auto [value, target] : outputs) {
      auto it = valueLevels.find(value);
      Level valueLevel = it == valueLevels.end() ? Level::Point : it->second;
      if (valueLevel != level)
        continue;
      Value scalar = scalarAt(b, loc, value, idx, env);
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

  /// A loop over the lanes of the block, calling `body(lane)`.
  void forLanes(OpBuilder &b, Location loc, Value laneCount,
                function_ref<void(OpBuilder &, Value)> body) {
    Value c0 = b.create<arith::ConstantIndexOp>(loc, 0);
    Value c1 = b.create<arith::ConstantIndexOp>(loc, 1);
    auto loop = b.create<scf::ForOp>(loc, c0, laneCount, c1);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    body(b, loop.getInductionVar());
  }

  /// Loads the carries of `lane`.
  SmallVector<Value> loadCarries(OpBuilder &b, Location loc, ArrayRef<Value> carries, Value lane) {
    SmallVector<Value> values;
    for (Value carry : carries)
      values.push_back(b.create<memref::LoadOp>(loc, carry, lane));
    return values;
  }

  void storeCarries(OpBuilder &b, Location loc, ArrayRef<Value> carries, ValueRange values,
                    Value lane) {
    for (auto [carry, value] : llvm::zip(carries, values))
      b.create<memref::StoreOp>(loc, value, carry, lane);
  }

  /// The scan inputs at a point, after the point's prologue maps.
  SmallVector<Value> anchorScalars(OpBuilder &b, Location loc, ArrayRef<Value> point, Env &env) {
    evalMaps(b, loc, Level::Point, /*beforeAnchor=*/true, point, env);
    SmallVector<Value> values;
    for (Value input : anchorInputs())
      values.push_back(scalarAt(b, loc, input, point, env));
    return values;
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

  /// One step of a scan at axis position `t` for every lane of the block.
  /// `first` marks the step that starts the scan without an init. Operands
  /// that are the same for every lane (`uniform`) combine once per step,
  /// before the lanes, in a carry of one cell; the lanes read the carry
  /// before the step.
  void emitScanStep(OpBuilder &b, Location loc, ScanOp scan, Value laneCount,
                    ArrayRef<Value> carries, Value t, bool first) {
    size_t n = carries.size();
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
          before[k] = uniform[k] ? b.create<memref::LoadOp>(loc, carries[k], c0).getResult() : zero;
          lhs[k] = before[k];
          rhs[k] = uniform[k] ? x[k] : zero;
        }
        after = combine(b, lhs, rhs);
      }
    }
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
          carry[k] = uniform[k] ? before[k] : b.create<memref::LoadOp>(loc, carries[k], lane);
        SmallVector<Value> next = combine(b, carry, x);
        for (size_t k = 0; k < n; ++k)
          scanned[k] = scan.getExclusive() ? carry[k] : uniform[k] ? after[k] : next[k];
        x = next;
      }
      for (size_t k = 0; k < n; ++k)
        if (!uniform[k])
          b.create<memref::StoreOp>(loc, x[k], carries[k], lane);
      for (auto [result, value] : llvm::zip(scan.getScanned(), scanned))
        env[result] = value;
      evalMaps(b, loc, Level::Point, /*beforeAnchor=*/false, point, env);
      storeOutputs(b, loc, Level::Point, point, env);
    });
    for (size_t k = 0; k < n; ++k)
      if (uniform[k])
        b.create<memref::StoreOp>(loc, after[k], carries[k], c0);
  }

  /// Whether a point value of the group is the same for every lane of the
  /// inner dimension: computed by maps from inputs that do not index it.
  bool laneUniform(Value value) {
    auto map = value.getDefiningOp<MapOp>();
    if (!map || !shape->innerDim)
      return false;
    for (auto [i, input] : llvm::enumerate(map.getInputs())) {
      // An input the body ignores (there for the domain's extent) is not read.
      if (map.getBody().getArgument(i).use_empty())
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

  /// The scan operands whose inputs are lane-uniform and whose combiner
  /// results depend only on such operands (decayed_sum's A, broadcast over
  /// c). Scans with inits or exclusive ones keep per-lane carries.
  SmallVector<bool> laneUniformOperands() {
    size_t n = anchorInputs().size();
    SmallVector<bool> result(n, false);
    auto scan = dyn_cast<ScanOp>(anchor);
    if (!scan || !scan.getInits().empty() || scan.getExclusive())
      return result;
    for (size_t k = 0; k < n; ++k)
      result[k] = laneUniform(scan.getInputs()[k]);
    Block &combiner = scan.getCombiner().front();
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
    bool hasStart = !scan.getInits().empty() || scan.getExclusive();

    // The carries start at the inits (lane maps evaluated per lane) or at
    // the identity of an exclusive scan.
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

    // Position `s` of the scan order is index s, or size - 1 - s in reverse.
    auto axisIndex = [&](OpBuilder &b, Value s) -> Value {
      if (!scan.getReverse())
        return s;
      Value last = b.create<arith::SubIOp>(loc, size, c1);
      return b.create<arith::SubIOp>(loc, last, s);
    };
    Value start = c0;
    if (!hasStart) {
      Value nonEmpty = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ugt, size, c0);
      auto ifOp = b.create<scf::IfOp>(loc, nonEmpty, /*withElseRegion=*/false);
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(ifOp.thenBlock());
        emitScanStep(b, loc, scan, laneCount, carries, axisIndex(b, c0), /*first=*/true);
      }
      start = c1;
    }
    auto loop = b.create<scf::ForOp>(loc, start, size, c1);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      emitScanStep(b, loc, scan, laneCount, carries, axisIndex(b, loop.getInductionVar()),
                   /*first=*/false);
    }

    // Final carries and the maps on them, per lane. Without inits a scan has
    // no carry results.
    if (scan.getInits().empty())
      return;
    forLanes(b, loc, laneCount, [&](OpBuilder &b, Value lane) {
      Env env;
      SmallVector<Value> lanePoint = levelIndex(pointIndex(b, loc, lane, c0), Level::Lane, {});
      for (auto [result, value] : llvm::zip(scan.getCarries(), loadCarries(b, loc, carries, lane)))
        env[result] = value;
      evalMaps(b, loc, Level::Lane, /*beforeAnchor=*/false, lanePoint, env);
      storeOutputs(b, loc, Level::Lane, lanePoint, env);
    });
  }

  void emitReduce(OpBuilder &b, Location loc, ReduceOp reduce, Value laneCount,
                  ArrayRef<Value> carries) {
    int64_t a = reduce.getAxis();
    Value size = shape->dims[a];
    Value c0 = b.create<arith::ConstantIndexOp>(loc, 0);
    Value c1 = b.create<arith::ConstantIndexOp>(loc, 1);
    Value chunkSize = chunk ? b.create<arith::ConstantIndexOp>(loc, *chunk).getResult() : size;
    Value chunks = chunk ? b.create<arith::CeilDivUIOp>(loc, size, chunkSize).getResult()
                         : b.create<arith::MinUIOp>(loc, size, c1).getResult();
    auto chunkLoop = b.create<scf::ForOp>(loc, c0, chunks, c1);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(chunkLoop.getBody());
    Value j = chunkLoop.getInductionVar();
    Value first = b.create<arith::MulIOp>(loc, j, chunkSize);
    Value afterLast =
        b.create<arith::MinUIOp>(loc, b.create<arith::AddIOp>(loc, first, chunkSize), size);

    // The first element of the chunk starts the carry; the rest combine.
    forLanes(b, loc, laneCount, [&](OpBuilder &b, Value lane) {
      Env env;
      SmallVector<Value> point = pointIndex(b, loc, lane, first);
      storeCarries(b, loc, carries, anchorScalars(b, loc, point, env), lane);
    });
    Value second = b.create<arith::AddIOp>(loc, first, c1);
    auto loop = b.create<scf::ForOp>(loc, second, afterLast, c1);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value t = loop.getInductionVar();
      forLanes(b, loc, laneCount, [&](OpBuilder &b, Value lane) {
        Env env;
        SmallVector<Value> point = pointIndex(b, loc, lane, t);
        SmallVector<Value> x = anchorScalars(b, loc, point, env);
        SmallVector<Value> next = combine(b, loadCarries(b, loc, carries, lane), x);
        storeCarries(b, loc, carries, next, lane);
      });
    }
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
  func::FuncOp currentFunc;
  SmallVector<Value> laneBase; // index of lane 0 of the block
  Shape *shape = nullptr;
  SmallVector<bool> uniform; // per scan operand: one carry for all lanes
};

class LowerToLoopsPass : public mmrec::impl::MmrecLowerToLoopsBase<LowerToLoopsPass> {
public:
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<KernelOp> kernels(module.getOps<KernelOp>());
    for (KernelOp kernel : kernels) {
      SmallVector<Value> temporaries = kernel.getTemporaries();
      unsigned index = 0;
      for (Operation &op : kernel.getBody().front()) {
        if (isa<LoadOp, StoreOp, YieldOp>(op))
          continue;
        auto group = dyn_cast<GroupOp>(op);
        if (!group) {
          op.emitOpError("is not in a group; run -mmrec-fuse before -mmrec-lower-to-loops");
          return signalPassFailure();
        }
        if (failed(GroupLowering(kernel, group, index++, temporaries).lower()))
          return signalPassFailure();
      }
      kernel.erase();
    }
  }
};

} // namespace
