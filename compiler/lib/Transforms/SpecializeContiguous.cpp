//===- SpecializeContiguous.cpp - the runtime's contiguous variant --------===//
//
// Kernels take strided views. Most launches pass rows with unit stride and
// tensors that do not overlap; the runtime compiles a second variant for
// them, where the compiler knows the innermost stride (the loops vectorize)
// and that the arguments do not alias, and on a GPU that rows are aligned
// (16-byte accesses). The runtime checks each launch before it picks it.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Transforms/Passes.h"

#include "GroupLowering.h"

namespace mmrec {
#define GEN_PASS_DEF_MMRECSPECIALIZECONTIGUOUS
#include "mmrec/Transforms/Passes.h.inc"
} // namespace mmrec

using namespace mlir;

bool mmrec::specializeContiguous(KernelOp kernel, int64_t alignment) {
  bool changed = false;
  SmallVector<Type> types;
  for (BlockArgument arg : kernel.getArguments()) {
    auto type = cast<MemRefType>(arg.getType());
    SmallVector<int64_t> strides;
    int64_t offset;
    if (succeeded(getStridesAndOffset(type, strides, offset)) && !strides.empty() &&
        ShapedType::isDynamic(strides.back())) {
      strides.back() = 1;
      arg.setType(MemRefType::get(type.getShape(), type.getElementType(),
                                  StridedLayoutAttr::get(type.getContext(), offset, strides),
                                  type.getMemorySpace()));
      changed = true;
    }
    types.push_back(arg.getType());
    kernel.setArgAttr(arg.getArgNumber(), "llvm.noalias", UnitAttr::get(kernel.getContext()));
  }
  kernel.setFunctionType(FunctionType::get(kernel.getContext(), types, {}));
  if (alignment > 0)
    kernel->setAttr(kAlignmentAttr,
                    IntegerAttr::get(IntegerType::get(kernel.getContext(), 64), alignment));
  return changed;
}

namespace {

struct SpecializeContiguous
    : mmrec::impl::MmrecSpecializeContiguousBase<SpecializeContiguous> {
  using MmrecSpecializeContiguousBase::MmrecSpecializeContiguousBase;

  void runOnOperation() override {
    if (alignment < 0) {
      getOperation().emitOpError("alignment must be >= 0, got ") << alignment.getValue();
      return signalPassFailure();
    }
    mmrec::specializeContiguous(getOperation(), alignment);
  }
};

} // namespace
