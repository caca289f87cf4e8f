// RUN: mmrec-opt %s -mmrec-fuse -mmrec-lower-to-gpu -canonicalize -cse -split-input-file | FileCheck %s

// The `lanes` strategy: one gpu.func kernel per group in a gpu.module named
// after the kernel. Thread g (block_id * block_dim + thread_id) owns lane
// block g: `vector` = 2 consecutive lanes of d1 here; threads past the last
// block do nothing. The block size is 32 x warps. A full block walks the
// axis (backwards: reverse) with its two carries as loop-carried values,
// the lanes unrolled, lhs = the carry (the earlier element in scan order);
// the partial block at the end of a row walks its lanes one at a time.
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK:       gpu.module @cumsum {
// CHECK:         gpu.func @cumsum__group0(%[[IN:.*]]: memref<?x?xf32>, %[[OUT:.*]]: memref<?x?xf32>) kernel
// CHECK-SAME:        known_block_size = array<i32: 64, 1, 1>, mmrec.block_lanes = 0 : i64, mmrec.block_threads = 64 : i64, mmrec.chunk = 0 : i64,
// CHECK-SAME:        mmrec.group = 0 : i64, mmrec.lanes_per_thread = 2 : i64, mmrec.scratch = []
// CHECK:           %[[T:.*]] = memref.dim %[[IN]], %c0
// CHECK:           %[[D:.*]] = memref.dim %[[IN]], %c1
// CHECK:           %[[BLOCKS:.*]] = arith.ceildivui %[[D]], %c2
// CHECK:           %[[BID:.*]] = gpu.block_id x
// CHECK:           %[[BDIM:.*]] = gpu.block_dim x
// CHECK:           %[[TID:.*]] = gpu.thread_id x
// CHECK:           %[[BASE:.*]] = arith.muli %[[BID]], %[[BDIM]]
// CHECK:           %[[G:.*]] = arith.addi %[[BASE]], %[[TID]]
// CHECK:           %[[IN_RANGE:.*]] = arith.cmpi ult, %[[G]], %[[BLOCKS]]
// CHECK:           scf.if %[[IN_RANGE]] {
// CHECK:             %[[FIRST:.*]] = arith.muli %{{.*}}, %c2
// CHECK:             %[[COUNT:.*]] = arith.minui
// CHECK:             %[[FULL:.*]] = arith.cmpi eq, %[[COUNT]], %c2
// CHECK:             scf.if %[[FULL]] {
// CHECK:               %[[START:.*]]:2 = scf.if %{{.*}} -> (f32, f32) {
// CHECK:               %{{.*}}:2 = scf.for %[[S:.*]] = %c1 to %[[T]] step %c1 iter_args(%[[A0:.*]] = %[[START]]#0, %[[A1:.*]] = %[[START]]#1) -> (f32, f32) {
// CHECK:                 %[[I:.*]] = arith.subi %{{.*}}, %[[S]]
// CHECK:                 %[[X0:.*]] = memref.load %[[IN]][%[[I]], %[[FIRST]]]
// CHECK:                 %[[Y0:.*]] = arith.subf %[[A0]], %[[X0]]
// CHECK:                 memref.store %[[Y0]], %[[OUT]][%[[I]], %[[FIRST]]]
// CHECK:                 %[[SECOND:.*]] = arith.addi %[[FIRST]], %c1
// CHECK:                 %[[X1:.*]] = memref.load %[[IN]][%[[I]], %[[SECOND]]]
// CHECK:                 %[[Y1:.*]] = arith.subf %[[A1]], %[[X1]]
// CHECK:                 memref.store %[[Y1]], %[[OUT]][%[[I]], %[[SECOND]]]
// CHECK:                 scf.yield %[[Y0]], %[[Y1]]
// CHECK:             } else {
// CHECK:               scf.for %[[L:.*]] = %c0 to %[[COUNT]] step %c1 {
// CHECK:                 scf.for {{.*}} iter_args({{.*}}) -> (f32) {
// CHECK:           gpu.return
// CHECK-NOT:   mmrec.
mmrec.kernel @cumsum(%in: memref<?x?xf32>, %out: memref<?x?xf32>) {
  %x = mmrec.load %in : memref<?x?xf32>
  %y = mmrec.scan %x axis = 0 reverse {
      tiling = #mmrec.tiling<strategy = lanes, chunk = 1, lanes = 2, vector = 2, warps = 2>}
      : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.subf %l, %r : f32
    mmrec.yield %s : f32
  }
  mmrec.store %y, %out : tensor<?x?xf32>, memref<?x?xf32>
}

// -----

// Inits are loaded per lane into the carries, the final carries stored per
// lane after the axis; without a tiling a thread owns one lane in blocks of
// 128 threads. Temporaries are not involved: one group.
// CHECK-LABEL: gpu.func @recurrence__group0(
// CHECK-SAME:      %[[A:.*]]: memref<?x?xf32>, %[[H0:.*]]: memref<?xf32>, %[[H:.*]]: memref<?x?xf32>, %[[HT:.*]]: memref<?xf32>) kernel
// CHECK-SAME:      mmrec.block_threads = 128 : i64, {{.*}}mmrec.lanes_per_thread = 1 : i64
// CHECK:         %[[INIT:.*]] = memref.load %[[H0]][%[[LANE:.*]]]
// CHECK:         %[[LAST:.*]] = scf.for %{{.*}} = %c0 to %{{.*}} step %c1 iter_args(%[[C:.*]] = %[[INIT]]) -> (f32)
// CHECK:           arith.mulf %[[C]]
// CHECK:         memref.store %[[LAST]], %[[HT]][%[[LANE]]]
mmrec.kernel @recurrence(%a: memref<?x?xf32>, %h0: memref<?xf32>, %h: memref<?x?xf32>,
                         %ht: memref<?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  %init = mmrec.load %h0 : memref<?xf32>
  %y, %last = mmrec.scan %x inits(%init : tensor<?xf32>) axis = 0 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.mulf %l, %r : f32
    mmrec.yield %s : f32
  }
  mmrec.store %y, %h : tensor<?x?xf32>, memref<?x?xf32>
  mmrec.store %last, %ht : tensor<?xf32>, memref<?xf32>
}

