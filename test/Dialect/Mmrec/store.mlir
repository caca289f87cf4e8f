// RUN: mmrec-opt %s -verify-roundtrip | FileCheck %s
// RUN: mmrec-opt %s -mlir-print-op-generic | mmrec-opt | FileCheck %s

// A value with static sizes may be stored into a view with dynamic ones and
// the other way around; the runtime checks dynamic sizes.
// CHECK-LABEL: mmrec.kernel @store
// CHECK:         mmrec.store %{{.*}}, %{{.*}} : tensor<4x8xf32>, memref<?x8xf32, strided<[?, 1], offset: ?>>
// CHECK:         mmrec.store %{{.*}}, %{{.*}} : tensor<?x?xf32>, memref<4x8xf32>
mmrec.kernel @store(%a: memref<4x8xf32>, %b: memref<?x8xf32, strided<[?, 1], offset: ?>>,
                    %c: memref<?x?xf32, strided<[?, ?], offset: ?>>) {
  %x = mmrec.load %a : memref<4x8xf32>
  mmrec.store %x, %b : tensor<4x8xf32>, memref<?x8xf32, strided<[?, 1], offset: ?>>
  %y = mmrec.load %c : memref<?x?xf32, strided<[?, ?], offset: ?>>
  mmrec.store %y, %a : tensor<?x?xf32>, memref<4x8xf32>
}
