//===- GpuBench.cpp - the library kernels on a GPU ------------------------===//
//
// The memory roofline report: the device-to-device copy bandwidth measured
// first, then each library kernel at the shapes of its performance target,
// verified against the float64 reference before it is timed. Times are
// medians of CUDA-event intervals around single launches, queued before the
// GPU reaches them (behind a waiting kernel), with the inputs rotated over
// enough copies that they do not sit in L2 (the targets' time),
// and, for comparison, per launch within replays of a CUDA graph of such
// launches (`graph us`: without the gaps of single launches). Effective
// bandwidth counts every input read once and every output written once.
//
//===----------------------------------------------------------------------===//

#include "GpuBench.h"

#include "Cases.h"
#include "CudaDriver.h"
#include "KernelInternals.h"
#include "Plot.h"

#include "mmrec/Library.h"

#include "llvm/ADT/ScopeExit.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <random>

namespace mmrec::bench {
namespace {

/// The sweep of --plot: a kernel's target shape with its sequence axis
/// (`axis`) at each of `lengths`.
struct Sweep {
  std::string kernel;
  DType dtype;
  std::vector<int64_t> shape;
  size_t axis;
  std::vector<int64_t> lengths;
};

std::vector<Sweep> plotSweeps(bool small) {
  int64_t s = small ? 8 : 1;
  std::vector<int64_t> long_ = {1024 / s, 2048 / s, 4096 / s, 8192 / s, 16384 / s, 32768 / s};
  return {{"assoc_scan_exp", DType::BF16, {2, 8, 0, 128}, 2, long_},
          {"linear_recurrence", DType::BF16, {2, 8, 0, 128}, 2, long_},
          {"linear_recurrence_rows", DType::BF16, {2, 8, 128, 0}, 3, long_},
          {"decayed_sum", DType::F32, {2, 0, 64, 64}, 1, {256, 512, 1024, 2048, 4096 / s}},
          {"chunk_aggregate", DType::BF16, {2, 0, 4096}, 1, long_}};
}

struct Row {
  Case target;
  std::string tiling;
  double micros = 0, gbps = 0, fraction = 0, error = 0;
  double graphMicros = 0; // a launch within a CUDA graph of launches
  int64_t bytes = 0;
  bool verified = false;
  std::string note;
  bool hasTarget() const { return target.hasTarget(); }
  bool met() const {
    return verified && hasTarget() &&
           (target.maxMicros > 0 ? micros <= target.maxMicros : fraction >= target.minFraction);
  }
};

const char *dtypeName(DType dtype) {
  switch (dtype) {
  case DType::BF16:
    return "bf16";
  case DType::F16:
    return "f16";
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  }
  return "?";
}

/// A kernel that only waits, `nanoseconds` by the GPU's global timer: the
/// gate of a batch of timed runs (Timer::medianMs). PTX for sm_70 and up,
/// assembled by the driver for the GPU at hand.
constexpr const char *kWaitKernelPtx = R"(.version 7.0
.target sm_70
.address_size 64

.visible .entry mmrec_bench_wait(.param .u64 nanoseconds)
{
  .reg .pred %p;
  .reg .b64 %limit, %start, %now, %elapsed;
  ld.param.u64 %limit, [nanoseconds];
  mov.u64 %start, %globaltimer;
spin:
  nanosleep.u32 1000;
  mov.u64 %now, %globaltimer;
  sub.u64 %elapsed, %now, %start;
  setp.lt.u64 %p, %elapsed, %limit;
  @%p bra spin;
  ret;
}
)";

/// CUDA events on one stream, in the primary context of device 0.
class Timer {
public:
  explicit Timer(const CudaDriver &driver) : driver(driver) {
    CUdevice device;
    check(driver.cuDeviceGet(&device, 0), "cuDeviceGet");
    check(driver.cuDevicePrimaryCtxRetain(&context, device), "cuDevicePrimaryCtxRetain");
    check(driver.cuCtxPushCurrent(context), "cuCtxPushCurrent");
    check(driver.cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
    int l2 = 0;
    check(driver.cuDeviceGetAttribute(&l2, CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE, device),
          "cuDeviceGetAttribute");
    l2Bytes = l2;
    check(driver.cuModuleLoadDataEx(&waitModule, kWaitKernelPtx, 0, nullptr, nullptr),
          "cuModuleLoadDataEx (the wait kernel)");
    check(driver.cuModuleGetFunction(&wait, waitModule, "mmrec_bench_wait"), "cuModuleGetFunction");
  }
  ~Timer() {
    driver.cuModuleUnload(waitModule);
    driver.cuStreamDestroy(stream);
    CUcontext popped;
    driver.cuCtxPopCurrent(&popped);
  }

  void check(CUresult result, const char *what) const { driver.check(result, "mmrec-bench", what); }

  /// Median milliseconds of `run(i)` over `repeats` runs, each between two
  /// events, after `warmup` untimed runs. The timed runs go in batches
  /// queued behind a kernel that waits until the host has queued the whole
  /// batch, so that a run's start event and its work reach the GPU
  /// together: otherwise, where the GPU is faster than the host (kernels of
  /// a few microseconds), it records the start event, then waits for the
  /// host's launch, and the interval holds that wait (as the L2 flush of
  /// triton.testing.do_bench gates its runs, without the flush: the inputs
  /// are rotated instead). A batch whose gate ended before the host had
  /// queued it runs again behind a longer gate.
  double medianMs(int repeats, const std::function<void(int)> &run, int warmup = 3) {
    for (int i = 0; i < warmup; ++i)
      run(i);
    constexpr int kBatch = 8;
    std::vector<CUevent> events(2 * kBatch + 1); // the runs' pairs, then the gate's end
    for (CUevent &event : events)
      check(driver.cuEventCreate(&event, CU_EVENT_DEFAULT), "cuEventCreate");
    auto destroyEvents = llvm::make_scope_exit([&] {
      for (CUevent event : events)
        driver.cuEventDestroy(event);
    });
    std::vector<float> ms;
    for (int first = 0; first < repeats;) {
      int count = std::min(kBatch, repeats - first);
      void *params[] = {&gateNanoseconds};
      check(driver.cuLaunchKernel(wait, 1, 1, 1, 1, 1, 1, 0, stream, params, nullptr),
            "cuLaunchKernel (the wait kernel)");
      check(driver.cuEventRecord(events.back(), stream), "cuEventRecord");
      for (int i = 0; i < count; ++i) {
        check(driver.cuEventRecord(events[2 * i], stream), "cuEventRecord");
        run(first + i);
        check(driver.cuEventRecord(events[2 * i + 1], stream), "cuEventRecord");
      }
      CUresult gate = driver.cuEventQuery(events.back());
      check(driver.cuStreamSynchronize(stream), "cuStreamSynchronize");
      if (gate == CUDA_SUCCESS) { // the GPU reached the batch before the host had queued it
        if (gateNanoseconds >= kMaxGateNanoseconds)
          throw Error("mmrec-bench: the host took more than " +
                      std::to_string(kMaxGateNanoseconds / 1000000) + " ms to queue " +
                      std::to_string(count) + " timed runs");
        gateNanoseconds *= 2;
        continue;
      }
      if (gate != CUDA_ERROR_NOT_READY)
        check(gate, "cuEventQuery");
      for (int i = 0; i < count; ++i)
        check(driver.cuEventElapsedTime(&ms.emplace_back(), events[2 * i], events[2 * i + 1]),
              "cuEventElapsedTime");
      first += count;
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
  }

  /// Median milliseconds of a launch within a CUDA graph of `run(0)` ..
  /// `run(launches - 1)` captured on the stream, over `repeats` replays each
  /// between two events: the kernels without the gaps of single launches
  /// (the GPU's start of each launch), as a model step replayed from a
  /// graph sees them.
  double graphMsPerLaunch(int repeats, int launches, const std::function<void(int)> &run) {
    check(driver.cuStreamBeginCapture(stream, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL),
          "cuStreamBeginCapture");
    CUgraph graph = nullptr;
    try {
      for (int i = 0; i < launches; ++i)
        run(i);
    } catch (...) {
      driver.cuStreamEndCapture(stream, &graph);
      if (graph)
        driver.cuGraphDestroy(graph);
      throw;
    }
    check(driver.cuStreamEndCapture(stream, &graph), "cuStreamEndCapture");
    CUgraphExec exec = nullptr;
    CUresult instantiated = driver.cuGraphInstantiateWithFlags(&exec, graph, 0);
    if (instantiated != CUDA_SUCCESS)
      driver.cuGraphDestroy(graph);
    check(instantiated, "cuGraphInstantiateWithFlags");
    double ms =
        medianMs(repeats, [&](int) { check(driver.cuGraphLaunch(exec, stream), "cuGraphLaunch"); });
    driver.cuGraphExecDestroy(exec);
    driver.cuGraphDestroy(graph);
    return ms / launches;
  }

  const CudaDriver &driver;
  CUcontext context = nullptr;
  CUstream stream = nullptr;
  size_t l2Bytes = 0;

private:
  static constexpr uint64_t kMaxGateNanoseconds = 1000000000;
  CUmodule waitModule = nullptr;
  CUfunction wait = nullptr;
  uint64_t gateNanoseconds = 200000; // grows where the host needs longer
};

/// Device-to-device copy bandwidth in bytes per second (read + write).
double copyBandwidth(Timer &timer, Context &context, size_t bytes, int repeats) {
  DeviceBuffer from(context, bytes), to(context, bytes);
  // Any contents but zeros; a copy's speed does not depend on them.
  std::vector<uint32_t> pattern(bytes / 4);
  for (size_t i = 0; i < pattern.size(); ++i)
    pattern[i] = static_cast<uint32_t>(i * 2654435761u);
  from.upload(pattern.data(), bytes);
  double ms = timer.medianMs(repeats, [&](int) {
    timer.check(timer.driver.cuMemcpyDtoDAsync(reinterpret_cast<CUdeviceptr>(to.data()),
                                               reinterpret_cast<CUdeviceptr>(from.data()), bytes,
                                               timer.stream),
                "cuMemcpyDtoDAsync");
  });
  return 2.0 * static_cast<double>(bytes) / (ms * 1e-3);
}

Row measure(Timer &timer, Context &context, const Case &c, const std::string &tiling,
            const GpuOptions &options, double copy) {
  Row row{c, tiling};
  std::string source = library::source(c.kernel, c.dtype);
  // Scan strategies other than `lanes` do not apply to reduces.
  bool scan = source.find("mmrec.scan") != std::string::npos;
  if (!scan && row.tiling.find("strategy = lanes") == std::string::npos)
    row.tiling.clear();
  std::string text = row.tiling.empty() ? source : library::withTiling(source, row.tiling);
  std::random_device seeds;
  library::RunReport report =
      library::runAndVerify(context, c.kernel, c.dtype, c.shape, seeds(), 0, text);
  row.error = report.relativeError;
  row.verified = report.passed();
  if (!row.verified) {
    row.note = "wrong result: relative error " + std::to_string(report.relativeError) +
               (report.nanFound ? " (NaN)" : "");
    return row;
  }
  Kernel kernel = context.compile(text, library::find(c.kernel).name);
  library::Problem problem = library::randomProblem(c.kernel, c.dtype, c.shape, seeds());
  size_t inputBytes = 0;
  for (const library::HostTensor &t : problem.inputs)
    inputBytes += t.bytes.size();
  row.bytes = report.bytes;
  // Enough copies of the inputs that a launch never finds its inputs in L2.
  size_t sets = std::clamp<size_t>(4 * timer.l2Bytes / std::max<size_t>(inputBytes, 1) + 1, 1, 32);
  std::vector<DeviceBuffer> buffers;
  std::vector<std::vector<TensorView>> views(sets);
  for (size_t set = 0; set < sets; ++set)
    for (const library::HostTensor &t : problem.inputs) {
      buffers.emplace_back(context, t.bytes.size());
      buffers.back().upload(t.bytes.data(), t.bytes.size());
      views[set].push_back(TensorView::contiguous(buffers.back().data(), t.dtype, t.shape,
                                                  Device::CUDA));
    }
  for (const library::HostTensor &t : problem.outputs) {
    buffers.emplace_back(context, t.bytes.size());
    for (auto &set : views)
      set.push_back(TensorView::contiguous(buffers.back().data(), t.dtype, t.shape, Device::CUDA));
  }
  if (row.tiling.empty()) {
    // What the heuristic chose for this shape.
    std::vector<RawCudaLaunch> launches =
        KernelInternals::cudaLaunches(kernel, views[0].data(), views[0].size(), timer.stream);
    auto lookback = std::find_if(launches.begin(), launches.end(),
                                 [](const RawCudaLaunch &launch) { return launch.lookback; });
    row.tiling = lookback == launches.end() ? "heuristic: lanes" : "heuristic: lookback";
  }
  auto launch = [&](int i) {
    const std::vector<TensorView> &args = views[i % sets];
    kernel.launch(args.data(), args.size(), timer.stream);
  };
  double ms = timer.medianMs(options.repeats, launch);
  // A graph of at least 8 launches, every input set in turn.
  int launches = static_cast<int>(sets * ((8 + sets - 1) / sets));
  row.graphMicros = timer.graphMsPerLaunch(options.repeats, launches, launch) * 1e3;
  row.micros = ms * 1e3;
  row.gbps = static_cast<double>(row.bytes) / (ms * 1e-3) / 1e9;
  row.fraction = row.gbps * 1e9 / copy;
  return row;
}

/// Host time of a cached Kernel::launch against a raw cuLaunchKernel of the
/// same kernel with the same parameters, in batches short enough that the
/// launch queue never fills (launches then never wait for the GPU).
void launchOverhead(Timer &timer, Context &context) {
  const char *name = "linear_recurrence";
  std::vector<int64_t> shape = {1, 1, 16, 32};
  Kernel kernel = library::compile(context, name, DType::BF16);
  library::Problem problem = library::randomProblem(name, DType::BF16, shape, 1);
  std::vector<DeviceBuffer> buffers;
  std::vector<TensorView> args;
  for (auto *list : {&problem.inputs, &problem.outputs})
    for (const library::HostTensor &t : *list) {
      buffers.emplace_back(context, t.bytes.size());
      buffers.back().upload(t.bytes.data(), t.bytes.size());
      args.push_back(TensorView::contiguous(buffers.back().data(), t.dtype, t.shape, Device::CUDA));
    }
  std::vector<RawCudaLaunch> raw =
      KernelInternals::cudaLaunches(kernel, args.data(), args.size(), timer.stream);
  const int batch = 200, rounds = 41;
  auto perLaunch = [&](const std::function<void()> &launch) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < batch; ++i)
      launch();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    timer.check(timer.driver.cuStreamSynchronize(timer.stream), "cuStreamSynchronize");
    return seconds / batch;
  };
  auto mmrecLaunch = [&] { kernel.launch(args.data(), args.size(), timer.stream); };
  auto rawLaunch = [&] {
    for (RawCudaLaunch &l : raw)
      timer.check(timer.driver.cuLaunchKernel(l.function, l.grid, 1, 1, l.block, 1, 1,
                                              l.sharedBytes, timer.stream, l.params.data(),
                                              nullptr),
                  "cuLaunchKernel");
  };
  // The same with the parameters in one buffer, as Kernel::launch passes them.
  auto rawPackedLaunch = [&] {
    for (RawCudaLaunch &l : raw) {
      size_t bytes = l.words.size() * sizeof(int64_t);
      void *extra[] = {CU_LAUNCH_PARAM_BUFFER_POINTER, l.words.data(), CU_LAUNCH_PARAM_BUFFER_SIZE,
                       &bytes, CU_LAUNCH_PARAM_END};
      timer.check(timer.driver.cuLaunchKernel(l.function, l.grid, 1, 1, l.block, 1, 1,
                                              l.sharedBytes, timer.stream, nullptr, extra),
                  "cuLaunchKernel");
    }
  };
  // mmrec's own part: a launch without its cuLaunchKernel.
  auto ownWork = [&] {
    KernelInternals::prepareCudaLaunches(kernel, args.data(), args.size(), timer.stream);
  };
  std::vector<double> mmrecTimes, rawTimes, packedTimes, ownTimes;
  perLaunch(mmrecLaunch);
  perLaunch(rawLaunch);
  perLaunch(rawPackedLaunch);
  for (int r = 0; r < rounds; ++r) { // interleaved, so that drift hits all
    mmrecTimes.push_back(perLaunch(mmrecLaunch));
    rawTimes.push_back(perLaunch(rawLaunch));
    packedTimes.push_back(perLaunch(rawPackedLaunch));
    ownTimes.push_back(perLaunch(ownWork));
  }
  auto median = [&](std::vector<double> times) {
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
  };
  // The ratio of each round's adjacent batches: drift of the driver's own
  // time between rounds (seen: 2.8 to 3.6 us between runs) cancels in it.
  auto ratios = [&](const std::vector<double> &base) {
    std::vector<double> out;
    for (int i = 0; i < rounds; ++i)
      out.push_back(mmrecTimes[i] / base[i]);
    std::sort(out.begin(), out.end());
    return out;
  };
  std::vector<double> toRaw = ratios(rawTimes), toPacked = ratios(packedTimes);
  double m = median(mmrecTimes), r = median(rawTimes), packed = median(packedTimes),
         own = median(ownTimes);
  std::printf("\nlaunch overhead (host time per launch, median of %d batches of %d; %s bf16 "
              "%s, %zu kernel(s)):\n  mmrec Kernel::launch %.2f us, raw cuLaunchKernel %.2f us "
              "(a pointer per parameter), ratio %.3f (quartiles %.3f-%.3f; target <= 1.1)\n"
              "  raw cuLaunchKernel with the parameters in one buffer (as mmrec passes them) "
              "%.2f us, ratio %.3f (quartiles %.3f-%.3f)\n  mmrec's own work (all but "
              "cuLaunchKernel) %.2f us\n",
              rounds, batch, name, shapeText(shape).c_str(), raw.size(), m * 1e6, r * 1e6,
              toRaw[rounds / 2], toRaw[rounds / 4], toRaw[3 * rounds / 4], packed * 1e6,
              toPacked[rounds / 2], toPacked[rounds / 4], toPacked[3 * rounds / 4], own * 1e6);
}

/// --plot: each selected kernel at its sweep's lengths (verified, timed as
/// the table), drawn as fraction of copy against sequence length.
void plot(Timer &timer, Context &context, const GpuOptions &options, double copy) {
  std::string tiling = options.tilings.empty() ? "" : options.tilings.front();
  std::vector<Series> series;
  for (const Sweep &sweep : plotSweeps(options.small)) {
    if (!selected(options.kernels, sweep.kernel))
      continue;
    Series line{sweep.kernel, {}};
    for (int64_t length : sweep.lengths) {
      Case c{sweep.kernel, options.dtype.value_or(sweep.dtype), sweep.shape};
      c.shape[sweep.axis] = length;
      std::fprintf(stderr, "mmrec-bench: plot: %s %s %s ...\n", c.kernel.c_str(),
                   shapeText(c.shape).c_str(), dtypeName(c.dtype));
      Row row = measure(timer, context, c, tiling, options, copy);
      if (row.verified)
        line.points.push_back({static_cast<double>(length), row.fraction});
      else
        std::printf("plot: %s %s left out: %s\n", c.kernel.c_str(), shapeText(c.shape).c_str(),
                    row.note.c_str());
    }
    series.push_back(std::move(line));
  }
  writePlot(options.plotPath, "fraction of copy bandwidth, " + context.deviceName(),
            "sequence length T", series, 0.85);
  std::printf("plot: %s (dashed: 85%%)\n", options.plotPath.c_str());
}

} // namespace

int runGpuBench(Context &context, const GpuOptions &options) {
  // The heuristic's choice, or each given tiling.
  std::vector<std::string> tilings =
      options.tilings.empty() ? std::vector<std::string>{""} : options.tilings;
  const CudaDriver &driver = CudaDriver::get();
  Timer timer(driver);
  std::vector<Case> cases =
      selectedCases(options.kernels, options.shapes, options.small, options.dtype);
  std::printf("device: %s\n", context.deviceName().c_str());
  size_t copyBytes = options.small ? (size_t(256) << 20) : (size_t(1) << 30);
  double copy = copyBandwidth(timer, context, copyBytes, 20);
  std::printf("device-to-device copy: %.0f GB/s (%zu MiB, read + write counted)\n", copy / 1e9,
              copyBytes >> 20);
  std::vector<Row> rows;
  for (const Case &c : cases) {
    for (const std::string &tiling : tilings) {
      std::fprintf(stderr, "mmrec-bench: %s %s %s %s...\n", c.kernel.c_str(),
                   shapeText(c.shape).c_str(), dtypeName(c.dtype),
                   tiling.empty() ? "" : (tiling + " ").c_str());
      // A case that cannot run (memory, a tiling the lowering rejects) is a
      // row that says why; the others still run and the files are written.
      try {
        rows.push_back(measure(timer, context, c, tiling, options, copy));
      } catch (const Error &error) {
        Row row{c, tiling};
        row.note = error.what();
        rows.push_back(row);
      }
      // The row as soon as it is measured: a run cut short keeps it.
      const Row &row = rows.back();
      if (row.verified)
        std::fprintf(stderr, "mmrec-bench:   %.2f us, %.1f%% of copy\n", row.micros,
                     100 * row.fraction);
    }
  }

  std::printf("\n%-18s %-16s %-5s %10s %9s %8s %10s %6s %9s %9s  %s\n", "kernel", "shape", "dtype",
              "time us", "GB/s", "of copy", "target", "met", "graph us", "error", "tiling");
  for (const Row &r : rows) {
    std::string target = !r.hasTarget() ? std::string("-")
                         : r.target.maxMicros > 0
                             ? "<=" + std::to_string(int(r.target.maxMicros)) + " us"
                             : ">=" + std::to_string(int(r.target.minFraction * 100)) + "%";
    std::printf("%-18s %-16s %-5s %10.2f %9.0f %7.1f%% %10s %6s %9.2f %9.1e  %s%s\n",
                r.target.kernel.c_str(), shapeText(r.target.shape).c_str(),
                dtypeName(r.target.dtype), r.micros, r.gbps, 100 * r.fraction, target.c_str(),
                !r.hasTarget() ? "-"
                : r.met()      ? "yes"
                               : "no",
                r.graphMicros, r.error, r.tiling.empty() ? "default" : r.tiling.c_str(),
                r.note.empty() ? "" : ("  " + r.note).c_str());
  }
  if (!options.csvPath.empty()) {
    std::ofstream csv(options.csvPath);
    csv << "kernel,shape,dtype,time_us,bytes,gb_per_s,fraction_of_copy,copy_gb_per_s,"
           "target_fraction,target_us,met,relative_error,tiling,graph_time_us\n";
    // A row with no target leaves its target columns empty.
    for (const Row &r : rows) {
      csv << r.target.kernel << "," << shapeText(r.target.shape) << "," << dtypeName(r.target.dtype)
          << "," << r.micros << "," << r.bytes << "," << r.gbps << "," << r.fraction << ","
          << copy / 1e9 << ",";
      if (r.hasTarget())
        csv << r.target.minFraction << "," << r.target.maxMicros << "," << (r.met() ? 1 : 0);
      else
        csv << ",,";
      csv << "," << r.error << ",\"" << r.tiling << "\"," << r.graphMicros << "\n";
    }
  }
  if (!options.jsonPath.empty()) {
    std::ofstream json(options.jsonPath);
    json << "{\n  \"device\": \"" << context.deviceName() << "\",\n  \"copy_gb_per_s\": "
         << copy / 1e9 << ",\n  \"results\": [\n";
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row &r = rows[i];
      json << "    {\"kernel\": \"" << r.target.kernel << "\", \"shape\": \""
           << shapeText(r.target.shape) << "\", \"dtype\": \"" << dtypeName(r.target.dtype)
           << "\", \"time_us\": " << r.micros << ", \"bytes\": " << r.bytes
           << ", \"gb_per_s\": " << r.gbps << ", \"fraction_of_copy\": " << r.fraction
           << ", \"target_fraction\": ";
      // A row with no target has null for its target's fields.
      if (r.hasTarget())
        json << r.target.minFraction << ", \"target_us\": " << r.target.maxMicros
             << ", \"met\": " << (r.met() ? "true" : "false");
      else
        json << "null, \"target_us\": null, \"met\": null";
      json << ", \"verified\": " << (r.verified ? "true" : "false")
           << ", \"relative_error\": " << r.error << ", \"tiling\": \"" << r.tiling
           << "\", \"graph_time_us\": " << r.graphMicros << "}" << (i + 1 < rows.size() ? "," : "")
           << "\n";
    }
    json << "  ]\n}\n";
  }
  if (options.launchOverhead)
    launchOverhead(timer, context);
  // After the table's files: a plot that cannot be written loses nothing else.
  if (!options.plotPath.empty())
    plot(timer, context, options, copy);
  for (const Row &r : rows)
    if (!r.verified) {
      std::fprintf(stderr, "mmrec-bench: %s %s: %s\n", r.target.kernel.c_str(),
                   shapeText(r.target.shape).c_str(), r.note.c_str());
      return 1;
    }
  return 0;
}

} // namespace mmrec::bench
