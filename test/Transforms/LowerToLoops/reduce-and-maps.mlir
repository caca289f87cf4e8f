// RUN: mmrec-opt %kernels/chunk_aggregate.mlir -mmrec-fuse -mmrec-lower-to-loops -canonicalize -cse | FileCheck %s --check-prefix=HDS
// RUN: mmrec-opt %kernels/linear_recurrence.mlir -mmrec-fuse -mmrec-lower-to-loops | FileCheck %s --check-prefix=LIN
// RUN: mmrec-opt %kernels/decayed_sum.mlir -mmrec-fuse -mmrec-lower-to-loops | FileCheck %s --check-prefix=SSM

// A chunked reduce: per chunk of 128, the first element starts the carries,
// the rest combine (in register chunks of 32 bf16 lanes, as scans do), and
// the epilogue map runs once per chunk and lane. The count is the same for
// every lane (a constant of the prologue map): one cell, one add per step.
// HDS-LABEL: func.func @chunk_aggregate__group0(
// HDS-SAME:      %[[X:[^:]*]]: memref<?x?x?xbf16, {{.*}}>, %[[SUM:[^:]*]]: memref<?x?x?xbf16, {{.*}}>, %[[MEAN:[^:]*]]: memref<?x?x?xbf16, {{.*}}>
// HDS-DAG:     %[[SUMS:.*]] = memref.alloca() : memref<256xf32>
// HDS-DAG:     %[[COUNT:.*]] = memref.alloca() : memref<1xf32>
// HDS:         %[[CHUNKS:.*]] = arith.ceildivui %{{.*}}, %c128
// HDS:         scf.for %[[J:.*]] = %c0{{.*}} to %[[CHUNKS]]
// HDS:           %[[FIRST:.*]] = arith.muli %[[J]], %c128
// HDS:           memref.load %[[X]][%{{.*}}, %[[FIRST]], %{{.*}}]
// HDS:           scf.for %[[TILE:.*]] =
// HDS:             scf.for
// HDS-COUNT-32:      memref.load %[[SUMS]]
// HDS:               memref.load %[[COUNT]]
// HDS:               scf.for %[[T:.*]] = %[[TILE]] {{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
// HDS:                 arith.addf %{{.*}}, %cst
// HDS:                 memref.load %[[X]][%{{.*}}, %[[T]], %{{.*}}]
// HDS:           arith.divf
// HDS:           memref.store %{{.*}}, %[[SUM]][%{{.*}}, %[[J]], %{{.*}}]
// HDS:           memref.store %{{.*}}, %[[MEAN]][%{{.*}}, %[[J]], %{{.*}}]

// With inits: the init map runs per lane before the axis loop, the final
// state is stored per lane after it, at the lane index [b, h, d].
// LIN-LABEL: func.func @linear_recurrence_h0__group0(
// LIN-SAME:      %[[H0:arg2]]: memref<?x?x?xf32, {{.*}}>, %{{.*}}: memref<?x?x?x?xbf16, {{.*}}>, %[[HT:arg4]]: memref<?x?x?xf32
// LIN:         %[[INIT:.*]] = memref.load %[[H0]][%{{.*}}, %{{.*}}, %{{.*}}]
// LIN:         scf.for
// LIN:           arith.mulf
// LIN:         memref.store %{{.*}}, %[[HT]][%{{.*}}, %{{.*}}, %{{.*}}]

// The per-row decay is read at [b, t, r] inside the [b, t, r, c] loop nest.
// SSM-LABEL: func.func @decayed_sum__group0(
// SSM-SAME:      %[[A:arg0]]: memref<?x?x?xf32
// SSM:         memref.load %[[A]][%{{.*}}, %{{.*}}, %{{.*}}] : memref<?x?x?xf32
// SSM:         math.exp

// A scan operand that is the same for every lane of the block (A[b, t, r]
// broadcast over c) combines once per step in a one-cell carry; the decay
// exp(A[t] - A[t-1]) is computed once per step of a register chunk, and once
// per step for the remaining lanes, not once per lane.
// RUN: mmrec-opt %kernels/decayed_sum.mlir -mmrec-fuse -mmrec-lower-to-loops -canonicalize -cse -loop-invariant-code-motion | FileCheck %s --check-prefix=UNIFORM
// UNIFORM-LABEL: func.func @decayed_sum__group0(
// UNIFORM:         memref.alloca() : memref<1xf32>
// UNIFORM:         memref.alloca() : memref<256xf32>
// UNIFORM:           scf.for {{.*}} iter_args
// UNIFORM:             math.exp
// UNIFORM-NOT:         math.exp
// UNIFORM:             scf.yield
// UNIFORM:           math.exp
// UNIFORM-NEXT:      scf.for
// UNIFORM-NOT:         math.exp
// UNIFORM:           }

// RUN: mmrec-opt %kernels/linear_recurrence.mlir -mmrec-fuse -mmrec-lower-to-loops -canonicalize -cse | FileCheck %s --check-prefix=ROWS

// Along the innermost axis each lane is a row: a tile walks 16 cache lines
// of bf16 steps (512) of 2 rows at a time (a, b and h: 6 lines, within 8
// ways), the carries in registers, then the next 2 rows; the rows left
// over walk the tile with their carries on the stack.
// ROWS-LABEL: func.func @linear_recurrence_rows__group0(
// ROWS:         %[[CARRIES:.*]] = memref.alloca() : memref<256xf32>
// ROWS:         scf.for %[[TILE:.*]] = %c1 to %{{.*}} step %c512 {
// ROWS:           %[[END:.*]] = arith.addi %[[TILE]], %c512
// ROWS:           scf.for
// ROWS-COUNT-2:     memref.load %[[CARRIES]]
// ROWS:             scf.for %{{.*}} = %[[TILE]] to %{{.*}} step %c1 iter_args(%{{.*}}, %{{.*}}) -> (f32, f32) {
