//===- ReferencesTest.cpp - the library's references and random inputs ----===//
//
// The float64 references (parallel, lanes innermost) against the plain
// definitions of their math, written here loop by loop; and the random
// problems, which must depend on the seed alone.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Library.h"
#include "mmrec/References.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

using namespace mmrec;

namespace {

std::vector<double> draws(size_t n, double low, double high, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> uniform(low, high);
  std::vector<double> out(n);
  for (double &v : out)
    v = uniform(rng);
  return out;
}

void expectNear(const std::vector<double> &got, const std::vector<double> &want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], 1e-12 * std::max(1.0, std::fabs(want[i]))) << "at " << i;
}

} // namespace

TEST(ReferencesTest, AssocScanExpIsItsDefinition) {
  const int64_t B = 2, H = 3, T = 37, D = 5;
  std::vector<double> gamma = draws(B * H * T * D, 0.0, 1.0, 1);
  gamma[7] = 0.0; // log(1e-8) clamps to -50
  std::vector<double> want(gamma.size());
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t d = 0; d < D; ++d)
        for (int64_t t = 0; t < T; ++t) {
          double sum = 0;
          for (int64_t i = 0; i <= t; ++i)
            sum += std::clamp(std::log(gamma[((b * H + h) * T + i) * D + d] + 1e-8), -50.0, 0.0);
          want[((b * H + h) * T + t) * D + d] = std::exp(sum);
        }
  expectNear(reference::assocScanExp(gamma, B, H, T, D), want);
}

TEST(ReferencesTest, LinearRecurrenceIsItsDefinition) {
  const int64_t B = 2, H = 2, D = 3;
  for (int64_t T : {0, 1, 29})
    for (bool withState : {false, true}) {
      SCOPED_TRACE("T = " + std::to_string(T) + (withState ? ", h0" : ""));
      std::vector<double> a = draws(B * H * T * D, 0.5, 1.0, 2);
      std::vector<double> b = draws(B * H * T * D, -1.0, 1.0, 3);
      std::vector<double> h0 = withState ? draws(B * H * D, -1.0, 1.0, 4) : std::vector<double>();
      std::vector<double> want(a.size()), wantFinal(B * H * D);
      for (int64_t bh = 0; bh < B * H; ++bh)
        for (int64_t d = 0; d < D; ++d) {
          double state = withState ? h0[bh * D + d] : 0.0;
          for (int64_t t = 0; t < T; ++t) {
            int64_t i = (bh * T + t) * D + d;
            state = a[i] * state + b[i];
            want[i] = state;
          }
          wantFinal[bh * D + d] = state;
        }
      std::vector<double> h, hFinal;
      reference::linearRecurrence(a, b, h0, B, H, T, D, h, hFinal);
      expectNear(h, want);
      expectNear(hFinal, wantFinal);
    }
}

TEST(ReferencesTest, DecayedSumIsItsQuadraticDefinition) {
  const int64_t B = 2, T = 23, R = 3, C = 4;
  // A: cumulative sums of steps in [-0.3, 0] along t.
  std::vector<double> steps = draws(B * T * R, -0.3, 0.0, 5), A(B * T * R);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t r = 0; r < R; ++r) {
      double acc = 0;
      for (int64_t t = 0; t < T; ++t)
        A[(b * T + t) * R + r] = acc += steps[(b * T + t) * R + r];
    }
  std::vector<double> x = draws(B * T * R * C, -1.0, 1.0, 6), want(x.size());
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t r = 0; r < R; ++r)
        for (int64_t c = 0; c < C; ++c) {
          double sum = 0;
          for (int64_t j = 0; j <= t; ++j)
            sum += std::exp(A[(b * T + t) * R + r] - A[(b * T + j) * R + r]) *
                   x[((b * T + j) * R + r) * C + c];
          want[((b * T + t) * R + r) * C + c] = sum;
        }
  expectNear(reference::decayedSum(A, x, B, T, R, C), want);
}

TEST(ReferencesTest, ChunkAggregateIsItsDefinition) {
  const int64_t B = 3, T = 21, D = 4, chunk = 8; // the last run has 5 steps
  std::vector<double> x = draws(B * T * D, -1.0, 1.0, 7);
  int64_t N = (T + chunk - 1) / chunk;
  std::vector<double> wantSum(B * N * D), wantMean(B * N * D);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t n = 0; n < N; ++n)
      for (int64_t d = 0; d < D; ++d) {
        double s = 0;
        int64_t count = 0;
        for (int64_t t = n * chunk; t < std::min(T, (n + 1) * chunk); ++t, ++count)
          s += x[(b * T + t) * D + d];
        wantSum[(b * N + n) * D + d] = s;
        wantMean[(b * N + n) * D + d] = s / count;
      }
  std::vector<double> sum, mean;
  reference::chunkAggregate(x, B, T, D, chunk, sum, mean);
  expectNear(sum, wantSum);
  expectNear(mean, wantMean);
}

/// Inputs fill in parallel: the same seed must give the same bytes, a
/// different seed different ones, for every library kernel.
TEST(ReferencesTest, RandomProblemsDependOnTheSeedAlone) {
  for (const library::KernelInfo &info : library::kernels()) {
    SCOPED_TRACE(info.name);
    std::vector<int64_t> shape(info.defaultShape.size(), 3);
    shape.back() = 70;
    library::Problem first = library::randomProblem(info.name, DType::BF16, shape, 7);
    library::Problem again = library::randomProblem(info.name, DType::BF16, shape, 7);
    library::Problem other = library::randomProblem(info.name, DType::BF16, shape, 8);
    ASSERT_EQ(first.inputs.size(), again.inputs.size());
    for (size_t k = 0; k < first.inputs.size(); ++k) {
      EXPECT_EQ(first.inputs[k].bytes, again.inputs[k].bytes) << "input " << k;
      EXPECT_NE(first.inputs[k].bytes, other.inputs[k].bytes) << "input " << k;
    }
  }
}
