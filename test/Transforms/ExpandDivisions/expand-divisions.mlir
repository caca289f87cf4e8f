// RUN: mmrec-opt %s -mmrec-expand-divisions | FileCheck %s

// Ceil and floor divisions become plain ones; maximumf and minimumf stay
// (the NVPTX back end selects max.NaN.f32 and min.NaN.f32 for them).
// CHECK-LABEL: func.func @divisions_and_clamps(
// CHECK-NOT:     arith.ceildivui
// CHECK-NOT:     arith.floordivsi
// CHECK:         arith.divui
// CHECK:         arith.divsi
// CHECK:         arith.maximumf
// CHECK:         arith.minimumf
func.func @divisions_and_clamps(%a: index, %b: index, %c: i32, %d: i32, %x: f32) -> (index, i32, f32) {
  %q = arith.ceildivui %a, %b : index
  %r = arith.floordivsi %c, %d : i32
  %low = arith.constant -50.0 : f32
  %high = arith.constant 0.0 : f32
  %above = arith.maximumf %x, %low : f32
  %clamped = arith.minimumf %above, %high : f32
  return %q, %r, %clamped : index, i32, f32
}
