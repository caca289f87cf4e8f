//===- LogSumToProduct.cpp - decay products without logarithms -----------===//
//
// exp(cumsum(clamp(log(x), lo, hi))) with hi <= 0 (assoc_scan_exp's decay
// products) is the cumulative product of clamp(x, e^lo, e^hi): one
// multiplication an element instead of a log and an exp. On the GPU those
// were three special-function instructions an element (the first walk's
// log, the rescan's log and exp); on the H100 (session 9) assoc_scan_exp
// went from 115.9 to 113.3 us at [2, 8, 32768, 128] and stayed at 409.3 us
// at [8, 32, 8192, 128], where the look-back, not arithmetic, limits it. On
// the CPU, libm's log and exp were most of the time: 66 -> 2.8 ms at
// [2, 8, 8192, 128] on two cores.
//
// Every factor lies in (0, 1], so a product that underflows bounds every
// later one, which the log-space form's exp underflows as well; no partial
// product can overflow. Rounding: a relative 2^-24 a factor, where each
// log of the log-space form costs up to 2^-22 absolute in the sum (the
// hardware's lg2; more than the decay itself for decays near 1).
//
//===----------------------------------------------------------------------===//

#include "mmrec/Transforms/Passes.h"

#include "ExpOfLogSums.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"

#include <cmath>
#include <limits>

namespace mmrec {
#define GEN_PASS_DEF_MMRECLOGSUMTOPRODUCT
#include "mmrec/Transforms/Passes.h.inc"
} // namespace mmrec

using namespace mlir;
using namespace mmrec;

namespace {

/// The constant operand of a shift or clamp of the chain.
double constantOf(Operation *op) {
  FloatAttr constant;
  for (Value operand : op->getOperands())
    if (matchPattern(operand, m_Constant(&constant)))
      return constant.getValueAsDouble();
  llvm_unreachable("a log chain's op has a constant operand");
}

/// The largest value (not NaN) the chain can yield: +inf after the log,
/// then through each clamp and shift.
double upperBound(ArrayRef<Operation *> chain) {
  double bound = std::numeric_limits<double>::infinity();
  for (Operation *op : chain.drop_front()) {
    double c = constantOf(op);
    if (std::isnan(c))
      return std::numeric_limits<double>::infinity();
    if (isa<arith::MaximumFOp, arith::MaxNumFOp>(op))
      bound = std::max(bound, c);
    else if (isa<arith::MinimumFOp, arith::MinNumFOp>(op))
      bound = std::min(bound, c);
    else if (isa<arith::AddFOp>(op))
      bound += c;
    else
      bound -= c; // subf of a constant
  }
  return bound;
}

Value floatConstant(OpBuilder &b, Location loc, Type type, double value) {
  return b.create<arith::ConstantOp>(loc, b.getFloatAttr(type, value));
}

/// Rewrites `scan` into a product of the values its logs were taken of,
/// where every logarithm it sums is at most 0.
void rewrite(ScanOp scan, const ExpOfLogSums &match) {
  if (!(upperBound(match.chain) <= 0.0))
    return;
  ArrayRef<Operation *> chain = match.chain;

  // log(x) is NaN below 0 (and -inf at 0, which the clamps treat as 0 does).
  auto log = cast<math::LogOp>(chain.front());
  OpBuilder b(log);
  Location loc = log.getLoc();
  Value x = log.getOperand();
  Type type = x.getType();
  Value negative =
      b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, x, floatConstant(b, loc, type, 0.0));
  Value nan = floatConstant(b, loc, type, std::numeric_limits<double>::quiet_NaN());
  log.replaceAllUsesWith(b.create<arith::SelectOp>(loc, negative, nan, x).getResult());
  log.erase();

  // Clamps by c clamp by e^c; a shift by c multiplies by e^c.
  for (Operation *op : chain.drop_front()) {
    b.setInsertionPoint(op);
    double c = constantOf(op);
    Value factor = floatConstant(b, op->getLoc(), type, std::exp(isa<arith::SubFOp>(op) ? -c : c));
    Value value = isFloatConstant(op->getOperand(0)) ? op->getOperand(1) : op->getOperand(0);
    if (isa<arith::AddFOp, arith::SubFOp>(op)) {
      auto flags = cast<arith::ArithFastMathInterface>(op).getFastMathFlagsAttr();
      op->replaceAllUsesWith(b.create<arith::MulFOp>(op->getLoc(), value, factor, flags));
      op->erase();
    } else {
      for (OpOperand &operand : op->getOpOperands())
        if (isFloatConstant(operand.get()))
          operand.set(factor);
    }
  }

  auto add = cast<arith::AddFOp>(scan.getCombiner().front().front());
  b.setInsertionPoint(add);
  add->replaceAllUsesWith(
      b.create<arith::MulFOp>(add.getLoc(), add.getLhs(), add.getRhs(), add.getFastmathAttr()));
  add->erase();

  for (math::ExpOp exp : match.exps) {
    exp.replaceAllUsesWith(exp.getOperand());
    exp.erase();
  }
}

struct LogSumToProduct : mmrec::impl::MmrecLogSumToProductBase<LogSumToProduct> {
  void runOnOperation() override { rewriteExpOfLogSums(getOperation(), rewrite); }
};

} // namespace
