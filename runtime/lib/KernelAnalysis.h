//===- KernelAnalysis.h - what a launch must check -------------*- C++ -*-===//
//
// Reads a fused kernel for what its launch checks: each argument's dtype,
// rank, static sizes and strides and whether the kernel writes it, and the
// equalities between argument sizes that its ops imply (a store's value has
// the target's shape, a map's inputs agree on the domain, ...).
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_RUNTIME_KERNELANALYSIS_H
#define MMREC_RUNTIME_KERNELANALYSIS_H

#include "mmrec/Tensor.h"

#include "mmrec/Dialect/Mmrec/MmrecOps.h"

#include <string>
#include <vector>

namespace mmrec {

/// A size: ceil(size of `dim` of argument `arg` / divisor), or `constant`
/// when arg < 0.
struct DimExpr {
  int arg = -1;
  int dim = 0;
  int64_t divisor = 1;
  int64_t constant = 0;

  bool operator==(const DimExpr &o) const {
    return arg == o.arg && dim == o.dim && divisor == o.divisor && constant == o.constant;
  }
  /// On every launch, many times: inline, and no division by 1.
  int64_t evaluate(const TensorView *args) const {
    if (arg < 0)
      return constant;
    int64_t size = args[arg].shape[dim];
    return divisor == 1 ? size : (size + divisor - 1) / divisor;
  }
  std::string describe() const;
};

/// `lhs` must equal `rhs` at launch; with `nonEmpty`, `lhs` must be > 0.
struct DimConstraint {
  DimExpr lhs, rhs;
  bool nonEmpty = false;
};

struct ArgInfo {
  DType dtype;
  std::vector<int64_t> staticShape;   // mlir::ShapedType::kDynamic where dynamic
  std::vector<int64_t> staticStrides; // likewise
  bool written = false;
  std::string type; // the memref type, for messages
};

/// A buffer between two groups, allocated by the runtime per launch shape.
struct Temporary {
  DType dtype;
  std::vector<DimExpr> shape;
};

struct KernelAnalysis {
  std::vector<ArgInfo> args;
  std::vector<Temporary> temporaries; // KernelOp::getTemporaries() order
  std::vector<DimConstraint> constraints;
  unsigned numGroups = 0;
  /// Per group, the sizes of its lane dimensions (every dimension of its
  /// domain but the axis, in order; the last is split into runs of lanes):
  /// what a GPU grid is sized from (see findGroupDomain).
  std::vector<std::vector<DimExpr>> groupLanes;
  /// Per group, the length of its axis (1 for a group of maps).
  std::vector<DimExpr> groupSteps;
};

/// Analyzes `kernel` after -mmrec-fuse. Throws mmrec::Error for an argument
/// type the runtime cannot pass (element type outside the dtype table, rank
/// above kMaxRank).
KernelAnalysis analyzeKernel(KernelOp kernel);

} // namespace mmrec

#endif // MMREC_RUNTIME_KERNELANALYSIS_H
