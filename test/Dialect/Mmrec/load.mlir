// RUN: mmrec-opt %s -verify-roundtrip | FileCheck %s
// RUN: mmrec-opt %s -mlir-print-op-generic | mmrec-opt | FileCheck %s

// The result type is inferred: a tensor of the view's shape and element type.
// CHECK-LABEL: mmrec.kernel @load
// CHECK:         %[[A:.*]] = mmrec.load %{{.*}} : memref<?x?x?x?xbf16, strided<[?, ?, ?, ?], offset: ?>>
// CHECK:         %[[B:.*]] = mmrec.load %{{.*}} : memref<2x8xf32>
// CHECK:         mmrec.store %[[A]], %{{.*}} : tensor<?x?x?x?xbf16>
// CHECK:         mmrec.store %[[B]], %{{.*}} : tensor<2x8xf32>
mmrec.kernel @load(%a: memref<?x?x?x?xbf16, strided<[?, ?, ?, ?], offset: ?>>,
                   %b: memref<2x8xf32>,
                   %out_a: memref<?x?x?x?xbf16, strided<[?, ?, ?, ?], offset: ?>>,
                   %out_b: memref<2x8xf32>) {
  %x = mmrec.load %a : memref<?x?x?x?xbf16, strided<[?, ?, ?, ?], offset: ?>>
  %y = mmrec.load %b : memref<2x8xf32>
  mmrec.store %x, %out_a : tensor<?x?x?x?xbf16>, memref<?x?x?x?xbf16, strided<[?, ?, ?, ?], offset: ?>>
  mmrec.store %y, %out_b : tensor<2x8xf32>, memref<2x8xf32>
}
