//===- LowerToLoops.cpp - lower fused groups to CPU loop nests ------------===//
//
// -mmrec-lower-to-loops: each group of each kernel becomes two functions
// (GroupLowering.h); the kernels are then erased.
//
//===----------------------------------------------------------------------===//

#include "GroupLowering.h"
#include "mmrec/Transforms/Passes.h"

namespace mmrec {
#define GEN_PASS_DEF_MMRECLOWERTOLOOPS
#include "mmrec/Transforms/Passes.h.inc"
} // namespace mmrec

using namespace mlir;
using namespace mmrec;

namespace {

class LowerToLoopsPass : public mmrec::impl::MmrecLowerToLoopsBase<LowerToLoopsPass> {
public:
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<KernelOp> kernels(module.getOps<KernelOp>());
    for (KernelOp kernel : kernels) {
      if (failed(lowerKernelToLoops(kernel)))
        return signalPassFailure();
      kernel.erase();
    }
  }
};

} // namespace
