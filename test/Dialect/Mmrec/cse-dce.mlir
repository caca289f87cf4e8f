// RUN: mmrec-opt %s -cse -canonicalize | FileCheck %s

// map, scan and reduce are pure: two identical scans of one value are one,
// and a scan or reduce whose result is unused disappears. Loads and stores
// stay: they touch memory.
// CHECK-LABEL: mmrec.kernel @pure
// CHECK:         %[[X:.*]] = mmrec.load
// CHECK-NEXT:    %[[S:.*]] = mmrec.scan %[[X]]
// CHECK-NOT:     mmrec.scan
// CHECK-NOT:     mmrec.reduce
// CHECK:         mmrec.store %[[S]]
// CHECK-NEXT:    mmrec.store %[[S]]
mmrec.kernel @pure(%in: memref<?x?xf32>, %o1: memref<?x?xf32>, %o2: memref<?x?xf32>) {
  %x = mmrec.load %in : memref<?x?xf32>
  %a = mmrec.scan %x axis = 1 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  %b = mmrec.scan %x axis = 1 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  %unused = mmrec.reduce %x axis = 0 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.maximumf %l, %r : f32
    mmrec.yield %s : f32
  }
  mmrec.store %a, %o1 : tensor<?x?xf32>, memref<?x?xf32>
  mmrec.store %b, %o2 : tensor<?x?xf32>, memref<?x?xf32>
}
