//===- CheckCombiners.cpp - reject non-associative combiners --------------===//
//
// Parallel scans and reductions regroup the applications of a combiner, so a
// combiner that is not associative gives schedule-dependent results. This
// pass evaluates every combiner on random triples and reports a violation
// with its counterexample.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Analysis/CombinerEvaluator.h"
#include "mmrec/Dialect/Mmrec/MmrecOps.h"
#include "mmrec/Transforms/Passes.h"

#include "mlir/IR/TypeUtilities.h"
#include "llvm/Support/Format.h"

#include <cmath>
#include <random>

namespace mmrec {
#define GEN_PASS_DEF_MMRECCHECKCOMBINERS
#include "mmrec/Transforms/Passes.h.inc"
} // namespace mmrec

using namespace mlir;
using namespace mmrec;

namespace {

using Tuple = SmallVector<Scalar>;

/// Draws combiner operands: floats alternately from [-2, 2] and from
/// [1/64, 2] (so that combiners with logarithms or divisions get samples in
/// their domain), integers from [-100, 100], booleans from {0, 1}.
class SampleSource {
public:
  explicit SampleSource(unsigned seed) : engine(seed) {}

  Tuple draw(TypeRange elementTypes, unsigned sampleIndex) {
    Tuple tuple;
    for (Type type : elementTypes) {
      if (isa<FloatType>(type)) {
        double low = sampleIndex % 2 == 0 ? -2.0 : 1.0 / 64;
        tuple.push_back(Scalar::ofFloat(std::uniform_real_distribution<double>(low, 2.0)(engine)));
        continue;
      }
      unsigned width = isa<IndexType>(type) ? 64 : type.getIntOrFloatBitWidth();
      int64_t low = width == 1 ? 0 : -100, high = width == 1 ? 1 : 100;
      tuple.push_back(
          Scalar::ofInt(std::uniform_int_distribution<int64_t>(low, high)(engine), width));
    }
    return tuple;
  }

private:
  std::mt19937_64 engine;
};

std::string formatTuple(ArrayRef<Scalar> tuple) {
  std::string text = "(";
  for (auto [i, value] : llvm::enumerate(tuple))
    text += (i ? ", " : "") + value.str();
  return text + ")";
}

std::string formatShort(double value) {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format("%.3g", value);
  return text;
}

Tuple concat(ArrayRef<Scalar> lhs, ArrayRef<Scalar> rhs) {
  Tuple both(lhs);
  both.append(rhs.begin(), rhs.end());
  return both;
}

/// The outcome of comparing (a.b).c with a.(b.c) for one sample.
enum class SampleOutcome { Agrees, Differs, OutOfDomain };

class CheckCombinersPass : public mmrec::impl::MmrecCheckCombinersBase<CheckCombinersPass> {
public:
  using MmrecCheckCombinersBase::MmrecCheckCombinersBase;

  void runOnOperation() override {
    if (!(tolerance >= 0.0)) {
      getOperation()->emitError() << "-mmrec-check-combiners: 'tolerance' must be >= 0, got "
                                  << formatShort(tolerance);
      return signalPassFailure();
    }
    if (samples == 0) {
      getOperation()->emitError() << "-mmrec-check-combiners: 'samples' must be at least 1";
      return signalPassFailure();
    }
    bool anyFailed = false;
    getOperation()->walk([&](Operation *op) {
      if (auto scan = dyn_cast<ScanOp>(op))
        anyFailed |= failed(check(op, scan.getCombiner(), scan.getInputs()));
      else if (auto reduce = dyn_cast<ReduceOp>(op))
        anyFailed |= failed(check(op, reduce.getCombiner(), reduce.getInputs()));
    });
    if (anyFailed)
      signalPassFailure();
  }

private:
  LogicalResult check(Operation *op, Region &combiner, ValueRange inputs) {
    RegionEvaluator evaluator(combiner);
    if (Operation *unknown = evaluator.findUnsupportedOp()) {
      op->emitWarning() << "associativity of the combiner was not checked: the evaluator does "
                           "not know '"
                        << unknown->getName() << "'";
      return success();
    }

    SmallVector<Type> elementTypes;
    for (Value input : inputs)
      elementTypes.push_back(getElementTypeOrSelf(input.getType()));
    SampleSource source(seed);
    unsigned checked = 0;
    for (unsigned s = 0; s < samples; ++s) {
      Tuple a = source.draw(elementTypes, s), b = source.draw(elementTypes, s),
            c = source.draw(elementTypes, s);
      Tuple left, right;
      unsigned differing = 0;
      double difference = 0.0;
      SampleOutcome outcome = compare(evaluator, a, b, c, left, right, differing, difference);
      if (outcome == SampleOutcome::OutOfDomain)
        continue;
      ++checked;
      if (outcome == SampleOutcome::Agrees)
        continue;
      InFlightDiagnostic diag = op->emitOpError();
      diag << "combiner is not associative: for a = " << formatTuple(a)
           << ", b = " << formatTuple(b) << ", c = " << formatTuple(c)
           << ", combine(combine(a, b), c) = " << formatTuple(left)
           << " but combine(a, combine(b, c)) = " << formatTuple(right) << " (result #" << differing
           << " ";
      if (left[differing].isFloat)
        diag << "differs by " << formatShort(difference) << " relative, above tolerance "
             << formatShort(tolerance) << ")";
      else
        diag << "differs)";
      return diag;
    }
    if (checked == 0)
      op->emitWarning() << "associativity of the combiner was not checked: all "
                        << static_cast<unsigned>(samples)
                        << " samples left its domain (NaN, infinity or division by zero)";
    return success();
  }

  /// Evaluates both groupings of a, b, c. On Differs, `differing` is the
  /// first result that differs and `difference` its relative difference.
  SampleOutcome compare(const RegionEvaluator &evaluator, const Tuple &a, const Tuple &b,
                        const Tuple &c, Tuple &left, Tuple &right, unsigned &differing,
                        double &difference) {
    FailureOr<Tuple> ab = evaluator.evaluate(concat(a, b));
    FailureOr<Tuple> bc = evaluator.evaluate(concat(b, c));
    if (failed(ab) || failed(bc))
      return SampleOutcome::OutOfDomain;
    FailureOr<Tuple> abc = evaluator.evaluate(concat(*ab, c));
    FailureOr<Tuple> abc2 = evaluator.evaluate(concat(a, *bc));
    if (failed(abc) || failed(abc2))
      return SampleOutcome::OutOfDomain;
    left = *abc;
    right = *abc2;
    for (auto [i, l, r] : llvm::enumerate(left, right))
      if (l.isFloat && (!std::isfinite(l.f) || !std::isfinite(r.f)))
        return SampleOutcome::OutOfDomain;
    for (auto [i, l, r] : llvm::enumerate(left, right)) {
      if (!l.isFloat) {
        if (l.i != r.i) {
          differing = i;
          return SampleOutcome::Differs;
        }
        continue;
      }
      // Relative to the larger magnitude, but never finer than absolute
      // `tolerance`: results near zero come from cancellation.
      double scale = std::max({std::fabs(l.f), std::fabs(r.f), 1.0});
      double relative = std::fabs(l.f - r.f) / scale;
      if (relative > tolerance) {
        differing = i;
        difference = relative;
        return SampleOutcome::Differs;
      }
    }
    return SampleOutcome::Agrees;
  }
};

} // namespace
