//===- GpuContext.h - the GPU context of the runtime tests ------*- C++ -*-===//
//
// One CUDA context for the whole test program, or the reason there is none
// (no driver, no device): GPU tests then report themselves skipped with it.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_TEST_UNIT_RUNTIME_GPUCONTEXT_H
#define MMREC_TEST_UNIT_RUNTIME_GPUCONTEXT_H

#include "mmrec/Context.h"

#include <memory>
#include <string>

namespace mmrec::test {

/// The context on the GPU, or null with the reason in `missing`.
inline Context *gpuContext(std::string &missing) {
  static std::string reason;
  static std::unique_ptr<Context> context = []() -> std::unique_ptr<Context> {
    try {
      return std::make_unique<Context>(Device::CUDA);
    } catch (const Error &error) {
      reason = error.what();
      return nullptr;
    }
  }();
  missing = reason;
  return context.get();
}

} // namespace mmrec::test

#endif // MMREC_TEST_UNIT_RUNTIME_GPUCONTEXT_H
