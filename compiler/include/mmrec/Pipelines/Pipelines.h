//===- Pipelines.h - mmrec pass pipelines ----------------------*- C++ -*-===//
//
// The pipelines that take a kernel file to machine code: -mmrec-to-cpu
// (mmrec -> groups -> loops -> LLVM dialect, for the ORC JIT).
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_PIPELINES_PIPELINES_H
#define MMREC_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace mmrec {

/// mmrec kernels -> LLVM dialect functions, two per group (see
/// -mmrec-lower-to-loops), with C interfaces.
void buildCpuPipeline(mlir::OpPassManager &pm);

/// Registers -mmrec-to-cpu for mmrec-opt.
void registerMmrecPipelines();

} // namespace mmrec

#endif // MMREC_PIPELINES_PIPELINES_H
