// RUN: mmrec-opt %s -split-input-file -mmrec-check-combiners -verify-diagnostics
// RUN: not mmrec-opt %s -split-input-file -mmrec-check-combiners 2>&1 | FileCheck %s

// Each non-associative combiner is an error with a counterexample, and the
// pass fails.

// CHECK: error: 'mmrec.scan' op combiner is not associative: for a = ({{.*}}), b = ({{.*}}), c = ({{.*}}), combine(combine(a, b), c) = ({{.*}}) but combine(a, combine(b, c)) = ({{.*}}) (result #0 differs by {{.*}} relative, above tolerance 1e-06)
mmrec.kernel @difference(%in: memref<?xf32>) {
  %x = mmrec.load %in : memref<?xf32>
  // expected-error @+1 {{combiner is not associative}}
  %y = mmrec.scan %x axis = 0 : tensor<?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.subf %l, %r : f32
    mmrec.yield %s : f32
  }
}

// -----

// The cumulative EMA that silently gave wrong results in Triton:
// 0.9 * l + 0.1 * r on values alone is not associative.
mmrec.kernel @ema(%in: memref<?xf32>) {
  %x = mmrec.load %in : memref<?xf32>
  // expected-error @+1 {{combiner is not associative}}
  %y = mmrec.scan %x axis = 0 : tensor<?xf32> {
  ^bb0(%l: f32, %r: f32):
    %a = arith.constant 0.9 : f32
    %b = arith.constant 0.1 : f32
    %al = arith.mulf %a, %l : f32
    %br = arith.mulf %b, %r : f32
    %s = arith.addf %al, %br : f32
    mmrec.yield %s : f32
  }
}

// -----

mmrec.kernel @average(%in: memref<?x?xf32>) {
  %x = mmrec.load %in : memref<?x?xf32>
  // expected-error @+1 {{combiner is not associative}}
  %y = mmrec.reduce %x axis = 1 chunk = 128 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    %half = arith.constant 0.5 : f32
    %m = arith.mulf %s, %half : f32
    mmrec.yield %m : f32
  }
}

// -----

// The linear recurrence with the carried term on the wrong side: the second
// result breaks associativity, and the diagnostic names it.
// CHECK: error: 'mmrec.scan' op combiner is not associative: {{.*}} (result #1 differs by
mmrec.kernel @swapped_recurrence(%in: memref<?xf32>) {
  %x = mmrec.load %in : memref<?xf32>
  // expected-error @+1 {{(result #1 differs by}}
  %a, %h = mmrec.scan %x, %x axis = 0 : tensor<?xf32>, tensor<?xf32> {
  ^bb0(%a1: f32, %b1: f32, %a2: f32, %b2: f32):
    %a12 = arith.mulf %a1, %a2 : f32
    %p = arith.mulf %a1, %b2 : f32
    %b12 = arith.addf %p, %b1 : f32
    %q = arith.mulf %a2, %b12 : f32
    mmrec.yield %a12, %q : f32, f32
  }
}

// -----

// Integers: exact comparison.
// CHECK: error: 'mmrec.scan' op combiner is not associative: for a = ({{-?[0-9]+}}), b = ({{-?[0-9]+}}), c = ({{-?[0-9]+}}), {{.*}} (result #0 differs)
mmrec.kernel @integer_difference(%in: memref<?xi32>) {
  %x = mmrec.load %in : memref<?xi32>
  // expected-error @+1 {{(result #0 differs)}}
  %y = mmrec.scan %x axis = 0 : tensor<?xi32> {
  ^bb0(%l: i32, %r: i32):
    %s = arith.subi %l, %r : i32
    mmrec.yield %s : i32
  }
}

// -----

// Keep the first operand's sign and the sum's magnitude: fine for some
// triples, wrong for others; the sampler finds one.
mmrec.kernel @sign_dependent(%in: memref<?xf32>) {
  %x = mmrec.load %in : memref<?xf32>
  // expected-error @+1 {{combiner is not associative}}
  %y = mmrec.scan %x axis = 0 : tensor<?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    %c = math.copysign %s, %r : f32
    mmrec.yield %c : f32
  }
}
