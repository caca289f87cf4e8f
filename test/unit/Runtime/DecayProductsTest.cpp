//===- DecayProductsTest.cpp - assoc_scan_exp at the ends of its domain ---===//
//
// The compiler multiplies assoc_scan_exp's clamped decays instead of summing
// their logarithms (-mmrec-log-sum-to-product). The library's kernel must
// still compute its float64 formula, exp(sum of clamp(log(gamma + 1e-8),
// -50, 0)): over long axes of decays near 1, where the products stay large
// for thousands of steps and rounding accumulates, and at the ends of the
// formula's domain: a negative decay (NaN from there on, as its log), NaN,
// +inf (a factor 1), 0 (a factor 1e-8), -0 and 1.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Library.h"
#include "mmrec/References.h"

#include "GpuContext.h"
#include "HostArray.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

using namespace mmrec;

namespace {

struct Target {
  Device device;
  const char *name;
  std::string tiling; // #mmrec.tiling text, or empty for the default
};

/// The CPU; the GPU's heuristic (lookback tiles at this shape); lookback
/// tiles of 64 steps (64 tiles a chain); one thread a lane block (`lanes`).
const Target kTargets[] = {
    {Device::CPU, "cpu", ""},
    {Device::CUDA, "cuda", ""},
    {Device::CUDA, "cuda_lookback",
     "#mmrec.tiling<strategy = lookback, chunk = 64, lanes = 64, vector = 4, warps = 4>"},
    {Device::CUDA, "cuda_lanes",
     "#mmrec.tiling<strategy = lanes, chunk = 64, lanes = 256, vector = 8, warps = 2>"},
};

using Param = std::tuple<Target, DType>;

class DecayProducts : public ::testing::TestWithParam<Param> {};

TEST_P(DecayProducts, MatchFloat64) {
  const auto &[target, dtype] = GetParam();
  std::string missing;
  static Context cpu(Device::CPU);
  Context *context = target.device == Device::CPU ? &cpu : test::gpuContext(missing);
  if (!context)
    GTEST_SKIP() << "no GPU: " << missing;

  const int64_t B = 1, H = 2, T = 4096, D = 64, n = B * H * T * D;
  auto at = [&](int64_t h, int64_t t, int64_t d) { return (h * T + t) * D + d; };
  std::mt19937 rng(std::random_device{}());
  // bf16 holds 0.9921875, 0.99609375 and 1 there.
  std::uniform_real_distribution<double> nearOne(dtype == DType::BF16 ? 0.99 : 0.999, 1.0);
  std::vector<double> gamma(n);
  for (double &g : gamma)
    g = nearOne(rng);
  const double inf = std::numeric_limits<double>::infinity();
  gamma[at(0, 100, 0)] = -0.5;
  gamma[at(0, 50, 1)] = std::numeric_limits<double>::quiet_NaN();
  gamma[at(0, 10, 2)] = inf;
  gamma[at(0, 20, 3)] = 0.0;
  for (int64_t t = 0; t < T; ++t)
    gamma[at(0, t, 4)] = 1.0;
  gamma[at(1, 4000, 5)] = -0.0;

  // The inputs rounded to the kernel's dtype, then the reference of those.
  test::HostArray in(dtype, n), out(dtype, n);
  for (int64_t i = 0; i < n; ++i) {
    in.set(i, gamma[i]);
    gamma[i] = in.get(i);
    out.set(i, std::numeric_limits<double>::quiet_NaN()); // poisoned
  }
  size_t bytes = in.bytes.size();
  std::vector<double> ref = reference::assocScanExp(gamma, B, H, T, D);

  std::string source = library::source("assoc_scan_exp", dtype);
  Kernel kernel =
      context->compile(target.tiling.empty() ? source : library::withTiling(source, target.tiling),
                       "assoc_scan_exp");
  DeviceBuffer gammaBuffer(*context, bytes), yBuffer(*context, bytes);
  gammaBuffer.upload(in.bytes.data(), bytes);
  yBuffer.upload(out.bytes.data(), bytes);
  kernel.launch({TensorView::contiguous(gammaBuffer.data(), dtype, {B, H, T, D}, target.device),
                 TensorView::contiguous(yBuffer.data(), dtype, {B, H, T, D}, target.device)});
  yBuffer.download(out.bytes.data(), bytes);

  double err = 0, norm = 0;
  for (int64_t i = 0; i < n; ++i) {
    double got = out.get(i);
    if (std::isnan(ref[i])) {
      ASSERT_TRUE(std::isnan(got)) << "at " << i << ": " << got << ", not NaN";
      continue;
    }
    // f16 flushes what is below its smallest subnormal, 2^-24.
    double floor = dtype == DType::F16 ? std::ldexp(1.0, -24) : 1e-30;
    ASSERT_NEAR(got, ref[i], (sizeOf(dtype) == 2 ? 1e-2 : 1e-4) * ref[i] + floor) << "at " << i;
    err += (got - ref[i]) * (got - ref[i]);
    norm += ref[i] * ref[i];
  }
  EXPECT_EQ(ref[at(0, T - 1, 4)], 1.0);
  // In f32, gamma + 1e-8 is gamma near 1 (half an ulp is 3e-8): the
  // kernel's sums lose 1e-8 a step against float64's, 4e-5 over the axis
  // (seen: 1.2e-5 with the products and with log and exp alike). f16 in and
  // out computes in f32.
  double tolerance = dtype == DType::BF16  ? 4e-3
                     : dtype == DType::F16 ? 1e-3
                     : dtype == DType::F32 ? 5e-5
                                           : 1e-12;
  EXPECT_LT(std::sqrt(err / norm), tolerance);
}

std::string paramName(const ::testing::TestParamInfo<Param> &info) {
  return std::string(std::get<0>(info.param).name) + "_" + nameOf(std::get<1>(info.param));
}

INSTANTIATE_TEST_SUITE_P(Devices, DecayProducts,
                         ::testing::Combine(::testing::ValuesIn(kTargets),
                                            ::testing::Values(DType::BF16, DType::F16, DType::F32,
                                                              DType::F64)),
                         paramName);

} // namespace
