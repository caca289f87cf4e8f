// RUN: mmrec-opt %s -mmrec-fuse -mmrec-lower-to-gpu -canonicalize -cse -split-input-file | FileCheck %s
// RUN: mmrec-opt %s -mmrec-fuse -mmrec-lower-to-gpu -canonicalize -cse -split-input-file | FileCheck %s --check-prefix=SHARED

// The `chunked` strategy: three kernels, launched in order, over scratch of
// one value per operand, lane and chunk of 64 steps (the last arguments).
// _aggregate: thread (chunk, lane block) combines its chunk and stores the
// aggregate, writing no output; _prefix: thread (lane block) turns the
// aggregates into the carry before each chunk, starting from the inits, and
// stores the final carries; the last rescans each chunk from its carry and
// stores the outputs. The decay half of the pair is needed although no
// output reads it: combining two chunks' aggregates reads the later one's
// cumulative decay (a2 in a2 * b1 + b2).
// CHECK-LABEL: gpu.func @recurrence__group0_aggregate(
// CHECK-SAME:      %[[A:[^:]*]]: memref<?x?xf32>, %[[B:[^:]*]]: memref<?x?xf32>, %[[H0:[^:]*]]: memref<?xf32>, %[[H:[^:]*]]: memref<?x?xf32>, %[[HT:[^:]*]]: memref<?xf32>, %[[S0:[^:]*]]: memref<?xf32>, %[[S1:[^:]*]]: memref<?xf32>) kernel
// CHECK-SAME:      mmrec.chunk = 64 : i64, mmrec.group = 0 : i64, mmrec.lanes_per_thread = 1 : i64, mmrec.scratch = [f32, f32]
// CHECK:         %[[CHUNKS:.*]] = arith.ceildivui %{{.*}}, %c64
// CHECK:         %[[THREADS:.*]] = arith.muli %{{.*}}, %[[CHUNKS]]
// CHECK:         arith.cmpi ult, %{{.*}}, %[[THREADS]]
// CHECK:         scf.for {{.*}} iter_args
// CHECK-NOT:     memref.store {{.*}} %[[H]]
// CHECK:         memref.store %{{.*}}, %[[S0]][%{{.*}}]
// CHECK:         memref.store %{{.*}}, %[[S1]][%{{.*}}]
// CHECK:         gpu.return
// CHECK-LABEL: gpu.func @recurrence__group0_prefix(
// CHECK-SAME:      mmrec.chunk = 0 : i64, mmrec.group = 0 : i64
// CHECK:         %[[INIT:.*]] = memref.load %{{.*}}[%{{.*}}] : memref<?xf32>
// CHECK:         %[[FINAL:.*]]:2 = scf.for %{{.*}} = %c0 to %{{.*}} step %c1 iter_args(%[[D:.*]] = %{{.*}}, %[[C:.*]] = %[[INIT]]) -> (f32, f32)
// CHECK:           memref.load %{{.*}}[%[[I:.*]]] : memref<?xf32>
// CHECK:           memref.store %[[D]], %{{.*}}[%[[I]]] : memref<?xf32>
// CHECK:           memref.load %{{.*}}[%[[I]]] : memref<?xf32>
// CHECK:           memref.store %[[C]], %{{.*}}[%[[I]]] : memref<?xf32>
// CHECK:         memref.store %[[FINAL]]#1, %{{.*}}[%{{.*}}] : memref<?xf32>
// CHECK-LABEL: gpu.func @recurrence__group0(
// CHECK-SAME:      mmrec.chunk = 64 : i64, mmrec.group = 0 : i64
// CHECK:         %[[IS_FIRST:.*]] = arith.cmpi eq, %{{.*}}, %c0
// CHECK:         %[[START:.*]]:2 = scf.if %[[IS_FIRST]] -> (f32, f32) {
// CHECK:           memref.load %{{.*}} : memref<?xf32>
// CHECK:         } else {
// CHECK:           memref.load %{{.*}} : memref<?xf32>
// CHECK:         scf.for {{.*}} iter_args(%{{.*}} = %[[START]]#0, %{{.*}} = %[[START]]#1) -> (f32, f32)
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
        tiling = #mmrec.tiling<strategy = chunked, chunk = 64, lanes = 128, vector = 1, warps = 4>}
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


// -----

// A block's threads share each lane's chunk when the tiling gives a block
// fewer lanes than threads: 8 lanes x 8 runs of 4 steps per block of 64
// threads (thread t: run t / 8, lane t % 8). Each warp holds 4 runs of each
// lane: they scan each other's aggregates with shuffles up by 8 and 16; the
// last run of each lane in a warp stores the warp's total in shared memory;
// after the barrier, run 0 combines the 2 warp totals (pass 1), or each
// thread those of the warps before its own and then the runs before it in
// its warp (pass 3).
// SHARED-LABEL: gpu.func @cumsum__group0_aggregate(
// SHARED-SAME:      workgroup(%[[TOTALS:.*]] : memref<64xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[VALID:.*]] : memref<64xi32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// SHARED-SAME:      mmrec.block_lanes = 8 : i64, mmrec.block_threads = 64 : i64, mmrec.chunk = 32 : i64
// SHARED:         gpu.shuffle up %{{.*}}, %c8_i32, %c32_i32 : f32
// SHARED:         gpu.shuffle up %{{.*}}, %c16_i32, %c32_i32 : f32
// SHARED:         memref.store %{{.*}}, %[[TOTALS]][%{{.*}}]
// SHARED:         gpu.barrier
// SHARED:         scf.for %{{.*}} = %c0 to %c2 step %c1 iter_args
// SHARED:           memref.load %[[VALID]]
// SHARED-LABEL: gpu.func @cumsum__group0_prefix(
// SHARED-SAME:      mmrec.block_lanes = 0 : i64
// SHARED-LABEL: gpu.func @cumsum__group0(
// SHARED-SAME:      mmrec.block_lanes = 8 : i64
// SHARED:         gpu.shuffle up
// SHARED:         gpu.barrier
// SHARED:         scf.for %{{.*}} = %c0 to %[[UPTO:.*]] step %c1 iter_args
mmrec.kernel @cumsum(%in: memref<?x?xf32>, %out: memref<?x?xf32>) {
  %x = mmrec.load %in : memref<?x?xf32>
  %y = mmrec.scan %x axis = 0 {
      tiling = #mmrec.tiling<strategy = chunked, chunk = 32, lanes = 8, vector = 1, warps = 2>}
      : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  mmrec.store %y, %out : tensor<?x?xf32>, memref<?x?xf32>
}
