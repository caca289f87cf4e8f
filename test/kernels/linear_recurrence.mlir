// RUN: mmrec-opt %kernels/linear_recurrence.mlir -mmrec-check-combiners -verify-diagnostics | FileCheck %s
// RUN: mmrec-opt %kernels/linear_recurrence.mlir -mlir-print-op-generic | mmrec-opt -verify-roundtrip | FileCheck %s

// h_t = a_t h_{t-1} + b_t along T, without and with an initial state; the
// second kernel also stores the final state [B, H, D].
// CHECK-LABEL: mmrec.kernel @linear_recurrence(
// CHECK:         %{{.*}}:2 = mmrec.scan %{{.*}}#0, %{{.*}}#1 axis = 2 : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>
// CHECK:           arith.mulf
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK-LABEL: mmrec.kernel @linear_recurrence_h0(
// CHECK:         %[[H0:.*]] = mmrec.load %{{.*}} : memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>
// CHECK:         %[[ONE:.*]] = mmrec.map %[[H0]]
// CHECK:         %[[R:.*]]:4 = mmrec.scan %{{.*}}, %{{.*}} inits(%[[ONE]], %[[H0]] : tensor<?x?x?xf32>, tensor<?x?x?xf32>) axis = 2
// CHECK:         mmrec.store %[[R]]#3, %{{.*}} : tensor<?x?x?xf32>
// The same along the last axis: each sequence a contiguous row.
// CHECK-LABEL: mmrec.kernel @linear_recurrence_rows(
// CHECK:         %{{.*}}:2 = mmrec.scan %{{.*}}#0, %{{.*}}#1 axis = 3 : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>
