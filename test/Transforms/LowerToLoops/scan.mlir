// RUN: mmrec-opt %s -mmrec-fuse -mmrec-lower-to-loops -split-input-file | FileCheck %s

// A scan group becomes a block-count function and a body over a range of
// lane blocks. Lanes run along the innermost non-axis dimension (d1 here) in
// blocks of `lanes`; the axis (d0) is walked in order with the carries of
// the block in a stack buffer; the first step starts the carry.
// CHECK-LABEL: func.func @cumsum__group0_blocks(
// CHECK-SAME:      %[[IN:.*]]: memref<?x?xf32>, %{{.*}}: memref<?x?xf32>) -> index
// CHECK:         %[[LANES:.*]] = memref.dim %[[IN]], %c1
// CHECK:         %[[BLOCKS:.*]] = arith.ceildivui %[[LANES]], %c16
// CHECK:         return %[[BLOCKS]]
// CHECK-LABEL: func.func @cumsum__group0(
// CHECK-SAME:      %[[IN:.*]]: memref<?x?xf32>, %[[OUT:.*]]: memref<?x?xf32>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// CHECK-SAME:      attributes {llvm.emit_c_interface}
// CHECK:         %[[CARRY:.*]] = memref.alloca() : memref<16xf32>
// CHECK:         scf.for %{{.*}} = %[[BEGIN]] to %[[END]]
// CHECK:           scf.if
// CHECK:             scf.for %[[L0:.*]] =
// CHECK:               %[[X0:.*]] = memref.load %[[IN]][%c0{{.*}}, %{{.*}}]
// CHECK:               memref.store %[[X0]], %[[CARRY]][%[[L0]]]
// CHECK:               memref.store %[[X0]], %[[OUT]][%c0{{.*}}, %{{.*}}]
// CHECK:           scf.for %[[T:.*]] = %c1
// CHECK:             scf.for %[[L:.*]] =
// CHECK:               %[[X:.*]] = memref.load %[[IN]][%[[T]], %{{.*}}]
// CHECK:               %[[C:.*]] = memref.load %[[CARRY]][%[[L]]]
// CHECK:               %[[S:.*]] = arith.addf %[[C]], %[[X]]
// CHECK:               memref.store %[[S]], %[[CARRY]][%[[L]]]
// CHECK:               memref.store %[[S]], %[[OUT]][%[[T]], %{{.*}}]
// CHECK-NOT:   mmrec.
mmrec.kernel @cumsum(%in: memref<?x?xf32>, %out: memref<?x?xf32>) {
  %x = mmrec.load %in : memref<?x?xf32>
  %y = mmrec.scan %x axis = 0 {
      tiling = #mmrec.tiling<strategy = lanes, chunk = 1, lanes = 16, vector = 1, warps = 1>}
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

