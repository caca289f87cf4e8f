// RUN: mmrec-opt %s -split-input-file -verify-diagnostics

mmrec.kernel @two_scans(%a: memref<?xf32>) {
  %x = mmrec.load %a : memref<?xf32>
  // expected-error @+1 {{'mmrec.group' op fuses at most one scan or reduce, got 2}}
  %y = mmrec.group %x : (tensor<?xf32>) -> tensor<?xf32> {
  ^bb0(%in: tensor<?xf32>):
    %s = mmrec.scan %in axis = 0 : tensor<?xf32> {
    ^bb0(%l: f32, %r: f32):
      mmrec.yield %r : f32
    }
    %t = mmrec.scan %s axis = 0 : tensor<?xf32> {
    ^bb0(%l: f32, %r: f32):
      mmrec.yield %l : f32
    }
    mmrec.yield %t : tensor<?xf32>
  }
}

// -----

mmrec.kernel @foreign_op(%a: memref<?xf32>) {
  %x = mmrec.load %a : memref<?xf32>
  %y = mmrec.group %x : (tensor<?xf32>) -> tensor<?xf32> {
  ^bb0(%in: tensor<?xf32>):
    // expected-error @+1 {{'tensor.empty' op cannot be part of a group; groups hold maps, scans and reduces}}
    %e = tensor.empty() : tensor<4xf32>
    mmrec.yield %in : tensor<?xf32>
  }
}

// -----

mmrec.kernel @yield_types(%a: memref<?xf32>) {
  %x = mmrec.load %a : memref<?xf32>
  %y = mmrec.group %x : (tensor<?xf32>) -> tensor<?xf16> {
  ^bb0(%in: tensor<?xf32>):
    // expected-error @+1 {{'mmrec.yield' op must yield the group's result types 'tensor<?xf16>'}}
    mmrec.yield %in : tensor<?xf32>
  }
}

// -----

mmrec.kernel @argument_types(%a: memref<?xf32>) {
  %x = mmrec.load %a : memref<?xf32>
  // expected-error @+1 {{'mmrec.group' op body argument #0 has type 'tensor<?xf16>', expected 'tensor<?xf32>'}}
  %y = mmrec.group %x : (tensor<?xf32>) -> tensor<?xf16> {
  ^bb0(%in: tensor<?xf16>):
    mmrec.yield %in : tensor<?xf16>
  }
}
