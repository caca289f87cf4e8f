// RUN: mmrec-opt %s -mmrec-fuse -mmrec-lower-to-gpu -canonicalize -cse | FileCheck %s

// A scan along the innermost dimension (contiguous in memory): consecutive
// threads take consecutive runs of a lane (thread t: run t mod 16, lane
// block t / 16), so that a warp's accesses along the axis are consecutive;
// a thread's cell in the shared arrays stays run x lane blocks + lane
// block. A warp holds two lanes' 16 runs, scanned with shuffles 1, 2, 4 and
// 8 threads apart within each half; the last run of each half stores the
// lane's total. Without the aligned specialization (below) each step loads
// its element alone.
// CHECK-LABEL: gpu.func @sums__group0(
// CHECK-SAME:      mmrec.block_lanes = 4 : i64, mmrec.block_threads = 64 : i64, mmrec.chunk = 64 : i64
// CHECK-DAG:     %[[TID:.*]] = gpu.thread_id x
// CHECK-DAG:     %[[RUNINDEX:.*]] = arith.remui %[[TID]], %c16
// CHECK-DAG:     %[[LANE:.*]] = arith.divui %[[TID]], %c16
// CHECK:         %[[CELL:.*]] = arith.addi %{{.*}}, %[[LANE]]
// CHECK:         %[[POSITION:.*]] = arith.remui %[[RUNINDEX]], %c16
// CHECK:         gpu.shuffle  up %{{.*}}, %c1_i32, %c32_i32
// CHECK:         arith.cmpi uge, %[[POSITION]], %c1
// CHECK:         gpu.shuffle  up %{{.*}}, %c2_i32, %c32_i32
// CHECK:         gpu.shuffle  up %{{.*}}, %c4_i32, %c32_i32
// CHECK:         gpu.shuffle  up %{{.*}}, %c8_i32, %c32_i32
// CHECK-NOT:     gpu.shuffle  up %{{.*}}, %c16_i32, %c32_i32
// CHECK:         arith.cmpi eq, %[[POSITION]], %c15
// CHECK:       llvm.inline_asm has_side_effects "ld.relaxed.gpu.global.b64 $0, [$1];"
// CHECK:         memref.store %{{.*}}, %{{.*}}[%[[CELL]]]
// CHECK:       gpu.return

// The aligned specialization: a full run's 4 steps move as one 16-byte
// vector a lane along the axis, staged in shared memory with cp.async for
// the read-only input; the outputs go out as one vector per lane after the
// run. A reverse scan's runs are full only where the axis length is a
// multiple of the vector (4 f32), else they walk step by step.
// RUN: mmrec-opt %s -mmrec-fuse -mmrec-specialize-contiguous=alignment=16 -mmrec-lower-to-gpu -canonicalize -cse | FileCheck %s --check-prefix=ALIGNED
// ALIGNED-LABEL: gpu.func @sums__group0(
// ALIGNED:       cp.async.cg.shared.global.L2::cache_hint [$0], [$1], 16, $2;
// ALIGNED:       cp.async.wait_all;
// ALIGNED:       llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<3> -> vector<4xi32>
// ALIGNED:       "st.global.L2::cache_hint.v4.b32 [$0], {$1, $2, $3, $4}, $5;"
// ALIGNED-LABEL: gpu.func @reverse_sums__group0(
// ALIGNED:       %[[REM:.*]] = arith.remui %{{.*}}, %c4
// ALIGNED:       arith.cmpi eq, %[[REM]], %c0
mmrec.kernel @sums(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {
  %v = mmrec.load %x : memref<?x?xf32>
  %s = mmrec.scan %v axis = 1 {tiling = #mmrec.tiling<strategy = lookback, chunk = 64, lanes = 4, vector = 1, warps = 2>} : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %t = arith.addf %l, %r : f32
    mmrec.yield %t : f32
  }
  mmrec.store %s, %y : tensor<?x?xf32>, memref<?x?xf32>
}

mmrec.kernel @reverse_sums(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {
  %v = mmrec.load %x : memref<?x?xf32>
  %s = mmrec.scan %v axis = 1 reverse {tiling = #mmrec.tiling<strategy = lookback, chunk = 64, lanes = 4, vector = 1, warps = 2>} : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %t = arith.addf %l, %r : f32
    mmrec.yield %t : f32
  }
  mmrec.store %s, %y : tensor<?x?xf32>, memref<?x?xf32>
}
