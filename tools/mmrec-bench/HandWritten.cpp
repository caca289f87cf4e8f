//===- HandWritten.cpp - plain C++ loops the CPU kernels are measured against ===//

#include "HandWritten.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace mmrec::handwritten {

namespace {
inline float fromBf16(uint16_t v) {
  uint32_t bits = uint32_t(v) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}
inline uint16_t toBf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if (f != f)
    return 0x7fc0;
  return uint16_t((bits + 0x7fff + ((bits >> 16) & 1)) >> 16);
}
} // namespace

void assocScanExp(const uint16_t *gamma, uint16_t *y, int64_t B, int64_t H, int64_t T,
                  int64_t D) {
  std::vector<float> carry(D);
  for (int64_t bh = 0; bh < B * H; ++bh) {
    std::fill(carry.begin(), carry.end(), 0.0f);
    for (int64_t t = 0; t < T; ++t) {
      const uint16_t *in = gamma + (bh * T + t) * D;
      uint16_t *out = y + (bh * T + t) * D;
      for (int64_t d = 0; d < D; ++d) {
        float l = std::min(0.0f, std::max(-50.0f, std::log(fromBf16(in[d]) + 1e-8f)));
        carry[d] += l;
        out[d] = toBf16(std::exp(carry[d]));
      }
    }
  }
}

void linearRecurrence(const uint16_t *a, const uint16_t *b, uint16_t *h, int64_t B, int64_t H,
                      int64_t T, int64_t D) {
  std::vector<float> state(D);
  for (int64_t bh = 0; bh < B * H; ++bh) {
    std::fill(state.begin(), state.end(), 0.0f);
    for (int64_t t = 0; t < T; ++t) {
      int64_t base = (bh * T + t) * D;
      for (int64_t d = 0; d < D; ++d) {
        state[d] = fromBf16(a[base + d]) * state[d] + fromBf16(b[base + d]);
        h[base + d] = toBf16(state[d]);
      }
    }
  }
}

void decayedSum(const float *A, const float *x, float *out, int64_t B, int64_t T, int64_t R,
                int64_t C) {
  std::vector<float> state(C);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t r = 0; r < R; ++r) {
      std::fill(state.begin(), state.end(), 0.0f);
      for (int64_t t = 0; t < T; ++t) {
        // One exp per (t, r), shared by the row: what a person would write.
        float decay = t ? std::exp(A[(b * T + t) * R + r] - A[(b * T + t - 1) * R + r]) : 0.0f;
        int64_t base = ((b * T + t) * R + r) * C;
        for (int64_t c = 0; c < C; ++c) {
          state[c] = decay * state[c] + x[base + c];
          out[base + c] = state[c];
        }
      }
    }
}

void chunkAggregate(const uint16_t *x, uint16_t *sum, uint16_t *mean, int64_t B, int64_t T,
                    int64_t D, int64_t chunk) {
  int64_t N = (T + chunk - 1) / chunk;
  std::vector<float> acc(D);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t n = 0; n < N; ++n) {
      std::fill(acc.begin(), acc.end(), 0.0f);
      int64_t end = std::min(T, (n + 1) * chunk);
      for (int64_t t = n * chunk; t < end; ++t)
        for (int64_t d = 0; d < D; ++d)
          acc[d] += fromBf16(x[(b * T + t) * D + d]);
      float count = float(end - n * chunk);
      for (int64_t d = 0; d < D; ++d) {
        sum[(b * N + n) * D + d] = toBf16(acc[d]);
        mean[(b * N + n) * D + d] = toBf16(acc[d] / count);
      }
    }
}

} // namespace mmrec::handwritten
