//===- mmrec-bench.cpp - performance of the library kernels ---------------===//
//
// GPU (when the context is on one): the memory roofline report of
// GpuBench.cpp. CPU: each library kernel against a hand-written -O3 loop
// over the same data, on one thread and on all threads, after checking that
// both agree. Prints a table and writes CSV.
//
//===----------------------------------------------------------------------===//

#include "Cases.h"
#include "GpuBench.h"
#include "HandWritten.h"

#include "mmrec/Library.h"

#include "llvm/Support/CommandLine.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <thread>

using namespace mmrec;

namespace {

llvm::cl::OptionCategory category("mmrec-bench options");
llvm::cl::opt<int> repeats("bench-repeats", llvm::cl::desc("Timed runs per measurement (median)"),
                           llvm::cl::init(11), llvm::cl::cat(category));
llvm::cl::opt<unsigned> threads("bench-threads",
                                llvm::cl::desc("Threads of the parallel run (default: all cores)"),
                                llvm::cl::init(0), llvm::cl::cat(category));
llvm::cl::opt<std::string> csvPath("csv", llvm::cl::desc("Write the results as CSV to this file"),
                                   llvm::cl::cat(category));
llvm::cl::opt<bool> small("small", llvm::cl::desc("Small shapes (a quick check, not a measurement)"),
                          llvm::cl::cat(category));
llvm::cl::opt<std::string> device("device",
                                  llvm::cl::desc("cpu or cuda (default: the GPU when there is "
                                                 "one, as MMREC_DEVICE and Context() pick)"),
                                  llvm::cl::cat(category));
llvm::cl::opt<std::string> jsonPath("json", llvm::cl::desc("GPU: write the results as JSON to this file"),
                                    llvm::cl::cat(category));
llvm::cl::list<std::string> tilings(
    "tiling",
    llvm::cl::desc("GPU: this #mmrec.tiling on every scan instead of the heuristic's choice "
                   "(repeat it to measure each kernel and shape with each tiling)"),
    llvm::cl::cat(category));
llvm::cl::list<std::string> kernelNames("kernels", llvm::cl::CommaSeparated,
                                        llvm::cl::desc("GPU: only these kernels (comma-separated)"),
                                        llvm::cl::cat(category));
llvm::cl::list<std::string> shapeNames(
    "shapes", llvm::cl::CommaSeparated,
    llvm::cl::desc("GPU: only these of the targets' shapes, as the table prints them (e.g. "
                   "2x8x32768x128); any other shape is measured for each selected kernel of its "
                   "rank, with no target"),
    llvm::cl::cat(category));
llvm::cl::opt<std::string> dtypeName(
    "dtype",
    llvm::cl::desc("GPU: every kernel in this dtype (bf16, f16, f32, f64) instead of its target's; "
                   "a target is for its own dtype, so kernels in another have none"),
    llvm::cl::cat(category));
llvm::cl::opt<std::string> plotPath(
    "plot", llvm::cl::desc("GPU: also measure each kernel at several sequence lengths and draw "
                           "its fraction of copy bandwidth against them into this PNG file"),
    llvm::cl::value_desc("FILE.png"), llvm::cl::cat(category));
llvm::cl::opt<bool> launchOverhead(
    "launch-overhead",
    llvm::cl::desc("GPU: also compare the host time of a cached launch with a raw cuLaunchKernel"),
    llvm::cl::cat(category));

double medianSeconds(const std::function<void()> &run) {
  std::vector<double> times;
  run(); // warm up: page faults, caches, lazy binding
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    run();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

uint16_t toBf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return uint16_t((bits + 0x7fff + ((bits >> 16) & 1)) >> 16);
}
float fromBf16(uint16_t v) {
  uint32_t bits = uint32_t(v) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

/// Relative L2 distance of two outputs read as floats.
template <typename T> double distance(const std::vector<T> &a, const std::vector<T> &b) {
  double err = 0, norm = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    double x, y;
    if constexpr (std::is_same_v<T, uint16_t>) {
      x = fromBf16(a[i]);
      y = fromBf16(b[i]);
    } else {
      x = a[i];
      y = b[i];
    }
    err += (x - y) * (x - y);
    norm += y * y;
  }
  return norm > 0 ? std::sqrt(err / norm) : std::sqrt(err);
}

struct Row {
  std::string kernel, shape, dtype;
  double handWritten, oneThread, allThreads, distance;
  int64_t bytes;
  unsigned threadCount;
};

/// A kernel compiled in a context with `n` threads.
Kernel compileWithThreads(std::unique_ptr<Context> &context, unsigned n, const char *name) {
  setenv("MMREC_NUM_THREADS", std::to_string(n).c_str(), 1);
  context = std::make_unique<Context>(Device::CPU);
  unsetenv("MMREC_NUM_THREADS");
  return library::compile(*context, name, library::find(name).dtype);
}

std::string shapeText(std::initializer_list<int64_t> shape) {
  std::string text;
  for (int64_t s : shape)
    text += (text.empty() ? "" : "x") + std::to_string(s);
  return text;
}

template <typename T>
Row measure(const char *name, std::initializer_list<int64_t> shape, const char *dtype,
            std::vector<std::vector<T>> &inputs, std::vector<std::vector<T>> outputs,
            std::vector<std::vector<int64_t>> inputShapes,
            std::vector<std::vector<int64_t>> outputShapes, DType viewType,
            const std::function<void(std::vector<std::vector<T>> &)> &handWritten) {
  unsigned all = threads ? threads.getValue() : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::vector<T>> reference = outputs;
  std::vector<TensorView> views;
  for (size_t i = 0; i < inputs.size(); ++i)
    views.push_back(TensorView::contiguous(inputs[i].data(), viewType, inputShapes[i]));
  for (size_t i = 0; i < outputs.size(); ++i)
    views.push_back(TensorView::contiguous(outputs[i].data(), viewType, outputShapes[i]));
  Row row{name, shapeText(shape), dtype, 0, 0, 0, 0, 0, all};
  for (auto &v : inputs)
    row.bytes += v.size() * sizeof(T);
  for (auto &v : outputs)
    row.bytes += v.size() * sizeof(T);

  row.handWritten = medianSeconds([&] { handWritten(reference); });
  std::unique_ptr<Context> context;
  Kernel one = compileWithThreads(context, 1, name);
  row.oneThread = medianSeconds([&] { one.launch(views.data(), views.size()); });
  for (size_t i = 0; i < outputs.size(); ++i)
    row.distance = std::max(row.distance, distance(outputs[i], reference[i]));
  std::unique_ptr<Context> parallel;
  Kernel many = compileWithThreads(parallel, all, name);
  row.allThreads = medianSeconds([&] { many.launch(views.data(), views.size()); });
  return row;
}

} // namespace

int main(int argc, char **argv) {
  llvm::cl::HideUnrelatedOptions(category);
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "mmrec-bench: performance of the library kernels\n\n"
      "On a GPU: the device-to-device copy bandwidth, then each library kernel at the shapes of\n"
      "its target, verified against the float64 reference, timed with CUDA events (median of\n"
      "single launches queued behind a waiting kernel, so that the GPU never waits for the\n"
      "host inside an interval; and per launch within CUDA graph replays), as GB/s and as a\n"
      "fraction of the copy bandwidth. On the CPU: each kernel against a\n"
      "hand-written -O3 loop, on one thread and on all.\n");
  std::unique_ptr<Context> context;
  try {
    // --shapes' and --dtype's errors before any device is opened.
    std::optional<DType> dtype;
    if (!dtypeName.empty() && !(dtype = parseDType(dtypeName)))
      throw Error("--dtype must be bf16, f16, f32 or f64, got '" + dtypeName + "'");
    bench::selectedCases({kernelNames.begin(), kernelNames.end()},
                         {shapeNames.begin(), shapeNames.end()}, small, dtype);
    if (!plotPath.empty() && tilings.size() > 1)
      throw Error("--plot draws one tiling: give at most one --tiling with it");
    if (device.empty())
      context = std::make_unique<Context>();
    else if (device == "cpu" || device == "cuda")
      context = std::make_unique<Context>(device == "cpu" ? Device::CPU : Device::CUDA);
    else
      throw Error("--device must be cpu or cuda, got '" + device + "'");
    if (context->device() == Device::CUDA) {
      bench::GpuOptions options;
      options.repeats = repeats.getNumOccurrences() ? repeats.getValue() : 100;
      options.tilings.assign(tilings.begin(), tilings.end());
      options.kernels.assign(kernelNames.begin(), kernelNames.end());
      options.shapes.assign(shapeNames.begin(), shapeNames.end());
      options.dtype = dtype;
      options.csvPath = csvPath;
      options.jsonPath = jsonPath;
      options.launchOverhead = launchOverhead;
      options.small = small;
      options.plotPath = plotPath;
      return bench::runGpuBench(*context, options);
    }
    if (!plotPath.empty())
      throw Error("--plot draws fractions of the GPU's copy bandwidth: it needs a GPU (the "
                  "device here is the cpu)");
    if (dtype)
      throw Error("--dtype chooses the GPU measurement's dtype: it needs a GPU (the device here "
                  "is the cpu)");
  } catch (const Error &error) {
    std::fprintf(stderr, "mmrec-bench: %s\n", error.what());
    return 1;
  }
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> unit(0.05f, 0.95f), signedUnit(-1.0f, 1.0f);
  std::vector<Row> rows;
  int64_t scale = small ? 8 : 1;

  { // assoc_scan_exp
    int64_t B = 2, H = 8, T = 4096 / scale, D = 128;
    std::vector<std::vector<uint16_t>> in(1, std::vector<uint16_t>(B * H * T * D));
    for (auto &v : in[0])
      v = toBf16(unit(rng));
    rows.push_back(measure<uint16_t>(
        "assoc_scan_exp", {B, H, T, D}, "bf16", in, {std::vector<uint16_t>(in[0].size())},
        {{B, H, T, D}}, {{B, H, T, D}}, DType::BF16,
        [&](auto &out) { handwritten::assocScanExp(in[0].data(), out[0].data(), B, H, T, D); }));
  }
  { // linear_recurrence
    int64_t B = 2, H = 8, T = 4096 / scale, D = 128;
    std::vector<std::vector<uint16_t>> in(2, std::vector<uint16_t>(B * H * T * D));
    for (auto &v : in[0])
      v = toBf16(0.5f + 0.5f * unit(rng));
    for (auto &v : in[1])
      v = toBf16(signedUnit(rng));
    rows.push_back(measure<uint16_t>(
        "linear_recurrence", {B, H, T, D}, "bf16", in, {std::vector<uint16_t>(in[0].size())},
        {{B, H, T, D}, {B, H, T, D}}, {{B, H, T, D}}, DType::BF16, [&](auto &out) {
          handwritten::linearRecurrence(in[0].data(), in[1].data(), out[0].data(), B, H, T, D);
        }));
  }
  { // decayed_sum
    int64_t B = 2, T = 1024 / scale, R = 64, C = 64;
    std::vector<std::vector<float>> in = {std::vector<float>(B * T * R),
                                          std::vector<float>(B * T * R * C)};
    for (int64_t b = 0; b < B; ++b)
      for (int64_t r = 0; r < R; ++r) {
        float acc = 0;
        for (int64_t t = 0; t < T; ++t)
          in[0][(b * T + t) * R + r] = acc -= 0.3f * unit(rng);
      }
    for (auto &v : in[1])
      v = signedUnit(rng);
    rows.push_back(measure<float>(
        "decayed_sum", {B, T, R, C}, "f32", in, {std::vector<float>(in[1].size())},
        {{B, T, R}, {B, T, R, C}}, {{B, T, R, C}}, DType::F32, [&](auto &out) {
          handwritten::decayedSum(in[0].data(), in[1].data(), out[0].data(), B, T, R, C);
        }));
  }
  { // chunk_aggregate
    int64_t B = 2, T = 8192 / scale, D = 1024, N = (T + 127) / 128;
    std::vector<std::vector<uint16_t>> in(1, std::vector<uint16_t>(B * T * D));
    for (auto &v : in[0])
      v = toBf16(signedUnit(rng));
    rows.push_back(measure<uint16_t>(
        "chunk_aggregate", {B, T, D}, "bf16", in,
        {std::vector<uint16_t>(B * N * D), std::vector<uint16_t>(B * N * D)}, {{B, T, D}},
        {{B, N, D}, {B, N, D}}, DType::BF16, [&](auto &out) {
          handwritten::chunkAggregate(in[0].data(), out[0].data(), out[1].data(), B, T, D, 128);
        }));
  }

  std::printf("%-18s %-16s %-5s %12s %12s %9s %12s %8s %11s %10s\n", "kernel", "shape", "dtype",
              "loop ms", "mmrec 1t ms", "speed", "mmrec Nt ms", "threads", "scaling", "agreement");
  for (const Row &r : rows)
    std::printf("%-18s %-16s %-5s %12.3f %12.3f %8.2fx %12.3f %8u %10.2fx %10.1e\n",
                r.kernel.c_str(), r.shape.c_str(), r.dtype.c_str(), r.handWritten * 1e3,
                r.oneThread * 1e3, r.handWritten / r.oneThread, r.allThreads * 1e3, r.threadCount,
                r.oneThread / r.allThreads, r.distance);
  std::printf("speed: hand-written loop time / mmrec one-thread time (>= 0.8 is the target); "
              "agreement: relative L2 distance between the two outputs\n");
  if (!csvPath.empty()) {
    std::ofstream csv(csvPath);
    csv << "kernel,shape,dtype,loop_s,mmrec_1thread_s,speed,mmrec_nthreads_s,threads,scaling,"
           "agreement,bytes\n";
    for (const Row &r : rows)
      csv << r.kernel << "," << r.shape << "," << r.dtype << "," << r.handWritten << ","
          << r.oneThread << "," << r.handWritten / r.oneThread << "," << r.allThreads << ","
          << r.threadCount << "," << r.oneThread / r.allThreads << "," << r.distance << ","
          << r.bytes << "\n";
  }
  for (const Row &r : rows)
    if (r.distance > 1e-2) {
      std::fprintf(stderr, "mmrec-bench: %s disagrees with the hand-written loop (%.2e)\n",
                   r.kernel.c_str(), r.distance);
      return 1;
    }
  return 0;
}
