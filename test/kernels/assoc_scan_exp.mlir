// RUN: mmrec-opt %kernels/assoc_scan_exp.mlir -mmrec-check-combiners -verify-diagnostics | FileCheck %s
// RUN: mmrec-opt %kernels/assoc_scan_exp.mlir -mlir-print-op-generic | mmrec-opt -verify-roundtrip | FileCheck %s

// The seed-000 forward: log (with eps), clamp to [-50, 0], cumulative sum
// along T (axis 2 of [B, H, T, D]), exp; bf16 at the edges, f32 inside.
// CHECK-LABEL: mmrec.kernel @assoc_scan_exp(
// CHECK-SAME:    memref<?x?x?x?xbf16, strided<[?, ?, ?, ?], offset: ?>>
// CHECK-SAME:    numerics = #mmrec.numerics<acc = f32, eps = 1.000000e-08, clamp = [-5.000000e+01, 0.000000e+00]>
// CHECK:         %[[G:.*]] = mmrec.load
// CHECK:         %[[L:.*]] = mmrec.map %[[G]] : (tensor<?x?x?x?xbf16>) -> tensor<?x?x?x?xf32>
// CHECK:           arith.extf
// CHECK:           arith.addf
// CHECK:           math.log
// CHECK:           arith.maximumf
// CHECK:           arith.minimumf
// CHECK:         %[[S:.*]] = mmrec.scan %[[L]] axis = 2 : tensor<?x?x?x?xf32>
// CHECK:           arith.addf
// CHECK:         %[[Y:.*]] = mmrec.map %[[S]] : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xbf16>
// CHECK:           math.exp
// CHECK:           arith.truncf
// CHECK:         mmrec.store %[[Y]]
