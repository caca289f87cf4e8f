//===- DimSource.h - where the sizes of a kernel's tensors come from -*- C++ -*-===//
//
// Every tensor of a kernel gets its sizes from the kernel's memref arguments
// (through loads, maps, scans, reductions and groups) or from its static
// type. The CPU lowering turns a source into memref.dim ops; the runtime
// turns it into launch checks and the shapes of temporaries.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_ANALYSIS_DIMSOURCE_H
#define MMREC_ANALYSIS_DIMSOURCE_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

#include <optional>

namespace mmrec {

/// A size: `staticSize` when the type fixes it, else ceil(size of dimension
/// `dim` of the kernel argument `memref` / `divisor`).
struct DimSource {
  int64_t staticSize = mlir::ShapedType::kDynamic;
  mlir::BlockArgument memref;
  int64_t dim = 0;
  int64_t divisor = 1;

  bool isStatic() const { return !mlir::ShapedType::isDynamic(staticSize); }
};

/// Where dimension `d` of `tensor` (a value in an mmrec.kernel, inside a
/// group or not) gets its size.
DimSource findDimSource(mlir::Value tensor, int64_t d);

class GroupOp;

/// The index space a group iterates: the tensor whose shape it is (the first
/// input of its scan or reduce, else its first result) and the axis walked
/// sequentially (none for a group of maps). Null `tensor` for a group that
/// computes nothing. The CPU and GPU lowerings split the other dimensions
/// into lanes; the runtime sizes GPU grids from the same.
struct GroupDomain {
  mlir::Value tensor;
  std::optional<int64_t> axis;
};
GroupDomain findGroupDomain(GroupOp group);

} // namespace mmrec

#endif // MMREC_ANALYSIS_DIMSOURCE_H
