//===- mmrec-translate.cpp - kernel files to PTX --------------------------===//
//
// Prints the PTX of the GPU kernels generated from a kernel file (the
// -mmrec-to-ptx pipeline), so that it can be read and assembled with ptxas
// by hand: `mmrec-translate --emit-ptx --chip=sm_90a FILE.mlir`.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Dialect/Mmrec/MmrecOps.h"
#include "mmrec/Pipelines/Pipelines.h"
#include "mmrec/Transforms/Passes.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

namespace {
llvm::cl::OptionCategory category("mmrec-translate options");
llvm::cl::opt<std::string> inputFile(llvm::cl::Positional, llvm::cl::desc("<kernel file.mlir>"),
                                     llvm::cl::init("-"), llvm::cl::cat(category));
llvm::cl::opt<bool> emitPtx("emit-ptx",
                            llvm::cl::desc("Print the PTX of every GPU kernel (the only output "
                                           "today; required)"),
                            llvm::cl::cat(category));
llvm::cl::opt<std::string> chip("chip", llvm::cl::desc("GPU architecture: sm_80, sm_90a, ..."),
                                llvm::cl::init("sm_90a"), llvm::cl::cat(category));
llvm::cl::opt<std::string> features("features",
                                    llvm::cl::desc("PTX ISA version as an LLVM feature"),
                                    llvm::cl::init("+ptx80"), llvm::cl::cat(category));
llvm::cl::opt<std::string> kernel("kernel",
                                  llvm::cl::desc("Print only this mmrec kernel's PTX (one "
                                                 "module that ptxas accepts as it is)"),
                                  llvm::cl::cat(category));
llvm::cl::opt<std::string> strategy("strategy",
                                    llvm::cl::desc("Strategy of scans without #mmrec.tiling: "
                                                   "lanes (default), chunked or lookback"),
                                    llvm::cl::init("lanes"), llvm::cl::cat(category));
llvm::cl::opt<int64_t> chunk("chunk",
                             llvm::cl::desc("Chunk length of chunked and lookback without a "
                                            "tiling (default 256)"),
                             llvm::cl::init(256), llvm::cl::cat(category));
llvm::cl::opt<std::string> tiling(
    "tiling",
    llvm::cl::desc("This #mmrec.tiling on every scan without one (as mmrec-bench --tiling; "
                   "the runtime's heuristic picks #mmrec.tiling<strategy = lookback, "
                   "chunk = 256, lanes = 128, vector = 16 bytes, warps = 8> where lanes are few)"),
    llvm::cl::cat(category));
llvm::cl::opt<bool> aligned(
    "aligned",
    llvm::cl::desc("The runtime's aligned variant, which launches on contiguous 16-byte "
                   "aligned tensors take (-mmrec-specialize-contiguous{alignment=16})"),
    llvm::cl::cat(category));
llvm::cl::opt<std::string> cudaPath("cuda-path",
                                    llvm::cl::desc("CUDA toolkit whose libdevice is linked"),
                                    llvm::cl::cat(category));
llvm::cl::opt<std::string> outputFile("o", llvm::cl::desc("Output file (default: stdout)"),
                                      llvm::cl::value_desc("file"), llvm::cl::init("-"),
                                      llvm::cl::cat(category));
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::cl::HideUnrelatedOptions(category);
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "mmrec-translate: the PTX of the GPU kernels of an mmrec kernel file\n\n"
      "Each mmrec.kernel becomes one PTX module with an entry point per fused\n"
      "group, <kernel>__group<i>. Several kernels print as several modules,\n"
      "each after a '// mmrec kernel: NAME' line; --kernel selects one.\n\n"
      "  mmrec-translate --emit-ptx --chip=sm_90a kernels/linear_recurrence.mlir \\\n"
      "      --kernel linear_recurrence -o lr.ptx && ptxas -arch=sm_90a -v lr.ptx\n\n"
      "With --aligned and --tiling, the code the runtime launches on a GPU:\n\n"
      "  mmrec-translate --emit-ptx --aligned --tiling='#mmrec.tiling<strategy = lookback,\n"
      "      chunk = 256, lanes = 128, vector = 8, warps = 8>' kernels/assoc_scan_exp.mlir\n");
  if (!emitPtx) {
    llvm::errs() << "mmrec-translate: say what to emit: --emit-ptx\n";
    return 2;
  }

  DialectRegistry registry;
  registry.insert<mmrec::MmrecDialect>();
  mmrec::registerGpuPipelineDependencies(registry);
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  std::string error;
  auto input = openInputFile(inputFile, &error);
  if (!input) {
    llvm::errs() << "mmrec-translate: " << error << "\n";
    return 2;
  }
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;
  if (!kernel.empty()) {
    bool found = false;
    for (auto op : llvm::make_early_inc_range(module->getOps<mmrec::KernelOp>())) {
      if (op.getSymName() == kernel)
        found = true;
      else
        op.erase();
    }
    if (!found) {
      llvm::errs() << "mmrec-translate: no kernel '" << kernel << "' in " << inputFile << "\n";
      return 2;
    }
  }

  if (!tiling.empty()) {
    auto attr = dyn_cast_or_null<mmrec::TilingAttr>(parseAttribute(tiling, &context));
    if (!attr) {
      llvm::errs() << "mmrec-translate: --tiling is not an #mmrec.tiling: " << tiling << "\n";
      return 2;
    }
    module->walk([&](mmrec::ScanOp scan) {
      if (!scan.getTiling())
        scan.setTilingAttr(attr);
    });
  }
  if (aligned)
    for (auto op : module->getOps<mmrec::KernelOp>())
      mmrec::specializeContiguous(op, /*alignment=*/16);

  PassManager pm(&context);
  mmrec::GpuPipelineOptions options;
  options.chip = chip;
  options.features = features;
  options.cudaPath = cudaPath;
  options.strategy = strategy;
  options.chunk = chunk;
  mmrec::buildGpuPipeline(pm, options);
  if (failed(pm.run(*module)))
    return 1;

  auto output = openOutputFile(outputFile, &error);
  if (!output) {
    llvm::errs() << "mmrec-translate: " << error << "\n";
    return 2;
  }
  std::vector<mmrec::GpuKernelModule> modules = mmrec::collectPtx(*module);
  for (const mmrec::GpuKernelModule &ptx : modules) {
    if (modules.size() > 1)
      output->os() << "// mmrec kernel: " << ptx.kernel << "\n";
    output->os() << ptx.ptx;
  }
  output->keep();
  return 0;
}
