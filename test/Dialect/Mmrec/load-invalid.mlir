// RUN: mmrec-opt %s -split-input-file -verify-diagnostics

func.func @load_outside_kernel(%a: memref<4xf32>) {
  // expected-error @+1 {{'mmrec.load' op expects parent op 'mmrec.kernel'}}
  %x = mmrec.load %a : memref<4xf32>
  return
}

// -----

mmrec.kernel @wrong_result_type(%a: memref<4xf32>) {
  // expected-error @+2 {{'mmrec.load' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<4xf16>'}}
  // expected-error @+1 {{'mmrec.load' op failed to infer returned types}}
  %x = "mmrec.load"(%a) : (memref<4xf32>) -> tensor<4xf16>
}

// -----

mmrec.kernel @not_a_memref(%a: memref<4xf32>) {
  %t = mmrec.load %a : memref<4xf32>
  // expected-error @+1 {{'mmrec.load' op operand #0 must be strided memref of any type values, but got 'tensor<4xf32>'}}
  %x = "mmrec.load"(%t) : (tensor<4xf32>) -> tensor<4xf32>
}
