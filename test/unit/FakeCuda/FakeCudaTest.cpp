//===- FakeCudaTest.cpp - the runtime's CUDA host paths, without a GPU ----===//
//
// Runs with MMREC_CUDA_DRIVER naming the fake driver (FakeCuda.cpp; ctest
// sets it): every library kernel compiles to PTX in every dtype and
// variant, the heuristic's choices, scratch and tile state per stream, and
// graph-capture errors are checked where there is no GPU. No kernel runs:
// what kernels compute is CudaTest's and the scan suite's, on a GPU.
//
//===----------------------------------------------------------------------===//

#include "Runtime/TestKernels.h"
#include "KernelInternals.h"
#include "mmrec/Context.h"
#include "mmrec/Library.h"

#include <cuda.h>
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>

using namespace mmrec;

namespace {

/// The fake driver library, as the runtime loaded it.
void *fakeDriver() {
  const char *path = std::getenv("MMREC_CUDA_DRIVER");
  return path ? dlopen(path, RTLD_NOW | RTLD_NOLOAD) : nullptr;
}

#define REQUIRE_FAKE_DRIVER()                                                                    \
  if (!std::getenv("MMREC_CUDA_DRIVER"))                                                         \
  GTEST_SKIP() << "MMREC_CUDA_DRIVER does not name the fake driver (ctest sets it)"

Context &fakeGpu() {
  static Context context(Device::CUDA);
  return context;
}

template <typename Function> Function fakeEntry(const char *name) {
  using GetProc = CUresult (*)(const char *, void **, int, cuuint64_t,
                               CUdriverProcAddressQueryResult *);
  auto getProc = reinterpret_cast<GetProc>(dlsym(fakeDriver(), "cuGetProcAddress_v2"));
  void *function = nullptr;
  if (getProc)
    getProc(name, &function, 12000, 0, nullptr);
  return reinterpret_cast<Function>(function);
}

long launchesSoFar() {
  auto count = reinterpret_cast<long (*)()>(dlsym(fakeDriver(), "fakeCudaLaunches"));
  return count ? count() : -1;
}

CUstream newStream() {
  CUstream stream = nullptr;
  fakeEntry<decltype(&cuStreamCreate)>("cuStreamCreate")(&stream, 0);
  return stream;
}

void setCapturing(CUstream stream, bool capturing) {
  reinterpret_cast<void (*)(CUstream, int)>(dlsym(fakeDriver(), "fakeCudaSetCapturing"))(
      stream, capturing);
}

using test::kCumsum;

/// [T, N] f32 views over `in` and `out` (fake device memory: host memory no
/// kernel touches).
struct Views {
  DeviceBuffer in, out;
  TensorView views[2];
  Views(Context &ctx, int64_t T, int64_t N)
      : in(ctx, T * N * 4), out(ctx, T * N * 4),
        views{TensorView::contiguous(in.data(), DType::F32, {T, N}, Device::CUDA),
              TensorView::contiguous(out.data(), DType::F32, {T, N}, Device::CUDA)} {}
};

TEST(FakeCuda, TheRuntimeSeesAnH100) {
  REQUIRE_FAKE_DRIVER();
  EXPECT_EQ(fakeGpu().device(), Device::CUDA);
  EXPECT_NE(fakeGpu().deviceName().find("Fake H100"), std::string::npos)
      << fakeGpu().deviceName();
}

/// Device memory and contiguous views for a library problem's inputs, then
/// its outputs (nothing uploaded: the fake driver runs no kernel).
struct ProblemViews {
  std::vector<DeviceBuffer> memory;
  std::vector<TensorView> views;

  ProblemViews(Context &ctx, const library::Problem &problem) {
    for (auto *list : {&problem.inputs, &problem.outputs})
      for (const library::HostTensor &t : *list) {
        memory.emplace_back(ctx, t.bytes.size());
        views.push_back(
            TensorView::contiguous(memory.back().data(), t.dtype, t.shape, Device::CUDA));
      }
  }
};

/// Every library kernel, in every dtype, to PTX the driver accepts: the
/// generic and aligned variants at compile time, then the heuristic's
/// lookback variants of the scans at their first launch.
TEST(FakeCuda, LibraryKernelsCompileInEveryDtypeAndVariant) {
  REQUIRE_FAKE_DRIVER();
  Context &ctx = fakeGpu();
  for (const library::KernelInfo &info : library::kernels())
    for (DType dtype : {DType::BF16, DType::F16, DType::F32, DType::F64}) {
      SCOPED_TRACE(info.name + " " + nameOf(dtype));
      Kernel kernel;
      ASSERT_NO_THROW(kernel = library::compile(ctx, info.name, dtype));
      // 128 lanes (D, else the last dimension; the others 1 but T), T = 1024
      // and 65536: few lanes, so lookback, with few tiles and many.
      for (int64_t T : {1024, 65536}) {
        std::vector<int64_t> shape(info.defaultShape.size(), 1);
        std::string meaning = "," + info.shapeMeaning + ",";
        auto position = [&](const char *name) -> size_t {
          size_t at = meaning.find(name);
          return at == std::string::npos ? shape.size() - 1
                                         : std::count(meaning.begin(), meaning.begin() + at, ',');
        };
        shape[position(",D,")] = 128;
        shape[position(",T,")] = T;
        ProblemViews problem(ctx, library::randomProblem(info.name, dtype, shape, 1));
        EXPECT_NO_THROW(KernelInternals::cudaLaunches(kernel, problem.views.data(),
                                                      problem.views.size(), nullptr))
            << "T = " << T;
      }
    }
}

/// Scans without a tiling: `lanes` with many lanes on short axes (at most
/// 64 steps), a thread per 4 f32 lanes (16-byte vectors) in blocks of 128;
/// else lookback, with the heuristic's tiles (128-thread blocks) whatever
/// the number of tiles.
TEST(FakeCuda, HeuristicPicksStrategyAndTiles) {
  REQUIRE_FAKE_DRIVER();
  Context &ctx = fakeGpu();
  Kernel kernel = ctx.compile(kCumsum, "cumsum");
  struct Case {
    int64_t T, N;
    bool lookback;
    unsigned grid, block; // grid: of `lanes`
  } cases[] = {{3, 600000, false, 1172, 128}, {64, 300000, false, 586, 128},
               {65, 300000, true, 0, 128},    {1000, 37, true, 0, 128},
               {3000, 517, true, 0, 128},     {40000, 512, true, 0, 128},
               {33792, 128, true, 0, 128}};
  for (auto [T, N, lookback, grid, block] : cases) {
    Views v(ctx, T, N);
    std::vector<RawCudaLaunch> launches = KernelInternals::cudaLaunches(kernel, v.views, 2, nullptr);
    ASSERT_EQ(launches.size(), 1u);
    EXPECT_EQ(launches[0].lookback, lookback) << T << "x" << N;
    EXPECT_EQ(launches[0].block, block) << T << "x" << N;
    if (!lookback) {
      EXPECT_EQ(launches[0].grid, grid) << T << "x" << N;
    }
  }
}

/// The lookback tiles by what a thread stages: one bf16 input
/// (assoc_scan_exp) 8 warps (4 on short chains), two (linear_recurrence) 4;
/// scans along the innermost axis (linear_recurrence_rows) 4 warps of their
/// own tiles.
TEST(FakeCuda, LookbackWarpsFollowTheStagedInputs) {
  REQUIRE_FAKE_DRIVER();
  Context &ctx = fakeGpu();
  struct Case {
    const char *name;
    std::vector<int64_t> shape;
    unsigned block;
  } cases[] = {{"assoc_scan_exp", {2, 8, 4096, 128}, 256u},
               {"assoc_scan_exp", {2, 8, 1024, 128}, 128u},
               {"linear_recurrence", {2, 8, 1024, 128}, 128u},
               {"linear_recurrence_rows", {2, 8, 128, 1024}, 128u}};
  for (const Case &c : cases) {
    Kernel kernel = library::compile(ctx, c.name, DType::BF16);
    ProblemViews problem(ctx, library::randomProblem(c.name, DType::BF16, c.shape, 1));
    std::vector<RawCudaLaunch> launches =
        KernelInternals::cudaLaunches(kernel, problem.views.data(), problem.views.size(), nullptr);
    ASSERT_EQ(launches.size(), 1u) << c.name;
    EXPECT_TRUE(launches[0].lookback) << c.name;
    EXPECT_EQ(launches[0].block, c.block) << c.name << " " << c.shape[2];
  }
}

/// Two bf16 inputs a point (linear_recurrence) take their tiles by the
/// launch's chains (at most 3 an SM of 64 lanes: 396 on the fake H100;
/// [7, 32, 8192, 128] has 448, [6, ...] 384):
/// many chains 128 steps x 128 lanes of 16-byte vectors, few 256 x 64 of 8
/// warps, short ones 128 x 64 with rounds of 8 tiles. One input
/// (assoc_scan_exp) keeps its 8-warp tiles on many chains and few, takes 4
/// warps on short ones. Scans along the innermost axis with two bf16
/// inputs (linear_recurrence_rows) take theirs by rows, or by the axis
/// where it is short. Only shapes are read: the views share a few bytes.
TEST(FakeCuda, LookbackTilesFollowTheChains) {
  REQUIRE_FAKE_DRIVER();
  Context &ctx = fakeGpu();
  DeviceBuffer memory(ctx, 64);
  // Each shape's tiling contains its expected tiles.
  using Cases = std::vector<std::pair<std::vector<int64_t>, const char *>>;
  auto expectTiles = [&](const char *name, size_t args, const Cases &cases) {
    Kernel kernel = library::compile(ctx, name, DType::BF16);
    for (const auto &[shape, tiles] : cases) {
      std::vector<TensorView> views(
          args, TensorView::contiguous(memory.data(), DType::BF16, shape, Device::CUDA));
      std::string text = KernelInternals::lookbackTiling(kernel, views.data(), views.size());
      EXPECT_NE(text.find(tiles), std::string::npos)
          << name << " " << shape[0] << "x" << shape[1] << "x" << shape[2] << "x" << shape[3]
          << ": " << text;
    }
  };
  const char *many = "chunk = 128, lanes = 128, vector = 8, warps = 4>",
             *few = "chunk = 256, lanes = 64, vector = 4, warps = 8>",
             *shortChains = "chunk = 128, lanes = 64, vector = 4, warps = 4, window = 8>";
  expectTiles("linear_recurrence", 3,
              {{{8, 32, 8192, 128}, many},
               {{7, 32, 8192, 128}, many},
               {{6, 32, 8192, 128}, few},
               {{4, 32, 8192, 128}, few},
               {{2, 8, 32768, 128}, few},
               {{2, 8, 4096, 128}, few},
               {{2, 8, 1024, 128}, shortChains}});
  // One input: 8 warps but for short chains, whose tiles start at once.
  const char *eightWarps = "chunk = 128, lanes = 128, vector = 4, warps = 8>";
  expectTiles("assoc_scan_exp", 2,
              {{{8, 32, 8192, 128}, eightWarps},
               {{64, 64, 256, 128}, eightWarps}, // many lanes, but 256 steps
               {{2, 8, 32768, 128}, eightWarps},
               {{2, 8, 1024, 128}, shortChains}});
  // Along the innermost axis, by rows (at most 64 an SM: 8448): many
  // rows 256 steps x 16 lanes, 4 a thread; fewer 512 x 4, 2 a thread.
  const char *manyRows = "chunk = 256, lanes = 16, vector = 4, warps = 4>",
             *fewRows = "chunk = 512, lanes = 4, vector = 2, warps = 4>";
  expectTiles("linear_recurrence_rows", 3,
              {{{8, 32, 128, 8192}, manyRows},
               {{4, 32, 128, 8192}, manyRows},
               {{5, 16, 128, 8192}, manyRows},
               {{9, 8, 128, 8192}, manyRows},
               {{1, 1, 8449, 1024}, manyRows},
               {{1, 1, 8448, 1024}, fewRows},
               {{4, 16, 128, 16384}, fewRows},
               {{2, 8, 128, 32768}, fewRows},
               {{2, 8, 128, 1024}, fewRows},
               {{2, 8, 128, 129}, fewRows}});
  // ... on axes of at most 16 runs of 8 steps, tiles as long as the axis
  // (never `lanes`, whatever the rows).
  expectTiles("linear_recurrence_rows", 3,
              {{{1024, 128, 128, 8}, "chunk = 16, lanes = 128, vector = 2, warps = 4>"},
               {{512, 128, 128, 16}, "chunk = 16, lanes = 128, vector = 2, warps = 4>"},
               {{256, 128, 128, 32}, "chunk = 32, lanes = 64, vector = 2, warps = 4>"},
               {{128, 128, 128, 33}, "chunk = 64, lanes = 64, vector = 4, warps = 4>"},
               {{2, 8, 128, 64}, "chunk = 64, lanes = 64, vector = 4, warps = 4>"},
               {{64, 128, 128, 96}, "chunk = 128, lanes = 32, vector = 4, warps = 4>"},
               {{64, 128, 128, 128}, "chunk = 128, lanes = 32, vector = 4, warps = 4>"}});
}

/// Where every tile of a launch starts at once (at most 2 an SM) and each
/// chain of tiles along the axis has 3 to 8 of them, the look-back reads 8
/// tiles a round: the heuristic's tiles with `window = 8` (cumsum's: 128
/// steps x 64 lanes; linear_recurrence_rows': 512 x 4), else without.
TEST(FakeCuda, ShortChainsLookBackOverEightTiles) {
  REQUIRE_FAKE_DRIVER();
  Context &ctx = fakeGpu();
  Kernel kernel = ctx.compile(kCumsum, "cumsum");
  struct Case {
    int64_t T, N;
    bool window;
  } cases[] = {{1, 37, false},        {256, 37, false},      {257, 37, true},
               {1024, 37, true},      {1025, 37, false},     {40000, 37, false},
               {1024, 33 * 64, true}, {1024, 34 * 64, false}};
  for (auto [T, N, window] : cases) {
    Views v(ctx, T, N);
    std::string tiling = KernelInternals::lookbackTiling(kernel, v.views, 2);
    EXPECT_NE(tiling.find("chunk = 128, lanes = 64, vector = 4"), std::string::npos)
        << T << ": " << tiling;
    EXPECT_EQ(tiling.find("window = 8") != std::string::npos, window)
        << T << "x" << N << ": " << tiling;
    std::vector<RawCudaLaunch> launches =
        KernelInternals::cudaLaunches(kernel, v.views, 2, nullptr);
    ASSERT_EQ(launches.size(), 1u);
    EXPECT_TRUE(launches[0].lookback) << T;
  }
  Kernel rows = library::compile(ctx, "linear_recurrence_rows", DType::BF16);
  for (auto [shape, window] : {std::pair{std::vector<int64_t>{1, 1, 16, 4096}, true},
                               std::pair{std::vector<int64_t>{1, 1, 16, 4097}, false},
                               std::pair{std::vector<int64_t>{2, 8, 128, 1024}, false}}) {
    ProblemViews problem(ctx,
                         library::randomProblem("linear_recurrence_rows", DType::BF16, shape, 1));
    std::string tiling =
        KernelInternals::lookbackTiling(rows, problem.views.data(), problem.views.size());
    EXPECT_NE(tiling.find("chunk = 512, lanes = 4"), std::string::npos) << tiling;
    EXPECT_EQ(tiling.find("window = 8") != std::string::npos, window) << shape[3] << ": " << tiling;
  }
  // Many lanes on a short axis: `lanes`.
  Views wide(ctx, 3, 600000);
  EXPECT_EQ(KernelInternals::lookbackTiling(kernel, wide.views, 2), "");
}

/// A tiling whose staging buffer does not fit the static 48 KB (256 steps x
/// 128 bf16 lanes: 64 KB) takes it as dynamic shared memory: the kernel
/// loads (its opt-in set) and each launch gives its blocks those bytes; the
/// heuristic's tiles need none.
TEST(FakeCuda, LargeStagingTakesDynamicSharedMemory) {
  REQUIRE_FAKE_DRIVER();
  Context &ctx = fakeGpu();
  std::string text = library::withTiling(
      library::source("assoc_scan_exp", DType::BF16),
      "#mmrec.tiling<strategy = lookback, chunk = 256, lanes = 128, vector = 8, warps = 8>");
  ProblemViews problem(ctx,
                       library::randomProblem("assoc_scan_exp", DType::BF16,
                                              library::find("assoc_scan_exp").defaultShape, 1));
  for (auto [tiled, bytes] : {std::pair{true, 65536u}, std::pair{false, 0u}}) {
    Kernel kernel = tiled ? ctx.compile(text, "assoc_scan_exp")
                          : library::compile(ctx, "assoc_scan_exp", DType::BF16);
    std::vector<RawCudaLaunch> launches =
        KernelInternals::cudaLaunches(kernel, problem.views.data(), problem.views.size(), nullptr);
    ASSERT_EQ(launches.size(), 1u);
    EXPECT_TRUE(launches[0].lookback);
    EXPECT_EQ(launches[0].sharedBytes, bytes) << (tiled ? "tiled" : "heuristic");
  }
}

/// MMREC_LOOKBACK_BLOCKS_PER_SM caps a lookback kernel's grid at that many
/// blocks an SM (its blocks then take tiles until none is left); unset or
/// 0, a block a tile; anything but a count is an error. Read when a thread
/// plans new shapes: a fresh thread each time here.
TEST(FakeCuda, LookbackBlocksPerSmCapsTheGrid) {
  REQUIRE_FAKE_DRIVER();
  Context &ctx = fakeGpu();
  Kernel kernel = ctx.compile(kCumsum, "cumsum");
  Views v(ctx, 40000, 512);
  auto gridWith = [&](const char *blocks) {
    if (blocks)
      setenv("MMREC_LOOKBACK_BLOCKS_PER_SM", blocks, 1);
    else
      unsetenv("MMREC_LOOKBACK_BLOCKS_PER_SM");
    std::vector<RawCudaLaunch> launches;
    std::string error;
    std::thread([&] {
      try {
        launches = KernelInternals::cudaLaunches(kernel, v.views, 2, nullptr);
      } catch (const Error &e) {
        error = e.what();
      }
    }).join();
    unsetenv("MMREC_LOOKBACK_BLOCKS_PER_SM");
    if (!error.empty())
      return error;
    EXPECT_EQ(launches.size(), 1u);
    EXPECT_TRUE(launches.at(0).lookback);
    return std::to_string(launches.at(0).grid);
  };
  std::string tiles = gridWith(nullptr);
  EXPECT_GT(std::stoll(tiles), 2 * 132);
  EXPECT_EQ(gridWith("0"), tiles);
  EXPECT_EQ(gridWith("2"), std::to_string(2 * 132));
  EXPECT_EQ(gridWith("100000"), tiles);
  for (const char *bad : {"two", "-1", "3x"})
    EXPECT_NE(gridWith(bad).find("MMREC_LOOKBACK_BLOCKS_PER_SM must be a count"), std::string::npos)
        << bad;
}

/// A thread keeps the launch plan of its last shapes (grids, scratch and
/// tile state sizes): launches that change the shapes, the strategy or the
/// variant (an unaligned view at the same shapes takes the generic code) must
/// pass what a thread without that memo passes.
TEST(FakeCuda, LaunchPlansFollowTheShapes) {
  REQUIRE_FAKE_DRIVER();
  Context &ctx = fakeGpu();
  Kernel kernel = ctx.compile(kCumsum, "cumsum");
  DeviceBuffer in(ctx, (4000 * 512 + 1) * 4), out(ctx, (4000 * 512 + 1) * 4);
  auto views = [&](int64_t T, int64_t N, int64_t offset) {
    char *a = static_cast<char *>(in.data()) + 4 * offset;
    char *b = static_cast<char *>(out.data()) + 4 * offset;
    return std::vector<TensorView>{TensorView::contiguous(a, DType::F32, {T, N}, Device::CUDA),
                                   TensorView::contiguous(b, DType::F32, {T, N}, Device::CUDA)};
  };
  // Lookback (rows of 37 floats: the generic code), again, at a longer axis
  // (same code), lanes, lookback again; aligned rows (512 floats) at two
  // shapes; the same shapes unaligned, and aligned again.
  const int64_t steps[][3] = {{1000, 37, 0},  {1000, 37, 0},  {2000, 37, 0},
                              {3, 600000, 0}, {1000, 37, 0},  {4000, 512, 0},
                              {2000, 512, 0}, {2000, 512, 1}, {2000, 512, 0}};
  for (auto [T, N, offset] : steps) {
    SCOPED_TRACE(std::to_string(T) + "x" + std::to_string(N) + " offset " + std::to_string(offset));
    std::vector<TensorView> args = views(T, N, offset);
    std::vector<RawCudaLaunch> memoized =
        KernelInternals::cudaLaunches(kernel, args.data(), args.size(), nullptr);
    std::vector<RawCudaLaunch> fresh;
    std::thread([&] {
      fresh = KernelInternals::cudaLaunches(kernel, args.data(), args.size(), nullptr);
    }).join();
    ASSERT_EQ(memoized.size(), fresh.size());
    for (size_t i = 0; i < fresh.size(); ++i) {
      EXPECT_EQ(memoized[i].function, fresh[i].function) << "launch " << i;
      EXPECT_EQ(memoized[i].grid, fresh[i].grid) << "launch " << i;
      EXPECT_EQ(memoized[i].block, fresh[i].block) << "launch " << i;
      EXPECT_EQ(memoized[i].lookback, fresh[i].lookback) << "launch " << i;
      EXPECT_EQ(memoized[i].words, fresh[i].words) << "launch " << i;
    }
  }
}

/// Launches of one kernel on two streams get their own tile state (the last
/// parameter of a lookback kernel); launches on one stream share it.
TEST(FakeCuda, EachStreamHasItsOwnTileState) {
  REQUIRE_FAKE_DRIVER();
  Context &ctx = fakeGpu();
  Kernel kernel = ctx.compile(kCumsum, "cumsum");
  Views v(ctx, 1000, 37);
  CUstream first = newStream(), second = newStream();
  auto tileState = [&](CUstream stream) {
    std::vector<RawCudaLaunch> launches = KernelInternals::cudaLaunches(kernel, v.views, 2, stream);
    EXPECT_TRUE(launches.at(0).lookback);
    // A memref<?xi32> last: pointers, offset, size, stride.
    const std::vector<int64_t> &words = launches.at(0).words;
    return words.at(words.size() - 4);
  };
  int64_t onFirst = tileState(first), onSecond = tileState(second);
  EXPECT_NE(onFirst, onSecond);
  EXPECT_EQ(tileState(first), onFirst);
  EXPECT_EQ(tileState(nullptr), tileState(nullptr));
  EXPECT_NE(tileState(nullptr), onFirst);
}

/// A launch that would allocate during graph capture throws and says what
/// to do; after a launch outside capture, the same shape captures.
TEST(FakeCuda, AllocatingDuringCaptureThrows) {
  REQUIRE_FAKE_DRIVER();
  Context &ctx = fakeGpu();
  Kernel kernel = ctx.compile(kCumsum, "cumsum");
  Views v(ctx, 1000, 37);
  CUstream stream = newStream();
  setCapturing(stream, true);
  long before = launchesSoFar();
  try {
    kernel.launch(v.views, 2, stream);
    ADD_FAILURE() << "a launch allocated its tile state during capture";
  } catch (const Error &error) {
    EXPECT_NE(std::string(error.what()).find("before capturing"), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(launchesSoFar(), before);
  setCapturing(stream, false);
  kernel.launch(v.views, 2, stream);
  setCapturing(stream, true);
  EXPECT_NO_THROW(kernel.launch(v.views, 2, stream));
  EXPECT_EQ(launchesSoFar(), before + 2);
}

} // namespace
