// RUN: mmrec-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{'mmrec.kernel' op argument #1 must be a memref view of global memory, got 'tensor<4xf32>'}}
mmrec.kernel @tensor_arg(%a: memref<4xf32>, %b: tensor<4xf32>) {
}

// -----

// expected-error @+1 {{'mmrec.kernel' op must not return values (got 1); write results through 'mmrec.store'}}
mmrec.kernel @results(%a: memref<4xf32>) -> f32 {
}

// -----

// expected-error @+1 {{'mmrec.kernel' op argument #0 must be in global memory (no memory space), got 'memref<4xf32, 3>'}}
mmrec.kernel @shared(%a: memref<4xf32, 3>) {
}

// -----

// expected-error @+1 {{'mmrec.kernel' op argument #0 must have an integer or floating-point element type, got 'index'}}
mmrec.kernel @index_elements(%a: memref<4xindex>) {
}

// -----

// expected-error @+1 {{'mmrec.kernel' op argument #0 must have a strided layout (sizes and strides), got 'memref<4x4xf32, affine_map<(d0, d1) -> (d1, d0 floordiv 2)>>'}}
mmrec.kernel @not_strided(%a: memref<4x4xf32, affine_map<(d0, d1) -> (d1, d0 floordiv 2)>>) {
}

// -----

// expected-error @+1 {{'mmrec.kernel' op needs a body; mmrec kernels cannot be declarations}}
mmrec.kernel private @declaration(%a: memref<4xf32>)

// -----

mmrec.kernel @yield_values(%a: memref<4xf32>) {
  %c = arith.constant 1.0 : f32
  // expected-error @+1 {{'mmrec.yield' op at the end of a kernel body yields nothing, got 1 values}}
  mmrec.yield %c : f32
}

// -----

mmrec.kernel @same_name(%a: memref<4xf32>) {
}
// expected-error @+2 {{redefinition of symbol named 'same_name'}}
// expected-note @-3 {{see existing symbol definition here}}
mmrec.kernel @same_name(%a: memref<4xf32>) {
}

// -----

// expected-error @+2 {{'mmrec.kernel' op expects regions to end with 'mmrec.yield', found 'llvm.unreachable'}}
// expected-note @+1 {{in custom textual format, the absence of terminator implies 'mmrec.yield'}}
mmrec.kernel @wrong_terminator(%a: memref<4xf32>) {
  llvm.unreachable
}

// -----

// expected-error @+1 {{custom op 'mmrec.kernel' attribute 'tune_space' failed to satisfy constraint}}
mmrec.kernel @wrong_attribute_kind(%a: memref<4xf32>) attributes {tune_space = 3 : i64} {
}
