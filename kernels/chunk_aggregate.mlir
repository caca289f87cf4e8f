// HDS level-1 aggregation: the sum and the mean of every chunk of 128
// elements along T of [B, T, D]. The last chunk may be shorter when T is not
// a multiple of 128, so the mean divides by a count reduced alongside the sum.
// bf16 in and out, f32 inside.

!view3 = memref<?x?x?xbf16, strided<[?, ?, ?], offset: ?>>

mmrec.kernel @chunk_aggregate(%x: !view3, %sum: !view3, %mean: !view3) attributes {
    numerics = #mmrec.numerics<acc = f32>,
    tune_space = #mmrec.tune_space<strategy = [chunked, lanes],
                                   vector = [1, 2, 4, 8], warps = [2, 4, 8, 16]>} {
  %xs = mmrec.load %x : !view3
  %values, %ones = mmrec.map %xs : (tensor<?x?x?xbf16>) -> (tensor<?x?x?xf32>, tensor<?x?x?xf32>) {
  ^bb0(%v: bf16):
    %vf = arith.extf %v : bf16 to f32
    %one = arith.constant 1.0 : f32
    mmrec.yield %vf, %one : f32, f32
  }
  %sums, %counts = mmrec.reduce %values, %ones axis = 1 chunk = 128
      : tensor<?x?x?xf32>, tensor<?x?x?xf32> {
  ^bb0(%s1: f32, %n1: f32, %s2: f32, %n2: f32):
    %s = arith.addf %s1, %s2 : f32
    %n = arith.addf %n1, %n2 : f32
    mmrec.yield %s, %n : f32, f32
  }
  %sum16, %mean16 = mmrec.map %sums, %counts : (tensor<?x?x?xf32>, tensor<?x?x?xf32>)
      -> (tensor<?x?x?xbf16>, tensor<?x?x?xbf16>) {
  ^bb0(%s: f32, %n: f32):
    %m = arith.divf %s, %n : f32
    %s16 = arith.truncf %s : f32 to bf16
    %m16 = arith.truncf %m : f32 to bf16
    mmrec.yield %s16, %m16 : bf16, bf16
  }
  mmrec.store %sum16, %sum : tensor<?x?x?xbf16>, !view3
  mmrec.store %mean16, %mean : tensor<?x?x?xbf16>, !view3
}
