//===- Log2Space.cpp - sums of logarithms in base 2 -----------------------===//
//
// A scan that sums logarithms only to exponentiate the sums (the log-space
// decay products of assoc_scan_exp: exp(cumsum(clamp(log(x), lo, hi))))
// computes the same in base 2: log2, the constants between the log and the
// scan divided by ln 2, exp2. The GPU's lg2 and ex2 are base 2, so each
// natural log or exp costs a multiplication more: two of about twenty
// instructions an element in assoc_scan_exp's rescan, one in its first walk.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Dialect/Mmrec/MmrecOps.h"
#include "mmrec/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Matchers.h"

#include "llvm/Support/MathExtras.h"

namespace mmrec {
#define GEN_PASS_DEF_MMRECLOG2SPACE
#include "mmrec/Transforms/Passes.h.inc"
} // namespace mmrec

using namespace mlir;
using namespace mmrec;

namespace {

bool isFloatConstant(Value value) { return matchPattern(value, m_Constant<FloatAttr>(nullptr)); }

/// Appends to `chain`, first to last, the ops that make `value` a natural
/// logarithm shifted and clamped by constants: math.log, then maximumf,
/// minimumf, maxnumf, minnumf or addf with a constant, or subf of one. Each
/// value of the chain has one use (the next op), so that scaling it changes
/// nothing else.
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

/// Rewrites `scan` into base 2 where it sums logarithms (logChain) that only
/// its sums, exponentiated, use.
void rewrite(ScanOp scan) {
  if (scan.getInputs().size() != 1 || !scan.getInits().empty() || scan.getExclusive() ||
      !isSum(scan))
    return;
  auto logs = dyn_cast<OpResult>(scan.getInputs().front());
  auto map = logs ? dyn_cast<MapOp>(logs.getOwner()) : MapOp();
  if (!map || !logs.hasOneUse())
    return;
  Value yielded = map.getBody().front().getTerminator()->getOperand(logs.getResultNumber());
  SmallVector<Operation *> chain;
  if (!logChain(yielded, chain))
    return;
  SmallVector<math::ExpOp> exps = expUses(scan.getResult(0));
  if (exps.empty())
    return;

  auto log = cast<math::LogOp>(chain.front());
  OpBuilder b(log);
  log.replaceAllUsesWith(
      b.create<math::Log2Op>(log.getLoc(), log.getOperand(), log.getFastmathAttr()).getResult());
  log.erase();
  for (Operation *op : ArrayRef<Operation *>(chain).drop_front()) {
    b.setInsertionPoint(op);
    for (OpOperand &operand : op->getOpOperands()) {
      FloatAttr constant;
      if (!matchPattern(operand.get(), m_Constant(&constant)))
        continue;
      double scaled = constant.getValueAsDouble() / llvm::numbers::ln2;
      operand.set(
          b.create<arith::ConstantOp>(op->getLoc(), b.getFloatAttr(constant.getType(), scaled)));
    }
  }
  for (math::ExpOp exp : exps) {
    b.setInsertionPoint(exp);
    exp.replaceAllUsesWith(
        b.create<math::Exp2Op>(exp.getLoc(), exp.getOperand(), exp.getFastmathAttr()).getResult());
    exp.erase();
  }
}

struct Log2Space : mmrec::impl::MmrecLog2SpaceBase<Log2Space> {
  void runOnOperation() override {
    SmallVector<ScanOp> scans;
    getOperation().walk([&](ScanOp scan) { scans.push_back(scan); });
    for (ScanOp scan : scans)
      rewrite(scan);
  }
};

} // namespace
