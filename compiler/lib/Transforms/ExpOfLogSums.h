//===- ExpOfLogSums.h - sums of logarithms, exponentiated -------*- C++ -*-===//
//
// The log-space products of assoc_scan_exp, exp(cumsum(clamp(log(x), lo,
// hi))), as the passes that rewrite them (-mmrec-log-sum-to-product,
// -mmrec-log2-space) find them.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_TRANSFORMS_EXPOFLOGSUMS_H
#define MMREC_TRANSFORMS_EXPOFLOGSUMS_H

#include "mmrec/Dialect/Mmrec/MmrecOps.h"

#include "mlir/Dialect/Math/IR/Math.h"

#include <optional>

namespace mmrec {

/// A scan whose sums of logarithms are used only exponentiated.
struct ExpOfLogSums {
  /// math.log, then each op that shifts or clamps its result by a constant
  /// (maximumf, minimumf, maxnumf, minnumf, addf of a constant, subf of
  /// one), in order, the last one yielded by the map that feeds the scan.
  /// Each value of the chain has one use, the next op.
  llvm::SmallVector<mlir::Operation *> chain;
  /// The math.exp ops that every use of the sums ends in.
  llvm::SmallVector<mlir::math::ExpOp> exps;
};

/// `scan` as an ExpOfLogSums where it is one: one input, no inits, not
/// exclusive, no identity, combiner `lhs + rhs`, its input a map result
/// used only by the scan and computed by a chain as above, its sums used
/// only by maps whose block argument for them feeds only math.exp.
std::optional<ExpOfLogSums> matchExpOfLogSums(ScanOp scan);

/// Calls `rewrite` with each scan of `kernel` that is an ExpOfLogSums (all
/// found first: `rewrite` changes the IR).
void rewriteExpOfLogSums(KernelOp kernel,
                         llvm::function_ref<void(ScanOp, const ExpOfLogSums &)> rewrite);

/// Whether `value` is a float constant.
bool isFloatConstant(mlir::Value value);

} // namespace mmrec

#endif // MMREC_TRANSFORMS_EXPOFLOGSUMS_H
