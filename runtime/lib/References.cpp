//===- References.cpp - float64 references of the library kernels --------===//
//
// Each walks its sequences in parallel (hostThreads) and, within one, the
// steps in order with the lanes innermost, so that memory is read in order:
// the benchmark's shapes (up to 268M elements) take seconds, not minutes.
//
//===----------------------------------------------------------------------===//

#include "mmrec/References.h"

#include "ThreadPool.h"

#include <algorithm>
#include <cmath>

namespace mmrec::reference {

std::vector<double> assocScanExp(const std::vector<double> &gamma, int64_t B, int64_t H, int64_t T,
                                 int64_t D) {
  std::vector<double> y(gamma.size());
  hostThreads().parallelFor(B * H, [&](int64_t first, int64_t last) {
    std::vector<double> sum(D);
    for (int64_t bh = first; bh < last; ++bh) {
      std::fill(sum.begin(), sum.end(), 0.0);
      for (int64_t t = 0; t < T; ++t)
        for (int64_t d = 0; d < D; ++d) {
          int64_t i = (bh * T + t) * D + d;
          sum[d] += std::clamp(std::log(gamma[i] + 1e-8), -50.0, 0.0);
          y[i] = std::exp(sum[d]);
        }
    }
  });
  return y;
}

void linearRecurrence(const std::vector<double> &a, const std::vector<double> &b,
                      const std::vector<double> &h0, int64_t B, int64_t H, int64_t T, int64_t D,
                      std::vector<double> &h, std::vector<double> &hFinal) {
  h.assign(a.size(), 0.0);
  hFinal.assign(B * H * D, 0.0);
  hostThreads().parallelFor(B * H, [&](int64_t first, int64_t last) {
    std::vector<double> state(D);
    for (int64_t bh = first; bh < last; ++bh) {
      for (int64_t d = 0; d < D; ++d)
        state[d] = h0.empty() ? 0.0 : h0[bh * D + d];
      for (int64_t t = 0; t < T; ++t)
        for (int64_t d = 0; d < D; ++d) {
          int64_t i = (bh * T + t) * D + d;
          state[d] = a[i] * state[d] + b[i];
          h[i] = state[d];
        }
      std::copy(state.begin(), state.end(), hFinal.begin() + bh * D);
    }
  });
}

std::vector<double> decayedSum(const std::vector<double> &A, const std::vector<double> &x,
                               int64_t B, int64_t T, int64_t R, int64_t C) {
  // The sequential recurrence out[t] = exp(A[t] - A[t-1]) out[t-1] + x[t]
  // in float64: the definition's sum over j <= t, in O(T) so that it keeps
  // up with the benchmark's shapes (ReferencesTest checks it against the
  // O(T^2) sum).
  std::vector<double> out(x.size());
  hostThreads().parallelFor(B * R, [&](int64_t first, int64_t last) {
    std::vector<double> state(C);
    for (int64_t br = first; br < last; ++br) {
      int64_t b = br / R, r = br % R;
      std::fill(state.begin(), state.end(), 0.0);
      for (int64_t t = 0; t < T; ++t) {
        double decay = t ? std::exp(A[(b * T + t) * R + r] - A[(b * T + t - 1) * R + r]) : 0;
        for (int64_t c = 0; c < C; ++c) {
          int64_t i = ((b * T + t) * R + r) * C + c;
          state[c] = decay * state[c] + x[i];
          out[i] = state[c];
        }
      }
    }
  });
  return out;
}

void chunkAggregate(const std::vector<double> &x, int64_t B, int64_t T, int64_t D, int64_t chunk,
                    std::vector<double> &sum, std::vector<double> &mean) {
  int64_t N = (T + chunk - 1) / chunk;
  sum.assign(B * N * D, 0.0);
  mean.assign(B * N * D, 0.0);
  hostThreads().parallelFor(B * N, [&](int64_t first, int64_t last) {
    for (int64_t bn = first; bn < last; ++bn) {
      int64_t b = bn / N, n = bn % N;
      double *s = &sum[bn * D];
      int64_t end = std::min(T, (n + 1) * chunk), count = end - n * chunk;
      for (int64_t t = n * chunk; t < end; ++t)
        for (int64_t d = 0; d < D; ++d)
          s[d] += x[(b * T + t) * D + d];
      for (int64_t d = 0; d < D; ++d)
        mean[bn * D + d] = s[d] / count;
    }
  });
}

} // namespace mmrec::reference
