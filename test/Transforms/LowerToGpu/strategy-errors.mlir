// RUN: mmrec-opt %s -mmrec-fuse -mmrec-lower-to-gpu -split-input-file -verify-diagnostics
// RUN: not mmrec-opt %s -mmrec-lower-to-gpu=strategy=fastest -split-input-file 2>&1 | FileCheck %s --check-prefix=OPTION
// OPTION: strategy must be lanes, chunked or lookback, got 'fastest'

// Schedules the GPU lowering does not have are diagnostics, never a wrong
// result or a crash.

// A reduce has chunks of its own: the chunked strategy is for scans.
mmrec.kernel @sums(%x: memref<?x?xf32>, %s: memref<?x?xf32>) {
  %v = mmrec.load %x : memref<?x?xf32>
  // expected-error @below {{the chunked strategy applies to scans}}
  %r = mmrec.reduce %v axis = 0 chunk = 4 {
      tiling = #mmrec.tiling<strategy = chunked, chunk = 64, lanes = 128, vector = 1, warps = 4>}
      : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %t = arith.addf %l, %r : f32
    mmrec.yield %t : f32
  }
  mmrec.store %r, %s : tensor<?x?xf32>, memref<?x?xf32>
}

// -----

// The look-back is for scans too.
mmrec.kernel @lookback_sums(%x: memref<?x?xf32>, %s: memref<?x?xf32>) {
  %v = mmrec.load %x : memref<?x?xf32>
  // expected-error @below {{the lookback strategy applies to scans}}
  %r = mmrec.reduce %v axis = 0 chunk = 4 {
      tiling = #mmrec.tiling<strategy = lookback, chunk = 64, lanes = 32, vector = 1, warps = 4>}
      : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %t = arith.addf %l, %r : f32
    mmrec.yield %t : f32
  }
  mmrec.store %r, %s : tensor<?x?xf32>, memref<?x?xf32>
}

// -----

// A lookback block's threads share its lanes' chunks: the block's lanes
// are whole lane blocks of `vector` lanes.
mmrec.kernel @lookback_vectors(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {
  %v = mmrec.load %x : memref<?x?xf32>
  // expected-error @below {{the lookback strategy with a block's threads sharing a chunk needs lanes / vector (24 / 8) dividing 32 x warps (128)}}
  %s = mmrec.scan %v axis = 0 {
      tiling = #mmrec.tiling<strategy = lookback, chunk = 64, lanes = 24, vector = 8, warps = 4>}
      : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %t = arith.addf %l, %r : f32
    mmrec.yield %t : f32
  }
  mmrec.store %s, %y : tensor<?x?xf32>, memref<?x?xf32>
}

// -----

// Threads sharing a lane's chunk: lane blocks dividing the block, runs
// dividing the chunk.
mmrec.kernel @shared(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {
  %v = mmrec.load %x : memref<?x?xf32>
  // expected-error @below {{chunk (30) must be a multiple of the threads per lane (4)}}
  %s = mmrec.scan %v axis = 0 {
      tiling = #mmrec.tiling<strategy = chunked, chunk = 30, lanes = 32, vector = 1, warps = 4>}
      : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %t = arith.addf %l, %r : f32
    mmrec.yield %t : f32
  }
  mmrec.store %s, %y : tensor<?x?xf32>, memref<?x?xf32>
}

// -----

mmrec.kernel @vectors(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {
  %v = mmrec.load %x : memref<?x?xf32>
  // expected-error @below {{needs lanes / vector (48 / 2) dividing 32 x warps (128)}}
  %s = mmrec.scan %v axis = 0 {
      tiling = #mmrec.tiling<strategy = chunked, chunk = 64, lanes = 48, vector = 2, warps = 4>}
      : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %t = arith.addf %l, %r : f32
    mmrec.yield %t : f32
  }
  mmrec.store %s, %y : tensor<?x?xf32>, memref<?x?xf32>
}

// -----

// A block's shared arrays hold a value per lane of each thread: 1024 threads
// of 8 f64 lanes need more static shared memory than a block may have.
mmrec.kernel @too_much_shared(%x: memref<?x?xf64>, %y: memref<?x?xf64>) {
  %v = mmrec.load %x : memref<?x?xf64>
  // expected-error @below {{the tiling needs 71816 bytes of shared memory a block, more than 49152: use fewer warps or a narrower vector}}
  %s = mmrec.scan %v axis = 0 {
      tiling = #mmrec.tiling<strategy = lookback, chunk = 64, lanes = 256, vector = 8, warps = 32>}
      : tensor<?x?xf64> {
  ^bb0(%l: f64, %r: f64):
    %t = arith.addf %l, %r : f64
    mmrec.yield %t : f64
  }
  mmrec.store %s, %y : tensor<?x?xf64>, memref<?x?xf64>
}
