// RUN: mmrec-opt %s -mmrec-log2-space -canonicalize | FileCheck %s

// The log-space decay product of assoc_scan_exp: the logs, clamped to
// [-50, 0], summed, exponentiated. In base 2 the bounds are over ln 2 and
// the log and exp become log2 and exp2 with their fastmath flags.
// CHECK-LABEL: mmrec.kernel @decay_products(
// CHECK-DAG:     arith.constant -72.1347503 : f32
// CHECK-DAG:     arith.constant 1.44269502 : f32
// CHECK:         math.log2 %{{.*}} fastmath<afn> : f32
// CHECK:         arith.maximumf
// CHECK:         arith.minimumf
// CHECK:         arith.addf
// CHECK:         mmrec.scan
// CHECK:         math.exp2 %{{.*}} fastmath<afn> : f32
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
    %one = arith.constant 1.0 : f32
    %log = math.log %a fastmath<afn> : f32
    %above = arith.maximumf %log, %low : f32
    %below = arith.minimumf %above, %high : f32
    %shifted = arith.addf %below, %one : f32
    mmrec.yield %shifted : f32
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

// Sums stored as they are mean natural logs: unchanged.
// CHECK-LABEL: mmrec.kernel @sums_kept(
// CHECK:         math.log
// CHECK:         math.exp
!t1 = tensor<?xf32>
!m1 = memref<?xf32>
mmrec.kernel @sums_kept(%x: !m1, %y: !m1, %z: !m1) {
  %v = mmrec.load %x : !m1
  %logs = mmrec.map %v : (!t1) -> !t1 {
  ^bb0(%a: f32):
    %log = math.log %a : f32
    mmrec.yield %log : f32
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
  mmrec.store %sums, %z : !t1, !m1
}

// A scaled log (mulf) is not a shifted or clamped one; a product scan is not
// a sum; a scan with inits starts from natural logs: unchanged.
// CHECK-LABEL: mmrec.kernel @not_log_space(
// CHECK-COUNT-3: math.log %
// CHECK-NOT:     math.log2
// CHECK-NOT:     math.exp2
mmrec.kernel @not_log_space(%x: !m1, %h: memref<f32>, %y: !m1, %z: !m1, %w: !m1) {
  %v = mmrec.load %x : !m1
  %logs:3 = mmrec.map %v : (!t1) -> (!t1, !t1, !t1) {
  ^bb0(%a: f32):
    %two = arith.constant 2.0 : f32
    %log = math.log %a : f32
    %scaled = arith.mulf %log, %two : f32
    %log2 = math.log %a : f32
    %log3 = math.log %a : f32
    mmrec.yield %scaled, %log2, %log3 : f32, f32, f32
  }
  %sums = mmrec.scan %logs#0 axis = 0 : !t1 {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  %products = mmrec.scan %logs#1 axis = 0 : !t1 {
  ^bb0(%l: f32, %r: f32):
    %s = arith.mulf %l, %r : f32
    mmrec.yield %s : f32
  }
  %init = mmrec.load %h : memref<f32>
  %started, %final = mmrec.scan %logs#2 inits(%init : tensor<f32>) axis = 0 : !t1 {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  %out:3 = mmrec.map %sums, %products, %started : (!t1, !t1, !t1) -> (!t1, !t1, !t1) {
  ^bb0(%s: f32, %p: f32, %q: f32):
    %e = math.exp %s : f32
    %f = math.exp %p : f32
    %g = math.exp %q : f32
    mmrec.yield %e, %f, %g : f32, f32, f32
  }
  mmrec.store %out#0, %y : !t1, !m1
  mmrec.store %out#1, %z : !t1, !m1
  mmrec.store %out#2, %w : !t1, !m1
}
