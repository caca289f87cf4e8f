// Linear recurrence (memory decay and integration, MDI):
//
//   h[t] = a[t] * h[t-1] + b[t]   along T of [B, H, T, D]
//
// as an associative scan of the pairs (a, b) with the non-commutative
// combiner (a1, b1) . (a2, b2) = (a1 * a2, a2 * b1 + b2), lhs the earlier
// element. @linear_recurrence starts from h[-1] = 0; @linear_recurrence_h0
// starts from a given state h0 [B, H, D] and also writes the final state
// h[T-1]; @linear_recurrence_rows is @linear_recurrence on [B, H, D, T],
// each sequence a contiguous row (the layout of Mamba's selective scan).
// a, b and h are bf16, states f32, arithmetic f32.

!view3f = memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>
!view4 = memref<?x?x?x?xbf16, strided<[?, ?, ?, ?], offset: ?>>

mmrec.kernel @linear_recurrence(%a: !view4, %b: !view4, %h: !view4) attributes {
    numerics = #mmrec.numerics<acc = f32>,
    tune_space = #mmrec.tune_space<strategy = [lookback, chunked, lanes],
                                   chunk = [64, 128, 256, 512, 1024],
                                   vector = [1, 2, 4, 8], warps = [2, 4, 8, 16]>} {
  %a16 = mmrec.load %a : !view4
  %b16 = mmrec.load %b : !view4
  %af, %bf = mmrec.map %a16, %b16 : (tensor<?x?x?x?xbf16>, tensor<?x?x?x?xbf16>)
      -> (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>) {
  ^bb0(%x: bf16, %y: bf16):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    mmrec.yield %xf, %yf : f32, f32
  }
  %decay, %state = mmrec.scan %af, %bf axis = 2 : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> {
  ^bb0(%a1: f32, %b1: f32, %a2: f32, %b2: f32):
    %a12 = arith.mulf %a1, %a2 : f32
    %carried = arith.mulf %a2, %b1 : f32
    %b12 = arith.addf %carried, %b2 : f32
    mmrec.yield %a12, %b12 : f32, f32
  }
  %h16 = mmrec.map %state : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xbf16> {
  ^bb0(%s: f32):
    %out = arith.truncf %s : f32 to bf16
    mmrec.yield %out : bf16
  }
  mmrec.store %h16, %h : tensor<?x?x?x?xbf16>, !view4
}

mmrec.kernel @linear_recurrence_h0(%a: !view4, %b: !view4, %h0: !view3f, %h: !view4,
                                   %h_final: !view3f) attributes {
    numerics = #mmrec.numerics<acc = f32>,
    tune_space = #mmrec.tune_space<strategy = [lookback, chunked, lanes],
                                   chunk = [64, 128, 256, 512, 1024],
                                   vector = [1, 2, 4, 8], warps = [2, 4, 8, 16]>} {
  %a16 = mmrec.load %a : !view4
  %b16 = mmrec.load %b : !view4
  %init = mmrec.load %h0 : !view3f
  %af, %bf = mmrec.map %a16, %b16 : (tensor<?x?x?x?xbf16>, tensor<?x?x?x?xbf16>)
      -> (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>) {
  ^bb0(%x: bf16, %y: bf16):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    mmrec.yield %xf, %yf : f32, f32
  }
  // The carry of the decay half of the pair does not reach h; start it at 1.
  %one = mmrec.map %init : (tensor<?x?x?xf32>) -> tensor<?x?x?xf32> {
  ^bb0(%x: f32):
    %c1 = arith.constant 1.0 : f32
    mmrec.yield %c1 : f32
  }
  %decay, %state, %decay_final, %state_final =
      mmrec.scan %af, %bf inits(%one, %init : tensor<?x?x?xf32>, tensor<?x?x?xf32>) axis = 2
      : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> {
  ^bb0(%a1: f32, %b1: f32, %a2: f32, %b2: f32):
    %a12 = arith.mulf %a1, %a2 : f32
    %carried = arith.mulf %a2, %b1 : f32
    %b12 = arith.addf %carried, %b2 : f32
    mmrec.yield %a12, %b12 : f32, f32
  }
  %h16 = mmrec.map %state : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xbf16> {
  ^bb0(%s: f32):
    %out = arith.truncf %s : f32 to bf16
    mmrec.yield %out : bf16
  }
  mmrec.store %h16, %h : tensor<?x?x?x?xbf16>, !view4
  mmrec.store %state_final, %h_final : tensor<?x?x?xf32>, !view3f
}

mmrec.kernel @linear_recurrence_rows(%a: !view4, %b: !view4, %h: !view4) attributes {
    numerics = #mmrec.numerics<acc = f32>,
    tune_space = #mmrec.tune_space<strategy = [lookback, chunked, lanes],
                                   chunk = [64, 128, 256, 512, 1024],
                                   vector = [1, 2, 4, 8], warps = [2, 4, 8, 16]>} {
  %a16 = mmrec.load %a : !view4
  %b16 = mmrec.load %b : !view4
  %af, %bf = mmrec.map %a16, %b16 : (tensor<?x?x?x?xbf16>, tensor<?x?x?x?xbf16>)
      -> (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>) {
  ^bb0(%x: bf16, %y: bf16):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    mmrec.yield %xf, %yf : f32, f32
  }
  %decay, %state = mmrec.scan %af, %bf axis = 3 : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> {
  ^bb0(%a1: f32, %b1: f32, %a2: f32, %b2: f32):
    %a12 = arith.mulf %a1, %a2 : f32
    %carried = arith.mulf %a2, %b1 : f32
    %b12 = arith.addf %carried, %b2 : f32
    mmrec.yield %a12, %b12 : f32, f32
  }
  %h16 = mmrec.map %state : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xbf16> {
  ^bb0(%s: f32):
    %out = arith.truncf %s : f32 to bf16
    mmrec.yield %out : bf16
  }
  mmrec.store %h16, %h : tensor<?x?x?x?xbf16>, !view4
}
