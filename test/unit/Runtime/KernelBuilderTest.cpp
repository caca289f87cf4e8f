//===- KernelBuilderTest.cpp - the C++ DSL --------------------------------===//
//
// The DSL builds the same IR as the text kernels (equal cache keys), and
// kernels built with lambda combiners run correctly; misuse is an Error.
//
//===----------------------------------------------------------------------===//

#include "mmrec/KernelBuilder.h"
#include "mmrec/Context.h"
#include "mmrec/Library.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace mmrec;
using namespace mmrec::dsl;

namespace {

// The library builds every kernel with the DSL (runtime/lib/Library.cpp);
// for the dtype of its kernels/*.mlir file, the IR is the file's.
TEST(KernelBuilderTest, LibraryMatchesKernelFiles) {
  Context context(Device::CPU);
  for (const library::KernelInfo &info : library::kernels()) {
    Kernel fromText = context.compile(library::textSource(info.name), info.name);
    Kernel fromDsl = library::compile(context, info.name, info.dtype);
    EXPECT_EQ(fromDsl.key(), fromText.key()) << info.name << ":\n"
                                             << library::source(info.name, info.dtype);
  }
}

// Every library kernel for every dtype against float64.
TEST(KernelBuilderTest, LibraryInEveryDtype) {
  Context context(Device::CPU);
  for (const library::KernelInfo &info : library::kernels())
    for (DType dtype : {DType::BF16, DType::F16, DType::F32, DType::F64}) {
      // 37 lanes: register chunks of 8 to 32 lanes and a remainder.
      std::vector<int64_t> shape = info.defaultShape.size() == 4 ? std::vector<int64_t>{2, 3, 70, 37}
                                                                 : std::vector<int64_t>{2, 300, 37};
      library::RunReport report =
          library::runAndVerify(context, info.name, dtype, shape, std::random_device{}(), 0);
      EXPECT_TRUE(report.passed())
          << info.name << " " << nameOf(dtype) << ": relative error " << report.relativeError
          << " > " << report.tolerance << (report.nanFound ? " (NaN)" : "");
    }
}

TEST(KernelBuilderTest, LambdaCombinerRunsAgainstFloat64) {
  // h = a * h + b with h0 and the final state, in f64.
  KernelBuilder k("recurrence");
  Argument a = k.argument("a", DType::F64, 2), b = k.argument("b", DType::F64, 2);
  Argument h0 = k.argument("h0", DType::F64, 1);
  Argument h = k.argument("h", DType::F64, 2), last = k.argument("last", DType::F64, 1);
  Tensor init = k.load(h0);
  Tensor one =
      k.map({init}, {DType::F64}, [](const Scalars &x) { return Scalars{x[0].like(1)}; })[0];
  ScanOptions options;
  options.inits = {one, init};
  auto results = k.scan(
      {k.load(a), k.load(b)}, 1,
      [](const Scalars &l, const Scalars &r) {
        return Scalars{l[0] * r[0], r[0] * l[1] + r[1]};
      },
      options);
  k.store(results[1], h);
  k.store(results[3], last);
  Context context(Device::CPU);
  Kernel kernel = context.compile(k.build(), "recurrence");

  const int64_t L = 7, T = 300;
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> decay(0.5, 1.0), value(-1.0, 1.0);
  std::vector<double> av(L * T), bv(L * T), h0v(L), hv(L * T, NAN), lastv(L, NAN);
  for (int64_t i = 0; i < L * T; ++i) {
    av[i] = decay(rng);
    bv[i] = value(rng);
  }
  for (auto &v : h0v)
    v = value(rng);
  kernel.launch({TensorView::contiguous(av.data(), DType::F64, {L, T}),
                 TensorView::contiguous(bv.data(), DType::F64, {L, T}),
                 TensorView::contiguous(h0v.data(), DType::F64, {L}),
                 TensorView::contiguous(hv.data(), DType::F64, {L, T}),
                 TensorView::contiguous(lastv.data(), DType::F64, {L})});
  for (int64_t l = 0; l < L; ++l) {
    double state = h0v[l];
    for (int64_t t = 0; t < T; ++t) {
      state = av[l * T + t] * state + bv[l * T + t];
      ASSERT_NEAR(hv[l * T + t], state, 1e-12);
    }
    EXPECT_NEAR(lastv[l], state, 1e-12);
  }
}

TEST(KernelBuilderTest, ChunkedReduce) {
  KernelBuilder k("chunk_max");
  Argument x = k.argument("x", DType::F32, 2), out = k.argument("out", DType::F32, 2);
  k.store(k.reduce(
              {k.load(x)}, 1,
              [](const Scalars &l, const Scalars &r) { return Scalars{max(l[0], r[0])}; }, 3)[0],
          out);
  Context context(Device::CPU);
  Kernel kernel = context.compile(k.build(), "chunk_max");
  std::vector<float> xv = {1, 5, 2, 7, 0, 3, 9, -1}, ov(4, NAN);
  kernel.launch({TensorView::contiguous(xv.data(), DType::F32, {2, 4}),
                 TensorView::contiguous(ov.data(), DType::F32, {2, 2})});
  // ceil(4 / 3) = 2 chunks per row: [1 5 2] [7], [0 3 9] [-1].
  EXPECT_EQ(ov[0], 5);
  EXPECT_EQ(ov[1], 7);
  EXPECT_EQ(ov[2], 9);
  EXPECT_EQ(ov[3], -1);
}

TEST(KernelBuilderTest, MisuseIsAnError) {
  KernelBuilder k("bad");
  Argument x = k.argument("x", DType::F32, 1);
  Tensor v = k.load(x);
  // Mixing types without a conversion.
  EXPECT_THROW(k.map({v}, {DType::F32},
                     [](const Scalars &s) { return Scalars{s[0] + s[0].to(DType::F64)}; }),
               Error);
  // A body that returns the wrong number of scalars.
  EXPECT_THROW(k.map({v}, {DType::F32, DType::F32}, [](const Scalars &s) { return s; }), Error);
  EXPECT_THROW(k.argument("y", DType::F32, 0), Error);
  EXPECT_THROW(k.attribute("numerics", "#mmrec.numerics<acc = i32>"), Error);
  // A scan along an axis the input does not have fails verification.
  KernelBuilder bad("bad_axis");
  Argument y = bad.argument("y", DType::F32, 1);
  bad.store(bad.scan({bad.load(y)}, 3,
                     [](const Scalars &l, const Scalars &r) { return Scalars{l[0] + r[0]}; })[0],
            y);
  EXPECT_THROW(bad.build(), Error);
}

} // namespace
