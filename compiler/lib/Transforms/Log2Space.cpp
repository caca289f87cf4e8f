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

#include "mmrec/Transforms/Passes.h"

#include "ExpOfLogSums.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"

#include "llvm/Support/MathExtras.h"

namespace mmrec {
#define GEN_PASS_DEF_MMRECLOG2SPACE
#include "mmrec/Transforms/Passes.h.inc"
} // namespace mmrec

using namespace mlir;
using namespace mmrec;

namespace {

/// Rewrites a scan that sums logarithms only to exponentiate the sums
/// (`match`) into base 2.
void rewrite(ScanOp, const ExpOfLogSums &match) {
  ArrayRef<Operation *> chain = match.chain;
  auto log = cast<math::LogOp>(chain.front());
  OpBuilder b(log);
  log.replaceAllUsesWith(
      b.create<math::Log2Op>(log.getLoc(), log.getOperand(), log.getFastmathAttr()).getResult());
  log.erase();
  for (Operation *op : chain.drop_front()) {
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
  for (math::ExpOp exp : match.exps) {
    b.setInsertionPoint(exp);
    exp.replaceAllUsesWith(
        b.create<math::Exp2Op>(exp.getLoc(), exp.getOperand(), exp.getFastmathAttr()).getResult());
    exp.erase();
  }
}

struct Log2Space : mmrec::impl::MmrecLog2SpaceBase<Log2Space> {
  void runOnOperation() override { rewriteExpOfLogSums(getOperation(), rewrite); }
};

} // namespace
