// Associative scan, exponential product (seed 000): the cumulative product
// of decays along T of [B, H, T, D], computed in log space:
//
//   y[b, h, t, d] = exp(sum_{i <= t} clamp(log(gamma[b, h, i, d] + 1e-8), -50, 0))
//
// bf16 in and out, f32 inside. The compiler fuses the three ops into one pass
// over memory, and multiplies the clamped decays instead of summing their logs
// (-mmrec-log-sum-to-product: the same function, without a log or exp an
// element). fastmath<afn>: where a log and exp stay, on the GPU they are the
// hardware's approximations (2^-22 relative), invisible in the bf16 result.

!view4 = memref<?x?x?x?xbf16, strided<[?, ?, ?, ?], offset: ?>>

mmrec.kernel @assoc_scan_exp(%gamma: !view4, %y: !view4) attributes {
    numerics = #mmrec.numerics<acc = f32, eps = 1.0e-8, clamp = [-50.0, 0.0]>,
    tune_space = #mmrec.tune_space<strategy = [lookback, chunked, lanes],
                                   chunk = [64, 128, 256, 512, 1024],
                                   vector = [1, 2, 4, 8], warps = [2, 4, 8, 16]>} {
  %g = mmrec.load %gamma : !view4
  %logs = mmrec.map %g : (tensor<?x?x?x?xbf16>) -> tensor<?x?x?x?xf32> {
  ^bb0(%x: bf16):
    %eps = arith.constant 1.0e-8 : f32
    %low = arith.constant -50.0 : f32
    %high = arith.constant 0.0 : f32
    %xf = arith.extf %x : bf16 to f32
    %shifted = arith.addf %xf, %eps : f32
    %log = math.log %shifted fastmath<afn> : f32
    %above = arith.maximumf %log, %low : f32
    %clamped = arith.minimumf %above, %high : f32
    mmrec.yield %clamped : f32
  }
  %sums = mmrec.scan %logs axis = 2 : tensor<?x?x?x?xf32> {
  ^bb0(%lhs: f32, %rhs: f32):
    %sum = arith.addf %lhs, %rhs : f32
    mmrec.yield %sum : f32
  }
  %products = mmrec.map %sums : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xbf16> {
  ^bb0(%s: f32):
    %e = math.exp %s fastmath<afn> : f32
    %out = arith.truncf %e : f32 to bf16
    mmrec.yield %out : bf16
  }
  mmrec.store %products, %y : tensor<?x?x?x?xbf16>, !view4
}
