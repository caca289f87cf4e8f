// RUN: mmrec-opt %s -split-input-file -verify-diagnostics -allow-unregistered-dialect

// expected-error @+1 {{'chunk' (elements of the scan axis per block) must be in [1, 1048576], got 0}}
"test.t"() {t = #mmrec.tiling<strategy = lookback, chunk = 0, lanes = 128, vector = 8, warps = 8>} : () -> ()

// -----

// expected-error @+1 {{'chunk' (elements of the scan axis per block) must be in [1, 1048576], got 2097152}}
"test.t"() {t = #mmrec.tiling<strategy = lookback, chunk = 2097152, lanes = 128, vector = 8, warps = 8>} : () -> ()

// -----

// expected-error @+1 {{'lanes' (elements of the other axes per block) must be in [1, 65536], got -8}}
"test.t"() {t = #mmrec.tiling<strategy = lookback, chunk = 128, lanes = -8, vector = 8, warps = 8>} : () -> ()

// -----

// expected-error @+1 {{'vector' (consecutive elements per thread access) must be a power of two in [1, 16], got 3}}
"test.t"() {t = #mmrec.tiling<strategy = lookback, chunk = 128, lanes = 96, vector = 3, warps = 8>} : () -> ()

// -----

// expected-error @+1 {{'vector' (consecutive elements per thread access) must be a power of two in [1, 16], got 32}}
"test.t"() {t = #mmrec.tiling<strategy = lookback, chunk = 128, lanes = 128, vector = 32, warps = 8>} : () -> ()

// -----

// expected-error @+1 {{'warps' (warps per block) must be in [1, 32], got 33}}
"test.t"() {t = #mmrec.tiling<strategy = lookback, chunk = 128, lanes = 128, vector = 8, warps = 33>} : () -> ()

// -----

// expected-error @+1 {{'window' (tiles a look-back round reads) must be in [1, 32], got 0}}
"test.t"() {t = #mmrec.tiling<strategy = lookback, chunk = 128, lanes = 128, vector = 8, warps = 8, window = 0>} : () -> ()

// -----

// expected-error @+1 {{'window' (tiles a look-back round reads) must be in [1, 32], got 33}}
"test.t"() {t = #mmrec.tiling<strategy = lookback, chunk = 128, lanes = 128, vector = 8, warps = 8, window = 33>} : () -> ()

// -----

// expected-error @+1 {{'window' (4) is the look-back's: only strategy = lookback takes one}}
"test.t"() {t = #mmrec.tiling<strategy = chunked, chunk = 128, lanes = 128, vector = 8, warps = 8, window = 4>} : () -> ()

// -----

// expected-error @+1 {{'lanes' (100) must be a multiple of 'vector' (8)}}
"test.t"() {t = #mmrec.tiling<strategy = lookback, chunk = 128, lanes = 100, vector = 8, warps = 8>} : () -> ()

// -----

// expected-error @+2 {{expected ::mmrec::ScanStrategy to be one of: lookback, chunked, lanes}}
// expected-error @+1 {{failed to parse Mmrec_TilingAttr parameter 'strategy'}}
"test.t"() {t = #mmrec.tiling<strategy = blelloch, chunk = 128, lanes = 128, vector = 8, warps = 8>} : () -> ()

// -----

// All parameters but `window` are required.
// expected-error @+1 {{struct is missing required parameter: warps}}
"test.t"() {t = #mmrec.tiling<strategy = lookback, chunk = 128, lanes = 128, vector = 8>} : () -> ()

// -----

mmrec.kernel @wrong_attribute_on_scan(%a: memref<?x?xf32>) {
  %x = mmrec.load %a : memref<?x?xf32>
  // expected-error @+1 {{Invalid attribute `tiling` in property conversion: #mmrec.numerics<acc = f32>}}
  %y = "mmrec.scan"(%x) <{axis = 0 : i64, operandSegmentSizes = array<i32: 1, 0>, tiling = #mmrec.numerics<acc = f32>}> ({
  ^bb0(%l: f32, %r: f32):
    mmrec.yield %l : f32
  }) : (tensor<?x?xf32>) -> tensor<?x?xf32>
}
