//===- Context.cpp - devices, compilation and launching -------------------===//
//
// compile(): parse, check combiners, fuse, analyze, then find the object
// code in memory, on disk, or build it. launch(): check every argument, then
// run each group over its lane blocks on the thread pool. The launch path
// allocates nothing: descriptors live on the stack.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Context.h"

#include "CompileCache.h"
#include "CpuCompiler.h"
#include "KernelAnalysis.h"
#include "Log.h"
#include "ThreadPool.h"

#include "mmrec/Dialect/Mmrec/MmrecOps.h"
#include "mmrec/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

namespace mmrec {

namespace {
constexpr size_t kMaxArgs = 32;
/// Words of a memref descriptor: allocated and aligned pointers, offset,
/// sizes, strides.
constexpr size_t kDescriptorWords = 3 + 2 * kMaxRank;
} // namespace

//===----------------------------------------------------------------------===//
// KernelImpl
//===----------------------------------------------------------------------===//

/// One compiled specialization of a kernel.
struct Variant {
  std::string key;
  KernelAnalysis analysis;
  std::shared_ptr<const CpuCode> code;
};

class KernelImpl {
public:
  /// `contiguous`, when the kernel has one, assumes a unit innermost stride
  /// for every argument (the loops then vectorize); `generic` takes any.
  KernelImpl(std::string name, Variant generic, std::optional<Variant> contiguous,
             std::shared_ptr<ThreadPool> pool)
      : name(std::move(name)), generic(std::move(generic)), contiguous(std::move(contiguous)),
        pool(std::move(pool)) {}

  void launch(const TensorView *args, size_t count) const {
    const Variant &variant = select(args, count);
    const KernelAnalysis &analysis = variant.analysis;
    check(variant.analysis, args, count);
    int64_t descriptors[kMaxArgs][kDescriptorWords];
    void *packed[kMaxArgs + 2];
    for (size_t i = 0; i < count; ++i) {
      describe(descriptors[i], args[i].data, args[i].rank(), args[i].shape.data(),
               args[i].strides.data());
      packed[i] = descriptors[i];
    }
    if (analysis.temporaries.empty()) {
      run(*variant.code, packed, count);
      return;
    }
    // Temporaries live in scratch memory owned by the kernel, grown when a
    // launch needs more and reused after; one launch uses it at a time.
    std::lock_guard<std::mutex> lock(scratchMutex);
    int64_t shapes[kMaxArgs][kMaxRank], strides[kMaxArgs][kMaxRank];
    size_t offsets[kMaxArgs], total = 0;
    for (size_t k = 0; k < analysis.temporaries.size(); ++k) {
      const Temporary &temporary = analysis.temporaries[k];
      int64_t rank = static_cast<int64_t>(temporary.shape.size()), elements = 1;
      for (int64_t d = rank - 1; d >= 0; --d) {
        shapes[k][d] = temporary.shape[d].evaluate(args);
        strides[k][d] = elements;
        elements *= std::max<int64_t>(shapes[k][d], 1);
      }
      offsets[k] = total;
      total += (static_cast<size_t>(elements) * sizeOf(temporary.dtype) + 63) / 64 * 64;
    }
    if (scratch.size() < total)
      scratch.resize(total);
    for (size_t k = 0; k < analysis.temporaries.size(); ++k) {
      describe(descriptors[count + k], scratch.data() + offsets[k],
               static_cast<int64_t>(analysis.temporaries[k].shape.size()), shapes[k], strides[k]);
      packed[count + k] = descriptors[count + k];
    }
    run(*variant.code, packed, count + analysis.temporaries.size());
  }

  std::string name;
  Variant generic;
  std::optional<Variant> contiguous;

private:
  /// The contiguous variant when every argument has a unit innermost stride
  /// (or at most one element there) and no two arguments share memory (it
  /// marks them noalias), else the generic one (in-place launches go there).
  const Variant &select(const TensorView *args, size_t count) const {
    if (!contiguous)
      return generic;
    for (size_t i = 0; i < count; ++i) {
      const TensorView &v = args[i];
      if (v.rank() > 0 && v.strides.size() == v.shape.size() && v.shape.back() > 1 &&
          v.strides.back() != 1)
        return generic;
      if (v.strides.size() != v.shape.size())
        return generic; // check() reports it
      auto [low, high] = byteRange(v);
      for (size_t j = 0; j < i; ++j) {
        auto [otherLow, otherHigh] = byteRange(args[j]);
        if (low <= high && otherLow <= otherHigh && !(high < otherLow || otherHigh < low))
          return generic;
      }
    }
    return *contiguous;
  }

  /// Writes a memref descriptor: pointers, offset 0, sizes, strides.
  static void describe(int64_t *d, const void *data, int64_t rank, const int64_t *shape,
                       const int64_t *strides) {
    d[0] = d[1] = reinterpret_cast<int64_t>(data);
    d[2] = 0;
    for (int64_t k = 0; k < rank; ++k) {
      d[3 + k] = shape[k];
      d[3 + rank + k] = strides[k];
    }
  }

  /// Runs each group over its lane blocks on the pool; `count` memrefs.
  void run(const CpuCode &code, void **packed, size_t count) const {
    for (const CpuGroup &group : code.groups) {
      int64_t blocks = 0;
      packed[count] = &blocks;
      group.blocks(packed);
      pool->parallelFor(blocks, [&](int64_t begin, int64_t end) {
        void *local[kMaxArgs + 2];
        std::copy(packed, packed + count, local);
        local[count] = &begin;
        local[count + 1] = &end;
        group.body(local);
      });
    }
  }

  [[noreturn]] void fail(size_t arg, const std::string &what) const {
    throw Error("mmrec kernel '" + name + "': argument #" + std::to_string(arg) + " (" +
                generic.analysis.args[arg].type + ") " + what);
  }

  /// Everything a launch checks before it touches memory.
  void check(const KernelAnalysis &analysis, const TensorView *args, size_t count) const {
    if (count != analysis.args.size())
      throw Error("mmrec kernel '" + name + "': expects " + std::to_string(analysis.args.size()) +
                  " arguments, got " + std::to_string(count));
    for (size_t i = 0; i < count; ++i) {
      const TensorView &view = args[i];
      const ArgInfo &info = analysis.args[i];
      if (view.device != Device::CPU)
        fail(i, std::string("is on ") + nameOf(view.device) +
                    ", expected cpu (the kernel was compiled for the cpu backend)");
      if (view.dtype != info.dtype)
        fail(i,
             std::string("has dtype ") + nameOf(view.dtype) + ", expected " + nameOf(info.dtype));
      int64_t rank = static_cast<int64_t>(info.staticShape.size());
      if (view.rank() != rank)
        fail(i, "has rank " + std::to_string(view.rank()) + ", expected " + std::to_string(rank));
      if (static_cast<int64_t>(view.strides.size()) != rank)
        fail(i, "has " + std::to_string(view.strides.size()) + " strides for rank " +
                    std::to_string(rank));
      for (int64_t d = 0; d < rank; ++d) {
        if (view.shape[d] < 0)
          fail(i, "has negative size " + std::to_string(view.shape[d]) + " in dimension " +
                      std::to_string(d));
        if (info.staticShape[d] != mlir::ShapedType::kDynamic &&
            view.shape[d] != info.staticShape[d])
          fail(i, "has size " + std::to_string(view.shape[d]) + " in dimension " +
                      std::to_string(d) + ", expected " + std::to_string(info.staticShape[d]));
        if (info.staticStrides[d] != mlir::ShapedType::kDynamic && view.shape[d] > 1 &&
            view.strides[d] != info.staticStrides[d])
          fail(i, "has stride " + std::to_string(view.strides[d]) + " in dimension " +
                      std::to_string(d) + ", expected " + std::to_string(info.staticStrides[d]));
      }
      if (!view.data && view.numel() > 0)
        fail(i, "has no data (null pointer) for " + std::to_string(view.numel()) + " elements");
      if (info.written)
        checkWritable(i, view);
    }
    for (const DimConstraint &c : analysis.constraints) {
      int64_t lhs = c.lhs.evaluate(args);
      if (c.nonEmpty) {
        if (lhs <= 0)
          throw Error("mmrec kernel '" + name + "': " + c.lhs.describe() +
                      " is 0; a reduction without chunks needs at least one element");
        continue;
      }
      int64_t rhs = c.rhs.evaluate(args);
      if (lhs != rhs)
        throw Error("mmrec kernel '" + name + "': " + c.lhs.describe() + " is " +
                    std::to_string(lhs) + " but must equal " + c.rhs.describe() + ", which is " +
                    std::to_string(rhs));
    }
    checkOverlaps(analysis, args, count);
  }

  /// An output must not write one element twice: positive strides, and each
  /// dimension steps over everything the smaller ones span.
  void checkWritable(size_t i, const TensorView &view) const {
    if (view.numel() == 0)
      return;
    std::pair<int64_t, int64_t> dims[kMaxRank];
    int n = 0;
    for (int64_t d = 0; d < view.rank(); ++d) {
      if (view.shape[d] <= 1)
        continue;
      if (view.strides[d] <= 0)
        fail(i, "is written but has stride " + std::to_string(view.strides[d]) + " in dimension " +
                    std::to_string(d) + "; outputs need positive strides");
      dims[n++] = {view.strides[d], view.shape[d]};
    }
    // Insertion sort by stride: n <= kMaxRank.
    for (int k = 1; k < n; ++k)
      for (int j = k; j > 0 && dims[j] < dims[j - 1]; --j)
        std::swap(dims[j], dims[j - 1]);
    int64_t span = 1;
    for (int k = 0; k < n; ++k) {
      if (dims[k].first < span)
        fail(i, "is written but its strides make elements overlap (" + view.describe() + ")");
      span = dims[k].first * (dims[k].second - 1) + span;
    }
  }

  /// The bytes a view touches, [first, last].
  static std::pair<uintptr_t, uintptr_t> byteRange(const TensorView &view) {
    intptr_t low = 0, high = 0;
    for (int64_t d = 0; d < view.rank(); ++d) {
      if (view.shape[d] == 0)
        return {1, 0};
      intptr_t extent = view.strides[d] * (view.shape[d] - 1);
      (extent < 0 ? low : high) += extent;
    }
    intptr_t size = static_cast<intptr_t>(sizeOf(view.dtype));
    uintptr_t base = reinterpret_cast<uintptr_t>(view.data);
    return {base + low * size, base + high * size + size - 1};
  }

  static bool sameView(const TensorView &a, const TensorView &b) {
    return a.data == b.data && a.dtype == b.dtype && a.shape == b.shape && a.strides == b.strides;
  }

  /// Outputs may not overlap other arguments, except an input that is the
  /// very same view (elementwise in place).
  void checkOverlaps(const KernelAnalysis &analysis, const TensorView *args, size_t count) const {
    for (size_t w = 0; w < count; ++w) {
      if (!analysis.args[w].written)
        continue;
      auto [wLow, wHigh] = byteRange(args[w]);
      if (wLow > wHigh)
        continue;
      for (size_t o = 0; o < count; ++o) {
        if (o == w)
          continue;
        auto [oLow, oHigh] = byteRange(args[o]);
        if (oLow > oHigh || oHigh < wLow || wHigh < oLow)
          continue;
        if (!analysis.args[o].written && sameView(args[w], args[o]))
          continue;
        fail(w, "is written and overlaps argument #" + std::to_string(o) +
                    "; outputs may only alias an input that is the very same view");
      }
    }
  }

  // Shared with the context: a kernel stays usable after its context is gone.
  std::shared_ptr<ThreadPool> pool;
  mutable std::mutex scratchMutex;
  mutable std::vector<std::byte> scratch;
};

//===----------------------------------------------------------------------===//
// ContextImpl
//===----------------------------------------------------------------------===//

class ContextImpl {
public:
  explicit ContextImpl(Device device)
      : device(device), pool(std::make_shared<ThreadPool>(threadCount())) {
    mlir::DialectRegistry registry;
    mlir::registerBuiltinDialectTranslation(registry);
    mlir::registerLLVMDialectTranslation(registry);
    mlirContext.appendDialectRegistry(registry);
    mlirContext.loadDialect<MmrecDialect>();
    mlirContext.disableMultithreading();
  }

  Kernel compile(std::string_view source, std::string_view kernelName,
                 const std::string &sourceName) {
    std::lock_guard<std::mutex> lock(mutex);
    std::string name(kernelName);
    std::string diagnostics;
    mlir::ScopedDiagnosticHandler handler(&mlirContext, [&](mlir::Diagnostic &diag) {
      llvm::raw_string_ostream os(diagnostics);
      os << diag.getLocation() << ": "
         << (diag.getSeverity() == mlir::DiagnosticSeverity::Error ? "error: " : "warning: ")
         << diag << "\n";
      return mlir::success();
    });

    auto buffer = llvm::MemoryBuffer::getMemBufferCopy(
        llvm::StringRef(source.data(), source.size()), sourceName);
    llvm::SourceMgr sourceMgr;
    sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
    mlir::OwningOpRef<mlir::ModuleOp> module =
        mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &mlirContext);
    if (!module)
      throw Error("mmrec: cannot parse " + sourceName + ":\n" + diagnostics);
    auto kernel = module->lookupSymbol<KernelOp>(name);
    if (!kernel) {
      std::string known;
      for (KernelOp k : module->getOps<KernelOp>())
        known += (known.empty() ? "" : ", ") + k.getSymName().str();
      throw Error("mmrec: " + sourceName + " has no kernel '" + name +
                  "' (it has: " + (known.empty() ? "none" : known) + ")");
    }

    // One kernel per module from here on; its fused form is what the key
    // and the launch checks are computed from.
    mlir::OwningOpRef<mlir::ModuleOp> single = mlir::ModuleOp::create(kernel.getLoc());
    single->getBody()->push_back(kernel->clone());
    mlir::PassManager pm(&mlirContext);
    pm.addPass(createMmrecCheckCombiners());
    // Canonical IR: the same kernel written by hand or built by the DSL gets
    // the same key.
    pm.addPass(mlir::createCanonicalizerPass());
    pm.addPass(mlir::createCSEPass());
    pm.addNestedPass<KernelOp>(createMmrecFuse());
    if (failed(pm.run(*single)))
      throw Error("mmrec kernel '" + name + "' in " + sourceName + " is rejected:\n" + diagnostics);
    if (!diagnostics.empty())
      log(LogLevel::Info, "kernel '" + name + "':\n" + diagnostics);
    Variant generic = buildVariant(*single, name);
    std::optional<Variant> contiguous;
    mlir::OwningOpRef<mlir::ModuleOp> specialized = single->clone();
    if (specializeInnerContiguous(*specialized->getOps<KernelOp>().begin()))
      contiguous = buildVariant(*specialized, name);
    return Kernel(
        std::make_shared<KernelImpl>(name, std::move(generic), std::move(contiguous), pool));
  }

  Device device;
  std::shared_ptr<ThreadPool> pool;

private:
  /// Fixes the innermost stride of every argument whose innermost stride is
  /// dynamic to 1. Returns whether any changed.
  static bool specializeInnerContiguous(KernelOp kernel) {
    bool changed = false;
    llvm::SmallVector<mlir::Type> types;
    for (mlir::BlockArgument arg : kernel.getArguments()) {
      auto type = mlir::cast<mlir::MemRefType>(arg.getType());
      llvm::SmallVector<int64_t> strides;
      int64_t offset;
      if (succeeded(mlir::getStridesAndOffset(type, strides, offset)) && !strides.empty() &&
          mlir::ShapedType::isDynamic(strides.back())) {
        strides.back() = 1;
        arg.setType(
            mlir::MemRefType::get(type.getShape(), type.getElementType(),
                                  mlir::StridedLayoutAttr::get(type.getContext(), offset, strides),
                                  type.getMemorySpace()));
        changed = true;
      }
      types.push_back(arg.getType());
      // Launches that take this variant pass disjoint views (see select()).
      kernel.setArgAttr(arg.getArgNumber(), "llvm.noalias",
                        mlir::UnitAttr::get(kernel.getContext()));
    }
    kernel.setFunctionType(mlir::FunctionType::get(kernel.getContext(), types, {}));
    return changed;
  }

  /// Analyzes `module` (one fused kernel), finds or builds its code.
  Variant buildVariant(mlir::ModuleOp module, const std::string &name) {
    KernelOp fused = *module.getOps<KernelOp>().begin();
    KernelAnalysis analysis = analyzeKernel(fused);
    if (analysis.args.size() + analysis.temporaries.size() > kMaxArgs)
      throw Error("mmrec kernel '" + name + "' has " + std::to_string(analysis.args.size()) +
                  " arguments and " + std::to_string(analysis.temporaries.size()) +
                  " intermediates; the runtime passes at most " + std::to_string(kMaxArgs) +
                  " in all");
    std::string canonical;
    {
      llvm::raw_string_ostream os(canonical);
      module.print(os, mlir::OpPrintingFlags().printGenericOpForm());
    }
    std::string key =
        hashKey(canonical + "\ncpu\n" + hostTarget() + "\n" + compilerIdentity() + "\n");
    mlir::OwningOpRef<mlir::ModuleOp> lowered = module.clone();
    std::shared_ptr<const CpuCode> code = findOrBuild(*lowered, name, key, analysis.numGroups);
    return Variant{std::move(key), std::move(analysis), std::move(code)};
  }

  static unsigned threadCount() {
    if (const char *env = std::getenv("MMREC_NUM_THREADS"); env && *env) {
      char *end = nullptr;
      long value = std::strtol(env, &end, 10);
      if (*end || value < 1 || value > 1024)
        throw Error(std::string("MMREC_NUM_THREADS must be an integer in [1, 1024], got '") + env +
                    "'");
      return static_cast<unsigned>(value);
    }
    return std::max(1u, std::thread::hardware_concurrency());
  }

  std::shared_ptr<const CpuCode> findOrBuild(mlir::ModuleOp module, const std::string &name,
                                             const std::string &key, unsigned numGroups) {
    if (auto it = memory.find(key); it != memory.end()) {
      log(LogLevel::Debug, "kernel '" + name + "': in memory (" + key + ")");
      return it->second;
    }
    std::shared_ptr<const CpuCode> code;
    if (std::optional<std::vector<char>> object = disk.load(key)) {
      try {
        code = loadObject(*object, name, numGroups);
        log(LogLevel::Info, "kernel '" + name + "': loaded from the cache " + disk.pathOf(key));
      } catch (const Error &error) {
        log(LogLevel::Info,
            "kernel '" + name + "': rebuilding an unusable cache entry (" + error.what() + ")");
      }
    }
    if (!code) {
      auto start = std::chrono::steady_clock::now();
      std::vector<char> object = compileToObject(module, name);
      code = loadObject(object, name, numGroups);
      disk.store(key, object);
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count();
      log(LogLevel::Info, "kernel '" + name + "': compiled for the cpu in " + std::to_string(ms) +
                              " ms" + (disk.enabled() ? ", cached as " + disk.pathOf(key) : ""));
    }
    memory[key] = code;
    return code;
  }

  mlir::MLIRContext mlirContext;
  std::mutex mutex;
  CompileCache disk;
  llvm::StringMap<std::shared_ptr<const CpuCode>> memory;
};

//===----------------------------------------------------------------------===//
// Public API
//===----------------------------------------------------------------------===//

namespace {
Device deviceFromEnvironment() {
  const char *env = std::getenv("MMREC_DEVICE");
  if (!env || !*env || !std::strcmp(env, "cpu"))
    return Device::CPU;
  if (!std::strcmp(env, "cuda"))
    return Device::CUDA;
  throw Error(std::string("MMREC_DEVICE must be 'cpu' or 'cuda', got '") + env + "'");
}
} // namespace

Context::Context() : Context(deviceFromEnvironment()) {}

Context::Context(Device device) {
  if (device == Device::CUDA)
    throw Error("mmrec: the CUDA backend is not part of this build yet; use the cpu device "
                "(MMREC_DEVICE=cpu)");
  impl = std::make_unique<ContextImpl>(device);
}

Context::~Context() = default;

Device Context::device() const { return impl->device; }
unsigned Context::numThreads() const { return impl->pool->size(); }

Kernel Context::compile(std::string_view source, std::string_view kernel) {
  return impl->compile(source, kernel, "<source>");
}

Kernel Context::compileFile(const std::string &path, std::string_view kernel) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    throw Error("mmrec: cannot read " + path + ": " + buffer.getError().message());
  return impl->compile((*buffer)->getBuffer().str(), kernel, path);
}

const std::string &Kernel::name() const {
  if (!impl)
    throw Error("mmrec: use of an empty Kernel");
  return impl->name;
}

const std::string &Kernel::key() const {
  if (!impl)
    throw Error("mmrec: use of an empty Kernel");
  return impl->generic.key;
}

size_t Kernel::numArgs() const {
  if (!impl)
    throw Error("mmrec: use of an empty Kernel");
  return impl->generic.analysis.args.size();
}

void Kernel::launch(std::initializer_list<TensorView> args) const {
  launch(args.begin(), args.size());
}

void Kernel::launch(const TensorView *args, size_t count) const {
  if (!impl)
    throw Error("mmrec: launch of an empty Kernel");
  impl->launch(args, count);
}

} // namespace mmrec
