//===- References.cpp - float64 references of the library kernels --------===//

#include "mmrec/References.h"

#include <algorithm>
#include <cmath>

namespace mmrec::reference {

std::vector<double> assocScanExp(const std::vector<double> &gamma, int64_t B, int64_t H, int64_t T,
                                 int64_t D) {
  std::vector<double> y(gamma.size());
  for (int64_t bh = 0; bh < B * H; ++bh)
    for (int64_t d = 0; d < D; ++d) {
      double sum = 0;
      for (int64_t t = 0; t < T; ++t) {
        int64_t i = (bh * T + t) * D + d;
        sum += std::clamp(std::log(gamma[i] + 1e-8), -50.0, 0.0);
        y[i] = std::exp(sum);
      }
    }
  return y;
}

void linearRecurrence(const std::vector<double> &a, const std::vector<double> &b,
                      const std::vector<double> &h0, int64_t B, int64_t H, int64_t T, int64_t D,
                      std::vector<double> &h, std::vector<double> &hFinal) {
  h.assign(a.size(), 0.0);
  hFinal.assign(B * H * D, 0.0);
  for (int64_t bh = 0; bh < B * H; ++bh)
    for (int64_t d = 0; d < D; ++d) {
      double state = h0.empty() ? 0.0 : h0[bh * D + d];
      for (int64_t t = 0; t < T; ++t) {
        int64_t i = (bh * T + t) * D + d;
        state = a[i] * state + b[i];
        h[i] = state;
      }
      hFinal[bh * D + d] = state;
    }
}

std::vector<double> decayedSum(const std::vector<double> &A, const std::vector<double> &x,
                               int64_t B, int64_t T, int64_t R, int64_t C) {
  // The sequential recurrence out[t] = exp(A[t] - A[t-1]) out[t-1] + x[t]
  // in float64: the definition's sum over j <= t, in O(T) so that it keeps
  // up with the benchmark's shapes (the unit tests check the O(T^2) sum).
  std::vector<double> out(x.size());
  for (int64_t b = 0; b < B; ++b)
    for (int64_t r = 0; r < R; ++r)
      for (int64_t c = 0; c < C; ++c) {
        double state = 0;
        for (int64_t t = 0; t < T; ++t) {
          double decay = t ? std::exp(A[(b * T + t) * R + r] - A[(b * T + t - 1) * R + r]) : 0;
          state = decay * state + x[((b * T + t) * R + r) * C + c];
          out[((b * T + t) * R + r) * C + c] = state;
        }
      }
  return out;
}

void chunkAggregate(const std::vector<double> &x, int64_t B, int64_t T, int64_t D, int64_t chunk,
                    std::vector<double> &sum, std::vector<double> &mean) {
  int64_t N = (T + chunk - 1) / chunk;
  sum.assign(B * N * D, 0.0);
  mean.assign(B * N * D, 0.0);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t n = 0; n < N; ++n)
      for (int64_t d = 0; d < D; ++d) {
        double s = 0;
        int64_t count = 0;
        for (int64_t t = n * chunk; t < std::min(T, (n + 1) * chunk); ++t, ++count)
          s += x[(b * T + t) * D + d];
        sum[(b * N + n) * D + d] = s;
        mean[(b * N + n) * D + d] = s / count;
      }
}

} // namespace mmrec::reference
