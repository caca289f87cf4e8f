// RUN: mmrec-opt %kernels/linear_recurrence.mlir -emit-bytecode | mmrec-opt | FileCheck %s
// RUN: mmrec-opt %s -emit-bytecode | mmrec-opt | FileCheck %s --check-prefix=ATTRS

// Kernels survive the bytecode format: ops, properties (axis, inits segment
// sizes, flags) and the mmrec attributes.
// CHECK-LABEL: mmrec.kernel @linear_recurrence_h0(
// CHECK: mmrec.scan %{{.*}}, %{{.*}} inits(%{{.*}}, %{{.*}} : tensor<?x?x?xf32>, tensor<?x?x?xf32>) axis = 2 :

// ATTRS: tune_space = #mmrec.tune_space<strategy = [lanes], chunk = [32]>
// ATTRS: mmrec.scan %{{.*}} axis = 0 reverse exclusive {identity = [0 : i32], tiling = #mmrec.tiling<strategy = chunked, chunk = 64, lanes = 32, vector = 2, warps = 1>}
// ATTRS: mmrec.reduce %{{.*}} axis = 0 chunk = 3
mmrec.kernel @attrs(%x: memref<?xi32>) attributes {
    tune_space = #mmrec.tune_space<strategy = [lanes], chunk = [32]>,
    numerics = #mmrec.numerics<acc = f64, eps = 0.5>} {
  %v = mmrec.load %x : memref<?xi32>
  %s = mmrec.scan %v axis = 0 reverse exclusive {identity = [0 : i32],
      tiling = #mmrec.tiling<strategy = chunked, chunk = 64, lanes = 32, vector = 2, warps = 1>}
      : tensor<?xi32> {
  ^bb0(%l: i32, %r: i32):
    %t = arith.addi %l, %r : i32
    mmrec.yield %t : i32
  }
  %c = mmrec.reduce %s axis = 0 chunk = 3 : tensor<?xi32> {
  ^bb0(%l: i32, %r: i32):
    %t = arith.maxsi %l, %r : i32
    mmrec.yield %t : i32
  }
  mmrec.store %s, %x : tensor<?xi32>, memref<?xi32>
}
