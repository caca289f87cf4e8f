// RUN: mmrec-opt %s -verify-roundtrip | FileCheck %s
// RUN: mmrec-opt %s -mlir-print-op-generic | mmrec-opt | FileCheck %s

!v3 = memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>
!v2 = memref<?x?xf32, strided<[?, ?], offset: ?>>

// Without a chunk the axis disappears from the result.
// CHECK-LABEL: mmrec.kernel @total
// CHECK:         %[[R:.*]] = mmrec.reduce %{{.*}} axis = 1 : tensor<?x?x?xf32> {
// CHECK:         mmrec.store %[[R]], %{{.*}} : tensor<?x?xf32>
mmrec.kernel @total(%in: !v3, %out: !v2) {
  %x = mmrec.load %in : !v3
  %s = mmrec.reduce %x axis = 1 : tensor<?x?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %t = arith.addf %l, %r : f32
    mmrec.yield %t : f32
  }
  mmrec.store %s, %out : tensor<?x?xf32>, !v2
}

// With a chunk the axis has ceil(size / chunk) elements: 300 / 128 -> 3.
// CHECK-LABEL: mmrec.kernel @chunks
// CHECK:         %[[D:.*]] = mmrec.reduce %{{.*}} axis = 1 chunk = 128 : tensor<?x?x?xf32>
// CHECK:         mmrec.store %[[D]], %{{.*}} : tensor<?x?x?xf32>
// CHECK:         %[[S:.*]]:2 = mmrec.reduce %{{.*}}, %{{.*}} axis = 0 chunk = 128 {tiling = #mmrec.tiling<strategy = chunked, chunk = 128, lanes = 256, vector = 4, warps = 8>} : tensor<300x8xf32>, tensor<300x8xi32>
// CHECK:         mmrec.store %[[S]]#0, %{{.*}} : tensor<3x8xf32>
// CHECK:         mmrec.store %[[S]]#1, %{{.*}} : tensor<3x8xi32>
mmrec.kernel @chunks(%in: !v3, %out: !v3, %s_in: memref<300x8xf32>, %n_in: memref<300x8xi32>,
                     %s_out: memref<3x8xf32>, %n_out: memref<3x8xi32>) {
  %x = mmrec.load %in : !v3
  %m = mmrec.reduce %x axis = 1 chunk = 128 : tensor<?x?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %t = arith.maximumf %l, %r : f32
    mmrec.yield %t : f32
  }
  mmrec.store %m, %out : tensor<?x?x?xf32>, !v3
  %sv = mmrec.load %s_in : memref<300x8xf32>
  %nv = mmrec.load %n_in : memref<300x8xi32>
  %s, %n = mmrec.reduce %sv, %nv axis = 0 chunk = 128 {
      tiling = #mmrec.tiling<strategy = chunked, chunk = 128, lanes = 256, vector = 4, warps = 8>}
      : tensor<300x8xf32>, tensor<300x8xi32> {
  ^bb0(%s1: f32, %n1: i32, %s2: f32, %n2: i32):
    %s12 = arith.addf %s1, %s2 : f32
    %n12 = arith.addi %n1, %n2 : i32
    mmrec.yield %s12, %n12 : f32, i32
  }
  mmrec.store %s, %s_out : tensor<3x8xf32>, memref<3x8xf32>
  mmrec.store %n, %n_out : tensor<3x8xi32>, memref<3x8xi32>
}
