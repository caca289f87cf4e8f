// RUN: mmrec-opt %s -split-input-file -verify-diagnostics

mmrec.kernel @axis_range(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.scan' op axis 2 is out of range for inputs of rank 2 (expected 0 <= axis < 2)}}
  %y = mmrec.scan %x axis = 2 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
}

// -----

mmrec.kernel @negative_axis(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.scan' op axis -1 is out of range for inputs of rank 2 (expected 0 <= axis < 2)}}
  %y = mmrec.scan %x axis = -1 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
}

// -----

mmrec.kernel @shapes(%a: memref<4x8xf32>, %b: memref<4x9xf32>) {
  %x = mmrec.load %a : memref<4x8xf32>
  %y = mmrec.load %b : memref<4x9xf32>
  // expected-error @+1 {{'mmrec.scan' op input #1 has shape [4, 9] but input #0 has shape [4, 8]; all inputs must have one shape}}
  %r:2 = mmrec.scan %x, %y axis = 0 : tensor<4x8xf32>, tensor<4x9xf32> {
  ^bb0(%l0: f32, %l1: f32, %r0: f32, %r1: f32):
    mmrec.yield %l0, %l1 : f32, f32
  }
}

// -----

mmrec.kernel @combiner_arity(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.scan' op combiner must take 2 scalar arguments (1 lhs then 1 rhs, of the inputs' element types), got 3}}
  %y = mmrec.scan %x axis = 0 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32, %z: f32):
    mmrec.yield %l : f32
  }
}

// -----

mmrec.kernel @combiner_type(%a: memref<?x?xf32>, %b: memref<?x?xi32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  %i = mmrec.load %b : memref<?x?xi32>
  // expected-error @+1 {{'mmrec.scan' op combiner argument #3 has type 'f32', expected 'i32' (2 lhs then 2 rhs, of the inputs' element types)}}
  %y:2 = mmrec.scan %x, %i axis = 0 : tensor<?x?xf32>, tensor<?x?xi32> {
  ^bb0(%l0: f32, %l1: i32, %r0: f32, %r1: f32):
    mmrec.yield %l0, %l1 : f32, i32
  }
}

// -----

mmrec.kernel @yield_arity(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  %y = mmrec.scan %x axis = 0 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    // expected-error @+1 {{'mmrec.yield' op yields 2 values but the combiner of 'mmrec.scan' must yield 1 (one per input, its element type)}}
    mmrec.yield %l, %r : f32, f32
  }
}

// -----

mmrec.kernel @yield_type(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  %y = mmrec.scan %x axis = 0 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %t = arith.truncf %l : f32 to f16
    // expected-error @+1 {{'mmrec.yield' op value #0 has type 'f16', expected 'f32' (one per input, its element type)}}
    mmrec.yield %t : f16
  }
}

// -----

mmrec.kernel @init_count(%a: memref<?x?xf32>, %b: memref<?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  %h = mmrec.load %b : memref<?xf32>
  // expected-error @+1 {{'mmrec.scan' op has 1 inits for 2 inputs; expected one init per input}}
  %y:3 = mmrec.scan %x, %x inits(%h : tensor<?xf32>) axis = 0 : tensor<?x?xf32>, tensor<?x?xf32> {
  ^bb0(%l0: f32, %l1: f32, %r0: f32, %r1: f32):
    mmrec.yield %l0, %l1 : f32, f32
  }
}

// -----

mmrec.kernel @init_shape(%a: memref<4x8xf32>, %b: memref<4xf32>) {
  %x = mmrec.load %a : memref<4x8xf32>
  %h = mmrec.load %b : memref<4xf32>
  // expected-error @+1 {{'mmrec.scan' op init #0 has type 'tensor<4xf32>', expected shape [8] and element type 'f32' (input #0 without axis 0)}}
  %y:2 = mmrec.scan %x inits(%h : tensor<4xf32>) axis = 0 : tensor<4x8xf32> {
  ^bb0(%l: f32, %r: f32):
    mmrec.yield %l : f32
  }
}

// -----

mmrec.kernel @init_element_type(%a: memref<?x?xf32>, %b: memref<?xf16>) {
  %x = mmrec.load %a : memref<?x?xf32>
  %h = mmrec.load %b : memref<?xf16>
  // expected-error @+1 {{'mmrec.scan' op init #0 has type 'tensor<?xf16>', expected shape [?] and element type 'f32' (input #0 without axis 1)}}
  %y:2 = mmrec.scan %x inits(%h : tensor<?xf16>) axis = 1 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    mmrec.yield %l : f32
  }
}

// -----

mmrec.kernel @exclusive_needs_identity(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.scan' op is exclusive without inits, so it needs an 'identity' (one scalar per input) for the first element}}
  %y = mmrec.scan %x axis = 0 exclusive : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
}

// -----

mmrec.kernel @identity_unused(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.scan' op 'identity' is only used by exclusive scans without inits; remove it}}
  %y = mmrec.scan %x axis = 0 {identity = [0.0 : f32]} : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
}

// -----

mmrec.kernel @identity_type(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.scan' op 'identity' value #0 must be a scalar of type 'f32' (element type of input #0), got 0 : i32}}
  %y = mmrec.scan %x axis = 0 exclusive {identity = [0 : i32]} : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
}

// -----

mmrec.kernel @identity_count(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.scan' op 'identity' has 2 values for 1 inputs; expected one per input}}
  %y = mmrec.scan %x axis = 0 exclusive {identity = [0.0 : f32, 0.0 : f32]} : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
}

// -----

mmrec.kernel @side_effects(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  %y = mmrec.scan %x axis = 0 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    // expected-error @+1 {{'memref.alloc' op has side effects, but the combiner of 'mmrec.scan' must be side-effect free}}
    %m = memref.alloc() : memref<f32>
    mmrec.yield %l : f32
  }
}

// -----

mmrec.kernel @no_inputs(%a: memref<?x?xf32>) {
  // expected-error @+1 {{'mmrec.scan' op expects at least one input}}
  "mmrec.scan"() <{axis = 0 : i64, operandSegmentSizes = array<i32: 0, 0>}> ({
  ^bb0:
    mmrec.yield
  }) : () -> ()
}

// -----

mmrec.kernel @not_a_tensor(%a: memref<?x?xf32>) {
  // expected-error @+1 {{'mmrec.scan' op operand #0 must be variadic of ranked tensor of any type values, but got 'memref<?x?xf32>'}}
  %y = "mmrec.scan"(%a) <{axis = 0 : i64, operandSegmentSizes = array<i32: 1, 0>}> ({
  ^bb0(%l: f32, %r: f32):
    mmrec.yield %l : f32
  }) : (memref<?x?xf32>) -> memref<?x?xf32>
}

// -----

mmrec.kernel @multi_block(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.scan' op region #0 ('combiner') failed to verify constraint: region with 1 blocks}}
  %y = mmrec.scan %x axis = 0 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    cf.br ^bb1
  ^bb1:
    mmrec.yield %l : f32
  }
}
