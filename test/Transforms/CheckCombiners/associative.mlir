// RUN: mmrec-opt %s -mmrec-check-combiners -verify-diagnostics | FileCheck %s
// RUN: mmrec-opt %s -mmrec-check-combiners="samples=1000 seed=7" -verify-diagnostics

// Associative combiners pass without diagnostics and the IR is unchanged.
// Several are not commutative: the linear recurrence, the decayed sum, the
// 2x2 matrix product and "keep the last".

!v = memref<?x?xf32, strided<[?, ?], offset: ?>>

// CHECK-LABEL: mmrec.kernel @float_combiners
// CHECK-COUNT-7: mmrec.scan
mmrec.kernel @float_combiners(%in: !v) {
  %x = mmrec.load %in : !v
  %sum = mmrec.scan %x axis = 1 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  %product = mmrec.scan %x axis = 1 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.mulf %l, %r : f32
    mmrec.yield %s : f32
  }
  %max = mmrec.scan %x axis = 1 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.maximumf %l, %r : f32
    mmrec.yield %s : f32
  }
  // log(exp(l) + exp(r)), written the stable way.
  %logsumexp = mmrec.scan %x axis = 1 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %m = arith.maximumf %l, %r : f32
    %d = arith.subf %l, %r : f32
    %a = math.absf %d : f32
    %n = arith.negf %a : f32
    %e = math.exp %n : f32
    %p = math.log1p %e : f32
    %s = arith.addf %m, %p : f32
    mmrec.yield %s : f32
  }
  // Keep the last element: associative, not commutative.
  %last = mmrec.scan %x axis = 1 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    mmrec.yield %r : f32
  }
  // Keep the larger magnitude, ties to the earlier one, with cmpf + select.
  %argmax = mmrec.scan %x axis = 1 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %al = math.absf %l : f32
    %ar = math.absf %r : f32
    %take = arith.cmpf oge, %al, %ar : f32
    %s = arith.select %take, %l, %r : f32
    mmrec.yield %s : f32
  }
  // exp(log(l) + log(r)) on positive values: a product in log space, which
  // only some samples reach (the rest leave the domain and are skipped).
  %logproduct = mmrec.scan %x axis = 1 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %ll = math.log %l : f32
    %lr = math.log %r : f32
    %s = arith.addf %ll, %lr : f32
    %e = math.exp %s : f32
    mmrec.yield %e : f32
  }
}

// CHECK-LABEL: mmrec.kernel @pair_combiners
// CHECK-COUNT-2: mmrec.scan
// CHECK: mmrec.reduce
mmrec.kernel @pair_combiners(%in: !v) {
  %x = mmrec.load %in : !v
  // h = a * h + b: (a1, b1) . (a2, b2) = (a1 a2, a2 b1 + b2).
  %a, %h = mmrec.scan %x, %x axis = 1 : tensor<?x?xf32>, tensor<?x?xf32> {
  ^bb0(%a1: f32, %b1: f32, %a2: f32, %b2: f32):
    %a12 = arith.mulf %a1, %a2 : f32
    %p = arith.mulf %a2, %b1 : f32
    %b12 = arith.addf %p, %b2 : f32
    mmrec.yield %a12, %b12 : f32, f32
  }
  // The decayed sum of kernels/decayed_sum.mlir.
  %A, %s = mmrec.scan %x, %x axis = 1 reverse : tensor<?x?xf32>, tensor<?x?xf32> {
  ^bb0(%a1: f32, %s1: f32, %a2: f32, %s2: f32):
    %d = arith.subf %a2, %a1 : f32
    %e = math.exp %d : f32
    %c = arith.mulf %e, %s1 : f32
    %s12 = arith.addf %c, %s2 : f32
    mmrec.yield %a2, %s12 : f32, f32
  }
  // Sum and count, reduced in chunks.
  %sum, %count = mmrec.reduce %x, %x axis = 1 chunk = 128 : tensor<?x?xf32>, tensor<?x?xf32> {
  ^bb0(%s1: f32, %n1: f32, %s2: f32, %n2: f32):
    %s12 = arith.addf %s1, %s2 : f32
    %n12 = arith.addf %n1, %n2 : f32
    mmrec.yield %s12, %n12 : f32, f32
  }
}

// A 2x2 matrix product, row-major in four operands: not commutative.
// CHECK-LABEL: mmrec.kernel @matrix_product
mmrec.kernel @matrix_product(%in: !v) {
  %x = mmrec.load %in : !v
  %m:4 = mmrec.scan %x, %x, %x, %x axis = 0
      : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32> {
  ^bb0(%a: f32, %b: f32, %c: f32, %d: f32, %e: f32, %f: f32, %g: f32, %h: f32):
    %ae = arith.mulf %a, %e : f32
    %bg = arith.mulf %b, %g : f32
    %af = arith.mulf %a, %f : f32
    %bh = arith.mulf %b, %h : f32
    %ce = arith.mulf %c, %e : f32
    %dg = arith.mulf %d, %g : f32
    %cf = arith.mulf %c, %f : f32
    %dh = arith.mulf %d, %h : f32
    %r0 = arith.addf %ae, %bg : f32
    %r1 = arith.addf %af, %bh : f32
    %r2 = arith.addf %ce, %dg : f32
    %r3 = arith.addf %cf, %dh : f32
    mmrec.yield %r0, %r1, %r2, %r3 : f32, f32, f32, f32
  }
}

// Integer combiners are compared exactly, with wrap-around at their width.
// CHECK-LABEL: mmrec.kernel @integer_combiners
mmrec.kernel @integer_combiners(%in: memref<?x?xi8>, %flags: memref<?x?xi1>) {
  %x = mmrec.load %in : memref<?x?xi8>
  %f = mmrec.load %flags : memref<?x?xi1>
  %sum = mmrec.scan %x axis = 1 : tensor<?x?xi8> {
  ^bb0(%l: i8, %r: i8):
    %s = arith.addi %l, %r : i8
    mmrec.yield %s : i8
  }
  %product = mmrec.scan %x axis = 1 : tensor<?x?xi8> {
  ^bb0(%l: i8, %r: i8):
    %s = arith.muli %l, %r : i8
    mmrec.yield %s : i8
  }
  %bits = mmrec.scan %x axis = 1 : tensor<?x?xi8> {
  ^bb0(%l: i8, %r: i8):
    %s = arith.xori %l, %r : i8
    mmrec.yield %s : i8
  }
  %umax = mmrec.reduce %x axis = 0 : tensor<?x?xi8> {
  ^bb0(%l: i8, %r: i8):
    %s = arith.maxui %l, %r : i8
    mmrec.yield %s : i8
  }
  // A segmented sum: (flag, value) pairs restart the sum where flag is set.
  %seg_flag, %seg_sum = mmrec.scan %f, %x axis = 1 : tensor<?x?xi1>, tensor<?x?xi8> {
  ^bb0(%f1: i1, %v1: i8, %f2: i1, %v2: i8):
    %total = arith.addi %v1, %v2 : i8
    %v = arith.select %f2, %v2, %total : i8
    %flag = arith.ori %f1, %f2 : i1
    mmrec.yield %flag, %v : i1, i8
  }
}
