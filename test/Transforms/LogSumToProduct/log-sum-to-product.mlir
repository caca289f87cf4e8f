// RUN: mmrec-opt %s -mmrec-log-sum-to-product -canonicalize | FileCheck %s

// The log-space decay product of assoc_scan_exp: the logs, clamped to
// [-50, 0], summed, exponentiated, is the product of the values clamped to
// [e^-50, 1]; the log's NaN below 0 stays.
// CHECK-LABEL: mmrec.kernel @decay_products(
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[NAN:.*]] = arith.constant 0x7FC00000 : f32
// CHECK-DAG:     %[[LOW:.*]] = arith.constant 1.928{{[0-9]*}}E-22 : f32
// CHECK-DAG:     %[[HIGH:.*]] = arith.constant 1.000000e+00 : f32
// CHECK:         %[[NEGATIVE:.*]] = arith.cmpf olt, %[[X:.*]], %[[ZERO]] : f32
// CHECK:         %[[VALUE:.*]] = arith.select %[[NEGATIVE]], %[[NAN]], %[[X]] : f32
// CHECK:         %[[ABOVE:.*]] = arith.maximumf %[[VALUE]], %[[LOW]] : f32
// CHECK:         %[[BELOW:.*]] = arith.minimumf %[[ABOVE]], %[[HIGH]] : f32
// CHECK:         mmrec.yield %[[BELOW]]
// CHECK:         mmrec.scan
// CHECK:         arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK-NOT:     math.log
// CHECK-NOT:     math.exp
!t = tensor<?x?xf32>
!m = memref<?x?xf32>
mmrec.kernel @decay_products(%x: !m, %y: !m) {
  %v = mmrec.load %x : !m
  %logs = mmrec.map %v : (!t) -> !t {
  ^bb0(%a: f32):
    %low = arith.constant -50.0 : f32
    %high = arith.constant 0.0 : f32
    %log = math.log %a fastmath<afn> : f32
    %above = arith.maximumf %log, %low : f32
    %below = arith.minimumf %above, %high : f32
    mmrec.yield %below : f32
  }
  %sums = mmrec.scan %logs axis = 1 : !t {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  %out = mmrec.map %sums : (!t) -> !t {
  ^bb0(%s: f32):
    %e = math.exp %s fastmath<afn> : f32
    mmrec.yield %e : f32
  }
  mmrec.store %out, %y : !t, !m
}

// Shifts by constants that keep the logs at most 0 (at most -1 after the
// clamp, then -1.5) multiply by e^c; maxnumf and minnumf clamp by e^c, the
// constant on either side.
// CHECK-LABEL: mmrec.kernel @shifted(
// CHECK-DAG:     arith.constant 0.36787{{[0-9]*}} : f32
// CHECK-DAG:     arith.constant 0.60653{{[0-9]*}} : f32
// CHECK-DAG:     arith.constant 0.1353{{[0-9]*}} : f32
// CHECK:         arith.select
// CHECK:         arith.minnumf
// CHECK:         arith.maxnumf
// CHECK:         arith.mulf
// CHECK:         arith.mulf
// CHECK:         mmrec.scan
// CHECK:         arith.mulf
// CHECK-NOT:     math.log
// CHECK-NOT:     math.exp
!t1 = tensor<?xf32>
!m1 = memref<?xf32>
mmrec.kernel @shifted(%x: !m1, %y: !m1) {
  %v = mmrec.load %x : !m1
  %logs = mmrec.map %v : (!t1) -> !t1 {
  ^bb0(%a: f32):
    %zero = arith.constant 0.0 : f32
    %low = arith.constant -2.0 : f32
    %minus = arith.constant -1.0 : f32
    %half = arith.constant 0.5 : f32
    %log = math.log %a : f32
    %below = arith.minnumf %zero, %log : f32
    %above = arith.maxnumf %below, %low : f32
    %shifted = arith.addf %minus, %above : f32
    %lowered = arith.subf %shifted, %half : f32
    mmrec.yield %lowered : f32
  }
  %sums = mmrec.scan %logs axis = 0 : !t1 {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  %out = mmrec.map %sums : (!t1) -> !t1 {
  ^bb0(%s: f32):
    %e = math.exp %s : f32
    mmrec.yield %e : f32
  }
  mmrec.store %out, %y : !t1, !m1
}

// Logs that can exceed 0 (no upper clamp; clamped to 0 and shifted by +1;
// clamped from below only) would make partial products overflow where the
// sums do not: unchanged.
// CHECK-LABEL: mmrec.kernel @may_exceed_one(
// CHECK-COUNT-3: math.log %
// CHECK-NOT:     arith.select
mmrec.kernel @may_exceed_one(%x: !m1, %y: !m1, %z: !m1, %w: !m1) {
  %v = mmrec.load %x : !m1
  %logs:3 = mmrec.map %v : (!t1) -> (!t1, !t1, !t1) {
  ^bb0(%a: f32):
    %zero = arith.constant 0.0 : f32
    %one = arith.constant 1.0 : f32
    %low = arith.constant -50.0 : f32
    %log = math.log %a : f32
    %log2 = math.log %a : f32
    %below = arith.minimumf %log2, %zero : f32
    %shifted = arith.addf %below, %one : f32
    %log3 = math.log %a : f32
    %above = arith.maximumf %log3, %low : f32
    mmrec.yield %log, %shifted, %above : f32, f32, f32
  }
  %s0 = mmrec.scan %logs#0 axis = 0 : !t1 {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  %s1 = mmrec.scan %logs#1 axis = 0 : !t1 {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  %s2 = mmrec.scan %logs#2 axis = 0 : !t1 {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  %out:3 = mmrec.map %s0, %s1, %s2 : (!t1, !t1, !t1) -> (!t1, !t1, !t1) {
  ^bb0(%p: f32, %q: f32, %r: f32):
    %e = math.exp %p : f32
    %f = math.exp %q : f32
    %g = math.exp %r : f32
    mmrec.yield %e, %f, %g : f32, f32, f32
  }
  mmrec.store %out#0, %y : !t1, !m1
  mmrec.store %out#1, %z : !t1, !m1
  mmrec.store %out#2, %w : !t1, !m1
}
