//===- MmrecOps.h - mmrec operations ---------------------------*- C++ -*-===//
//
// The ops of the mmrec dialect (kernel, load, store, map, scan, reduce, yield).
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_DIALECT_MMREC_MMRECOPS_H
#define MMREC_DIALECT_MMREC_MMRECOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "mmrec/Dialect/Mmrec/MmrecAttrs.h"
#include "mmrec/Dialect/Mmrec/MmrecDialect.h"

#define GET_OP_CLASSES
#include "mmrec/Dialect/Mmrec/MmrecOps.h.inc"

#endif // MMREC_DIALECT_MMREC_MMRECOPS_H
