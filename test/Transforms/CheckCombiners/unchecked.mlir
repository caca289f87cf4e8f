// RUN: mmrec-opt %s -split-input-file -mmrec-check-combiners -verify-diagnostics | FileCheck %s

// A combiner the evaluator cannot run is never passed silently: it gets a
// warning that says why, and the IR is kept.

// CHECK-LABEL: mmrec.kernel @unknown_op
// CHECK: math.cbrt
mmrec.kernel @unknown_op(%in: memref<?xf32>) {
  %x = mmrec.load %in : memref<?xf32>
  // expected-warning @+1 {{associativity of the combiner was not checked: the evaluator does not know 'math.cbrt'}}
  %y = mmrec.scan %x axis = 0 : tensor<?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    %c = math.cbrt %s : f32
    mmrec.yield %c : f32
  }
}

// -----

// An op with a region (scf.if) is not evaluated either.
mmrec.kernel @region_op(%in: memref<?xf32>) {
  %x = mmrec.load %in : memref<?xf32>
  // expected-warning @+1 {{the evaluator does not know 'scf.if'}}
  %y = mmrec.scan %x axis = 0 : tensor<?xf32> {
  ^bb0(%l: f32, %r: f32):
    %c = arith.cmpf olt, %l, %r : f32
    %s = scf.if %c -> f32 {
      scf.yield %l : f32
    } else {
      scf.yield %r : f32
    }
    mmrec.yield %s : f32
  }
}

// -----

// Every sample leaves the domain: log of a negative number is NaN.
mmrec.kernel @no_valid_sample(%in: memref<?xf32>) {
  %x = mmrec.load %in : memref<?xf32>
  // expected-warning @+1 {{associativity of the combiner was not checked: all 64 samples left its domain (NaN, infinity or division by zero)}}
  %y = mmrec.scan %x axis = 0 : tensor<?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    %m = arith.mulf %s, %s : f32
    %one = arith.constant 1.0 : f32
    %p = arith.addf %m, %one : f32
    %n = arith.negf %p : f32
    %g = math.log %n : f32
    mmrec.yield %g : f32
  }
}

// -----

// Integer division by zero is out of the domain too.
mmrec.kernel @division_by_zero(%in: memref<?xi32>) {
  %x = mmrec.load %in : memref<?xi32>
  // expected-warning @+1 {{all 64 samples left its domain}}
  %y = mmrec.scan %x axis = 0 : tensor<?xi32> {
  ^bb0(%l: i32, %r: i32):
    %zero = arith.constant 0 : i32
    %q = arith.divsi %l, %zero : i32
    mmrec.yield %q : i32
  }
}
