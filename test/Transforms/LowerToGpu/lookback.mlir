// RUN: mmrec-opt %s -mmrec-fuse -mmrec-lower-to-gpu -canonicalize -cse | FileCheck %s --implicit-check-not=membar
// RUN: mmrec-opt %s -mmrec-fuse -mmrec-lower-to-gpu -canonicalize -cse | FileCheck %s --check-prefix=ROUND
// RUN: sed 's/warps = 4>/warps = 4, window = 2>/' %s | mmrec-opt -mmrec-fuse -mmrec-lower-to-gpu -canonicalize -cse | FileCheck %s --check-prefix=ROUND2

// The `lookback` strategy: one kernel. A block takes its tile (64 steps x 32
// lanes) from a ticket counter (64-bit word 0 of the tile state, the last
// argument; the block with the last ticket moves it to the next epoch); with
// a grid other than a block a tile (persistent blocks) it takes tickets
// until one is past the tiles, a launch drawing tiles + grid_dim of them,
// else one,
// combines its 4 runs' aggregates through shared memory, and publishes each
// lane's aggregate as two tagged words (the decay and the state, each with
// the epoch and status in its upper half) in one relaxed 16-byte store; the
// first tile publishes its inclusive prefix at once. It looks back over
// earlier tiles, spinning on relaxed loads until a lane's words carry one
// current tag, one barrier-or per window telling whether a lane looks
// further; publishes its inclusive prefix the same way; and rescans its tile
// from the prefix, writing the outputs. No fences, no flags: a 64-bit store
// is single-copy atomic. The decay is kept although no output reads it:
// combining two tiles' aggregates reads the later one's cumulative decay.
// Shared memory: the runs' aggregates (a decay and a state per thread) and
// whether each has one, which the look-back's window reuses once every
// thread has its lane's tile aggregate and the runs before its own in
// registers; each lane's prefix and whether it has one; ticket and epoch.
// A look-back round reads the tiles of the runs below the tiling's window
// (1 unless it says otherwise), then moves back that many tiles.
// ROUND:       %[[RUNINDEX:.*]] = arith.divui %thread_id_x, %c32 : index
// ROUND:       scf.while (%[[BASE:[^ ]*]] = %c0,
// ROUND:         arith.addi %[[BASE]], %[[RUNINDEX]] : index
// ROUND:         arith.cmpi ult, %[[RUNINDEX]], %c1 : index
// ROUND:         arith.addi %[[BASE]], %c1 : index
// ROUND2:      %[[RUNINDEX:.*]] = arith.divui %thread_id_x, %c32 : index
// ROUND2:      scf.while (%[[BASE:[^ ]*]] = %c0,
// ROUND2:        arith.addi %[[BASE]], %[[RUNINDEX]] : index
// ROUND2:        arith.cmpi ult, %[[RUNINDEX]], %c2 : index
// ROUND2:        arith.addi %[[BASE]], %c2 : index
// CHECK-LABEL: gpu.func @recurrence__group0(
// CHECK-SAME:      %[[H:[^:]*]]: memref<?x?xf32>, %{{[^:]*}}: memref<?xf32>, %[[STATE:[^:]*]]: memref<?xi64>) workgroup(
// CHECK-SAME:      %[[DECAYS:[^ ]*]] : memref<128xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64},
// CHECK-SAME:      %[[STATES:[^ ]*]] : memref<128xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64},
// CHECK-SAME:      %[[VALID:[^ ]*]] : memref<128xi32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64},
// CHECK-SAME:      %{{[^ ]*}} : memref<32xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64},
// CHECK-SAME:      %{{[^ ]*}} : memref<32xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64},
// CHECK-SAME:      %{{[^ ]*}} : memref<32xi32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64},
// CHECK-SAME:      %{{[^ ]*}} : memref<2xi32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}) kernel
// CHECK-SAME:      mmrec.block_lanes = 32 : i64, mmrec.block_threads = 128 : i64, mmrec.chunk = 64 : i64
// CHECK-SAME:      mmrec.scratch = [], mmrec.tile_state = 2 : i64
// CHECK:         %[[TILES:.*]] = arith.muli
// CHECK:         %[[GRID:.*]] = gpu.grid_dim x
// CHECK:         %[[PERSISTENT:.*]] = arith.cmpi ne, %[[GRID]], %[[TILES]] : index
// CHECK:         %[[EXTRA:.*]] = arith.select %[[PERSISTENT]], %[[GRID]], %c0 : index
// CHECK:         %[[DRAWS:.*]] = arith.addi %[[TILES]], %[[EXTRA]] : index
// CHECK:         scf.while (%[[MORE:.*]] = %true) : (i1) -> (index, i32) {
// CHECK:           %[[TICKET:.*]]:2 = scf.if %[[MORE]] -> (index, i32) {
// CHECK:             memref.atomic_rmw addi %c1_i64, %[[STATE]][%c0]
// CHECK:             %[[DRAWS64:.*]] = arith.index_castui %[[DRAWS]] : index to i64
// CHECK:             scf.if
// CHECK:               arith.subi %c4294967296_i64, %[[DRAWS64]] : i64
// CHECK:               memref.atomic_rmw addi %{{.*}}, %[[STATE]][%c0]
// CHECK:             gpu.barrier
// CHECK:           } else {
// CHECK:             scf.yield %[[TILES]], %c0_i32 : index, i32
// CHECK:           %[[LEFT:.*]] = arith.cmpi ult, %[[TICKET]]#0, %[[TILES]] : index
// CHECK:           scf.condition(%[[LEFT]]) %[[TICKET]]#0, %[[TICKET]]#1 : index, i32
// CHECK:         } do {
// CHECK:         llvm.inline_asm has_side_effects "st.relaxed.gpu.global.v2.b64 [$0], {$1, $2};"
// CHECK:       } else {
// CHECK:         llvm.inline_asm has_side_effects "st.relaxed.gpu.global.v2.b64 [$0], {$1, $2};"
// CHECK:       scf.while
// CHECK:         scf.while
// CHECK:           llvm.inline_asm has_side_effects "ld.relaxed.gpu.global.v2.b64 {$0, $1}, [$2];"
// CHECK:           memref.store %{{.*}}, %[[DECAYS]][%thread_id_x]
// CHECK:           memref.store %{{.*}}, %[[STATES]][%thread_id_x]
// CHECK:         memref.store %{{.*}}, %[[VALID]][%thread_id_x]
// CHECK:         gpu.barrier
// CHECK:         llvm.call_intrinsic "llvm.nvvm.barrier0.or"
// CHECK:       llvm.inline_asm has_side_effects "st.relaxed.gpu.global.v2.b64 [$0], {$1, $2};"
// CHECK:     gpu.barrier
// CHECK:     memref.store %{{.*}}, %[[H]]
// CHECK:     scf.yield %[[PERSISTENT]] : i1
// CHECK:     gpu.return
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
