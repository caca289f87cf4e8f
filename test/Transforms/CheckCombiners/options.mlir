// RUN: not mmrec-opt %s -mmrec-check-combiners 2>&1 | FileCheck %s --check-prefix=STRICT
// RUN: mmrec-opt %s -mmrec-check-combiners=tolerance=1e-2 2>&1 | FileCheck %s --check-prefix=LOOSE
// RUN: not mmrec-opt %s -mmrec-check-combiners=tolerance=-1 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// RUN: not mmrec-opt %s -mmrec-check-combiners=samples=0 2>&1 | FileCheck %s --check-prefix=ZERO
// RUN: mmrec-opt %s -mmrec-check-combiners="tolerance=1e-2 seed=12345 samples=5" | FileCheck %s --check-prefix=LOOSE

// (l + r) * (1 + 1e-4) is associative up to a relative 1e-4: an error at the
// default tolerance (1e-6), accepted at 1e-2.
// STRICT: error: 'mmrec.scan' op combiner is not associative
// STRICT-SAME: above tolerance 1e-06
// LOOSE-NOT: error
// LOOSE: mmrec.kernel @nearly
// NEGATIVE: error: -mmrec-check-combiners: 'tolerance' must be >= 0, got -1
// ZERO: error: -mmrec-check-combiners: 'samples' must be at least 1
mmrec.kernel @nearly(%in: memref<?xf32>) {
  %x = mmrec.load %in : memref<?xf32>
  %y = mmrec.scan %x axis = 0 : tensor<?xf32> {
  ^bb0(%l: f32, %r: f32):
    %k = arith.constant 1.0001 : f32
    %s = arith.addf %l, %r : f32
    %t = arith.mulf %s, %k : f32
    mmrec.yield %t : f32
  }
}
