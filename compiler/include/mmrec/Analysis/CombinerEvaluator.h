//===- CombinerEvaluator.h - evaluate scalar regions -----------*- C++ -*-===//
//
// Interprets the single-block scalar regions of mmrec ops (scan and reduce
// combiners, map bodies) on concrete numbers, for compile-time checks such
// as -mmrec-check-combiners. Floats are evaluated in double precision.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_ANALYSIS_COMBINEREVALUATOR_H
#define MMREC_ANALYSIS_COMBINEREVALUATOR_H

#include "mlir/IR/Region.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace mmrec {

/// One scalar during evaluation: a float (held as a double), or an integer of
/// `width` bits (held sign-extended in an int64_t; index is 64 bits).
struct Scalar {
  bool isFloat = true;
  double f = 0.0;
  int64_t i = 0;
  unsigned width = 64;

  static Scalar ofFloat(double value) { return Scalar{true, value, 0, 64}; }
  static Scalar ofInt(int64_t value, unsigned width);
  /// The value of `width` bits, zero-extended (for unsigned ops).
  uint64_t unsignedValue() const;
  /// A readable form for diagnostics: `0.5`, `-3`, `true`.
  std::string str() const;
};

/// Interprets one region of a verified mmrec op: one block that ends with
/// `mmrec.yield`.
class RegionEvaluator {
public:
  explicit RegionEvaluator(mlir::Region &region) : region(region) {}

  /// The first op of the region that the evaluator does not know, or null
  /// when it knows them all.
  mlir::Operation *findUnsupportedOp() const;

  /// The yielded values for these block arguments. Fails when a value leaves
  /// the domain of an op (integer division by zero, a shift past the width).
  /// Requires findUnsupportedOp() == nullptr.
  mlir::FailureOr<llvm::SmallVector<Scalar>> evaluate(llvm::ArrayRef<Scalar> args) const;

private:
  mlir::Region &region;
};

} // namespace mmrec

#endif // MMREC_ANALYSIS_COMBINEREVALUATOR_H
