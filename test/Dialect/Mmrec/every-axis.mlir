// RUN: mmrec-opt %s -verify-roundtrip -mmrec-check-combiners | FileCheck %s

// Scans and reductions along every axis of a 5-D view, forward and reverse,
// with a static axis and dynamic others; inferred result shapes follow.
!v5 = memref<?x?x7x?x?xf32, strided<[?, ?, ?, ?, ?], offset: ?>>

// CHECK-LABEL: mmrec.kernel @every_axis
// CHECK-COUNT-5: mmrec.scan
// CHECK: mmrec.reduce %{{.*}} axis = 2 chunk = 3 : tensor<?x?x7x?x?xf32>
// CHECK: mmrec.store %{{.*}} : tensor<?x?x3x?x?xf32>
// CHECK: mmrec.reduce %{{.*}} axis = 4 : tensor<?x?x7x?x?xf32>
// CHECK: mmrec.store %{{.*}} : tensor<?x?x7x?xf32>
mmrec.kernel @every_axis(%in: !v5, %out: !v5, %chunks: memref<?x?x3x?x?xf32>,
                         %total: memref<?x?x7x?xf32>) {
  %x = mmrec.load %in : !v5
  %s0 = mmrec.scan %x axis = 0 : tensor<?x?x7x?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  %s1 = mmrec.scan %s0 axis = 1 reverse : tensor<?x?x7x?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.maximumf %l, %r : f32
    mmrec.yield %s : f32
  }
  %s2 = mmrec.scan %s1 axis = 2 : tensor<?x?x7x?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.mulf %l, %r : f32
    mmrec.yield %s : f32
  }
  %s3 = mmrec.scan %s2 axis = 3 reverse exclusive {identity = [0.0 : f32]} : tensor<?x?x7x?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  %s4 = mmrec.scan %s3 axis = 4 : tensor<?x?x7x?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    mmrec.yield %r : f32
  }
  mmrec.store %s4, %out : tensor<?x?x7x?x?xf32>, !v5
  %c = mmrec.reduce %x axis = 2 chunk = 3 : tensor<?x?x7x?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  mmrec.store %c, %chunks : tensor<?x?x3x?x?xf32>, memref<?x?x3x?x?xf32>
  %t = mmrec.reduce %x axis = 4 : tensor<?x?x7x?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.minimumf %l, %r : f32
    mmrec.yield %s : f32
  }
  mmrec.store %t, %total : tensor<?x?x7x?xf32>, memref<?x?x7x?xf32>
}
