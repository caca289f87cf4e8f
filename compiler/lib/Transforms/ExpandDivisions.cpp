//===- ExpandDivisions.cpp - arith's ceil/floor divisions for LLVM --------===//
//
// arith.ceildivui and its kin have no LLVM lowering; upstream's
// -arith-expand rewrites them, but also arith.maximumf and minimumf into a
// compare and selects (their NaN rule), which the NVPTX back end otherwise
// selects as one max.NaN.f32 or min.NaN.f32 (sm_80 and later). This pass
// expands the divisions only.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mmrec {
#define GEN_PASS_DEF_MMRECEXPANDDIVISIONS
#include "mmrec/Transforms/Passes.h.inc"
} // namespace mmrec

using namespace mlir;

namespace {

struct ExpandDivisions : mmrec::impl::MmrecExpandDivisionsBase<ExpandDivisions> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    arith::populateCeilFloorDivExpandOpsPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
