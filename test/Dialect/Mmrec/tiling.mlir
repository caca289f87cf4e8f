// RUN: mmrec-opt %s -verify-roundtrip -allow-unregistered-dialect | FileCheck %s
// RUN: mmrec-opt %s -mlir-print-op-generic -allow-unregistered-dialect | mmrec-opt -allow-unregistered-dialect | FileCheck %s

// CHECK: a = #mmrec.tiling<strategy = lookback, chunk = 128, lanes = 128, vector = 8, warps = 8>
// CHECK-SAME: b = #mmrec.tiling<strategy = chunked, chunk = 1048576, lanes = 65536, vector = 16, warps = 32>
// CHECK-SAME: c = #mmrec.tiling<strategy = lanes, chunk = 1, lanes = 1, vector = 1, warps = 1>
// CHECK-SAME: d = #mmrec.tiling<strategy = lookback, chunk = 128, lanes = 64, vector = 4, warps = 4, window = 8>
// CHECK-SAME: e = #mmrec.tiling<strategy = lookback, chunk = 128, lanes = 64, vector = 4, warps = 4>
// CHECK-SAME: f = #mmrec.tiling<strategy = lookback, chunk = 128, lanes = 64, vector = 4, warps = 4, window = 32>
"test.tilings"() {
  a = #mmrec.tiling<strategy = lookback, chunk = 128, lanes = 128, vector = 8, warps = 8>,
  b = #mmrec.tiling<strategy = chunked, chunk = 1048576, lanes = 65536, vector = 16, warps = 32>,
  c = #mmrec.tiling<strategy = lanes, chunk = 1, lanes = 1, vector = 1, warps = 1>,
  // The default window (1) does not print.
  d = #mmrec.tiling<strategy = lookback, chunk = 128, lanes = 64, vector = 4, warps = 4, window = 8>,
  e = #mmrec.tiling<strategy = lookback, chunk = 128, lanes = 64, vector = 4, warps = 4, window = 1>,
  f = #mmrec.tiling<strategy = lookback, chunk = 128, lanes = 64, vector = 4, warps = 4, window = 32>
} : () -> ()

// Parameters may come in any order; they print in the canonical one.
// CHECK: #mmrec.tiling<strategy = lanes, chunk = 64, lanes = 32, vector = 4, warps = 2>
"test.reordered"() {
  t = #mmrec.tiling<warps = 2, vector = 4, lanes = 32, chunk = 64, strategy = lanes>
} : () -> ()
