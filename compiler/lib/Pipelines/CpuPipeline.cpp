//===- CpuPipeline.cpp - the -mmrec-to-cpu pipeline -----------------------===//
//
// Fusion, loops, then upstream conversions to the LLVM dialect. bf16 has no
// native arithmetic on most CPUs, so its conversions are expanded to integer
// ops before the LLVM conversion.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Pipelines/Pipelines.h"
#include "mmrec/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mmrec::buildCpuPipeline(OpPassManager &pm) {
  pm.addNestedPass<KernelOp>(createMmrecLogSumToProduct());
  pm.addNestedPass<KernelOp>(createMmrecFuse());
  pm.addPass(createMmrecLowerToLoops());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createConvertSCFToCFPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mmrec::registerMmrecPipelines() {
  registerGpuPipeline();
  PassPipelineRegistration<>("mmrec-to-cpu",
                             "Lower mmrec kernels to LLVM dialect loop nests for the CPU JIT",
                             buildCpuPipeline);
}
