// RUN: mmrec-opt %s -canonicalize | FileCheck %s

!v = memref<?x1x?xf32, strided<[?, ?, ?], offset: ?>>

// An inclusive scan without inits over an axis of static size 1 is its
// input, and so is a map that yields its identity-indexed arguments.
// CHECK-LABEL: mmrec.kernel @trivial
// CHECK-NEXT:    %[[X:.*]] = mmrec.load
// CHECK-NEXT:    mmrec.store %[[X]]
// CHECK-NEXT:  }
mmrec.kernel @trivial(%in: !v, %out: !v) {
  %x = mmrec.load %in : !v
  %y = mmrec.scan %x axis = 1 : tensor<?x1x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.subf %l, %r : f32
    mmrec.yield %s : f32
  }
  %z = mmrec.map %y : (tensor<?x1x?xf32>) -> tensor<?x1x?xf32> {
  ^bb0(%v: f32):
    mmrec.yield %v : f32
  }
  mmrec.store %z, %out : tensor<?x1x?xf32>, !v
}

// Not folded: the axis has dynamic size; inits (the carry joins the element);
// exclusive (the first element is the identity); a map that broadcasts or
// changes types.
// CHECK-LABEL: mmrec.kernel @kept
// CHECK-COUNT-3: mmrec.scan
// CHECK-COUNT-2: mmrec.map
mmrec.kernel @kept(%in: !v, %init: memref<?x?xf32>, %out: !v, %o2: memref<?x?xf32>,
                   %o3: memref<?x1x?xf64>) {
  %x = mmrec.load %in : !v
  %h = mmrec.load %init : memref<?x?xf32>
  %a = mmrec.scan %x axis = 2 : tensor<?x1x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  %b, %bT = mmrec.scan %a inits(%h : tensor<?x?xf32>) axis = 1 : tensor<?x1x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  %c = mmrec.scan %b axis = 1 exclusive {identity = [0.0 : f32]} : tensor<?x1x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  %d = mmrec.map %h, %c maps [affine_map<(i, j, k) -> (i, k)>, affine_map<(i, j, k) -> (i, j, k)>]
      : (tensor<?x?xf32>, tensor<?x1x?xf32>) -> tensor<?x1x?xf32> {
  ^bb0(%v: f32, %w: f32):
    mmrec.yield %v : f32
  }
  %e = mmrec.map %d : (tensor<?x1x?xf32>) -> tensor<?x1x?xf64> {
  ^bb0(%v: f32):
    %w = arith.extf %v : f32 to f64
    mmrec.yield %w : f64
  }
  mmrec.store %d, %out : tensor<?x1x?xf32>, !v
  mmrec.store %bT, %o2 : tensor<?x?xf32>, memref<?x?xf32>
  mmrec.store %e, %o3 : tensor<?x1x?xf64>, memref<?x1x?xf64>
}
