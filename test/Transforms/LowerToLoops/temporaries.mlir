// RUN: mmrec-opt %s -mmrec-fuse -mmrec-lower-to-loops | FileCheck %s

// A scan of a scan: the first group writes a temporary that the second
// reads. Every group function takes the kernel's memrefs, then the
// temporaries (contiguous innermost dimension), then its block range.
// CHECK-LABEL: func.func @two_groups__group0(
// CHECK-SAME:      %[[IN:[^:]*]]: memref<?x?xf32>, %[[OUT:[^:]*]]: memref<?x?xf32>, %[[TMP:[^:]*]]: memref<?x?xf32, strided<[?, 1], offset: ?>>, %{{.*}}: index, %{{.*}}: index)
// CHECK:         memref.load %[[IN]]
// CHECK:         memref.store %{{.*}}, %[[TMP]]
// CHECK-NOT:     memref.store %{{.*}}, %[[OUT]]
// CHECK-LABEL: func.func @two_groups__group1_blocks(
// CHECK-LABEL: func.func @two_groups__group1(
// CHECK-SAME:      %[[IN:[^:]*]]: memref<?x?xf32>, %[[OUT:[^:]*]]: memref<?x?xf32>, %[[TMP:[^:]*]]: memref<?x?xf32, strided<[?, 1], offset: ?>>
// CHECK:         memref.load %[[TMP]]
// CHECK:         memref.store %{{.*}}, %[[OUT]]
mmrec.kernel @two_groups(%in: memref<?x?xf32>, %out: memref<?x?xf32>) {
  %x = mmrec.load %in : memref<?x?xf32>
  %a = mmrec.scan %x axis = 0 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  %b = mmrec.scan %a axis = 1 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.maximumf %l, %r : f32
    mmrec.yield %s : f32
  }
  mmrec.store %b, %out : tensor<?x?xf32>, memref<?x?xf32>
}
