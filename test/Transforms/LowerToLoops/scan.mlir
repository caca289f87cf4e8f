// RUN: mmrec-opt %s -mmrec-fuse -mmrec-lower-to-loops -canonicalize -cse -split-input-file | FileCheck %s

// A scan group becomes a block-count function and a body over a range of
// lane blocks. Lanes run along the innermost non-axis dimension (d1 here) in
// blocks of `lanes`; the axis (d0) is walked in order. The first step starts
// the carries, kept in a stack buffer of the block between tiles of steps.
// A tile has 8 (the ways of a first-level cache set) / 2 (arrays read or
// written per step) = 4 steps, at least 4. In a tile, each register chunk of lanes (a cache line of the narrowest
// element type, at most `lanes`: 2 here) walks the tile with its carries as
// loop-carried values, unrolled over its lanes; the lanes that do not fill a
// chunk walk it with their carries in the stack buffer.
// CHECK-LABEL: func.func @cumsum__group0_blocks(
// CHECK-SAME:      %[[IN:.*]]: memref<?x?xf32>, %{{.*}}: memref<?x?xf32>) -> index
// CHECK:         %[[LANES:.*]] = memref.dim %[[IN]], %c1
// CHECK:         %[[BLOCKS:.*]] = arith.ceildivui %[[LANES]], %c2
// CHECK:         return %[[BLOCKS]]
// CHECK-LABEL: func.func @cumsum__group0(
// CHECK-SAME:      %[[IN:.*]]: memref<?x?xf32>, %[[OUT:.*]]: memref<?x?xf32>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// CHECK-SAME:      attributes {llvm.emit_c_interface}
// CHECK:         %[[CARRY:.*]] = memref.alloca() : memref<2xf32>
// CHECK:         scf.for %{{.*}} = %[[BEGIN]] to %[[END]]
// CHECK:           scf.if
// CHECK:             scf.for %[[L0:.*]] =
// CHECK:               %[[X0:.*]] = memref.load %[[IN]][%c0{{.*}}, %{{.*}}]
// CHECK:               memref.store %[[X0]], %[[CARRY]][%[[L0]]]
// CHECK:               memref.store %[[X0]], %[[OUT]][%c0{{.*}}, %{{.*}}]
// CHECK:           scf.for %[[TILE:.*]] = %c1 to %{{.*}} step %c4
// CHECK:             %[[TILE_END:.*]] = arith.minui
// CHECK:             scf.for %[[CHUNK:.*]] =
// CHECK:               %[[FIRST:.*]] = arith.muli %[[CHUNK]], %c2
// CHECK:               %[[C0:.*]] = memref.load %[[CARRY]][%[[FIRST]]]
// CHECK:               %[[SECOND:.*]] = arith.addi %[[FIRST]], %c1
// CHECK:               %[[C1:.*]] = memref.load %[[CARRY]][%[[SECOND]]]
// CHECK:               %[[R:.*]]:2 = scf.for %[[T:.*]] = %[[TILE]] to %[[TILE_END]] step %c1 iter_args(%[[A0:.*]] = %[[C0]], %[[A1:.*]] = %[[C1]]) -> (f32, f32)
// CHECK:                 %[[X:.*]] = memref.load %[[IN]][%[[T]], %{{.*}}]
// CHECK:                 %[[S0:.*]] = arith.addf %[[A0]], %[[X]]
// CHECK:                 memref.store %[[S0]], %[[OUT]][%[[T]], %{{.*}}]
// CHECK:                 %[[Y:.*]] = memref.load %[[IN]][%[[T]], %{{.*}}]
// CHECK:                 %[[S1:.*]] = arith.addf %[[A1]], %[[Y]]
// CHECK:                 memref.store %[[S1]], %[[OUT]][%[[T]], %{{.*}}]
// CHECK:                 scf.yield %[[S0]], %[[S1]]
// CHECK:               memref.store %[[R]]#0, %[[CARRY]][%[[FIRST]]]
// CHECK:               memref.store %[[R]]#1, %[[CARRY]][%[[SECOND]]]
// CHECK:             scf.for %[[T:.*]] = %[[TILE]] to %[[TILE_END]]
// CHECK:               scf.for %[[L:.*]] =
// CHECK:                 %[[LANE:.*]] = arith.addi %{{.*}}, %[[L]]
// CHECK:                 %[[X:.*]] = memref.load %[[IN]][%[[T]], %{{.*}}]
// CHECK:                 %[[C:.*]] = memref.load %[[CARRY]][%[[LANE]]]
// CHECK:                 %[[S:.*]] = arith.addf %[[C]], %[[X]]
// CHECK:                 memref.store %[[S]], %[[CARRY]][%[[LANE]]]
// CHECK:                 memref.store %[[S]], %[[OUT]][%[[T]], %{{.*}}]
// CHECK-NOT:   mmrec.
mmrec.kernel @cumsum(%in: memref<?x?xf32>, %out: memref<?x?xf32>) {
  %x = mmrec.load %in : memref<?x?xf32>
  %y = mmrec.scan %x axis = 0 {
      tiling = #mmrec.tiling<strategy = lanes, chunk = 1, lanes = 2, vector = 1, warps = 1>}
      : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  mmrec.store %y, %out : tensor<?x?xf32>, memref<?x?xf32>
}

// -----

// Reverse walks the axis from its last index; an exclusive scan stores the
// carry before combining, starting from the identity; the lhs of the
// combiner is the carry (the earlier elements in scan order).
// CHECK-LABEL: func.func @suffix__group0(
// CHECK-SAME:      %[[IN:.*]]: memref<?xf32>, %[[OUT:.*]]: memref<?xf32>
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         memref.store %[[ZERO]], %[[CARRY:.*]][%{{.*}}]
// CHECK:         scf.for %[[S:.*]] = %c0
// CHECK:           %[[T:.*]] = arith.subi %{{.*}}, %[[S]]
// CHECK:           %[[X:.*]] = memref.load %[[IN]][%[[T]]]
// CHECK:           %[[C:.*]] = memref.load %[[CARRY]]
// CHECK:           %[[N:.*]] = arith.subf %[[C]], %[[X]]
// CHECK:           memref.store %[[N]], %[[CARRY]]
// CHECK:           memref.store %[[C]], %[[OUT]][%[[T]]]
mmrec.kernel @suffix(%in: memref<?xf32>, %out: memref<?xf32>) {
  %x = mmrec.load %in : memref<?xf32>
  %y = mmrec.scan %x axis = 0 reverse exclusive {identity = [0.0 : f32]} : tensor<?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.subf %l, %r : f32
    mmrec.yield %s : f32
  }
  mmrec.store %y, %out : tensor<?xf32>, memref<?xf32>
}

