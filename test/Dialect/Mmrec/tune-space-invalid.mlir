// RUN: mmrec-opt %s -split-input-file -verify-diagnostics -allow-unregistered-dialect

// expected-error @+1 {{'chunk' candidates list 128 twice}}
"test.t"() {t = #mmrec.tune_space<chunk = [64, 128, 128]>} : () -> ()

// -----

// expected-error @+1 {{'vector' (consecutive elements per thread access) must be a power of two in [1, 16], got 6}}
"test.t"() {t = #mmrec.tune_space<vector = [4, 6]>} : () -> ()

// -----

// expected-error @+1 {{'warps' (warps per block) must be in [1, 32], got 0}}
"test.t"() {t = #mmrec.tune_space<warps = [0]>} : () -> ()

// -----

// expected-error @+1 {{'strategy' candidates list lanes twice}}
"test.t"() {t = #mmrec.tune_space<strategy = [lanes, chunked, lanes]>} : () -> ()

// -----

// expected-error @+2 {{expected '['}}
// expected-error @+1 {{failed to parse Mmrec_TuneSpaceAttr parameter 'chunk'}}
"test.t"() {t = #mmrec.tune_space<chunk = 128>} : () -> ()

// -----

// expected-error @+1 {{duplicate or unknown struct parameter name: blocks}}
"test.t"() {t = #mmrec.tune_space<blocks = [4]>} : () -> ()
