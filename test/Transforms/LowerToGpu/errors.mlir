// RUN: mmrec-opt %s -mmrec-lower-to-gpu -verify-diagnostics

// Without -mmrec-fuse there are no groups: an error, never a silent
// miscompile.
mmrec.kernel @unfused(%in: memref<?xf32>, %out: memref<?xf32>) {
  %x = mmrec.load %in : memref<?xf32>
  // expected-error @below {{is not in a group; run -mmrec-fuse before -mmrec-lower-to-gpu}}
  %y = mmrec.map %x : (tensor<?xf32>) -> tensor<?xf32> {
  ^bb0(%v: f32):
    %n = arith.negf %v : f32
    mmrec.yield %n : f32
  }
  mmrec.store %y, %out : tensor<?xf32>, memref<?xf32>
}
