//===- ContextTest.cpp - compile, launch, check, cache --------------------===//
//
// The runtime from C++ host code on the CPU: library kernels against float64
// references, non-contiguous views, every launch check (nothing written on
// bad input), the disk cache with corrupt entries, several threads.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Context.h"

#include "HostArray.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>

using namespace mmrec;
using test::fromBf16;
using test::toBf16;

namespace {

std::string kernelPath(const char *file) {
  return std::string(MMREC_SOURCE_DIR) + "/kernels/" + file;
}

/// A fresh cache directory per test, so tests do not see each other's code.
class RuntimeTest : public ::testing::Test {
protected:
  void SetUp() override {
    llvm::SmallString<128> dir;
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("mmrec-cache-test", dir));
    cacheDir = dir.str().str();
    setenv("MMREC_CACHE_DIR", cacheDir.c_str(), 1);
  }
  void TearDown() override { llvm::sys::fs::remove_directories(cacheDir); }

  std::vector<std::string> cacheFiles() {
    std::vector<std::string> files;
    std::error_code error;
    for (llvm::sys::fs::directory_iterator it(cacheDir, error), end; it != end && !error;
         it.increment(error))
      files.push_back(it->path());
    return files;
  }

  std::string cacheDir;
  std::mt19937 rng{7};
};

TEST_F(RuntimeTest, AssocScanExpFromFileMatchesFloat64) {
  Context context(Device::CPU);
  Kernel kernel = context.compileFile(kernelPath("assoc_scan_exp.mlir"), "assoc_scan_exp");
  EXPECT_EQ(kernel.name(), "assoc_scan_exp");
  EXPECT_EQ(kernel.numArgs(), 2u);
  const int64_t B = 2, H = 2, T = 513, D = 33;
  std::vector<uint16_t> gamma(B * H * T * D), y(gamma.size(), 0xffff);
  std::uniform_real_distribution<float> dist(0.05f, 0.95f);
  for (auto &g : gamma)
    g = toBf16(dist(rng));
  kernel.launch({TensorView::contiguous(gamma.data(), DType::BF16, {B, H, T, D}),
                 TensorView::contiguous(y.data(), DType::BF16, {B, H, T, D})});
  double err = 0, norm = 0;
  for (int64_t lane = 0; lane < B * H * D; ++lane) {
    double sum = 0;
    for (int64_t t = 0; t < T; ++t) {
      size_t i = ((lane / D) * T + t) * D + lane % D;
      sum += std::min(0.0, std::max(-50.0, std::log(double(fromBf16(gamma[i])) + 1e-8)));
      double ref = std::exp(sum), got = fromBf16(y[i]);
      ASSERT_LE(std::fabs(got - ref), std::ldexp(1.0, -9) + 1e-6) << "at " << i;
      err += (got - ref) * (got - ref);
      norm += ref * ref;
    }
  }
  EXPECT_LT(std::sqrt(err / norm), 2e-3);
}

// decayed_sum on views with padding and a transposed A: strides are honored.
TEST_F(RuntimeTest, NonContiguousViews) {
  Context context(Device::CPU);
  Kernel kernel = context.compileFile(kernelPath("decayed_sum.mlir"), "decayed_sum");
  const int64_t B = 2, T = 40, R = 3, C = 5, pad = 7;
  // A stored as [R, B, T] and viewed as [B, T, R]; x with padded rows.
  std::vector<float> A(R * B * T), x(B * T * R * (C + pad)), out(B * T * R * C, NAN);
  std::uniform_real_distribution<float> step(-0.2f, 0.0f), value(-1.0f, 1.0f);
  for (int64_t r = 0; r < R; ++r)
    for (int64_t b = 0; b < B; ++b) {
      float acc = 0;
      for (int64_t t = 0; t < T; ++t)
        A[(r * B + b) * T + t] = acc += step(rng);
    }
  for (auto &v : x)
    v = value(rng);
  TensorView a{A.data(), DType::F32, {B, T, R}, {T, 1, B * T}};
  TensorView xs{x.data(), DType::F32, {B, T, R, C}, {T * R * (C + pad), R * (C + pad), C + pad, 1}};
  kernel.launch({a, xs, TensorView::contiguous(out.data(), DType::F32, {B, T, R, C})});
  double err = 0, norm = 0;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t r = 0; r < R; ++r)
        for (int64_t c = 0; c < C; ++c) {
          double ref = 0;
          for (int64_t j = 0; j <= t; ++j)
            ref += std::exp(double(A[(r * B + b) * T + t]) - A[(r * B + b) * T + j]) *
                   x[((b * T + j) * R + r) * (C + pad) + c];
          double got = out[((b * T + t) * R + r) * C + c];
          err += (got - ref) * (got - ref);
          norm += ref * ref;
        }
  EXPECT_LT(std::sqrt(err / norm), 1e-5);
}

/// Launches `kernel` on `args`, expecting an mmrec::Error that mentions
/// `needle` and the kernel's name.
void expectLaunchError(const Kernel &kernel, std::initializer_list<TensorView> args,
                       const std::string &needle) {
  try {
    kernel.launch(args);
    ADD_FAILURE() << "no error; expected one mentioning: " << needle;
  } catch (const Error &error) {
    EXPECT_NE(std::string(error.what()).find(needle), std::string::npos)
        << "message: " << error.what();
    EXPECT_NE(std::string(error.what()).find("assoc_scan_exp"), std::string::npos);
  }
}

// Every bad argument throws mmrec::Error naming the kernel and the argument,
// and the output keeps its poison.
TEST_F(RuntimeTest, BadArgumentsAreRejectedBeforeAnyWrite) {
  Context context(Device::CPU);
  Kernel kernel = context.compileFile(kernelPath("assoc_scan_exp.mlir"), "assoc_scan_exp");
  std::vector<uint16_t> in(2 * 3 * 4 * 5, toBf16(0.5f)), out(in.size(), 0xffff);
  std::vector<float> wide(in.size());
  auto view = [](void *p, DType t, std::vector<int64_t> s) {
    return TensorView::contiguous(p, t, std::move(s));
  };
  auto expectError = [&](std::initializer_list<TensorView> args, const std::string &needle) {
    expectLaunchError(kernel, args, needle);
    for (uint16_t v : out)
      ASSERT_EQ(v, 0xffff) << "an output was written by a rejected launch";
  };
  expectError({view(in.data(), DType::BF16, {2, 3, 4, 5})}, "expects 2 arguments, got 1");
  expectError(
      {view(wide.data(), DType::F32, {2, 3, 4, 5}), view(out.data(), DType::BF16, {2, 3, 4, 5})},
      "argument #0 (memref<?x?x?x?xbf16, strided<[?, ?, ?, ?], offset: ?>>) has dtype f32, "
      "expected bf16");
  expectError(
      {view(in.data(), DType::BF16, {6, 4, 5}), view(out.data(), DType::BF16, {2, 3, 4, 5})},
      "argument #0 (memref<?x?x?x?xbf16, strided<[?, ?, ?, ?], offset: ?>>) has rank 3, expected "
      "4");
  expectError(
      {view(in.data(), DType::BF16, {2, 3, 4, 5}), view(out.data(), DType::BF16, {2, 3, 5, 4})},
      "argument #1 dimension 2 is 5 but must equal argument #0 dimension 2, which is 4");
  TensorView cuda = view(in.data(), DType::BF16, {2, 3, 4, 5});
  cuda.device = Device::CUDA;
  expectError({cuda, view(out.data(), DType::BF16, {2, 3, 4, 5})}, "is on cuda, expected cpu");
  TensorView broadcastOut = view(out.data(), DType::BF16, {2, 3, 4, 5});
  broadcastOut.strides[0] = 0;
  expectError({view(in.data(), DType::BF16, {2, 3, 4, 5}), broadcastOut},
              "argument #1 (memref<?x?x?x?xbf16, strided<[?, ?, ?, ?], offset: ?>>) is written but "
              "has stride 0");
  TensorView shifted = view(out.data() + 1, DType::BF16, {2, 3, 4, 5});
  expectError({view(out.data(), DType::BF16, {2, 3, 4, 5}), shifted},
              "argument #1 (memref<?x?x?x?xbf16, strided<[?, ?, ?, ?], offset: ?>>) is written and "
              "overlaps argument #0");
  TensorView missing = view(nullptr, DType::BF16, {2, 3, 4, 5});
  expectError({missing, view(out.data(), DType::BF16, {2, 3, 4, 5})}, "has no data (null pointer)");
  TensorView fewStrides = view(in.data(), DType::BF16, {2, 3, 4, 5});
  fewStrides.strides.pop_back();
  expectError({fewStrides, view(out.data(), DType::BF16, {2, 3, 4, 5})},
              "has 3 strides for rank 4");

  // The same view as input and output is a legal in-place scan.
  kernel.launch(
      {view(out.data(), DType::BF16, {2, 3, 4, 5}), view(out.data(), DType::BF16, {2, 3, 4, 5})});
}

// A launch with the shapes of the thread's last one skips the shape checks
// but not those of the data: null pointers and overlaps still throw, and a
// kernel with the same shapes but another dtype is checked in full.
TEST_F(RuntimeTest, RepeatedShapesStillCheckTheData) {
  Context context(Device::CPU);
  Kernel kernel = context.compileFile(kernelPath("assoc_scan_exp.mlir"), "assoc_scan_exp");
  std::vector<uint16_t> in(2 * 3 * 4 * 5, toBf16(0.5f)), out(in.size(), 0xffff);
  auto view = [](void *p, std::vector<int64_t> s) {
    return TensorView::contiguous(p, DType::BF16, std::move(s));
  };
  std::vector<int64_t> shape = {2, 3, 4, 5};
  kernel.launch({view(in.data(), shape), view(out.data(), shape)});
  expectLaunchError(kernel, {view(nullptr, shape), view(out.data(), shape)},
                    "has no data (null pointer)");
  expectLaunchError(kernel, {view(out.data(), shape), view(out.data() + 1, shape)},
                    "is written and overlaps argument #0");
  std::vector<float> wide(in.size());
  expectLaunchError(kernel,
                    {TensorView::contiguous(wide.data(), DType::F32, shape), view(out.data(), shape)},
                    "has dtype f32, expected bf16");
  kernel.launch({view(in.data(), shape), view(out.data(), shape)});
  EXPECT_EQ(out[0], toBf16(0.5f));
}

TEST_F(RuntimeTest, CompileErrorsAreClear) {
  Context context(Device::CPU);
  try {
    context.compileFile(kernelPath("linear_recurrence.mlir"), "no_such_kernel");
    ADD_FAILURE() << "no error";
  } catch (const Error &error) {
    EXPECT_NE(std::string(error.what())
                  .find("has no kernel 'no_such_kernel' (it has: "
                        "linear_recurrence, linear_recurrence_h0, linear_recurrence_rows)"),
              std::string::npos)
        << error.what();
  }
  try {
    context.compile("mmrec.kernel @k(%a: memref<?xf32>) {", "k");
    ADD_FAILURE() << "no error";
  } catch (const Error &error) {
    EXPECT_NE(std::string(error.what()).find("cannot parse <source>"), std::string::npos)
        << error.what();
  }
  try {
    context.compile(R"mlir(
      mmrec.kernel @k(%a: memref<?xf32>) {
        %x = mmrec.load %a : memref<?xf32>
        %y = mmrec.scan %x axis = 0 : tensor<?xf32> {
        ^bb0(%l: f32, %r: f32):
          %d = arith.subf %l, %r : f32
          mmrec.yield %d : f32
        }
        mmrec.store %y, %a : tensor<?xf32>, memref<?xf32>
      })mlir",
                    "k");
    ADD_FAILURE() << "no error";
  } catch (const Error &error) {
    EXPECT_NE(std::string(error.what()).find("combiner is not associative"), std::string::npos)
        << error.what();
  }
  EXPECT_THROW(context.compileFile("/no/such/file.mlir", "k"), Error);
}

// Without a driver or a GPU, asking for CUDA says so (CudaTest covers a GPU).
TEST_F(RuntimeTest, MissingGpuIsAClearError) {
  try {
    Context gpu(Device::CUDA);
    GTEST_SKIP() << "a GPU is present: " << gpu.deviceName();
  } catch (const Error &error) {
    std::string what = error.what();
    EXPECT_TRUE(what.find("no CUDA driver") != std::string::npos ||
                what.find("no GPU") != std::string::npos)
        << what;
    EXPECT_NE(what.find("MMREC_DEVICE=cpu"), std::string::npos) << what;
  }
}

// Object code goes to the disk cache; a second context loads it; truncated
// and garbage entries are discarded and rebuilt.
TEST_F(RuntimeTest, DiskCacheHitCorruptAndTruncated) {
  const int64_t N = 1000;
  std::vector<float> A(N, 0.0f), x(N, 1.0f), out(N);
  auto run = [&] {
    Context context(Device::CPU);
    Kernel kernel = context.compileFile(kernelPath("decayed_sum.mlir"), "decayed_sum");
    std::fill(out.begin(), out.end(), NAN);
    kernel.launch({TensorView::contiguous(A.data(), DType::F32, {1, N, 1}),
                   TensorView::contiguous(x.data(), DType::F32, {1, N, 1, 1}),
                   TensorView::contiguous(out.data(), DType::F32, {1, N, 1, 1})});
    EXPECT_EQ(out[N - 1], float(N)); // exp(0) decays: a plain cumulative sum
  };
  run();
  // Two entries: the generic kernel and its unit-innermost-stride variant.
  std::vector<std::string> files = cacheFiles();
  ASSERT_EQ(files.size(), 2u);
  std::vector<uint64_t> sizes(files.size());
  for (size_t i = 0; i < files.size(); ++i)
    ASSERT_FALSE(llvm::sys::fs::file_size(files[i], sizes[i]));
  run(); // hit
  ASSERT_EQ(cacheFiles().size(), 2u);

  auto expectRebuilt = [&] {
    for (size_t i = 0; i < files.size(); ++i) {
      uint64_t rebuilt;
      ASSERT_FALSE(llvm::sys::fs::file_size(files[i], rebuilt));
      EXPECT_EQ(rebuilt, sizes[i]) << files[i];
    }
  };
  for (size_t i = 0; i < files.size(); ++i) {
    std::vector<char> bytes(sizes[i] / 2); // truncated: the first half of the entry
    std::ifstream(files[i], std::ios::binary).read(bytes.data(), bytes.size());
    std::ofstream(files[i], std::ios::binary | std::ios::trunc).write(bytes.data(), bytes.size());
  }
  run();
  expectRebuilt();

  for (const std::string &file : files)
    std::ofstream(file, std::ios::binary | std::ios::trunc) << "not an object file";
  run();
  expectRebuilt();
}

TEST_F(RuntimeTest, ThreadsSplitTheLanes) {
  setenv("MMREC_NUM_THREADS", "3", 1);
  setenv("MMREC_DEVICE", "cpu", 1);
  Context context;
  unsetenv("MMREC_NUM_THREADS");
  unsetenv("MMREC_DEVICE");
  EXPECT_EQ(context.numThreads(), 3u);
  Kernel kernel = context.compileFile(kernelPath("chunk_aggregate.mlir"), "chunk_aggregate");
  const int64_t B = 3, T = 260, D = 700, N = 3;
  std::vector<uint16_t> x(B * T * D), sum(B * N * D, 0xffff), mean(sum.size(), 0xffff);
  for (int64_t i = 0; i < B * T * D; ++i)
    x[i] = toBf16(float((i % D) % 7) - 3.0f);
  kernel.launch({TensorView::contiguous(x.data(), DType::BF16, {B, T, D}),
                 TensorView::contiguous(sum.data(), DType::BF16, {B, N, D}),
                 TensorView::contiguous(mean.data(), DType::BF16, {B, N, D})});
  for (int64_t b = 0; b < B; ++b)
    for (int64_t n = 0; n < N; ++n)
      for (int64_t d = 0; d < D; ++d) {
        float v = float(d % 7) - 3.0f;
        int64_t count = n < 2 ? 128 : T - 256;
        ASSERT_EQ(fromBf16(sum[(b * N + n) * D + d]), fromBf16(toBf16(v * count)));
        ASSERT_EQ(fromBf16(mean[(b * N + n) * D + d]), v);
      }
}

TEST_F(RuntimeTest, KernelOutlivesItsContext) {
  Kernel kernel;
  {
    Context context(Device::CPU);
    kernel = context.compileFile(kernelPath("decayed_sum.mlir"), "decayed_sum");
  }
  std::vector<float> A(4, 0.0f), x(4, 1.0f), out(4, NAN);
  kernel.launch({TensorView::contiguous(A.data(), DType::F32, {1, 4, 1}),
                 TensorView::contiguous(x.data(), DType::F32, {1, 4, 1, 1}),
                 TensorView::contiguous(out.data(), DType::F32, {1, 4, 1, 1})});
  EXPECT_EQ(out[3], 4.0f);
  EXPECT_THROW(Kernel().launch({}), Error);
}

TEST_F(RuntimeTest, EnvironmentIsValidated) {
  setenv("MMREC_DEVICE", "tpu", 1);
  EXPECT_THROW(Context(), Error);
  setenv("MMREC_DEVICE", "cpu", 1);
  EXPECT_EQ(Context().device(), Device::CPU);
  unsetenv("MMREC_DEVICE");
  setenv("MMREC_NUM_THREADS", "zero", 1);
  EXPECT_THROW(Context(), Error);
  unsetenv("MMREC_NUM_THREADS");
}

} // namespace

namespace {

// Kernels of several groups: values between them go through temporaries
// that the runtime allocates and reuses.
/// Where the kernels of several groups run: the CPU, and CUDA with the
/// lanes and the chunked strategies (skipped without a GPU).
struct ChainTarget {
  Device device;
  const char *name;
  const char *tiling;
};

class Intermediates : public ::testing::TestWithParam<ChainTarget> {};

TEST_P(Intermediates, BetweenGroups) {
  const ChainTarget &target = GetParam();
  std::unique_ptr<Context> owned;
  try {
    owned = std::make_unique<Context>(target.device);
  } catch (const Error &error) {
    GTEST_SKIP() << "no GPU: " << error.what();
  }
  Context &context = *owned;
  std::string tiling = *target.tiling ? std::string(" {tiling = ") + target.tiling + "}" : "";
  Kernel kernel = context.compile(R"mlir(
    mmrec.kernel @chain(%in: memref<?x?xf32>, %chunks: memref<?x?xf32>, %out: memref<?x?xf32>) {
      %x = mmrec.load %in : memref<?x?xf32>
      %c = mmrec.reduce %x axis = 1 chunk = 4 : tensor<?x?xf32> {
      ^bb0(%l: f32, %r: f32):
        %s = arith.addf %l, %r : f32
        mmrec.yield %s : f32
      }
      mmrec.store %c, %chunks : tensor<?x?xf32>, memref<?x?xf32>
      %p = mmrec.scan %c axis = 0)mlir" + tiling + R"mlir( : tensor<?x?xf32> {
      ^bb0(%l: f32, %r: f32):
        %s = arith.maximumf %l, %r : f32
        mmrec.yield %s : f32
      }
      %q = mmrec.scan %p axis = 1 reverse)mlir" + tiling + R"mlir( : tensor<?x?xf32> {
      ^bb0(%l: f32, %r: f32):
        %s = arith.addf %l, %r : f32
        mmrec.yield %s : f32
      }
      mmrec.store %q, %out : tensor<?x?xf32>, memref<?x?xf32>
    })mlir",
                                  "chain");
  std::mt19937 rng{7};
  for (int64_t rows : {5, 40}) { // the second launch needs more scratch
    const int64_t cols = 10, n = (cols + 3) / 4;
    std::vector<float> x(rows * cols), chunks(rows * n, NAN), out(rows * n, NAN);
    std::uniform_real_distribution<float> value(-1.0f, 1.0f);
    for (auto &v : x)
      v = value(rng);
    DeviceBuffer dx(context, x.size() * 4), dchunks(context, chunks.size() * 4),
        dout(context, out.size() * 4);
    dx.upload(x.data(), x.size() * 4);
    dchunks.upload(chunks.data(), chunks.size() * 4);
    dout.upload(out.data(), out.size() * 4);
    kernel.launch({TensorView::contiguous(dx.data(), DType::F32, {rows, cols}, target.device),
                   TensorView::contiguous(dchunks.data(), DType::F32, {rows, n}, target.device),
                   TensorView::contiguous(dout.data(), DType::F32, {rows, n}, target.device)});
    context.synchronize();
    dchunks.download(chunks.data(), chunks.size() * 4);
    dout.download(out.data(), out.size() * 4);
    std::vector<double> c(rows * n, 0.0), p(rows * n);
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j)
        c[i * n + j / 4] += x[i * cols + j];
    for (int64_t j = 0; j < n; ++j)
      for (int64_t i = 0; i < rows; ++i)
        p[i * n + j] = i ? std::max(p[(i - 1) * n + j], c[i * n + j]) : c[j];
    for (int64_t i = 0; i < rows; ++i) {
      double suffix = 0;
      for (int64_t j = n - 1; j >= 0; --j) {
        suffix += p[i * n + j];
        EXPECT_NEAR(chunks[i * n + j], c[i * n + j], 1e-5);
        EXPECT_NEAR(out[i * n + j], suffix, 1e-5);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Devices, Intermediates,
    ::testing::Values(ChainTarget{Device::CPU, "cpu", ""}, ChainTarget{Device::CUDA, "cuda", ""},
                      ChainTarget{Device::CUDA, "cuda_chunked",
                                  "#mmrec.tiling<strategy = chunked, chunk = 3, lanes = 32, "
                                  "vector = 1, warps = 1>"},
                      ChainTarget{Device::CUDA, "cuda_chunked_shared",
                                  "#mmrec.tiling<strategy = chunked, chunk = 4, lanes = 8, "
                                  "vector = 1, warps = 1>"},
                      ChainTarget{Device::CUDA, "cuda_lookback",
                                  "#mmrec.tiling<strategy = lookback, chunk = 4, lanes = 8, "
                                  "vector = 1, warps = 1>"}),
    [](const ::testing::TestParamInfo<ChainTarget> &info) { return info.param.name; });

} // namespace
