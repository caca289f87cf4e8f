// RUN: mmrec-opt %s -mmrec-fuse -mmrec-lower-to-loops -verify-diagnostics

// Results that feed another group need an intermediate buffer, which the
// CPU lowering does not allocate yet: a diagnostic, not a crash.
mmrec.kernel @two_groups(%in: memref<?x?xf32>, %out: memref<?x?xf32>) {
  %x = mmrec.load %in : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.group' op result is used by 'mmrec.group'; intermediates between groups are not supported by the CPU lowering yet}}
  %a = mmrec.scan %x axis = 0 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  %b = mmrec.scan %a axis = 1 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  mmrec.store %b, %out : tensor<?x?xf32>, memref<?x?xf32>
}
