//===- LowerToGpu.cpp - lower fused groups to GPU kernels -----------------===//
//
// -mmrec-lower-to-gpu: each kernel becomes a gpu.module with one gpu.func
// kernel per group (GroupLowering.h).
//
//===----------------------------------------------------------------------===//

#include "GroupLowering.h"
#include "mmrec/Transforms/Passes.h"

namespace mmrec {
#define GEN_PASS_DEF_MMRECLOWERTOGPU
#include "mmrec/Transforms/Passes.h.inc"
} // namespace mmrec

using namespace mlir;
using namespace mmrec;

namespace {

class LowerToGpuPass : public mmrec::impl::MmrecLowerToGpuBase<LowerToGpuPass> {
public:
  using MmrecLowerToGpuBase::MmrecLowerToGpuBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<KernelOp> kernels(module.getOps<KernelOp>());
    if (kernels.empty())
      return;
    GpuDefaults defaults;
    std::optional<ScanStrategy> parsed = symbolizeScanStrategy(strategy);
    if (!parsed) {
      module.emitError("-mmrec-lower-to-gpu: strategy must be lanes, chunked or lookback, got '")
          << strategy << "'";
      return signalPassFailure();
    }
    if (chunk < 1) {
      module.emitError("-mmrec-lower-to-gpu: chunk must be positive, got ") << chunk;
      return signalPassFailure();
    }
    defaults.strategy = *parsed;
    defaults.chunk = chunk;
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(), UnitAttr::get(&getContext()));
    for (KernelOp kernel : kernels) {
      OpBuilder builder(kernel);
      auto gpuModule = builder.create<gpu::GPUModuleOp>(kernel.getLoc(), kernel.getSymName());
      if (failed(lowerKernelToGpu(kernel, gpuModule, defaults)))
        return signalPassFailure();
      kernel.erase();
    }
  }
};

} // namespace
