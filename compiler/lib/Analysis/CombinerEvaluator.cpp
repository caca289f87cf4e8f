//===- CombinerEvaluator.cpp - evaluate scalar regions --------------------===//
//
// A small interpreter for the arith and math ops that scalar regions hold.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Analysis/CombinerEvaluator.h"
#include "mmrec/Dialect/Mmrec/MmrecOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace mmrec;

Scalar Scalar::ofInt(int64_t value, unsigned width) {
  Scalar s;
  s.isFloat = false;
  s.width = width;
  s.i = width >= 64 ? value : llvm::SignExtend64(static_cast<uint64_t>(value), width);
  return s;
}

uint64_t Scalar::unsignedValue() const {
  return width >= 64 ? static_cast<uint64_t>(i)
                     : static_cast<uint64_t>(i) & llvm::maskTrailingOnes<uint64_t>(width);
}

std::string Scalar::str() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (isFloat)
    os << llvm::format("%.9g", f);
  else if (width == 1)
    os << (i ? "true" : "false");
  else
    os << i;
  return text;
}

/// The bit width of an integer or index type.
static unsigned intWidth(Type type) {
  return isa<IndexType>(type) ? 64 : type.getIntOrFloatBitWidth();
}

namespace {
/// Applies one op to concrete operands. Returns std::nullopt for an op the
/// evaluator does not know, and failure() for a value outside the op's domain.
class OpInterpreter {
public:
  using Result = std::optional<FailureOr<Scalar>>;

  static Result apply(Operation *op, ArrayRef<Scalar> in) {
    Type resultType = op->getNumResults() == 1 ? op->getResult(0).getType() : Type();
    auto fl = [](double v) -> Result { return FailureOr<Scalar>(Scalar::ofFloat(v)); };
    auto in_ = [&](int64_t v) -> Result {
      return FailureOr<Scalar>(Scalar::ofInt(v, intWidth(resultType)));
    };
    auto boolean = [](bool v) -> Result { return FailureOr<Scalar>(Scalar::ofInt(v, 1)); };
    auto outOfDomain = []() -> Result { return FailureOr<Scalar>(failure()); };
    // Wrapping integer arithmetic is done on uint64_t and then truncated to
    // the width by Scalar::ofInt.
    auto u = [&](unsigned k) { return static_cast<uint64_t>(in[k].i); };

    return llvm::TypeSwitch<Operation *, Result>(op)
        .Case([&](arith::ConstantOp c) -> Result {
          if (auto f = dyn_cast<FloatAttr>(c.getValue()))
            return fl(f.getValueAsDouble());
          if (auto i = dyn_cast<IntegerAttr>(c.getValue()))
            return in_(i.getValue().getSExtValue());
          return std::nullopt;
        })
        // Float arithmetic.
        .Case([&](arith::AddFOp) { return fl(in[0].f + in[1].f); })
        .Case([&](arith::SubFOp) { return fl(in[0].f - in[1].f); })
        .Case([&](arith::MulFOp) { return fl(in[0].f * in[1].f); })
        .Case([&](arith::DivFOp) { return fl(in[0].f / in[1].f); })
        .Case([&](arith::RemFOp) { return fl(std::fmod(in[0].f, in[1].f)); })
        .Case([&](arith::NegFOp) { return fl(-in[0].f); })
        .Case([&](arith::MaximumFOp) {
          return fl(std::isnan(in[0].f) || std::isnan(in[1].f) ? NAN : std::fmax(in[0].f, in[1].f));
        })
        .Case([&](arith::MinimumFOp) {
          return fl(std::isnan(in[0].f) || std::isnan(in[1].f) ? NAN : std::fmin(in[0].f, in[1].f));
        })
        .Case([&](arith::MaxNumFOp) { return fl(std::fmax(in[0].f, in[1].f)); })
        .Case([&](arith::MinNumFOp) { return fl(std::fmin(in[0].f, in[1].f)); })
        // Precision changes are exact in double precision: the check is about
        // the algebra of the combiner, not the rounding of its element type.
        .Case([&](arith::ExtFOp) { return fl(in[0].f); })
        .Case([&](arith::TruncFOp) { return fl(in[0].f); })
        .Case([&](arith::SIToFPOp) { return fl(static_cast<double>(in[0].i)); })
        .Case([&](arith::UIToFPOp) { return fl(static_cast<double>(in[0].unsignedValue())); })
        .Case([&](arith::FPToSIOp) -> Result {
          if (!std::isfinite(in[0].f) || std::fabs(in[0].f) >= 9.2e18)
            return outOfDomain();
          return in_(static_cast<int64_t>(in[0].f));
        })
        .Case([&](arith::CmpFOp cmp) {
          return boolean(compareFloats(cmp.getPredicate(), in[0].f, in[1].f));
        })
        // Integer arithmetic.
        .Case([&](arith::AddIOp) { return in_(static_cast<int64_t>(u(0) + u(1))); })
        .Case([&](arith::SubIOp) { return in_(static_cast<int64_t>(u(0) - u(1))); })
        .Case([&](arith::MulIOp) { return in_(static_cast<int64_t>(u(0) * u(1))); })
        .Case([&](arith::DivSIOp) -> Result {
          if (in[1].i == 0 || (in[1].i == -1 && in[0].i == std::numeric_limits<int64_t>::min()))
            return outOfDomain();
          return in_(in[0].i / in[1].i);
        })
        .Case([&](arith::RemSIOp) -> Result {
          if (in[1].i == 0 || in[1].i == -1)
            return in[1].i == 0 ? outOfDomain() : in_(0);
          return in_(in[0].i % in[1].i);
        })
        .Case([&](arith::DivUIOp) -> Result {
          if (in[1].unsignedValue() == 0)
            return outOfDomain();
          return in_(static_cast<int64_t>(in[0].unsignedValue() / in[1].unsignedValue()));
        })
        .Case([&](arith::RemUIOp) -> Result {
          if (in[1].unsignedValue() == 0)
            return outOfDomain();
          return in_(static_cast<int64_t>(in[0].unsignedValue() % in[1].unsignedValue()));
        })
        .Case([&](arith::AndIOp) { return in_(in[0].i & in[1].i); })
        .Case([&](arith::OrIOp) { return in_(in[0].i | in[1].i); })
        .Case([&](arith::XOrIOp) { return in_(in[0].i ^ in[1].i); })
        .Case([&](arith::MaxSIOp) { return in_(std::max(in[0].i, in[1].i)); })
        .Case([&](arith::MinSIOp) { return in_(std::min(in[0].i, in[1].i)); })
        .Case([&](arith::MaxUIOp) {
          return in_(in[0].unsignedValue() >= in[1].unsignedValue() ? in[0].i : in[1].i);
        })
        .Case([&](arith::MinUIOp) {
          return in_(in[0].unsignedValue() <= in[1].unsignedValue() ? in[0].i : in[1].i);
        })
        .Case([&](arith::ShLIOp) -> Result {
          if (in[1].unsignedValue() >= in[0].width)
            return outOfDomain();
          return in_(static_cast<int64_t>(u(0) << in[1].unsignedValue()));
        })
        .Case([&](arith::ShRSIOp) -> Result {
          if (in[1].unsignedValue() >= in[0].width)
            return outOfDomain();
          return in_(in[0].i >> in[1].unsignedValue());
        })
        .Case([&](arith::ShRUIOp) -> Result {
          if (in[1].unsignedValue() >= in[0].width)
            return outOfDomain();
          return in_(static_cast<int64_t>(in[0].unsignedValue() >> in[1].unsignedValue()));
        })
        .Case([&](arith::ExtSIOp) { return in_(in[0].i); })
        .Case([&](arith::ExtUIOp) { return in_(static_cast<int64_t>(in[0].unsignedValue())); })
        .Case([&](arith::TruncIOp) { return in_(in[0].i); })
        .Case([&](arith::IndexCastOp) { return in_(in[0].i); })
        .Case([&](arith::CmpIOp cmp) {
          return boolean(compareInts(cmp.getPredicate(), in[0], in[1]));
        })
        .Case([&](arith::SelectOp) -> Result { return FailureOr<Scalar>(in[0].i ? in[1] : in[2]); })
        // Math.
        .Case([&](math::ExpOp) { return fl(std::exp(in[0].f)); })
        .Case([&](math::Exp2Op) { return fl(std::exp2(in[0].f)); })
        .Case([&](math::ExpM1Op) { return fl(std::expm1(in[0].f)); })
        .Case([&](math::LogOp) { return fl(std::log(in[0].f)); })
        .Case([&](math::Log2Op) { return fl(std::log2(in[0].f)); })
        .Case([&](math::Log10Op) { return fl(std::log10(in[0].f)); })
        .Case([&](math::Log1pOp) { return fl(std::log1p(in[0].f)); })
        .Case([&](math::SqrtOp) { return fl(std::sqrt(in[0].f)); })
        .Case([&](math::RsqrtOp) { return fl(1.0 / std::sqrt(in[0].f)); })
        .Case([&](math::TanhOp) { return fl(std::tanh(in[0].f)); })
        .Case([&](math::SinOp) { return fl(std::sin(in[0].f)); })
        .Case([&](math::CosOp) { return fl(std::cos(in[0].f)); })
        .Case([&](math::AtanOp) { return fl(std::atan(in[0].f)); })
        .Case([&](math::ErfOp) { return fl(std::erf(in[0].f)); })
        .Case([&](math::AbsFOp) { return fl(std::fabs(in[0].f)); })
        .Case([&](math::FloorOp) { return fl(std::floor(in[0].f)); })
        .Case([&](math::CeilOp) { return fl(std::ceil(in[0].f)); })
        .Case([&](math::PowFOp) { return fl(std::pow(in[0].f, in[1].f)); })
        .Case([&](math::CopySignOp) { return fl(std::copysign(in[0].f, in[1].f)); })
        .Case([&](math::FmaOp) { return fl(in[0].f * in[1].f + in[2].f); })
        .Case([&](math::AbsIOp) {
          return in_(in[0].i < 0 ? static_cast<int64_t>(0 - u(0)) : in[0].i);
        })
        .Default([](Operation *) -> Result { return std::nullopt; });
  }

private:
  static bool compareFloats(arith::CmpFPredicate predicate, double a, double b) {
    bool unordered = std::isnan(a) || std::isnan(b);
    using P = arith::CmpFPredicate;
    switch (predicate) {
    case P::AlwaysFalse:
      return false;
    case P::AlwaysTrue:
      return true;
    case P::OEQ:
      return !unordered && a == b;
    case P::OGT:
      return !unordered && a > b;
    case P::OGE:
      return !unordered && a >= b;
    case P::OLT:
      return !unordered && a < b;
    case P::OLE:
      return !unordered && a <= b;
    case P::ONE:
      return !unordered && a != b;
    case P::ORD:
      return !unordered;
    case P::UEQ:
      return unordered || a == b;
    case P::UGT:
      return unordered || a > b;
    case P::UGE:
      return unordered || a >= b;
    case P::ULT:
      return unordered || a < b;
    case P::ULE:
      return unordered || a <= b;
    case P::UNE:
      return unordered || a != b;
    case P::UNO:
      return unordered;
    }
    return false;
  }

  static bool compareInts(arith::CmpIPredicate predicate, const Scalar &a, const Scalar &b) {
    using P = arith::CmpIPredicate;
    switch (predicate) {
    case P::eq:
      return a.i == b.i;
    case P::ne:
      return a.i != b.i;
    case P::slt:
      return a.i < b.i;
    case P::sle:
      return a.i <= b.i;
    case P::sgt:
      return a.i > b.i;
    case P::sge:
      return a.i >= b.i;
    case P::ult:
      return a.unsignedValue() < b.unsignedValue();
    case P::ule:
      return a.unsignedValue() <= b.unsignedValue();
    case P::ugt:
      return a.unsignedValue() > b.unsignedValue();
    case P::uge:
      return a.unsignedValue() >= b.unsignedValue();
    }
    return false;
  }
};
} // namespace

/// Whether the interpreter knows `op`: it is one result-producing arith or
/// math op whose operands and result are scalars (vector forms are not).
/// Asking the interpreter itself, on placeholder operands, keeps the list of
/// known ops in one place.
static bool isKnownOp(Operation *op) {
  if (op->getNumResults() != 1 || op->getNumRegions() != 0)
    return false;
  auto isScalar = [](Type type) { return type.isIntOrIndexOrFloat(); };
  if (!llvm::all_of(op->getOperandTypes(), isScalar) ||
      !llvm::all_of(op->getResultTypes(), isScalar))
    return false;
  SmallVector<Scalar> dummy;
  for (Value operand : op->getOperands()) {
    Type type = operand.getType();
    dummy.push_back(isa<FloatType>(type) ? Scalar::ofFloat(1.0) : Scalar::ofInt(1, intWidth(type)));
  }
  return OpInterpreter::apply(op, dummy).has_value();
}

Operation *RegionEvaluator::findUnsupportedOp() const {
  for (Operation &op : region.front().without_terminator())
    if (!isKnownOp(&op))
      return &op;
  return nullptr;
}

FailureOr<SmallVector<Scalar>> RegionEvaluator::evaluate(ArrayRef<Scalar> args) const {
  Block &block = region.front();
  llvm::DenseMap<Value, Scalar> env;
  for (auto [arg, value] : llvm::zip(block.getArguments(), args))
    env[arg] = value;
  SmallVector<Scalar> operands;
  for (Operation &op : block.without_terminator()) {
    operands.clear();
    for (Value operand : op.getOperands())
      operands.push_back(env.lookup(operand));
    OpInterpreter::Result result = OpInterpreter::apply(&op, operands);
    if (!result || failed(*result))
      return failure();
    env[op.getResult(0)] = **result;
  }
  SmallVector<Scalar> yielded;
  for (Value value : block.getTerminator()->getOperands())
    yielded.push_back(env.lookup(value));
  return yielded;
}
