// RUN: mmrec-opt %s -mmrec-fuse -mmrec-lower-to-gpu -canonicalize -cse | FileCheck %s

// The `chunked` strategy: three kernels, launched in order, over scratch of
// one value per operand, lane and chunk of 64 steps (the last arguments).
// _aggregate: thread (chunk, lane block) combines its chunk and stores the
// aggregate, writing no output; _prefix: thread (lane block) turns the
// aggregates into the carry before each chunk, starting from the inits, and
// stores the final carries; the last rescans each chunk from its carry and
// stores the outputs. The decay half of the pair is never needed: it has no
// scratch traffic.
// CHECK-LABEL: gpu.func @recurrence__group0_aggregate(
// CHECK-SAME:      %[[A:[^:]*]]: memref<?x?xf32>, %[[B:[^:]*]]: memref<?x?xf32>, %[[H0:[^:]*]]: memref<?xf32>, %[[H:[^:]*]]: memref<?x?xf32>, %[[HT:[^:]*]]: memref<?xf32>, %[[S0:[^:]*]]: memref<?xf32>, %[[S1:[^:]*]]: memref<?xf32>) kernel
// CHECK-SAME:      mmrec.chunk = 64 : i64, mmrec.group = 0 : i64, mmrec.lanes_per_thread = 1 : i64, mmrec.scratch = [f32, f32]
// CHECK:         %[[CHUNKS:.*]] = arith.ceildivui %{{.*}}, %c64
// CHECK:         %[[THREADS:.*]] = arith.muli %{{.*}}, %[[CHUNKS]]
// CHECK:         arith.cmpi ult, %{{.*}}, %[[THREADS]]
// CHECK:         scf.for {{.*}} iter_args
// CHECK-NOT:     memref.store {{.*}} %[[H]]
// CHECK-NOT:     memref.store {{.*}} %[[S0]]
// CHECK:         memref.store %{{.*}}, %[[S1]][%{{.*}}]
// CHECK:         gpu.return
// CHECK-LABEL: gpu.func @recurrence__group0_prefix(
// CHECK-SAME:      mmrec.chunk = 0 : i64, mmrec.group = 0 : i64
// CHECK:         %[[INIT:.*]] = memref.load %{{.*}}[%{{.*}}] : memref<?xf32>
// CHECK:         %[[FINAL:.*]] = scf.for %{{.*}} = %c0 to %{{.*}} step %c1 iter_args(%[[C:.*]] = %[[INIT]]) -> (f32)
// CHECK:           %[[AGG:.*]] = memref.load %{{.*}}[%[[I:.*]]] : memref<?xf32>
// CHECK:           memref.store %[[C]], %{{.*}}[%[[I]]] : memref<?xf32>
// CHECK:         memref.store %[[FINAL]], %{{.*}}[%{{.*}}] : memref<?xf32>
// CHECK-LABEL: gpu.func @recurrence__group0(
// CHECK-SAME:      mmrec.chunk = 64 : i64, mmrec.group = 0 : i64
// CHECK:         %[[IS_FIRST:.*]] = arith.cmpi eq, %{{.*}}, %c0
// CHECK:         %[[START:.*]] = scf.if %[[IS_FIRST]] -> (f32) {
// CHECK:           memref.load %{{.*}} : memref<?xf32>
// CHECK:         } else {
// CHECK:           memref.load %{{.*}} : memref<?xf32>
// CHECK:         scf.for {{.*}} iter_args(%{{.*}} = %[[START]]) -> (f32)
// CHECK:           memref.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : memref<?x?xf32>
mmrec.kernel @recurrence(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %h0: memref<?xf32>,
                         %h: memref<?x?xf32>, %ht: memref<?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  %y = mmrec.load %b : memref<?x?xf32>
  %init = mmrec.load %h0 : memref<?xf32>
  %one = mmrec.map %init : (tensor<?xf32>) -> tensor<?xf32> {
  ^bb0(%v: f32):
    %c1 = arith.constant 1.0 : f32
    mmrec.yield %c1 : f32
  }
  %decay, %state, %decay_final, %state_final =
      mmrec.scan %x, %y inits(%one, %init : tensor<?xf32>, tensor<?xf32>) axis = 0 {
        tiling = #mmrec.tiling<strategy = chunked, chunk = 64, lanes = 1, vector = 1, warps = 4>}
      : tensor<?x?xf32>, tensor<?x?xf32> {
  ^bb0(%a1: f32, %b1: f32, %a2: f32, %b2: f32):
    %a12 = arith.mulf %a1, %a2 : f32
    %carried = arith.mulf %a2, %b1 : f32
    %b12 = arith.addf %carried, %b2 : f32
    mmrec.yield %a12, %b12 : f32, f32
  }
  mmrec.store %state, %h : tensor<?x?xf32>, memref<?x?xf32>
  mmrec.store %state_final, %ht : tensor<?xf32>, memref<?xf32>
}

