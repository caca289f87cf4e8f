//===- ApproximateMath.cpp - f32 log/exp with afn to the GPU's MUFU ops ---===//
//
// libdevice's accurate __nv_logf is a polynomial of about thirty
// instructions per element; a scan whose prologue takes a log (log-space
// decay products) then spends more time computing than moving memory. The
// multifunction unit's lg2.approx/ex2.approx take one instruction, in their
// .ftz forms: without it ptxas wraps each in three more that rescale
// subnormals. Kernels opt in per op with the standard `afn` fastmath flag,
// where the result is rounded to bf16 or f16 anyway (as CUDA's fast math).
//
//===----------------------------------------------------------------------===//

#include "mmrec/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

namespace mmrec {
#define GEN_PASS_DEF_MMRECAPPROXIMATEMATH
#include "mmrec/Transforms/Passes.h.inc"
} // namespace mmrec

using namespace mlir;

namespace {

bool allowsApproximation(Operation *op) {
  auto fastmath = dyn_cast<arith::ArithFastMathInterface>(op);
  if (!fastmath || op->getNumResults() != 1 || !op->getResult(0).getType().isF32())
    return false;
  arith::FastMathFlagsAttr flags = fastmath.getFastMathFlagsAttr();
  return flags && arith::bitEnumContainsAll(flags.getValue(), arith::FastMathFlags::afn);
}

Value callIntrinsic(OpBuilder &b, Location loc, StringRef name, Value x) {
  return b.create<LLVM::CallIntrinsicOp>(loc, x.getType(), b.getStringAttr(name), ValueRange{x})
      .getResult(0);
}

Value scaled(OpBuilder &b, Location loc, Value x, double factor) {
  Value constant = b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(factor));
  return b.create<arith::MulFOp>(loc, x, constant);
}

/// The approximation of `op`, or null where there is none.
Value approximate(OpBuilder &b, Operation *op) {
  Location loc = op->getLoc();
  Value x = op->getOperand(0);
  constexpr StringLiteral lg2 = "llvm.nvvm.lg2.approx.ftz.f", ex2 = "llvm.nvvm.ex2.approx.ftz.f";
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](math::LogOp) { return scaled(b, loc, callIntrinsic(b, loc, lg2, x), llvm::numbers::ln2); })
      .Case([&](math::Log2Op) { return callIntrinsic(b, loc, lg2, x); })
      .Case([&](math::ExpOp) {
        return callIntrinsic(b, loc, ex2, scaled(b, loc, x, llvm::numbers::log2e));
      })
      .Case([&](math::Exp2Op) { return callIntrinsic(b, loc, ex2, x); })
      .Default([](Operation *) { return Value(); });
}

struct ApproximateMath : mmrec::impl::MmrecApproximateMathBase<ApproximateMath> {
  void runOnOperation() override {
    // Post-order: erasing the visited op is safe.
    getOperation().walk([](Operation *op) {
      if (!allowsApproximation(op))
        return;
      OpBuilder b(op);
      if (Value result = approximate(b, op)) {
        op->getResult(0).replaceAllUsesWith(result);
        op->erase();
      }
    });
  }
};

} // namespace
