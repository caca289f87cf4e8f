// RUN: mmrec-opt %s -split-input-file -verify-diagnostics

func.func @outside() {
  // expected-error @+1 {{'mmrec.yield' op expects parent op to be one of 'mmrec.kernel, mmrec.map, mmrec.scan, mmrec.reduce, mmrec.group'}}
  mmrec.yield
}

// -----

mmrec.kernel @no_terminator(%a: memref<?xf32>) {
  %x = mmrec.load %a : memref<?xf32>
  // expected-error @+1 {{'mmrec.map' op body must end with 'mmrec.yield'}}
  %y = mmrec.map %x : (tensor<?xf32>) -> tensor<?xf32> {
  ^bb0(%v: f32):
    llvm.unreachable
  }
}
