//===- mmrec-run.cpp - run and verify a kernel ----------------------------===//
//
// Runs a library kernel (or a .mlir file that defines one) on fresh random
// inputs, compares it with its float64 reference, and reports the error,
// the time and the throughput. Exit status 0 only within tolerance.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Library.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <chrono>
#include <cstdio>
#include <regex>

using namespace mmrec;

namespace {

llvm::cl::OptionCategory category("mmrec-run options");
llvm::cl::opt<std::string> kernelArg(llvm::cl::Positional, llvm::cl::Required,
                                     llvm::cl::desc("<library kernel | file.mlir>"),
                                     llvm::cl::cat(category));
llvm::cl::opt<std::string> kernelName("kernel",
                                      llvm::cl::desc("The kernel of a .mlir file to run (default: "
                                                     "its only kernel)"),
                                      llvm::cl::cat(category));
llvm::cl::opt<std::string> shapeArg("shape",
                                    llvm::cl::desc("Sizes, comma separated (default: the "
                                                   "kernel's; see the list below)"),
                                    llvm::cl::cat(category));
llvm::cl::opt<std::string> dtypeArg("dtype", llvm::cl::desc("bf16 | f16 | f32 | f64"),
                                    llvm::cl::cat(category));
llvm::cl::opt<std::string> deviceArg("device",
                                     llvm::cl::desc("cpu | cuda (default: MMREC_DEVICE "
                                                    "or the best present)"),
                                     llvm::cl::cat(category));
llvm::cl::opt<uint64_t> seedArg("seed",
                                llvm::cl::desc("Seed of the random inputs (default: "
                                               "from the clock, printed)"),
                                llvm::cl::cat(category));
llvm::cl::opt<int> repeatsArg("repeats", llvm::cl::desc("Timed launches (median reported)"),
                              llvm::cl::init(5), llvm::cl::cat(category));

std::vector<int64_t> parseShape(const std::string &text) {
  std::vector<int64_t> shape;
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(text).split(parts, ',');
  for (llvm::StringRef part : parts) {
    int64_t value;
    if (part.trim().getAsInteger(10, value) || value < 0)
      throw Error("--shape must be non-negative integers separated by commas, got '" + text + "'");
    shape.push_back(value);
  }
  return shape;
}

std::string libraryList() {
  std::string text = "\nLibrary kernels (--shape meaning, default shape, dtype):\n";
  for (const library::KernelInfo &info : library::kernels()) {
    std::string shape;
    for (int64_t s : info.defaultShape)
      shape += (shape.empty() ? "" : ",") + std::to_string(s);
    text += "  " + info.name + std::string(22 - std::min<size_t>(21, info.name.size()), ' ') +
            info.summary + "\n" + std::string(24, ' ') + "--shape " + info.shapeMeaning +
            ", default " + shape + ", " + nameOf(info.dtype) + "\n";
  }
  return text;
}

/// The kernel names defined in `text`.
std::vector<std::string> kernelsIn(const std::string &text) {
  std::vector<std::string> names;
  std::regex pattern(R"(mmrec\.kernel\s+(?:private\s+)?@([A-Za-z_][A-Za-z0-9_$.]*))");
  for (std::sregex_iterator it(text.begin(), text.end(), pattern), end; it != end; ++it)
    names.push_back((*it)[1]);
  return names;
}

int run() {
  std::string name = kernelArg, source;
  if (llvm::StringRef(kernelArg).ends_with(".mlir")) {
    auto buffer = llvm::MemoryBuffer::getFile(kernelArg, /*IsText=*/true);
    if (!buffer)
      throw Error("cannot read " + kernelArg + ": " + buffer.getError().message());
    source = (*buffer)->getBuffer().str();
    std::vector<std::string> names = kernelsIn(source);
    if (!kernelName.empty())
      name = kernelName;
    else if (names.size() == 1)
      name = names[0];
    else
      throw Error(kernelArg + " defines " + std::to_string(names.size()) +
                  " kernels; choose one with --kernel");
  }
  const library::KernelInfo &info = library::find(name);
  std::vector<int64_t> shape = shapeArg.empty() ? info.defaultShape : parseShape(shapeArg);
  DType dtype = info.dtype;
  if (!dtypeArg.empty()) {
    std::optional<DType> parsed = parseDType(dtypeArg);
    if (!parsed)
      throw Error("--dtype must be bf16, f16, f32 or f64, got '" + dtypeArg + "'");
    if (!source.empty() && *parsed != info.dtype)
      throw Error(kernelArg + " is written for " + nameOf(info.dtype) +
                  "; --dtype applies to library kernels, which are built for any dtype");
    dtype = *parsed;
  }
  std::unique_ptr<Context> context;
  if (deviceArg.empty())
    context = std::make_unique<Context>();
  else if (deviceArg == "cpu")
    context = std::make_unique<Context>(Device::CPU);
  else if (deviceArg == "cuda")
    context = std::make_unique<Context>(Device::CUDA);
  else
    throw Error("--device must be cpu or cuda, got '" + deviceArg + "'");
  uint64_t seed =
      seedArg.getNumOccurrences()
          ? seedArg.getValue()
          : static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());

  std::string shapeText;
  for (int64_t s : shape)
    shapeText += (shapeText.empty() ? "" : ", ") + std::to_string(s);
  if (context->device() == Device::CPU)
    std::printf("kernel   %s (%s) on the cpu, %u threads\n", info.name.c_str(), nameOf(dtype),
                context->numThreads());
  else
    std::printf("kernel   %s (%s) on %s\n", info.name.c_str(), nameOf(dtype),
                context->deviceName().c_str());
  std::printf("shape    [%s] (%s), seed %llu\n", shapeText.c_str(), info.shapeMeaning.c_str(),
              static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  library::RunReport report =
      library::runAndVerify(*context, info.name, dtype, shape, seed, repeatsArg, source);
  std::printf("error    relative %.3e (tolerance %.1e), max abs %.3e%s\n", report.relativeError,
              report.tolerance, report.maxAbsError, report.nanFound ? ", NaN in the output" : "");
  if (report.seconds > 0)
    std::printf("time     %.3f ms (median of %d), %.2f GB/s\n", report.seconds * 1e3,
                repeatsArg.getValue(), report.bytes / report.seconds / 1e9);
  std::printf("result   %s\n", report.passed() ? "PASS" : "FAIL");
  return report.passed() ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  llvm::cl::HideUnrelatedOptions(category);
  static const std::string list = libraryList(); // extrahelp keeps a reference
  llvm::cl::extrahelp help(list);
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "mmrec-run: run a kernel on random inputs and verify it against float64\n\n"
      "  mmrec-run assoc_scan_exp --shape 2,8,1024,128 --seed 1\n"
      "  mmrec-run kernels/decayed_sum.mlir --shape 2,256,16,16\n");
  try {
    return run();
  } catch (const Error &error) {
    std::fprintf(stderr, "mmrec-run: error: %s\n", error.what());
    return 2;
  }
}
