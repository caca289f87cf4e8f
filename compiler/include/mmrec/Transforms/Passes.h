//===- Passes.h - mmrec passes ---------------------------------*- C++ -*-===//
//
// Declarations and registration of the mmrec passes (see Passes.td).
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_TRANSFORMS_PASSES_H
#define MMREC_TRANSFORMS_PASSES_H

#include "mmrec/Dialect/Mmrec/MmrecOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mmrec {

#define GEN_PASS_DECL
#include "mmrec/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mmrec/Transforms/Passes.h.inc"

/// What -mmrec-specialize-contiguous does to `kernel`; returns whether an
/// innermost stride changed (without one, the variant is the generic code
/// but for the noalias and alignment claims).
bool specializeContiguous(KernelOp kernel, int64_t alignment = 0);

} // namespace mmrec

#endif // MMREC_TRANSFORMS_PASSES_H
