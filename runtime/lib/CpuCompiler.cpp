//===- CpuCompiler.cpp - kernels to host machine code ---------------------===//

#include "CpuCompiler.h"

#include "mmrec/Dialect/Mmrec/MmrecOps.h"
#include "mmrec/Error.h"
#include "mmrec/Pipelines/Pipelines.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <cstring>
#include <mutex>

using namespace mlir;

namespace mmrec {

namespace {

void initializeNativeTarget() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

std::unique_ptr<llvm::TargetMachine> hostMachine() {
  initializeNativeTarget();
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    throw Error("mmrec: cannot describe the host CPU: " + llvm::toString(builder.takeError()));
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto machine = builder->createTargetMachine();
  if (!machine)
    throw Error("mmrec: no code generator for the host CPU: " +
                llvm::toString(machine.takeError()));
  return std::move(*machine);
}

/// Adds `<f>_packed(ptr args)` for a C-interface function `f` (see PackedFn).
void addPackedWrapper(llvm::Module &module, llvm::Function &f) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::IRBuilder<> b(ctx);
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx);
  auto *wrapper =
      llvm::Function::Create(llvm::FunctionType::get(b.getVoidTy(), {ptr}, false),
                             llvm::GlobalValue::ExternalLinkage, f.getName() + "_packed", module);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", wrapper));
  llvm::SmallVector<llvm::Value *> callArgs;
  for (llvm::Argument &arg : f.args()) {
    llvm::Value *slot = b.CreateConstGEP1_64(ptr, wrapper->getArg(0), arg.getArgNo());
    llvm::Value *pointer = b.CreateLoad(ptr, slot);
    callArgs.push_back(arg.getType()->isPointerTy() ? pointer
                                                    : b.CreateLoad(arg.getType(), pointer));
  }
  llvm::Value *result = b.CreateCall(&f, callArgs);
  if (!f.getReturnType()->isVoidTy()) {
    llvm::Value *slot = b.CreateConstGEP1_64(ptr, wrapper->getArg(0), f.arg_size());
    b.CreateStore(result, b.CreateLoad(ptr, slot));
  }
  b.CreateRetVoid();
}

// LLVM's x86 code generator computes some bf16 operations (a select of two
// bf16 values, for one) in f32 and rounds back with the libcall
// __truncsfbf2, which libgcc before GCC 13 lacks. The psABI passes bf16 in
// the low 16 bits of an XMM register, as it passes a float: these take and
// return floats whose low 16 bits are the bf16 bits.
float truncFloatToBf16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  uint32_t rounded = (value != value) ? 0x7fc00000u : bits + 0x7fffu + ((bits >> 16) & 1u);
  uint32_t half = rounded >> 16;
  float out;
  std::memcpy(&out, &half, 4);
  return out;
}

float extendBf16ToFloat(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  uint32_t wide = (bits & 0xffffu) << 16;
  float out;
  std::memcpy(&out, &wide, 4);
  return out;
}

/// bf16 values that are only loaded, stored, selected and bitcast (what the
/// arith-expand pass leaves of bf16 arithmetic) become i16 values, so that
/// x86 code generation does not promote them to f32 through libcalls and the
/// loops vectorize.
void bf16ToInt16(llvm::Module &module) {
  llvm::Type *bf16 = llvm::Type::getBFloatTy(module.getContext());
  llvm::Type *i16 = llvm::Type::getInt16Ty(module.getContext());
  llvm::SmallVector<llvm::Instruction *> dead;
  for (llvm::Function &f : module)
    for (llvm::BasicBlock &block : f)
      for (llvm::Instruction &inst : block) {
        llvm::IRBuilder<> b(&inst);
        if (auto *load = llvm::dyn_cast<llvm::LoadInst>(&inst); load && load->getType() == bf16) {
          llvm::LoadInst *wide = b.CreateLoad(i16, load->getPointerOperand());
          wide->setAlignment(load->getAlign());
          load->replaceAllUsesWith(b.CreateBitCast(wide, bf16));
          dead.push_back(load);
        } else if (auto *store = llvm::dyn_cast<llvm::StoreInst>(&inst);
                   store && store->getValueOperand()->getType() == bf16) {
          llvm::StoreInst *wide = b.CreateStore(b.CreateBitCast(store->getValueOperand(), i16),
                                                store->getPointerOperand());
          wide->setAlignment(store->getAlign());
          dead.push_back(store);
        } else if (auto *select = llvm::dyn_cast<llvm::SelectInst>(&inst);
                   select && select->getType() == bf16) {
          llvm::Value *chosen =
              b.CreateSelect(select->getCondition(), b.CreateBitCast(select->getTrueValue(), i16),
                             b.CreateBitCast(select->getFalseValue(), i16));
          select->replaceAllUsesWith(b.CreateBitCast(chosen, bf16));
          dead.push_back(select);
        }
      }
  for (llvm::Instruction *inst : dead)
    inst->eraseFromParent();
}

/// glibc's vector math library, when the process can load it: loops that
/// call exp or log then vectorize too.
bool haveLibmvec() {
  static const bool loaded = [] {
#if defined(__x86_64__) && defined(__GLIBC__)
    std::string error;
    return !llvm::sys::DynamicLibrary::LoadLibraryPermanently("libmvec.so.1", &error);
#else
    return false;
#endif
  }();
  return loaded;
}

/// LLVM's -O3, with the vector math library when there is one.
void optimize(llvm::Module &module, llvm::TargetMachine &machine) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  // The lowering unrolls the lanes of a register chunk; the SLP vectorizer
  // (off in PassBuilder's defaults, on in clang's -O3) makes them vector code.
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  llvm::PassBuilder builder(&machine, tuning);
  llvm::TargetLibraryInfoImpl libraryInfo(machine.getTargetTriple());
  if (haveLibmvec())
    libraryInfo.addVectorizableFunctionsFromVecLib(llvm::TargetLibraryInfoImpl::LIBMVEC_X86,
                                                   machine.getTargetTriple());
  fam.registerPass([&] { return llvm::TargetLibraryAnalysis(libraryInfo); });
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(module, mam);
}

/// Which memrefs of the group functions (the kernel's arguments, then its
/// temporaries) have their own memory: arguments marked llvm.noalias by the
/// runtime's specialization, and every temporary (scratch of the runtime).
/// Per memref, its rank and that mark.
struct MemrefParams {
  SmallVector<std::pair<int64_t, bool>> memrefs;
};

MemrefParams memrefParams(ModuleOp module) {
  MemrefParams params;
  for (KernelOp kernel : module.getOps<KernelOp>()) {
    for (BlockArgument arg : kernel.getArguments())
      params.memrefs.push_back({cast<MemRefType>(arg.getType()).getRank(),
                                kernel.getArgAttr(arg.getArgNumber(), "llvm.noalias") != nullptr});
    for (Value temporary : kernel.getTemporaries())
      params.memrefs.push_back({cast<ShapedType>(temporary.getType()).getRank(), true});
  }
  return params;
}

/// Marks the data pointers of memrefs that have their own memory noalias in
/// `f`, a group function. MLIR's func-to-llvm drops argument attributes of
/// memrefs (each becomes 3 + 2 * rank arguments: allocated and aligned
/// pointers, offset, sizes, strides), so they are set here on the aligned
/// pointer, the one that loads and stores use.
void markNoAlias(llvm::Function &f, const MemrefParams &params) {
  unsigned position = 0;
  for (auto [rank, noalias] : params.memrefs) {
    if (noalias && position + 1 < f.arg_size())
      f.addParamAttr(position + 1, llvm::Attribute::NoAlias);
    position += 3 + 2 * rank;
  }
}

std::string groupName(const std::string &kernel, unsigned group) {
  return "_mlir_ciface_" + kernel + "__group" + std::to_string(group);
}

} // namespace

std::string hostTarget() {
  std::string text = llvm::sys::getProcessTriple() + "/" + llvm::sys::getHostCPUName().str() +
                     (haveLibmvec() ? "/libmvec" : "");
  std::vector<std::string> enabled;
  for (auto &feature : llvm::sys::getHostCPUFeatures())
    if (feature.second)
      enabled.push_back(feature.first().str());
  std::sort(enabled.begin(), enabled.end());
  for (const std::string &feature : enabled)
    text += "," + feature;
  return text;
}

std::vector<char> compileToObject(ModuleOp module, const std::string &kernel) {
  std::string diagnostics;
  MemrefParams params;
  {
    ScopedDiagnosticHandler handler(module.getContext(), [&](Diagnostic &diag) {
      llvm::raw_string_ostream(diagnostics) << diag.getLocation() << ": " << diag << "\n";
      return success();
    });
    params = memrefParams(module);
    PassManager pm(module.getContext());
    buildCpuPipeline(pm);
    if (failed(pm.run(module)))
      throw Error("mmrec kernel '" + kernel + "': the CPU lowering failed:\n" + diagnostics);
  }
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule = translateModuleToLLVMIR(module, llvmContext, kernel);
  if (!llvmModule)
    throw Error("mmrec kernel '" + kernel + "': translation to LLVM IR failed");
  std::unique_ptr<llvm::TargetMachine> machine = hostMachine();
  llvmModule->setDataLayout(machine->createDataLayout());
  llvmModule->setTargetTriple(machine->getTargetTriple().str());
  llvm::SmallVector<llvm::Function *> interfaces;
  for (llvm::Function &f : *llvmModule)
    if (!f.isDeclaration() && f.getName().starts_with("_mlir_ciface_"))
      interfaces.push_back(&f);
  for (llvm::Function *f : interfaces)
    addPackedWrapper(*llvmModule, *f);
  for (llvm::Function &f : *llvmModule)
    if (!f.isDeclaration() && f.getName().starts_with(kernel + "__group") &&
        !f.getName().ends_with("_blocks"))
      markNoAlias(f, params);
  bf16ToInt16(*llvmModule);
  optimize(*llvmModule, *machine);

  llvm::SmallVector<char, 0> object;
  llvm::raw_svector_ostream os(object);
  llvm::legacy::PassManager codegen;
  if (machine->addPassesToEmitFile(codegen, os, nullptr, llvm::CodeGenFileType::ObjectFile))
    throw Error("mmrec: the host code generator cannot emit object files");
  codegen.run(*llvmModule);
  return std::vector<char>(object.begin(), object.end());
}

std::unique_ptr<CpuCode> loadObject(const std::vector<char> &object, const std::string &kernel,
                                    unsigned numGroups) {
  initializeNativeTarget();
  auto jit = llvm::orc::LLJITBuilder().create();
  if (!jit)
    throw Error("mmrec: cannot start the JIT: " + llvm::toString(jit.takeError()));
  auto generator = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix());
  if (!generator)
    throw Error("mmrec: cannot resolve symbols of the process: " +
                llvm::toString(generator.takeError()));
  (*jit)->getMainJITDylib().addGenerator(std::move(*generator));
#if defined(__x86_64__)
  llvm::orc::MangleAndInterner mangle((*jit)->getExecutionSession(), (*jit)->getDataLayout());
  llvm::orc::SymbolMap runtimeCalls;
  runtimeCalls[mangle("__truncsfbf2")] = {llvm::orc::ExecutorAddr::fromPtr(&truncFloatToBf16),
                                          llvm::JITSymbolFlags::Exported};
  runtimeCalls[mangle("__extendbfsf2")] = {llvm::orc::ExecutorAddr::fromPtr(&extendBf16ToFloat),
                                           llvm::JITSymbolFlags::Exported};
  if (llvm::Error error =
          (*jit)->getMainJITDylib().define(llvm::orc::absoluteSymbols(std::move(runtimeCalls))))
    throw Error("mmrec: cannot define the bf16 runtime calls: " + llvm::toString(std::move(error)));
#endif
  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(llvm::StringRef(object.data(), object.size()),
                                                     kernel + ".o");
  if (llvm::Error error = (*jit)->addObjectFile(std::move(buffer)))
    throw Error("mmrec kernel '" + kernel +
                "': cannot load its object code: " + llvm::toString(std::move(error)));

  auto code = std::make_unique<CpuCode>();
  auto lookup = [&](const std::string &name) {
    auto address = (*jit)->lookup(name);
    if (!address)
      throw Error("mmrec kernel '" + kernel + "': missing entry point " + name + ": " +
                  llvm::toString(address.takeError()));
    return address->toPtr<PackedFn>();
  };
  for (unsigned g = 0; g < numGroups; ++g)
    code->groups.push_back({lookup(groupName(kernel, g) + "_blocks_packed"),
                            lookup(groupName(kernel, g) + "_packed")});
  code->jit = std::move(*jit);
  return code;
}

} // namespace mmrec
