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

} // namespace mmrec

#endif // MMREC_ANALYSIS_DIMSOURCE_H
