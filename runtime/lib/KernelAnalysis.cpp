//===- KernelAnalysis.cpp - what a launch must check ----------------------===//

#include "KernelAnalysis.h"

#include "mmrec/Error.h"

#include "mmrec/Analysis/DimSource.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseMap.h"

using namespace mlir;

namespace mmrec {

std::string DimExpr::describe() const {
  if (arg < 0)
    return std::to_string(constant);
  std::string text = "argument #" + std::to_string(arg) + " dimension " + std::to_string(dim);
  if (divisor != 1)
    text = "ceil((" + text + ") / " + std::to_string(divisor) + ")";
  return text;
}

namespace {

std::optional<DType> dtypeOf(Type type) {
  if (type.isBF16())
    return DType::BF16;
  if (type.isF16())
    return DType::F16;
  if (type.isF32())
    return DType::F32;
  if (type.isF64())
    return DType::F64;
  return std::nullopt;
}

class Analyzer {
public:
  explicit Analyzer(KernelOp kernel) : kernel(kernel) {}

  KernelAnalysis run() {
    for (auto [i, type] : llvm::enumerate(kernel.getArgumentTypes())) {
      auto memref = cast<MemRefType>(type);
      std::string text;
      llvm::raw_string_ostream(text) << memref;
      std::optional<DType> dtype = dtypeOf(memref.getElementType());
      if (!dtype)
        throw Error("mmrec kernel '" + kernel.getSymName().str() + "': argument #" +
                    std::to_string(i) + " has type " + text +
                    "; the runtime passes bf16, f16, f32 and f64 views");
      if (memref.getRank() > kMaxRank)
        throw Error("mmrec kernel '" + kernel.getSymName().str() + "': argument #" +
                    std::to_string(i) + " has rank " + std::to_string(memref.getRank()) +
                    "; the runtime passes views of rank at most " + std::to_string(kMaxRank));
      SmallVector<int64_t> strides;
      int64_t offset;
      (void)getStridesAndOffset(memref, strides, offset);
      result.args.push_back(ArgInfo{*dtype,
                                    {memref.getShape().begin(), memref.getShape().end()},
                                    {strides.begin(), strides.end()},
                                    false,
                                    text});
    }
    for (Operation &op : kernel.getBody().front())
      visit(&op);
    for (Value temporary : kernel.getTemporaries()) {
      auto type = cast<RankedTensorType>(temporary.getType());
      std::optional<DType> dtype = dtypeOf(type.getElementType());
      if (!dtype) {
        std::string text;
        llvm::raw_string_ostream(text) << type;
        throw Error("mmrec kernel '" + kernel.getSymName().str() + "': a value of type " + text +
                    " passes between two groups; the runtime keeps bf16, f16, f32 and f64 "
                    "intermediates");
      }
      Temporary entry{*dtype, {}};
      for (int64_t d = 0; d < type.getRank(); ++d)
        entry.shape.push_back(dim(temporary, d));
      result.temporaries.push_back(std::move(entry));
    }
    return std::move(result);
  }

private:
  int argIndex(Value memref) { return cast<BlockArgument>(memref).getArgNumber(); }

  /// Where the size of dimension `d` of `tensor` comes from.
  DimExpr dim(Value tensor, int64_t d) {
    DimSource source = findDimSource(tensor, d);
    DimExpr e;
    if (source.isStatic()) {
      e.constant = source.staticSize;
      return e;
    }
    e.arg = static_cast<int>(source.memref.getArgNumber());
    e.dim = static_cast<int>(source.dim);
    e.divisor = source.divisor;
    return e;
  }

  void require(DimExpr lhs, DimExpr rhs) {
    if (lhs == rhs)
      return;
    for (const DimConstraint &c : result.constraints)
      if (!c.nonEmpty && ((c.lhs == lhs && c.rhs == rhs) || (c.lhs == rhs && c.rhs == lhs)))
        return;
    result.constraints.push_back({lhs, rhs, false});
  }

  void visit(Operation *op) {
    if (auto store = dyn_cast<StoreOp>(op)) {
      int target = argIndex(store.getTarget());
      result.args[target].written = true;
      for (int64_t d = 0; d < store.getValue().getType().getRank(); ++d) {
        DimExpr e;
        e.arg = target;
        e.dim = static_cast<int>(d);
        require(e, dim(store.getValue(), d));
      }
    } else if (auto map = dyn_cast<MapOp>(op)) {
      for (auto [i, input] : llvm::enumerate(map.getInputs())) {
        AffineMap indexing = map.getIndexingMap(i);
        for (unsigned q = 0; q < indexing.getNumResults(); ++q)
          require(dim(input, q), dim(map.getResult(0), indexing.getDimPosition(q)));
      }
    } else if (auto scan = dyn_cast<ScanOp>(op)) {
      Value first = scan.getInputs()[0];
      int64_t rank = cast<RankedTensorType>(first.getType()).getRank();
      for (Value input : scan.getInputs())
        for (int64_t d = 0; d < rank; ++d)
          require(dim(input, d), dim(first, d));
      int64_t axis = scan.getAxis();
      for (Value init : scan.getInits())
        for (int64_t d = 0; d + 1 < rank; ++d)
          require(dim(init, d), dim(first, d < axis ? d : d + 1));
    } else if (auto reduce = dyn_cast<ReduceOp>(op)) {
      Value first = reduce.getInputs()[0];
      int64_t rank = cast<RankedTensorType>(first.getType()).getRank();
      for (Value input : reduce.getInputs())
        for (int64_t d = 0; d < rank; ++d)
          require(dim(input, d), dim(first, d));
      if (!reduce.getChunk())
        result.constraints.push_back({dim(first, reduce.getAxis()), DimExpr{}, true});
    } else if (auto group = dyn_cast<GroupOp>(op)) {
      ++result.numGroups;
      std::vector<DimExpr> lanes;
      GroupDomain domain = findGroupDomain(group);
      if (domain.tensor) {
        int64_t rank = cast<RankedTensorType>(domain.tensor.getType()).getRank();
        for (int64_t d = 0; d < rank; ++d)
          if (d != domain.axis)
            lanes.push_back(dim(domain.tensor, d));
      }
      result.groupLanes.push_back(std::move(lanes));
      DimExpr steps;
      steps.constant = 1;
      if (domain.tensor && domain.axis)
        steps = dim(domain.tensor, *domain.axis);
      result.groupSteps.push_back(steps);
      for (Operation &inner : group.getBody().front())
        visit(&inner);
    }
  }

  KernelOp kernel;
  KernelAnalysis result;
};

} // namespace

KernelAnalysis analyzeKernel(KernelOp kernel) { return Analyzer(kernel).run(); }

} // namespace mmrec
