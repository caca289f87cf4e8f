// RUN: mmrec-opt %s -split-input-file -verify-diagnostics

// The generic form reaches the verifiers with whatever the writer put there.

mmrec.kernel @segments(%a: memref<?xf32>) {
  %x = mmrec.load %a : memref<?xf32>
  // expected-error @+1 {{'mmrec.scan' op operand count (1) does not match with the total size (3) specified in attribute 'operandSegmentSizes'}}
  %y = "mmrec.scan"(%x) <{axis = 0 : i64, operandSegmentSizes = array<i32: 1, 2>}> ({
  ^bb0(%l: f32, %r: f32):
    mmrec.yield %l : f32
  }) : (tensor<?xf32>) -> tensor<?xf32>
}

// -----

mmrec.kernel @segment_count(%a: memref<?xf32>) {
  %x = mmrec.load %a : memref<?xf32>
  // expected-error @+1 {{size mismatch in attribute conversion: 3 vs 2}}
  %y = "mmrec.scan"(%x) <{axis = 0 : i64, operandSegmentSizes = array<i32: 1, 0, 0>}> ({
  ^bb0(%l: f32, %r: f32):
    mmrec.yield %l : f32
  }) : (tensor<?xf32>) -> tensor<?xf32>
}

// -----

mmrec.kernel @no_region(%a: memref<?xf32>) {
  %x = mmrec.load %a : memref<?xf32>
  // expected-error @+1 {{'mmrec.scan' op requires one region}}
  %y = "mmrec.scan"(%x) <{axis = 0 : i64, operandSegmentSizes = array<i32: 1, 0>}> : (tensor<?xf32>) -> tensor<?xf32>
}

// -----

mmrec.kernel @empty_region(%a: memref<?xf32>) {
  %x = mmrec.load %a : memref<?xf32>
  // expected-error @+1 {{'mmrec.map' op region #0 ('body') failed to verify constraint: region with 1 blocks}}
  %y = "mmrec.map"(%x) ({
  }) : (tensor<?xf32>) -> tensor<?xf32>
}

// -----

mmrec.kernel @bool_flag(%a: memref<?xf32>) {
  %x = mmrec.load %a : memref<?xf32>
  // expected-error @+1 {{Invalid attribute `reverse` in property conversion: 1 : i64}}
  %y = "mmrec.scan"(%x) <{axis = 0 : i64, operandSegmentSizes = array<i32: 1, 0>, reverse = 1}> ({
  ^bb0(%l: f32, %r: f32):
    mmrec.yield %l : f32
  }) : (tensor<?xf32>) -> tensor<?xf32>
}

// -----

// expected-error @+1 {{'mmrec.kernel' op requires attribute 'function_type'}}
"mmrec.kernel"() <{sym_name = "k"}> ({
}) : () -> ()

// -----

mmrec.kernel @carries_missing(%a: memref<?x?xf32>, %b: memref<?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  %h = mmrec.load %b : memref<?xf32>
  // expected-error @+2 {{'mmrec.scan' op inferred type(s) 'tensor<?x?xf32>', 'tensor<?xf32>' are incompatible with return type(s) of operation 'tensor<?x?xf32>'}}
  // expected-error @+1 {{'mmrec.scan' op failed to infer returned types}}
  %y = "mmrec.scan"(%x, %h) <{axis = 0 : i64, operandSegmentSizes = array<i32: 1, 1>}> ({
  ^bb0(%l: f32, %r: f32):
    mmrec.yield %l : f32
  }) : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
}
