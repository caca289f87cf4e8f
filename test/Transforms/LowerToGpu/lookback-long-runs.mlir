// RUN: mmrec-opt %s -mmrec-fuse -mmrec-lower-to-gpu -canonicalize -cse | FileCheck %s

// Runs longer than 16 steps (chunk 128 shared by 4 runs: 32 steps) unroll
// 16 steps at a time: a full run loops over batches of 16 loads, so that a
// batch's loads are in flight together; a partial run (the axis' last
// chunk) loops step by step. The first walk (the run's aggregate) starts
// from the run's first element: one batch from the second, then the last
// 15 steps unrolled.
// CHECK-LABEL: gpu.func @cumsum__group0(
// CHECK:         %[[STEPS:.*]] = arith.subi %{{.*}}, %{{.*}} : index
// CHECK:         arith.cmpi eq, %[[STEPS]], %c32 : index
// CHECK:         scf.if
// CHECK:           memref.load %arg0
// CHECK:           scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c16 iter_args(
// CHECK-COUNT-16:    memref.load %arg0
// CHECK:             scf.yield
// CHECK-COUNT-15:  memref.load %arg0
// CHECK:         } else {
// CHECK:           scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c1 iter_args(
// CHECK:             memref.load %arg0
// The output walk: two batches of 16.
// CHECK:         scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c16 iter_args(
// CHECK-COUNT-16:  memref.store %{{.*}}, %arg1
// CHECK:           scf.yield
// CHECK:         gpu.return
mmrec.kernel @cumsum(%in: memref<?x?xf32>, %out: memref<?x?xf32>) {
  %x = mmrec.load %in : memref<?x?xf32>
  %y = mmrec.scan %x axis = 0 {
      tiling = #mmrec.tiling<strategy = lookback, chunk = 128, lanes = 32, vector = 1, warps = 4>}
      : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  mmrec.store %y, %out : tensor<?x?xf32>, memref<?x?xf32>
}
