//===- MmrecDialect.h - the mmrec dialect ----------------------*- C++ -*-===//
//
// The mmrec dialect class; include MmrecOps.h for the ops and attributes.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_DIALECT_MMREC_MMRECDIALECT_H
#define MMREC_DIALECT_MMREC_MMRECDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Dialect.h"

#include "mmrec/Dialect/Mmrec/MmrecOpsDialect.h.inc"

#endif // MMREC_DIALECT_MMREC_MMRECDIALECT_H
