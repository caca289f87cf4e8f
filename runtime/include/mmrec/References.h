//===- References.h - float64 references of the library kernels -*- C++ -*-===//
//
// The one float64 reference of each library kernel, on contiguous row-major
// arrays: the sequential definition of the math, each sequence walked in
// order (sequences in parallel; ReferencesTest checks them against the
// definitions written loop by loop).
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_REFERENCES_H
#define MMREC_REFERENCES_H

#include <cstdint>
#include <vector>

namespace mmrec::reference {

/// y[b,h,t,d] = exp(sum_{i<=t} clamp(log(gamma[b,h,i,d] + 1e-8), -50, 0)).
std::vector<double> assocScanExp(const std::vector<double> &gamma, int64_t B, int64_t H, int64_t T,
                                 int64_t D);

/// h[t] = a[t] * h[t-1] + b[t] along T of [B, H, T, D], from h0 [B, H, D]
/// (zeros when empty); hFinal [B, H, D] is h[T-1] (h0 when T = 0).
void linearRecurrence(const std::vector<double> &a, const std::vector<double> &b,
                      const std::vector<double> &h0, int64_t B, int64_t H, int64_t T, int64_t D,
                      std::vector<double> &h, std::vector<double> &hFinal);

/// out[b,t,r,c] = sum_{j<=t} exp(A[b,t,r] - A[b,j,r]) * x[b,j,r,c].
std::vector<double> decayedSum(const std::vector<double> &A, const std::vector<double> &x,
                               int64_t B, int64_t T, int64_t R, int64_t C);

/// Sum and mean of each run of `chunk` along T of [B, T, D] (the last run may
/// be shorter); results [B, ceil(T / chunk), D].
void chunkAggregate(const std::vector<double> &x, int64_t B, int64_t T, int64_t D, int64_t chunk,
                    std::vector<double> &sum, std::vector<double> &mean);

} // namespace mmrec::reference

#endif // MMREC_REFERENCES_H
