//===- DimSource.cpp - where the sizes of a kernel's tensors come from ----===//

#include "mmrec/Analysis/DimSource.h"
#include "mmrec/Dialect/Mmrec/MmrecOps.h"

using namespace mlir;

namespace mmrec {

DimSource findDimSource(Value tensor, int64_t d) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (!type.isDynamicDim(d))
    return DimSource{type.getDimSize(d)};
  if (auto arg = dyn_cast<BlockArgument>(tensor)) {
    // A group's block argument stands for the group's operand.
    auto group = cast<GroupOp>(arg.getOwner()->getParentOp());
    return findDimSource(group.getInputs()[arg.getArgNumber()], d);
  }
  Operation *def = tensor.getDefiningOp();
  if (auto load = dyn_cast<LoadOp>(def))
    return DimSource{ShapedType::kDynamic, cast<BlockArgument>(load.getSource()), d};
  if (auto map = dyn_cast<MapOp>(def)) {
    // The verifier makes every dynamic domain dimension indexed by an input.
    for (auto [i, input] : llvm::enumerate(map.getInputs())) {
      AffineMap indexing = map.getIndexingMap(i);
      for (unsigned q = 0; q < indexing.getNumResults(); ++q)
        if (indexing.getDimPosition(q) == d)
          return findDimSource(input, q);
    }
  }
  if (auto scan = dyn_cast<ScanOp>(def)) {
    unsigned k = cast<OpResult>(tensor).getResultNumber();
    if (k < scan.getInputs().size())
      return findDimSource(scan.getInputs()[k], d);
    int64_t axis = scan.getAxis();
    return findDimSource(scan.getInputs()[0], d < axis ? d : d + 1);
  }
  if (auto reduce = dyn_cast<ReduceOp>(def)) {
    int64_t axis = reduce.getAxis();
    if (!reduce.getChunk())
      return findDimSource(reduce.getInputs()[0], d < axis ? d : d + 1);
    DimSource source = findDimSource(reduce.getInputs()[0], d);
    if (d == axis) {
      int64_t chunk = *reduce.getChunk();
      if (source.isStatic())
        source.staticSize = (source.staticSize + chunk - 1) / chunk;
      else
        source.divisor *= chunk;
    }
    return source;
  }
  if (auto group = dyn_cast<GroupOp>(def)) {
    auto yield = cast<YieldOp>(group.getBody().front().getTerminator());
    return findDimSource(yield.getValues()[cast<OpResult>(tensor).getResultNumber()], d);
  }
  llvm_unreachable("kernel tensors come from loads, maps, scans, reduces and groups");
}

GroupDomain findGroupDomain(GroupOp group) {
  Operation *anchor = group.getScanOrReduce();
  if (auto scan = dyn_cast_or_null<ScanOp>(anchor))
    return {scan.getInputs()[0], scan.getAxis()};
  if (auto reduce = dyn_cast_or_null<ReduceOp>(anchor))
    return {reduce.getInputs()[0], reduce.getAxis()};
  auto yield = cast<YieldOp>(group.getBody().front().getTerminator());
  if (yield.getValues().empty())
    return {};
  return {yield.getValues()[0], std::nullopt};
}

} // namespace mmrec
