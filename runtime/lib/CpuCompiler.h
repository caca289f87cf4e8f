//===- CpuCompiler.h - kernels to host machine code ------------*- C++ -*-===//
//
// Lowers a fused kernel with the -mmrec-to-cpu pipeline, optimizes it for the
// host CPU and emits an object file; loads object files into an ORC JIT and
// finds the packed entry points of each group.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_RUNTIME_CPUCOMPILER_H
#define MMREC_RUNTIME_CPUCOMPILER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"

#include <memory>
#include <string>
#include <vector>

namespace mmrec {

/// void fn(void **args): args[i] is the descriptor of memref argument i, or
/// a pointer to an int64 for index arguments; a result goes to *args[n].
using PackedFn = void (*)(void **);

struct CpuGroup {
  PackedFn blocks; // (memrefs..., &result)
  PackedFn body;   // (memrefs..., &begin, &end)
};

/// Code loaded into a JIT; the functions live as long as this object.
struct CpuCode {
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::vector<CpuGroup> groups;
};

/// The host CPU, for cache keys: "x86_64-pc-linux-gnu/znver3/+avx2,...".
std::string hostTarget();

/// Lowers `module` (one fused kernel) to an object file. Throws mmrec::Error.
std::vector<char> compileToObject(mlir::ModuleOp module, const std::string &kernel);

/// Loads an object file made by compileToObject. Throws mmrec::Error.
std::unique_ptr<CpuCode> loadObject(const std::vector<char> &object, const std::string &kernel,
                                    unsigned numGroups);

} // namespace mmrec

#endif // MMREC_RUNTIME_CPUCOMPILER_H
