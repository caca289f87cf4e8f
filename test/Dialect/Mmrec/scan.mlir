// RUN: mmrec-opt %s -verify-roundtrip | FileCheck %s
// RUN: mmrec-opt %s -mlir-print-op-generic | mmrec-opt | FileCheck %s
// RUN: mmrec-opt %s -mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

!v3 = memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>
!v2 = memref<?x?xf32, strided<[?, ?], offset: ?>>

// CHECK-LABEL: mmrec.kernel @cumsum
// CHECK:         %{{.*}} = mmrec.scan %{{.*}} axis = 1 : tensor<?x?x?xf32> {
// CHECK-NEXT:    ^bb0(%[[L:.*]]: f32, %[[R:.*]]: f32):
// CHECK-NEXT:      %[[S:.*]] = arith.addf %[[L]], %[[R]] : f32
// CHECK-NEXT:      mmrec.yield %[[S]] : f32
// GENERIC-LABEL: "mmrec.kernel"
// GENERIC:         "mmrec.scan"(%{{.*}}) <{axis = 1 : i64, exclusive = false, operandSegmentSizes = array<i32: 1, 0>, reverse = false}>
mmrec.kernel @cumsum(%in: !v3, %out: !v3) {
  %x = mmrec.load %in : !v3
  %y = mmrec.scan %x axis = 1 : tensor<?x?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  mmrec.store %y, %out : tensor<?x?x?xf32>, !v3
}

// Reverse and exclusive scans; an exclusive scan without inits names the
// value of its first element.
// CHECK-LABEL: mmrec.kernel @flags
// CHECK:         mmrec.scan %{{.*}} axis = 0 reverse : tensor<?x?x?xf32>
// CHECK:         mmrec.scan %{{.*}} axis = 2 reverse exclusive {identity = [0.000000e+00 : f32]} : tensor<?x?x?xf32>
// CHECK:         mmrec.scan %{{.*}} axis = 2 exclusive {identity = [1.000000e+00 : f32]} : tensor<?x?x?xf32>
// GENERIC-LABEL: "mmrec.kernel"
// GENERIC:         "mmrec.scan"(%{{.*}}) <{axis = 0 : i64, exclusive = false, operandSegmentSizes = array<i32: 1, 0>, reverse = true}>
// GENERIC:         "mmrec.scan"(%{{.*}}) <{axis = 2 : i64, exclusive = true, identity = [0.000000e+00 : f32], operandSegmentSizes = array<i32: 1, 0>, reverse = true}>
mmrec.kernel @flags(%in: !v3, %o1: !v3, %o2: !v3, %o3: !v3) {
  %x = mmrec.load %in : !v3
  %a = mmrec.scan %x axis = 0 reverse : tensor<?x?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  %b = mmrec.scan %x axis = 2 reverse exclusive {identity = [0.0 : f32]} : tensor<?x?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  %c = mmrec.scan %x axis = 2 exclusive {identity = [1.0 : f32]} : tensor<?x?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.mulf %l, %r : f32
    mmrec.yield %s : f32
  }
  mmrec.store %a, %o1 : tensor<?x?x?xf32>, !v3
  mmrec.store %b, %o2 : tensor<?x?x?xf32>, !v3
  mmrec.store %c, %o3 : tensor<?x?x?xf32>, !v3
}

// Two operands (a non-commutative linear-recurrence combiner) with inits:
// the results are the two scanned tensors, then the two final carries.
// CHECK-LABEL: mmrec.kernel @recurrence
// CHECK:         %{{.*}}:4 = mmrec.scan %{{.*}}, %{{.*}} inits(%{{.*}}, %{{.*}} : tensor<?x?xf32>, tensor<?x?xf32>) axis = 1 : tensor<?x?x?xf32>, tensor<?x?x?xf32> {
// CHECK-NEXT:    ^bb0(%{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32):
// GENERIC-LABEL: "mmrec.kernel"
// GENERIC:         "mmrec.scan"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{axis = 1 : i64, exclusive = false, operandSegmentSizes = array<i32: 2, 2>, reverse = false}>
// GENERIC:         (tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) -> (tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>)
mmrec.kernel @recurrence(%a: !v3, %b: !v3, %a0: !v2, %h0: !v2, %h: !v3, %hT: !v2) {
  %av = mmrec.load %a : !v3
  %bv = mmrec.load %b : !v3
  %ai = mmrec.load %a0 : !v2
  %hi = mmrec.load %h0 : !v2
  %A, %H, %AT, %HT = mmrec.scan %av, %bv inits(%ai, %hi : tensor<?x?xf32>, tensor<?x?xf32>)
      axis = 1 : tensor<?x?x?xf32>, tensor<?x?x?xf32> {
  ^bb0(%a1: f32, %b1: f32, %a2: f32, %b2: f32):
    %a12 = arith.mulf %a1, %a2 : f32
    %p = arith.mulf %a2, %b1 : f32
    %b12 = arith.addf %p, %b2 : f32
    mmrec.yield %a12, %b12 : f32, f32
  }
  mmrec.store %H, %h : tensor<?x?x?xf32>, !v3
  mmrec.store %HT, %hT : tensor<?x?xf32>, !v2
}

// Operands of different element types, static shapes, and a tiling.
// CHECK-LABEL: mmrec.kernel @mixed
// CHECK:         mmrec.scan %{{.*}}, %{{.*}} axis = 0 {tiling = #mmrec.tiling<strategy = lookback, chunk = 256, lanes = 64, vector = 8, warps = 4>} : tensor<16x4xf32>, tensor<16x4xi32>
mmrec.kernel @mixed(%f: memref<16x4xf32>, %i: memref<16x4xi32>) {
  %fv = mmrec.load %f : memref<16x4xf32>
  %iv = mmrec.load %i : memref<16x4xi32>
  %s, %n = mmrec.scan %fv, %iv axis = 0 {
      tiling = #mmrec.tiling<strategy = lookback, chunk = 256, lanes = 64, vector = 8, warps = 4>}
      : tensor<16x4xf32>, tensor<16x4xi32> {
  ^bb0(%f1: f32, %i1: i32, %f2: f32, %i2: i32):
    %fs = arith.maximumf %f1, %f2 : f32
    %is = arith.addi %i1, %i2 : i32
    mmrec.yield %fs, %is : f32, i32
  }
  mmrec.store %s, %f : tensor<16x4xf32>, memref<16x4xf32>
  mmrec.store %n, %i : tensor<16x4xi32>, memref<16x4xi32>
}
