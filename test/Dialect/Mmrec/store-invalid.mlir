// RUN: mmrec-opt %s -split-input-file -verify-diagnostics

mmrec.kernel @element_type(%a: memref<4xf32>, %b: memref<4xbf16>) {
  %x = mmrec.load %a : memref<4xf32>
  // expected-error @+1 {{'mmrec.store' op value has element type 'f32' but the target view has element type 'bf16'; convert with 'mmrec.map' first}}
  mmrec.store %x, %b : tensor<4xf32>, memref<4xbf16>
}

// -----

mmrec.kernel @static_shape(%a: memref<4xf32>, %b: memref<8xf32>) {
  %x = mmrec.load %a : memref<4xf32>
  // expected-error @+1 {{'mmrec.store' op value of shape [4] does not fit the target view of shape [8]}}
  mmrec.store %x, %b : tensor<4xf32>, memref<8xf32>
}

// -----

mmrec.kernel @rank(%a: memref<?xf32>, %b: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?xf32>
  // expected-error @+1 {{'mmrec.store' op value of shape [?] does not fit the target view of shape [?, ?]}}
  mmrec.store %x, %b : tensor<?xf32>, memref<?x?xf32>
}
