// RUN: mmrec-opt %kernels/decayed_sum.mlir -mmrec-check-combiners -verify-diagnostics | FileCheck %s
// RUN: mmrec-opt %kernels/decayed_sum.mlir -mlir-print-op-generic | mmrec-opt -verify-roundtrip | FileCheck %s

// The nanoSSM sum as one O(T) scan along t (axis 1) of pairs (A, s), with
// A [b, t, r] broadcast over c by the map's indexing map.
// CHECK: #[[ROW:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: mmrec.kernel @decayed_sum(
// CHECK:         %[[A4:.*]] = mmrec.map %{{.*}}, %{{.*}} maps [#[[ROW]], #{{.*}}] : (tensor<?x?x?xf32>, tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
// CHECK:         %[[R:.*]]:2 = mmrec.scan %[[A4]], %{{.*}} axis = 1
// CHECK:           arith.subf
// CHECK:           math.exp
// CHECK:         mmrec.store %[[R]]#1
