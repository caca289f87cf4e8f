//===- Pipelines.h - mmrec pass pipelines ----------------------*- C++ -*-===//
//
// The pipelines that take a kernel file to machine code: -mmrec-to-cpu
// (mmrec -> groups -> loops -> LLVM dialect, for the ORC JIT) and
// -mmrec-to-ptx (mmrec -> groups -> GPU kernels -> NVVM -> PTX).
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_PIPELINES_PIPELINES_H
#define MMREC_PIPELINES_PIPELINES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <string>
#include <vector>

namespace mmrec {

/// mmrec kernels -> LLVM dialect functions, two per group (see
/// -mmrec-lower-to-loops), with C interfaces.
void buildCpuPipeline(mlir::OpPassManager &pm);

/// Registers -mmrec-to-cpu and -mmrec-to-ptx for mmrec-opt.
void registerMmrecPipelines();

struct GpuPipelineOptions {
  std::string chip = "sm_90a";
  std::string features = "+ptx80"; // the PTX ISA version
  int optLevel = 3;
  std::string cudaPath; // empty: defaultCudaPath()
  /// Schedule of scans without #mmrec.tiling (see -mmrec-lower-to-gpu).
  std::string strategy = "lanes";
  int64_t chunk = 256;
};

/// The CUDA toolkit whose nvvm/libdevice/libdevice.10.bc is linked for math:
/// $CUDA_ROOT, $CUDA_HOME or $CUDA_PATH, else /usr/local/cuda.
std::string defaultCudaPath();

/// mmrec kernels -> one gpu.binary per kernel holding the PTX of its
/// kernels (see -mmrec-lower-to-gpu for their arguments and launch): the
/// two halves below, one after the other.
void buildGpuPipeline(mlir::OpPassManager &pm, const GpuPipelineOptions &options);

/// mmrec kernels -> gpu.module / gpu.func kernels (fusion, the strategy),
/// whose attributes say how to launch them.
void buildGpuKernelPipeline(mlir::OpPassManager &pm, const GpuPipelineOptions &options);

/// gpu.module kernels -> NVVM -> PTX in gpu.binary ops.
void buildPtxPipeline(mlir::OpPassManager &pm, const GpuPipelineOptions &options);

/// Registers -mmrec-to-ptx.
void registerGpuPipeline();

/// What a context running buildGpuPipeline needs beyond the passes' own
/// dialects: conversion interfaces, the NVVM target, LLVM IR translations.
void registerGpuPipelineDependencies(mlir::DialectRegistry &registry);

/// The PTX of one mmrec kernel: the entry points `<kernel>__group<i>`.
struct GpuKernelModule {
  std::string kernel;
  std::string ptx;
};

/// The PTX of every gpu.binary in `module` (after buildGpuPipeline).
std::vector<GpuKernelModule> collectPtx(mlir::ModuleOp module);

} // namespace mmrec

#endif // MMREC_PIPELINES_PIPELINES_H
