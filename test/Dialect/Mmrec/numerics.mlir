// RUN: mmrec-opt %s -verify-roundtrip -allow-unregistered-dialect | FileCheck %s
// RUN: mmrec-opt %s -mlir-print-op-generic -allow-unregistered-dialect | mmrec-opt -allow-unregistered-dialect | FileCheck %s

// CHECK: a = #mmrec.numerics<acc = f32, eps = 1.000000e-08, clamp = [-5.000000e+01, 0.000000e+00]>
// CHECK-SAME: b = #mmrec.numerics<acc = f64>
// CHECK-SAME: c = #mmrec.numerics<acc = f32, clamp = [-1.000000e+00, 1.000000e+00]>
// CHECK-SAME: d = #mmrec.numerics<acc = f32, eps = 0.000000e+00>
"test.numerics"() {
  a = #mmrec.numerics<acc = f32, eps = 1.0e-8, clamp = [-50.0, 0.0]>,
  b = #mmrec.numerics<acc = f64>,
  c = #mmrec.numerics<acc = f32, clamp = [-1.0, 1.0]>,
  d = #mmrec.numerics<acc = f32, eps = 0.0>
} : () -> ()
