// RUN: mmrec-opt %s -split-input-file -verify-diagnostics

mmrec.kernel @arg_count(%a: memref<?xf32>) {
  %x = mmrec.load %a : memref<?xf32>
  // expected-error @+1 {{'mmrec.map' op body must take 1 scalar arguments (one per input, its element type), got 2}}
  %y = mmrec.map %x : (tensor<?xf32>) -> tensor<?xf32> {
  ^bb0(%v: f32, %w: f32):
    mmrec.yield %v : f32
  }
}

// -----

mmrec.kernel @arg_type(%a: memref<?xf32>) {
  %x = mmrec.load %a : memref<?xf32>
  // expected-error @+1 {{'mmrec.map' op body argument #0 has type 'f16', expected 'f32' (one per input, its element type)}}
  %y = mmrec.map %x : (tensor<?xf32>) -> tensor<?xf16> {
  ^bb0(%v: f16):
    mmrec.yield %v : f16
  }
}

// -----

mmrec.kernel @yield_type(%a: memref<?xf32>) {
  %x = mmrec.load %a : memref<?xf32>
  %y = mmrec.map %x : (tensor<?xf32>) -> tensor<?xf16> {
  ^bb0(%v: f32):
    // expected-error @+1 {{'mmrec.yield' op value #0 has type 'f32', expected 'f16' (one per result, its element type)}}
    mmrec.yield %v : f32
  }
}

// -----

mmrec.kernel @yield_count(%a: memref<?xf32>) {
  %x = mmrec.load %a : memref<?xf32>
  %y = mmrec.map %x : (tensor<?xf32>) -> tensor<?xf32> {
  ^bb0(%v: f32):
    // expected-error @+1 {{'mmrec.yield' op yields 2 values but the body of 'mmrec.map' must yield 1 (one per result, its element type)}}
    mmrec.yield %v, %v : f32, f32
  }
}

// -----

mmrec.kernel @map_count(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.map' op has 2 indexing maps for 1 inputs; expected one map per input}}
  %y = mmrec.map %x maps [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>]
      : (tensor<?x?xf32>) -> tensor<?x?xf32> {
  ^bb0(%v: f32):
    mmrec.yield %v : f32
  }
}

// -----

mmrec.kernel @map_dims(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.map' op indexing map #0 must map the 2 dimensions of the domain [?, ?] (and no symbols), got affine_map<(d0, d1, d2) -> (d0, d1)>}}
  %y = mmrec.map %x maps [affine_map<(i, j, k) -> (i, j)>] : (tensor<?x?xf32>) -> tensor<?x?xf32> {
  ^bb0(%v: f32):
    mmrec.yield %v : f32
  }
}

// -----

mmrec.kernel @map_results(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.map' op indexing map #0 has 1 results but input #0 has rank 2}}
  %y = mmrec.map %x maps [affine_map<(i, j) -> (i)>] : (tensor<?x?xf32>) -> tensor<?x?xf32> {
  ^bb0(%v: f32):
    mmrec.yield %v : f32
  }
}

// -----

mmrec.kernel @identity_rank(%a: memref<?xf32>) {
  %x = mmrec.load %a : memref<?xf32>
  // expected-error @+1 {{'mmrec.map' op indexing map #0 has 2 results but input #0 has rank 1 (without 'maps', inputs have the domain's rank)}}
  %y = mmrec.map %x : (tensor<?xf32>) -> tensor<?x?xf32> {
  ^bb0(%v: f32):
    mmrec.yield %v : f32
  }
}

// -----

mmrec.kernel @map_expression(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.map' op indexing map #0 result #1 is 'd1 + 1'; each result must be a single domain dimension (d0, d1, ...)}}
  %y = mmrec.map %x maps [affine_map<(i, j) -> (i, j + 1)>] : (tensor<?x?xf32>) -> tensor<?x?xf32> {
  ^bb0(%v: f32):
    mmrec.yield %v : f32
  }
}

// -----

mmrec.kernel @map_repeated(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.map' op indexing map #0 uses d0 twice}}
  %y = mmrec.map %x maps [affine_map<(i, j) -> (i, i)>] : (tensor<?x?xf32>) -> tensor<?x?xf32> {
  ^bb0(%v: f32):
    mmrec.yield %v : f32
  }
}

// -----

mmrec.kernel @static_mismatch(%a: memref<4x8xf32>) {
  %x = mmrec.load %a : memref<4x8xf32>
  // expected-error @+1 {{'mmrec.map' op input #0 dimension 1 has size 8 but domain dimension d1 has size 16}}
  %y = mmrec.map %x : (tensor<4x8xf32>) -> tensor<4x16xf32> {
  ^bb0(%v: f32):
    mmrec.yield %v : f32
  }
}

// -----

mmrec.kernel @unknown_extent(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.map' op domain dimension d2 is dynamic but no input indexes it, so its size is unknown}}
  %y = mmrec.map %x maps [affine_map<(i, j, k) -> (i, j)>] : (tensor<?x?xf32>) -> tensor<?x?x?xf32> {
  ^bb0(%v: f32):
    mmrec.yield %v : f32
  }
}

// -----

mmrec.kernel @result_shapes(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+1 {{'mmrec.map' op result #1 has shape [?] but result #0 has shape [?, ?]; all results share the iteration domain}}
  %y, %z = mmrec.map %x : (tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?xf32>) {
  ^bb0(%v: f32):
    mmrec.yield %v, %v : f32, f32
  }
}

// -----

mmrec.kernel @no_results(%a: memref<?xf32>) {
  %x = mmrec.load %a : memref<?xf32>
  // expected-error @+1 {{'mmrec.map' op must have at least one result}}
  mmrec.map %x : (tensor<?xf32>) -> () {
  ^bb0(%v: f32):
    mmrec.yield
  }
}

// -----

mmrec.kernel @side_effect(%a: memref<?xf32>, %b: memref<4xf32>) {
  %x = mmrec.load %a : memref<?xf32>
  %y = mmrec.map %x : (tensor<?xf32>) -> tensor<?xf32> {
  ^bb0(%v: f32):
    // expected-error @+1 {{'memref.alloc' op has side effects, but the body of 'mmrec.map' must be side-effect free}}
    %b2 = memref.alloc() : memref<4xf32>
    mmrec.yield %v : f32
  }
}

// -----

mmrec.kernel @tensor_inside(%a: memref<?xf32>) {
  %x = mmrec.load %a : memref<?xf32>
  %y = mmrec.map %x : (tensor<?xf32>) -> tensor<?xf32> {
  ^bb0(%v: f32):
    // expected-error @+1 {{'tensor.empty' op produces a value of type 'tensor<4xf32>', but the body of 'mmrec.map' computes on scalars (integers, indices, floats)}}
    %t = tensor.empty() : tensor<4xf32>
    mmrec.yield %v : f32
  }
}

// -----

// The body is isolated from above: outer values are not visible inside.
mmrec.kernel @captured_value(%a: memref<?xf32>) {
  %x = mmrec.load %a : memref<?xf32>
  %y = mmrec.map %x : (tensor<?xf32>) -> tensor<?xf32> {
  ^bb0(%v: f32):
    %c0 = arith.constant 0 : index
    // expected-error @+1 {{use of undeclared SSA value name}}
    %d = tensor.dim %x, %c0 : tensor<?xf32>
    mmrec.yield %v : f32
  }
}
