// RUN: mmrec-opt %s -mmrec-fuse -mmrec-lower-to-gpu -canonicalize -cse | FileCheck %s

// The `lookback` strategy: one kernel. A block takes its tile (64 steps x 32
// lanes) from a ticket counter (word 0 of the tile state, the last
// argument), combines its 4 runs' aggregates through shared memory,
// publishes the tile's aggregate (scratch S0, S1) with a volatile flag store
// after a GPU fence (the first tile publishes its inclusive prefix, P0 and
// P1, at once), looks back over earlier tiles (spinning on volatile flag
// loads, a fence before reading their values), publishes its inclusive
// prefix (flag 2), counts itself finished (word 1, between fences: every
// flag store lands before the zeroes), and rescans its tile from the
// prefix, writing the outputs. The last block to finish zeroes the tile
// state. The decay is kept although no output reads it: combining two
// tiles' aggregates reads the later one's cumulative decay.
// CHECK-LABEL: gpu.func @recurrence__group0(
// CHECK-SAME:      %[[H:[^:]*]]: memref<?x?xf32>, %{{[^:]*}}: memref<?xf32>, %[[S0:[^:]*]]: memref<?xf32>, %[[S1:[^:]*]]: memref<?xf32>, %[[P0:[^:]*]]: memref<?xf32>, %[[P1:[^:]*]]: memref<?xf32>, %[[STATE:[^:]*]]: memref<?xi32>) workgroup(
// CHECK-SAME:      mmrec.block_lanes = 32 : i64, mmrec.block_threads = 128 : i64, mmrec.chunk = 64 : i64
// CHECK-SAME:      mmrec.scratch = [f32, f32, f32, f32], mmrec.tile_state
// CHECK:         memref.atomic_rmw addi %c1_i32, %[[STATE]][%c0]
// CHECK:         gpu.barrier
// CHECK:         memref.store %{{.*}}, %[[P0]]
// CHECK:         memref.store %{{.*}}, %[[P1]]
// CHECK:       } else {
// CHECK:         memref.store %{{.*}}, %[[S0]]
// CHECK:         memref.store %{{.*}}, %[[S1]]
// CHECK:       llvm.call_intrinsic "llvm.nvvm.membar.gl"
// CHECK:       gpu.barrier
// CHECK:       llvm.store volatile
// CHECK:       scf.while
// CHECK:         scf.while
// CHECK:           llvm.load volatile
// CHECK:         llvm.call_intrinsic "llvm.nvvm.membar.gl"
// CHECK:         memref.load %[[P0]]
// CHECK:         memref.load %[[S0]]
// CHECK:       memref.store %{{.*}}, %[[P0]]
// CHECK:       llvm.call_intrinsic "llvm.nvvm.membar.gl"
// CHECK:       llvm.store volatile %c2_i32
// CHECK-NEXT:  {{^ *}}}
// CHECK-NEXT:  llvm.call_intrinsic "llvm.nvvm.membar.gl"
// CHECK-NEXT:  memref.atomic_rmw addi %c1_i32, %[[STATE]][%c1]
// CHECK-NEXT:  llvm.call_intrinsic "llvm.nvvm.membar.gl"
// CHECK:       memref.store %c0_i32, %[[STATE]]
// CHECK:       memref.store %{{.*}}, %[[H]]
// CHECK:       gpu.return
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
        tiling = #mmrec.tiling<strategy = lookback, chunk = 64, lanes = 32, vector = 1, warps = 4>}
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
