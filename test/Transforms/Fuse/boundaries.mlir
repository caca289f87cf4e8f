// RUN: mmrec-opt %s -mmrec-fuse -split-input-file | FileCheck %s



// A producer map with another user is cloned into the group; the original
// stays for its other user and becomes a group of its own.
// CHECK-LABEL: mmrec.kernel @shared_producer
// CHECK:         %[[X:.*]] = mmrec.load
// CHECK:         %[[M:.*]] = mmrec.group %[[X]]
// CHECK:           mmrec.map
// CHECK-NOT:       mmrec.scan
// CHECK:         mmrec.store %[[M]]
// CHECK:         %[[S:.*]] = mmrec.group %[[X]]
// CHECK:           mmrec.map
// CHECK:           mmrec.scan
// CHECK:         mmrec.store %[[S]]
mmrec.kernel @shared_producer(%in: memref<?x?xf32>, %o1: memref<?x?xf32>, %o2: memref<?x?xf32>) {
  %x = mmrec.load %in : memref<?x?xf32>
  %e = mmrec.map %x : (tensor<?x?xf32>) -> tensor<?x?xf32> {
  ^bb0(%v: f32):
    %w = math.exp %v : f32
    mmrec.yield %w : f32
  }
  mmrec.store %e, %o1 : tensor<?x?xf32>, memref<?x?xf32>
  %s = mmrec.scan %e axis = 1 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %t = arith.addf %l, %r : f32
    mmrec.yield %t : f32
  }
  mmrec.store %s, %o2 : tensor<?x?xf32>, memref<?x?xf32>
}

// -----

// Two scans in a row are two groups: the second needs the whole first. The
// map between them joins the first group as a consumer.
// CHECK-LABEL: mmrec.kernel @two_scans
// CHECK:         %[[A:.*]] = mmrec.group
// CHECK:           mmrec.scan %{{.*}} axis = 0
// CHECK:           mmrec.map
// CHECK:         %[[B:.*]] = mmrec.group %[[A]]
// CHECK:           mmrec.scan %{{.*}} axis = 1
// CHECK:         mmrec.store %[[B]]
mmrec.kernel @two_scans(%in: memref<?x?xf32>, %out: memref<?x?xf32>) {
  %x = mmrec.load %in : memref<?x?xf32>
  %a = mmrec.scan %x axis = 0 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %t = arith.addf %l, %r : f32
    mmrec.yield %t : f32
  }
  %m = mmrec.map %a : (tensor<?x?xf32>) -> tensor<?x?xf32> {
  ^bb0(%v: f32):
    %w = arith.negf %v : f32
    mmrec.yield %w : f32
  }
  %b = mmrec.scan %m axis = 1 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %t = arith.maximumf %l, %r : f32
    mmrec.yield %t : f32
  }
  mmrec.store %b, %out : tensor<?x?xf32>, memref<?x?xf32>
}

// -----

// A consumer that reads the scan through a broadcasting (here transposing)
// map reads other points than the one being computed: it stays outside.
// So does a consumer whose other input is loaded after the scan.
// CHECK-LABEL: mmrec.kernel @outside_consumers
// CHECK:         %[[S:.*]] = mmrec.group
// CHECK:           mmrec.scan
// CHECK-NOT:       mmrec.map
// CHECK:           mmrec.yield
// CHECK:         mmrec.group %[[S]] : (tensor<?x?xf32>) -> tensor<?x?xf32>
// CHECK:           mmrec.map %{{.*}} maps [#map]
// CHECK:         %[[Y:.*]] = mmrec.load
// CHECK:         mmrec.group %[[S]], %[[Y]]
mmrec.kernel @outside_consumers(%in: memref<?x?xf32>, %late: memref<?x?xf32>, %o1: memref<?x?xf32>, %o2: memref<?x?xf32>) {
  %x = mmrec.load %in : memref<?x?xf32>
  %s = mmrec.scan %x axis = 1 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %t = arith.addf %l, %r : f32
    mmrec.yield %t : f32
  }
  %t = mmrec.map %s maps [affine_map<(i, j) -> (j, i)>] : (tensor<?x?xf32>) -> tensor<?x?xf32> {
  ^bb0(%v: f32):
    mmrec.yield %v : f32
  }
  mmrec.store %t, %o1 : tensor<?x?xf32>, memref<?x?xf32>
  %y = mmrec.load %late : memref<?x?xf32>
  %p = mmrec.map %s, %y : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32> {
  ^bb0(%v: f32, %w: f32):
    %q = arith.mulf %v, %w : f32
    mmrec.yield %q : f32
  }
  mmrec.store %p, %o2 : tensor<?x?xf32>, memref<?x?xf32>
}

// -----

// Maps without a scan fuse into one group along their chain.
// CHECK-LABEL: mmrec.kernel @map_chain
// CHECK:         %[[R:.*]] = mmrec.group %{{.*}} : (tensor<?x?xf32>) -> tensor<?x?xf16>
// CHECK-COUNT-3:   mmrec.map
// CHECK:         mmrec.store %[[R]]
mmrec.kernel @map_chain(%in: memref<?x?xf32>, %out: memref<?x?xf16>) {
  %x = mmrec.load %in : memref<?x?xf32>
  %a = mmrec.map %x : (tensor<?x?xf32>) -> tensor<?x?xf32> {
  ^bb0(%v: f32):
    %w = math.exp %v : f32
    mmrec.yield %w : f32
  }
  %b = mmrec.map %a : (tensor<?x?xf32>) -> tensor<?x?xf32> {
  ^bb0(%v: f32):
    %w = math.log1p %v : f32
    mmrec.yield %w : f32
  }
  %c = mmrec.map %b : (tensor<?x?xf32>) -> tensor<?x?xf16> {
  ^bb0(%v: f32):
    %w = arith.truncf %v : f32 to f16
    mmrec.yield %w : f16
  }
  mmrec.store %c, %out : tensor<?x?xf16>, memref<?x?xf16>
}
