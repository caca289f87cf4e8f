// Decayed sum (seed 002, nanoSSM), in O(T) work and one pass over memory:
//
//   out[b, t, r, c] = sum_{j <= t} exp(A[b, t, r] - A[b, j, r]) * x[b, j, r, c]
//
// where A [B, T, R] holds cumulative log decays, broadcast over c. As a
// recurrence, out[t] = exp(A[t] - A[t-1]) * out[t-1] + x[t]. The scan runs
// over pairs (A, s): a segment ending at index k is (A[k], sum over the
// segment of exp(A[k] - A[j]) x[j]), and two adjacent segments combine as
// (A1, s1) . (A2, s2) = (A2, exp(A2 - A1) * s1 + s2), exact and associative,
// with no shifted copy of A. f32 throughout.

!view3 = memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>
!view4 = memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>

mmrec.kernel @decayed_sum(%A: !view3, %x: !view4, %out: !view4) attributes {
    numerics = #mmrec.numerics<acc = f32>,
    tune_space = #mmrec.tune_space<strategy = [lookback, chunked, lanes],
                                   chunk = [64, 128, 256, 512, 1024],
                                   vector = [1, 2, 4], warps = [2, 4, 8, 16]>} {
  %a = mmrec.load %A : !view3
  %xs = mmrec.load %x : !view4
  // A[b, t, r] broadcast over c, in registers once fused.
  %a4 = mmrec.map %a, %xs maps [affine_map<(b, t, r, c) -> (b, t, r)>,
                                affine_map<(b, t, r, c) -> (b, t, r, c)>]
      : (tensor<?x?x?xf32>, tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  ^bb0(%ai: f32, %xi: f32):
    mmrec.yield %ai : f32
  }
  %last, %sums = mmrec.scan %a4, %xs axis = 1 : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> {
  ^bb0(%a1: f32, %s1: f32, %a2: f32, %s2: f32):
    %delta = arith.subf %a2, %a1 : f32
    %decay = math.exp %delta : f32
    %carried = arith.mulf %decay, %s1 : f32
    %s12 = arith.addf %carried, %s2 : f32
    mmrec.yield %a2, %s12 : f32, f32
  }
  mmrec.store %sums, %out : tensor<?x?x?x?xf32>, !view4
}
