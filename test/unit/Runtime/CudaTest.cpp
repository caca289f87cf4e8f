//===- CudaTest.cpp - the CUDA backend on a GPU ---------------------------===//
//
// Runs on a GPU when one is present (a CUDA driver and a device); without
// one every test here reports itself skipped, with the reason. What a
// user's program does around mmrec (streams, CUDA graphs) goes through the
// runtime's driver table, in the primary context mmrec uses.
//
//===----------------------------------------------------------------------===//

#include "CudaDriver.h"
#include "GpuContext.h"
#include "KernelInternals.h"
#include "TestKernels.h"
#include "mmrec/Context.h"
#include "mmrec/Library.h"

#include <cuda.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

using namespace mmrec;

namespace {

#define REQUIRE_GPU(ctx)                                                                         \
  std::string missing;                                                                           \
  Context *ctx = test::gpuContext(missing);                                                      \
  if (!ctx)                                                                                      \
  GTEST_SKIP() << "no GPU: " << missing

/// The runtime's driver table, with the device's primary context (mmrec's)
/// current on the test thread.
const CudaDriver &driverInPrimaryContext() {
  static const CudaDriver &driver = []() -> const CudaDriver & {
    const CudaDriver &d = CudaDriver::get();
    CUdevice device;
    CUcontext primary;
    if (d.cuDeviceGet(&device, 0) != CUDA_SUCCESS ||
        d.cuDevicePrimaryCtxRetain(&primary, device) != CUDA_SUCCESS ||
        d.cuCtxPushCurrent(primary) != CUDA_SUCCESS)
      throw Error("test: cannot make the primary context current");
    return d;
  }();
  return driver;
}

#define CU(call) ASSERT_EQ((call), CUDA_SUCCESS) << #call

/// One launch of `kernel` captured on `stream` into an instantiated graph.
struct Captured {
  CUgraph graph = nullptr;
  CUgraphExec exec = nullptr;
};

Captured capture(const CudaDriver &driver, CUstream stream, const Kernel &kernel,
                 const TensorView *views, size_t count) {
  Captured captured;
  EXPECT_EQ(driver.cuStreamBeginCapture(stream, CU_STREAM_CAPTURE_MODE_GLOBAL), CUDA_SUCCESS);
  kernel.launch(views, count, stream);
  EXPECT_EQ(driver.cuStreamEndCapture(stream, &captured.graph), CUDA_SUCCESS);
  EXPECT_EQ(driver.cuGraphInstantiateWithFlags(&captured.exec, captured.graph, 0), CUDA_SUCCESS);
  return captured;
}

TEST(CudaTest, DefaultDeviceIsTheGpu) {
  REQUIRE_GPU(ctx);
  if (const char *env = std::getenv("MMREC_DEVICE"); env && *env)
    GTEST_SKIP() << "MMREC_DEVICE=" << env << " chooses the device";
  EXPECT_EQ(Context().device(), Device::CUDA);
}

TEST(CudaTest, LibraryKernelsInEveryDtype) {
  REQUIRE_GPU(ctx);
  for (const library::KernelInfo &info : library::kernels())
    for (DType dtype : {DType::BF16, DType::F16, DType::F32, DType::F64}) {
      // 37 lanes: several blocks of threads, a partial last one.
      std::vector<int64_t> shape = info.defaultShape.size() == 4 ? std::vector<int64_t>{2, 3, 70, 37}
                                                                 : std::vector<int64_t>{2, 300, 37};
      library::RunReport report =
          library::runAndVerify(*ctx, info.name, dtype, shape, std::random_device{}(), 0);
      EXPECT_TRUE(report.passed())
          << info.name << " " << nameOf(dtype) << ": relative error " << report.relativeError
          << " > " << report.tolerance << (report.nanFound ? " (NaN)" : "");
    }
}

using library::withTiling;

using test::kCumsum;

/// The library's scans with the chunked strategy and short chunks: combining
/// chunk and run aggregates must carry what the combiner reads of the later
/// aggregate (linear_recurrence's cumulative decay, which no output uses).
TEST(CudaTest, LibraryScansChunkedAndLookback) {
  REQUIRE_GPU(ctx);
  const char *tilings[] = {
      "#mmrec.tiling<strategy = chunked, chunk = 4, lanes = 256, vector = 2, warps = 4>",
      "#mmrec.tiling<strategy = chunked, chunk = 32, lanes = 8, vector = 1, warps = 2>",
      "#mmrec.tiling<strategy = chunked, chunk = 64, lanes = 64, vector = 1, warps = 4>",
      "#mmrec.tiling<strategy = lookback, chunk = 8, lanes = 16, vector = 1, warps = 2>",
      "#mmrec.tiling<strategy = lookback, chunk = 64, lanes = 32, vector = 1, warps = 4>",
      "#mmrec.tiling<strategy = lanes, chunk = 64, lanes = 256, vector = 8, warps = 2>",
      "#mmrec.tiling<strategy = lookback, chunk = 32, lanes = 64, vector = 8, warps = 2>",
      "#mmrec.tiling<strategy = chunked, chunk = 32, lanes = 64, vector = 4, warps = 2>",
      // Staging in dynamic shared memory (f32: 128 KB).
      "#mmrec.tiling<strategy = lookback, chunk = 128, lanes = 256, vector = 8, warps = 8>"};
  // Rows of 37 f32 are not 16-byte aligned (the generic code); rows of 44
  // are (16-byte vectors, and a last lane block of 4 lanes).
  for (int64_t lanes : {37, 44})
    for (const char *tiling : tilings)
      for (const char *name : {"assoc_scan_exp", "linear_recurrence", "linear_recurrence_h0",
                               "linear_recurrence_rows", "decayed_sum"}) {
        std::string text = withTiling(library::source(name, DType::F32), tiling);
        std::vector<int64_t> shape = {2, 3, 150, lanes};
        library::RunReport report = library::runAndVerify(*ctx, name, DType::F32, shape,
                                                          std::random_device{}(), 0, text);
        EXPECT_TRUE(report.passed()) << name << " with " << tiling << ", " << lanes
                                     << " lanes: relative error " << report.relativeError
                                     << (report.nanFound ? " (NaN)" : "");
      }
}

/// Launches `kernel` (kCumsum with some tiling) on a random [T, N] f32 view
/// whose rows are `rowStride` floats apart, from `offset` floats past an
/// allocation, and checks every output against the running sum.
void expectCumsum(Context &ctx, const Kernel &kernel, std::mt19937 &rng, int64_t T, int64_t N,
                  int64_t rowStride, int64_t offset, const std::string &what) {
  size_t elements = offset + T * rowStride + 1;
  std::vector<float> host(elements), out(elements, NAN);
  for (float &v : host)
    v = std::uniform_real_distribution<float>(-1, 1)(rng);
  DeviceBuffer in(ctx, elements * 4), result(ctx, elements * 4);
  in.upload(host.data(), elements * 4);
  result.upload(out.data(), elements * 4);
  auto view = [&](DeviceBuffer &buffer) {
    return TensorView{static_cast<float *>(buffer.data()) + offset, DType::F32, {T, N},
                      {rowStride, 1}, Device::CUDA};
  };
  kernel.launch({view(in), view(result)});
  result.download(out.data(), elements * 4);
  for (int64_t n = 0; n < N; ++n) {
    double sum = 0;
    for (int64_t t = 0; t < T; ++t) {
      size_t at = offset + t * rowStride + n;
      sum += host[at];
      ASSERT_NEAR(out[at], sum, 1e-3) << what << ": " << T << "x" << N << " rows of "
                                      << rowStride << " at +" << offset << ", t " << t << ", n "
                                      << n;
    }
  }
}

/// A kernel with 16-byte lane vectors launched on views whose rows are
/// aligned (the aligned code) and on views whose data, row stride or row
/// length are not (the generic code): every output must be right.
TEST(CudaTest, AlignedAndUnalignedViews) {
  REQUIRE_GPU(ctx);
  Kernel kernel = ctx->compile(withTiling(kCumsum,
                                          "#mmrec.tiling<strategy = lanes, chunk = 64, "
                                          "lanes = 256, vector = 8, warps = 2>"),
                               "cumsum");
  std::mt19937 rng(std::random_device{}());
  // Aligned rows of 40 and 36 (a last lane block of 4); rows of 37; a row
  // stride of 42 floats (168 bytes); data one float past an aligned address.
  const int64_t cases[][4] = {{300, 40, 40, 0}, {300, 36, 36, 0}, {300, 37, 37, 0},
                              {300, 40, 42, 0}, {300, 40, 40, 1}};
  for (auto [T, N, rowStride, offset] : cases)
    expectCumsum(*ctx, kernel, rng, T, N, rowStride, offset, "vectors of 8");
}

/// Scans without a tiling: the heuristic runs a launch with `lookback` when
/// it has fewer lanes than 2048 a multiprocessor, else with `lanes`; with
/// lookback, its tiles (128 steps, 4 warps) with few tiles or many. All must
/// be right, on aligned and unaligned rows.
TEST(CudaTest, HeuristicPicksTheStrategyByLanes) {
  REQUIRE_GPU(ctx);
  Kernel kernel = ctx->compile(kCumsum, "cumsum");
  std::mt19937 rng(std::random_device{}());
  // f32: tiles of 128 steps x 32 lanes: 8 x 2 of them at [1000, 37], 313 x
  // 16 (more than any GPU's multiprocessors) at [40000, 512]; 600000 lanes
  // (lanes).
  struct Case {
    int64_t T, N;
    bool lookback;
    unsigned block; // threads a block
  } cases[] = {{1000, 37, true, 128},
               {40000, 512, true, 128},
               {3, 600000, false, 0},
               {3000, 517, true, 0},
               {20000, 64, true, 0}};
  for (auto [T, N, lookback, block] : cases) {
    DeviceBuffer in(*ctx, T * N * 4), out(*ctx, T * N * 4);
    TensorView views[] = {TensorView::contiguous(in.data(), DType::F32, {T, N}, Device::CUDA),
                          TensorView::contiguous(out.data(), DType::F32, {T, N}, Device::CUDA)};
    std::vector<RawCudaLaunch> launches = KernelInternals::cudaLaunches(kernel, views, 2, nullptr);
    ASSERT_EQ(launches.size(), 1u);
    EXPECT_EQ(launches[0].lookback, lookback) << T << "x" << N;
    if (block) {
      EXPECT_EQ(launches[0].block, block) << T << "x" << N;
    }
    expectCumsum(*ctx, kernel, rng, T, N, N, 0, "heuristic");
  }
}

/// One lookback kernel launched again and again at changing shapes (an
/// empty axis, one tile, many): each launch must leave the tile state ready
/// for the next (no tickets taken, a new epoch: the tags it wrote stale),
/// and every output must be right.
TEST(CudaTest, LookbackRelaunchesAtChangingShapes) {
  REQUIRE_GPU(ctx);
  // Tiny tiles, the heuristic's for f32 before session 13 (runs of 16
  // steps, vectors of 2), and larger ones (vectors of 4; runs of 16 and 32
  // steps).
  for (const char *tiling : {"#mmrec.tiling<strategy = lookback, chunk = 16, lanes = 8, "
                             "vector = 1, warps = 2>",
                             "#mmrec.tiling<strategy = lookback, chunk = 128, lanes = 32, "
                             "vector = 2, warps = 4>",
                             "#mmrec.tiling<strategy = lookback, chunk = 128, lanes = 128, "
                             "vector = 4, warps = 4>",
                             "#mmrec.tiling<strategy = lookback, chunk = 256, lanes = 128, "
                             "vector = 4, warps = 8>"}) {
    Kernel kernel = ctx->compile(withTiling(kCumsum, tiling), "cumsum");
    std::mt19937 rng(std::random_device{}());
    const int64_t shapes[][2] = {{1000, 37}, {5, 3},   {0, 4},    {20000, 70},
                                 {16, 8},    {300, 517}, {1000, 37}};
    for (auto [T, N] : shapes)
      for (int launch = 0; launch < 3; ++launch)
        expectCumsum(*ctx, kernel, rng, T, N, N, 0,
                     std::string(tiling) + ", launch " + std::to_string(launch));
  }
}

TEST(CudaTest, LongSequencesAndManyLanes) {
  REQUIRE_GPU(ctx);
  for (std::vector<int64_t> shape : {std::vector<int64_t>{1, 1, 65536, 3},
                                     std::vector<int64_t>{2, 8, 1024, 128}}) {
    library::RunReport report = library::runAndVerify(*ctx, "linear_recurrence", DType::BF16,
                                                      shape, std::random_device{}(), 0);
    EXPECT_TRUE(report.passed()) << "relative error " << report.relativeError;
  }
}

/// A cumulative sum over axis 0 of a [T, N] f32 view, captured in a CUDA
/// graph on a stream of the caller's and replayed on new inputs.
TEST(CudaTest, GraphCaptureAndReplay) {
  REQUIRE_GPU(ctx);
  const CudaDriver &driver = driverInPrimaryContext();
  Kernel kernel = ctx->compile(kCumsum,
                               "cumsum");
  const int64_t T = 300, N = 517;
  std::vector<float> host(T * N), out(T * N);
  DeviceBuffer in(*ctx, host.size() * 4), result(*ctx, out.size() * 4);
  TensorView views[] = {TensorView::contiguous(in.data(), DType::F32, {T, N}, Device::CUDA),
                        TensorView::contiguous(result.data(), DType::F32, {T, N}, Device::CUDA)};
  CUstream stream;
  CU(driver.cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING));
  // 517 lanes: the heuristic runs the scan with lookback, whose tile state
  // the first launch allocates; capture after it.
  kernel.launch(views, 2, stream);
  CU(driver.cuStreamSynchronize(stream));
  Captured graph = capture(driver, stream, kernel, views, 2);
  std::mt19937 rng(7);
  for (int replay = 0; replay < 3; ++replay) {
    for (float &v : host)
      v = std::uniform_real_distribution<float>(-1, 1)(rng);
    in.upload(host.data(), host.size() * 4);
    CU(driver.cuGraphLaunch(graph.exec, stream));
    CU(driver.cuStreamSynchronize(stream));
    result.download(out.data(), out.size() * 4);
    for (int64_t n = 0; n < N; ++n) {
      double sum = 0;
      for (int64_t t = 0; t < T; ++t) {
        sum += host[t * N + n];
        ASSERT_NEAR(out[t * N + n], sum, 1e-4) << "replay " << replay << ", t " << t;
      }
    }
  }
  driver.cuGraphExecDestroy(graph.exec);
  driver.cuGraphDestroy(graph.graph);
  driver.cuStreamDestroy(stream);
}

/// One kernel launched on two streams at once, again and again, at two
/// shapes that the heuristic runs with lookback (and one with chunked
/// scratch): each stream has its own tile state and scratch, so every
/// output must be right.
TEST(CudaTest, ConcurrentStreams) {
  REQUIRE_GPU(ctx);
  const CudaDriver &driver = driverInPrimaryContext();
  for (const char *tiling :
       {"", "#mmrec.tiling<strategy = chunked, chunk = 32, lanes = 8, vector = 1, warps = 2>"}) {
    Kernel kernel = ctx->compile(*tiling ? withTiling(kCumsum, tiling) : std::string(kCumsum),
                                 "cumsum");
    struct Launches {
      int64_t T, N;
      CUstream stream = nullptr;
      std::vector<float> host, out;
      std::unique_ptr<DeviceBuffer> in, result;
    } sides[] = {{3000, 517}, {700, 64}};
    std::mt19937 rng(11);
    for (Launches &side : sides) {
      CU(driver.cuStreamCreate(&side.stream, CU_STREAM_NON_BLOCKING));
      side.host.resize(side.T * side.N);
      side.out.assign(side.host.size(), NAN);
      for (float &v : side.host)
        v = std::uniform_real_distribution<float>(-1, 1)(rng);
      side.in = std::make_unique<DeviceBuffer>(*ctx, side.host.size() * 4);
      side.result = std::make_unique<DeviceBuffer>(*ctx, side.host.size() * 4);
      side.in->upload(side.host.data(), side.host.size() * 4);
    }
    for (int launch = 0; launch < 50; ++launch)
      for (Launches &side : sides) {
        TensorView views[] = {
            TensorView::contiguous(side.in->data(), DType::F32, {side.T, side.N}, Device::CUDA),
            TensorView::contiguous(side.result->data(), DType::F32, {side.T, side.N},
                                   Device::CUDA)};
        kernel.launch(views, 2, side.stream);
      }
    for (Launches &side : sides) {
      CU(driver.cuStreamSynchronize(side.stream));
      side.result->download(side.out.data(), side.out.size() * 4);
      for (int64_t n = 0; n < side.N; ++n) {
        double sum = 0;
        for (int64_t t = 0; t < side.T; ++t) {
          sum += side.host[t * side.N + n];
          ASSERT_NEAR(side.out[t * side.N + n], sum, 1e-3)
              << (*tiling ? tiling : "heuristic") << ": " << side.T << "x" << side.N << ", t "
              << t << ", n " << n;
        }
      }
      driver.cuStreamDestroy(side.stream);
    }
  }
}

/// A kernel with scratch (the chunked strategy) inside graph capture: it
/// must have its scratch from an earlier launch; without one, the launch
/// says so and the capture stays usable.
TEST(CudaTest, GraphCaptureWithScratch) {
  REQUIRE_GPU(ctx);
  const CudaDriver &driver = driverInPrimaryContext();
  std::string text = withTiling(
      library::source("linear_recurrence", DType::F32),
      "#mmrec.tiling<strategy = chunked, chunk = 32, lanes = 8, vector = 1, warps = 2>");
  std::vector<int64_t> shape{2, 2, 300, 20};
  size_t bytes = 2 * 2 * 300 * 20 * 4;
  DeviceBuffer a(*ctx, bytes), b(*ctx, bytes), h(*ctx, bytes);
  std::vector<float> ones(bytes / 4, 1.0f), out(bytes / 4);
  a.upload(ones.data(), bytes);
  b.upload(ones.data(), bytes);
  TensorView views[] = {TensorView::contiguous(a.data(), DType::F32, shape, Device::CUDA),
                        TensorView::contiguous(b.data(), DType::F32, shape, Device::CUDA),
                        TensorView::contiguous(h.data(), DType::F32, shape, Device::CUDA)};
  CUstream stream;
  CU(driver.cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING));
  {
    Kernel fresh = ctx->compile(text, "linear_recurrence");
    CU(driver.cuStreamBeginCapture(stream, CU_STREAM_CAPTURE_MODE_GLOBAL));
    try {
      fresh.launch(views, 3, stream);
      ADD_FAILURE() << "a launch allocated during capture";
    } catch (const Error &error) {
      EXPECT_NE(std::string(error.what()).find("before capturing"), std::string::npos)
          << error.what();
    }
    CUgraph empty;
    CU(driver.cuStreamEndCapture(stream, &empty));
    driver.cuGraphDestroy(empty);
  }
  Kernel kernel = ctx->compile(text, "linear_recurrence");
  kernel.launch(views, 3, stream); // allocates the scratch
  CU(driver.cuStreamSynchronize(stream));
  Captured graph = capture(driver, stream, kernel, views, 3);
  std::vector<float> zeros(bytes / 4, 0.0f);
  h.upload(zeros.data(), bytes);
  CU(driver.cuGraphLaunch(graph.exec, stream));
  CU(driver.cuStreamSynchronize(stream));
  h.download(out.data(), bytes);
  // h[t] = h[t-1] + 1 from h[-1] = 0 along T = 300: t + 1.
  for (int64_t i = 0; i < 2 * 2 * 300; ++i)
    for (int64_t d = 0; d < 20; ++d)
      ASSERT_EQ(out[i * 20 + d], float(i % 300 + 1)) << "row " << i;
  driver.cuGraphExecDestroy(graph.exec);
  driver.cuGraphDestroy(graph.graph);
  driver.cuStreamDestroy(stream);
}

TEST(CudaTest, HostViewsAreRejected) {
  REQUIRE_GPU(ctx);
  Kernel kernel = library::compile(*ctx, "linear_recurrence", DType::F32);
  std::vector<float> a(2 * 2 * 8 * 4), b(a.size()), h(a.size(), NAN);
  std::vector<int64_t> shape{2, 2, 8, 4};
  DeviceBuffer da(*ctx, a.size() * 4), db(*ctx, b.size() * 4);
  try {
    kernel.launch({TensorView::contiguous(da.data(), DType::F32, shape, Device::CUDA),
                   TensorView::contiguous(db.data(), DType::F32, shape, Device::CUDA),
                   TensorView::contiguous(h.data(), DType::F32, shape, Device::CPU)});
    FAIL() << "a host view was accepted";
  } catch (const Error &error) {
    EXPECT_NE(std::string(error.what()).find("argument #2"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("is on cpu, expected cuda"), std::string::npos)
        << error.what();
  }
}

} // namespace
