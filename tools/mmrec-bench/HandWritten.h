//===- HandWritten.h - plain C++ loops the CPU kernels are measured against -===//
//
// The obvious sequential loops a person writes for each library kernel,
// contiguous row-major data, compiled with -O3 -march=native: the baseline of
// the CPU benchmark (the kernels should reach 0.8x their speed on one thread).
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_TOOLS_HANDWRITTEN_H
#define MMREC_TOOLS_HANDWRITTEN_H

#include <cstdint>

namespace mmrec::handwritten {

void assocScanExp(const uint16_t *gamma, uint16_t *y, int64_t B, int64_t H, int64_t T, int64_t D);
void linearRecurrence(const uint16_t *a, const uint16_t *b, uint16_t *h, int64_t B, int64_t H,
                      int64_t T, int64_t D);
void decayedSum(const float *A, const float *x, float *out, int64_t B, int64_t T, int64_t R,
                int64_t C);
void chunkAggregate(const uint16_t *x, uint16_t *sum, uint16_t *mean, int64_t B, int64_t T,
                    int64_t D, int64_t chunk);

} // namespace mmrec::handwritten

#endif // MMREC_TOOLS_HANDWRITTEN_H
