//===- ExpOfLogSums.cpp - sums of logarithms, exponentiated -------------===//

#include "ExpOfLogSums.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mmrec;

bool mmrec::isFloatConstant(Value value) {
  return matchPattern(value, m_Constant<FloatAttr>(nullptr));
}

namespace {

/// Appends to `chain`, first to last, the ops that make `value` a natural
/// logarithm shifted and clamped by constants (ExpOfLogSums::chain).
bool logChain(Value value, SmallVectorImpl<Operation *> &chain) {
  Operation *op = value.getDefiningOp();
  if (!op || !value.hasOneUse() || !isa<FloatType>(value.getType()))
    return false;
  if (isa<math::LogOp>(op)) {
    chain.push_back(op);
    return true;
  }
  if (!isa<arith::MaximumFOp, arith::MinimumFOp, arith::MaxNumFOp, arith::MinNumFOp, arith::AddFOp,
           arith::SubFOp>(op))
    return false;
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  bool found = isFloatConstant(rhs)                              ? logChain(lhs, chain)
               : isFloatConstant(lhs) && !isa<arith::SubFOp>(op) ? logChain(rhs, chain)
                                                                 : false;
  if (found)
    chain.push_back(op);
  return found;
}

/// Whether the combiner of `scan` is lhs + rhs.
bool isSum(ScanOp scan) {
  Block &body = scan.getCombiner().front();
  if (body.getNumArguments() != 2 || !llvm::hasSingleElement(body.without_terminator()))
    return false;
  auto add = dyn_cast<arith::AddFOp>(body.front());
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  return add && yield && yield->getNumOperands() == 1 && yield->getOperand(0) == add &&
         llvm::is_contained(add->getOperands(), body.getArgument(0)) &&
         llvm::is_contained(add->getOperands(), body.getArgument(1));
}

/// The math.exp ops that every use of `sums` ends in: each user a map whose
/// block argument for it only feeds math.exp. Empty when some use is not.
SmallVector<math::ExpOp> expUses(Value sums) {
  SmallVector<math::ExpOp> exps;
  for (OpOperand &use : sums.getUses()) {
    auto map = dyn_cast<MapOp>(use.getOwner());
    if (!map)
      return {};
    BlockArgument argument = map.getBody().getArgument(use.getOperandNumber());
    for (Operation *user : argument.getUsers()) {
      auto exp = dyn_cast<math::ExpOp>(user);
      if (!exp)
        return {};
      exps.push_back(exp);
    }
  }
  return exps;
}

} // namespace

std::optional<ExpOfLogSums> mmrec::matchExpOfLogSums(ScanOp scan) {
  if (scan.getInputs().size() != 1 || !scan.getInits().empty() || scan.getExclusive() ||
      scan.getIdentity() || !isSum(scan))
    return std::nullopt;
  auto logs = dyn_cast<OpResult>(scan.getInputs().front());
  auto map = logs ? dyn_cast<MapOp>(logs.getOwner()) : MapOp();
  if (!map || !logs.hasOneUse())
    return std::nullopt;
  ExpOfLogSums match;
  Value yielded = map.getBody().front().getTerminator()->getOperand(logs.getResultNumber());
  if (!logChain(yielded, match.chain))
    return std::nullopt;
  match.exps = expUses(scan.getResult(0));
  if (match.exps.empty())
    return std::nullopt;
  return match;
}

void mmrec::rewriteExpOfLogSums(KernelOp kernel,
                                function_ref<void(ScanOp, const ExpOfLogSums &)> rewrite) {
  SmallVector<std::pair<ScanOp, ExpOfLogSums>> found;
  kernel.walk([&](ScanOp scan) {
    if (std::optional<ExpOfLogSums> match = matchExpOfLogSums(scan))
      found.emplace_back(scan, std::move(*match));
  });
  for (auto &[scan, match] : found)
    rewrite(scan, match);
}
