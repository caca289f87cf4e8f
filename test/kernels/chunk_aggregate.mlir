// RUN: mmrec-opt %kernels/chunk_aggregate.mlir -mmrec-check-combiners -verify-diagnostics | FileCheck %s
// RUN: mmrec-opt %kernels/chunk_aggregate.mlir -mlir-print-op-generic | mmrec-opt -verify-roundtrip | FileCheck %s

// HDS level 1: sums and counts of chunks of 128 along T (axis 1), then the
// mean; both stored as bf16.
// CHECK-LABEL: mmrec.kernel @chunk_aggregate(
// CHECK:         %[[R:.*]]:2 = mmrec.reduce %{{.*}}#0, %{{.*}}#1 axis = 1 chunk = 128 : tensor<?x?x?xf32>, tensor<?x?x?xf32>
// CHECK:         %[[M:.*]]:2 = mmrec.map %[[R]]#0, %[[R]]#1
// CHECK:           arith.divf
// CHECK:         mmrec.store %[[M]]#0
// CHECK:         mmrec.store %[[M]]#1
