// RUN: mmrec-opt %s -split-input-file -verify-diagnostics

mmrec.kernel @chunk_zero(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.reduce' op chunk must be positive, got 0}}
  %y = mmrec.reduce %x axis = 1 chunk = 0 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
}

// -----

mmrec.kernel @chunk_negative_generic(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.reduce' op chunk must be positive, got -4}}
  %y = "mmrec.reduce"(%x) <{axis = 1 : i64, chunk = -4 : i64}> ({
  ^bb0(%l: f32, %r: f32):
    mmrec.yield %l : f32
  }) : (tensor<?x?xf32>) -> tensor<?x?xf32>
}

// -----

mmrec.kernel @axis_range(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.reduce' op axis 3 is out of range for inputs of rank 2 (expected 0 <= axis < 2)}}
  %y = mmrec.reduce %x axis = 3 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
}

// -----

mmrec.kernel @result_type(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+2 {{'mmrec.reduce' op inferred type(s) 'tensor<?xf32>' are incompatible with return type(s) of operation 'tensor<?x?xf32>'}}
  // expected-error @+1 {{'mmrec.reduce' op failed to infer returned types}}
  %y = "mmrec.reduce"(%x) <{axis = 1 : i64}> ({
  ^bb0(%l: f32, %r: f32):
    mmrec.yield %l : f32
  }) : (tensor<?x?xf32>) -> tensor<?x?xf32>
}

// -----

mmrec.kernel @combiner_arity(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.reduce' op combiner must take 2 scalar arguments (1 lhs then 1 rhs, of the inputs' element types), got 1}}
  %y = mmrec.reduce %x axis = 0 : tensor<?x?xf32> {
  ^bb0(%l: f32):
    mmrec.yield %l : f32
  }
}

// -----

mmrec.kernel @shapes(%a: memref<4x8xf32>, %b: memref<5x8xf32>) {
  %x = mmrec.load %a : memref<4x8xf32>
  %y = mmrec.load %b : memref<5x8xf32>
  // expected-error @+1 {{'mmrec.reduce' op input #1 has shape [5, 8] but input #0 has shape [4, 8]; all inputs must have one shape}}
  %r:2 = mmrec.reduce %x, %y axis = 1 : tensor<4x8xf32>, tensor<5x8xf32> {
  ^bb0(%l0: f32, %l1: f32, %r0: f32, %r1: f32):
    mmrec.yield %l0, %l1 : f32, f32
  }
}

// -----

mmrec.kernel @missing_axis(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.reduce' op requires attribute 'axis'}}
  %y = "mmrec.reduce"(%x) ({
  ^bb0(%l: f32, %r: f32):
    mmrec.yield %l : f32
  }) : (tensor<?x?xf32>) -> tensor<?xf32>
}
