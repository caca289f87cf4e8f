// RUN: mmrec-opt %s -verify-roundtrip | FileCheck %s
// RUN: mmrec-opt %s -mlir-print-op-generic | mmrec-opt | FileCheck %s

!v2 = memref<?x?xf32, strided<[?, ?], offset: ?>>

// The body's terminator is implicit in the custom form; arguments keep
// their memref types; the optional attributes print as written.
// CHECK-LABEL: mmrec.kernel @copy(
// CHECK-SAME:      %{{.*}}: memref<?x?xf32, strided<[?, ?], offset: ?>>, %{{.*}}: memref<?x?xf32, strided<[?, ?], offset: ?>>)
// CHECK-NEXT:    %[[X:.*]] = mmrec.load
// CHECK-NEXT:    mmrec.store %[[X]]
// CHECK-NEXT:  }
mmrec.kernel @copy(%in: !v2, %out: !v2) {
  %x = mmrec.load %in : !v2
  mmrec.store %x, %out : tensor<?x?xf32>, !v2
}

// CHECK-LABEL: mmrec.kernel @attributes(
// CHECK-SAME:    attributes {numerics = #mmrec.numerics<acc = f32>, tune_space = #mmrec.tune_space<chunk = [128]>}
mmrec.kernel @attributes(%in: !v2) attributes {
    tune_space = #mmrec.tune_space<chunk = [128]>, numerics = #mmrec.numerics<acc = f32>} {
}

// Static sizes, contiguous layouts and integer element types are views too.
// CHECK-LABEL: mmrec.kernel @static_views(
// CHECK-SAME:    memref<4x8xi32>, %{{.*}}: memref<8xf64, strided<[2]>>)
mmrec.kernel @static_views(%a: memref<4x8xi32>, %b: memref<8xf64, strided<[2]>>) {
}

// An explicit terminator is accepted and elided when printed.
// CHECK-LABEL: mmrec.kernel @explicit_yield
// CHECK-NOT:     mmrec.yield
// CHECK:       }
mmrec.kernel @explicit_yield(%a: !v2) {
  mmrec.yield
}

// CHECK-LABEL: mmrec.kernel private @private_kernel
mmrec.kernel private @private_kernel(%a: !v2) {
}
