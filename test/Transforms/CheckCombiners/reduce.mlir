// RUN: mmrec-opt %s -split-input-file -mmrec-check-combiners -verify-diagnostics

// Reductions regroup their combiner too, with or without chunks.

mmrec.kernel @total_difference(%in: memref<?x?xf32>) {
  %x = mmrec.load %in : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.reduce' op combiner is not associative}}
  %y = mmrec.reduce %x axis = 0 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.subf %l, %r : f32
    mmrec.yield %s : f32
  }
}

// -----

// Mean of two is not associative; sum and count are (see associative.mlir).
mmrec.kernel @pairwise_mean(%in: memref<?x?xf32>) {
  %x = mmrec.load %in : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.reduce' op combiner is not associative}}
  %y = mmrec.reduce %x axis = 1 chunk = 4 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    %two = arith.constant 2.0 : f32
    %m = arith.divf %s, %two : f32
    mmrec.yield %m : f32
  }
}

// -----

// Several ops in one kernel: each is checked and reported on its own.
mmrec.kernel @several(%in: memref<?x?xi64>) {
  %x = mmrec.load %in : memref<?x?xi64>
  %ok = mmrec.reduce %x axis = 0 : tensor<?x?xi64> {
  ^bb0(%l: i64, %r: i64):
    %s = arith.minsi %l, %r : i64
    mmrec.yield %s : i64
  }
  // expected-error @+1 {{'mmrec.reduce' op combiner is not associative}}
  %bad = mmrec.reduce %x axis = 1 : tensor<?x?xi64> {
  ^bb0(%l: i64, %r: i64):
    %two = arith.constant 2 : i64
    %p = arith.muli %l, %two : i64
    %s = arith.addi %p, %r : i64
    mmrec.yield %s : i64
  }
  // expected-error @+1 {{'mmrec.scan' op combiner is not associative}}
  %worse = mmrec.scan %x axis = 1 : tensor<?x?xi64> {
  ^bb0(%l: i64, %r: i64):
    %s = arith.subi %r, %l : i64
    mmrec.yield %s : i64
  }
}
