//===- GpuPipeline.cpp - the -mmrec-to-ptx pipeline -----------------------===//
//
// Fusion, one GPU kernel per group (-mmrec-lower-to-gpu), then upstream
// passes: the NVVM target attached to each gpu.module, the kernels lowered to
// the LLVM and NVVM dialects (math to libdevice calls, or to the hardware's
// approximations where fastmath<afn> allows), and each module
// compiled by LLVM's NVPTX back end to PTX (gpu-module-to-binary, libdevice
// linked from the CUDA toolkit). The result is one gpu.binary per kernel
// whose object holds the PTX text.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Pipelines/Pipelines.h"
#include "mmrec/Transforms/Passes.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include <cstdlib>

using namespace mlir;

void mmrec::buildGpuKernelPipeline(OpPassManager &pm, const GpuPipelineOptions &options) {
  pm.addNestedPass<KernelOp>(createMmrecLogSumToProduct());
  pm.addNestedPass<KernelOp>(createMmrecLog2Space());
  pm.addNestedPass<KernelOp>(createMmrecFuse());
  MmrecLowerToGpuOptions lowering;
  lowering.strategy = options.strategy;
  lowering.chunk = options.chunk;
  pm.addPass(createMmrecLowerToGpu(lowering));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mmrec::buildGpuPipeline(OpPassManager &pm, const GpuPipelineOptions &options) {
  buildGpuKernelPipeline(pm, options);
  buildPtxPipeline(pm, options);
}

std::string mmrec::defaultCudaPath() {
  for (const char *variable : {"CUDA_ROOT", "CUDA_HOME", "CUDA_PATH"})
    if (const char *value = std::getenv(variable); value && *value)
      return value;
  return "/usr/local/cuda";
}

void mmrec::buildPtxPipeline(OpPassManager &pm, const GpuPipelineOptions &options) {
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = options.optLevel;
  pm.addPass(createGpuNVVMAttachTarget(target));
  // ceildivui and friends have no LLVM lowering of their own; maximumf and
  // minimumf stay (max.NaN/min.NaN from sm_80 on), and so does bf16 (the
  // NVPTX back end converts it natively from sm_80 on).
  pm.addNestedPass<gpu::GPUModuleOp>(createMmrecExpandDivisions());
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertSCFToCFPass());
  pm.addNestedPass<gpu::GPUModuleOp>(memref::createExpandStridedMetadataPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createMmrecApproximateMath());
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.indexBitwidth = 64;
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps(nvvm));
  pm.addNestedPass<gpu::GPUModuleOp>(createCanonicalizerPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCSEPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  binary.toolkitPath = options.cudaPath.empty() ? defaultCudaPath() : options.cudaPath;
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

void mmrec::registerGpuPipelineDependencies(DialectRegistry &registry) {
  registry.insert<gpu::GPUDialect, NVVM::NVVMDialect, LLVM::LLVMDialect>();
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  registerConvertFuncToLLVMInterface(registry);
  index::registerConvertIndexToLLVMInterface(registry);
  registerConvertMathToLLVMInterface(registry);
  registerConvertMemRefToLLVMInterface(registry);
  registerConvertNVVMToLLVMInterface(registry);
  ub::registerConvertUBToLLVMInterface(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
}

std::vector<mmrec::GpuKernelModule> mmrec::collectPtx(ModuleOp module) {
  std::vector<GpuKernelModule> result;
  for (auto binary : module.getOps<gpu::BinaryOp>())
    for (Attribute attr : binary.getObjects()) {
      auto object = cast<gpu::ObjectAttr>(attr);
      // The object's text is a C string: drop the NUL that ends it.
      StringRef ptx = object.getObject().getValue();
      while (ptx.ends_with(StringRef("\0", 1)))
        ptx = ptx.drop_back();
      result.push_back({binary.getSymName().str(), ptx.str()});
    }
  return result;
}

namespace {
struct GpuPipelineCliOptions : public PassPipelineOptions<GpuPipelineCliOptions> {
  PassOptions::Option<std::string> chip{*this, "chip", llvm::cl::desc("GPU architecture (sm_80, sm_90a, ...)"),
                                        llvm::cl::init("sm_90a")};
  PassOptions::Option<std::string> features{
      *this, "features", llvm::cl::desc("PTX features (the PTX ISA version, e.g. +ptx80)"),
      llvm::cl::init("+ptx80")};
  PassOptions::Option<int> optLevel{*this, "opt-level",
                                    llvm::cl::desc("LLVM optimization level of the NVPTX code"),
                                    llvm::cl::init(3)};
  PassOptions::Option<std::string> strategy{
      *this, "strategy", llvm::cl::desc("Strategy of scans without #mmrec.tiling: lanes, chunked, lookback"),
      llvm::cl::init("lanes")};
  PassOptions::Option<int64_t> chunk{
      *this, "chunk", llvm::cl::desc("Chunk length of chunked and lookback without a tiling"),
      llvm::cl::init(256)};
  PassOptions::Option<std::string> cudaPath{
      *this, "cuda-path",
      llvm::cl::desc("CUDA toolkit whose nvvm/libdevice is linked (default: $CUDA_ROOT, "
                     "$CUDA_HOME, $CUDA_PATH, else /usr/local/cuda)"),
      llvm::cl::init("")};
};
} // namespace

void mmrec::registerGpuPipeline() {
  PassPipelineRegistration<GpuPipelineCliOptions>(
      "mmrec-to-ptx", "Lower mmrec kernels to PTX: one gpu.binary per kernel",
      [](OpPassManager &pm, const GpuPipelineCliOptions &cli) {
        GpuPipelineOptions options;
        options.chip = cli.chip;
        options.features = cli.features;
        options.optLevel = cli.optLevel;
        options.cudaPath = cli.cudaPath;
        options.strategy = cli.strategy;
        options.chunk = cli.chunk;
        buildGpuPipeline(pm, options);
      });
}
