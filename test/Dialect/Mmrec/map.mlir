// RUN: mmrec-opt %s -verify-roundtrip | FileCheck %s
// RUN: mmrec-opt %s -mlir-print-op-generic | mmrec-opt | FileCheck %s

!v3 = memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>
!v4 = memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>

// Identity indexing (no `maps`), one input, a change of element type.
// CHECK-LABEL: mmrec.kernel @elementwise
// CHECK:         mmrec.map %{{.*}} : (tensor<?x?xbf16>) -> tensor<?x?xf32> {
// CHECK-NEXT:    ^bb0(%[[X:.*]]: bf16):
// CHECK-NEXT:      %[[E:.*]] = arith.extf %[[X]] : bf16 to f32
// CHECK-NEXT:      mmrec.yield %[[E]] : f32
mmrec.kernel @elementwise(%in: memref<?x?xbf16, strided<[?, ?], offset: ?>>,
                          %out: memref<?x?xf32, strided<[?, ?], offset: ?>>) {
  %x = mmrec.load %in : memref<?x?xbf16, strided<[?, ?], offset: ?>>
  %y = mmrec.map %x : (tensor<?x?xbf16>) -> tensor<?x?xf32> {
  ^bb0(%v: bf16):
    %e = arith.extf %v : bf16 to f32
    mmrec.yield %e : f32
  }
  mmrec.store %y, %out : tensor<?x?xf32>, memref<?x?xf32, strided<[?, ?], offset: ?>>
}

// Broadcasting a per-row value [b, t, r] over [b, t, r, c], two results.
// CHECK-LABEL: mmrec.kernel @broadcast
// CHECK:         %{{.*}}:2 = mmrec.map %{{.*}}, %{{.*}} maps [#map, #map1] : (tensor<?x?x?xf32>, tensor<?x?x?x?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>)
mmrec.kernel @broadcast(%A: !v3, %x: !v4, %o1: !v4, %o2: !v4) {
  %a = mmrec.load %A : !v3
  %xs = mmrec.load %x : !v4
  %p, %q = mmrec.map %a, %xs maps [affine_map<(b, t, r, c) -> (b, t, r)>,
                                    affine_map<(b, t, r, c) -> (b, t, r, c)>]
      : (tensor<?x?x?xf32>, tensor<?x?x?x?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>) {
  ^bb0(%ai: f32, %xi: f32):
    %e = math.exp %ai : f32
    %m = arith.mulf %e, %xi : f32
    mmrec.yield %e, %m : f32, f32
  }
  mmrec.store %p, %o1 : tensor<?x?x?x?xf32>, !v4
  mmrec.store %q, %o2 : tensor<?x?x?x?xf32>, !v4
}

// A transposed operand, and a map without inputs over a static domain.
// CHECK-LABEL: mmrec.kernel @transpose_and_fill
// CHECK:         mmrec.map %{{.*}} maps [#map2] : (tensor<?x?xf32>) -> tensor<?x?xf32>
// CHECK:         mmrec.map : () -> tensor<4x8xf32>
mmrec.kernel @transpose_and_fill(%in: memref<?x?xf32>, %out: memref<?x?xf32>, %fill: memref<4x8xf32>) {
  %x = mmrec.load %in : memref<?x?xf32>
  %t = mmrec.map %x maps [affine_map<(i, j) -> (j, i)>] : (tensor<?x?xf32>) -> tensor<?x?xf32> {
  ^bb0(%v: f32):
    mmrec.yield %v : f32
  }
  mmrec.store %t, %out : tensor<?x?xf32>, memref<?x?xf32>
  %z = mmrec.map : () -> tensor<4x8xf32> {
    %zero = arith.constant 0.0 : f32
    mmrec.yield %zero : f32
  }
  mmrec.store %z, %fill : tensor<4x8xf32>, memref<4x8xf32>
}
