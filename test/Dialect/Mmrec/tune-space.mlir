// RUN: mmrec-opt %s -verify-roundtrip -allow-unregistered-dialect | FileCheck %s
// RUN: mmrec-opt %s -mlir-print-op-generic -allow-unregistered-dialect | mmrec-opt -allow-unregistered-dialect | FileCheck %s

// CHECK: a = #mmrec.tune_space<strategy = [lookback, chunked, lanes], chunk = [64, 128, 256], lanes = [32, 64], vector = [1, 2, 4, 8], warps = [4, 8]>
// Left-out parameters keep the tuner's defaults and are not printed.
// CHECK-SAME: b = #mmrec.tune_space<chunk = [128]>
// CHECK-SAME: c = #mmrec.tune_space<>
"test.spaces"() {
  a = #mmrec.tune_space<strategy = [lookback, chunked, lanes], chunk = [64, 128, 256],
                        lanes = [32, 64], vector = [1, 2, 4, 8], warps = [4, 8]>,
  b = #mmrec.tune_space<chunk = [128]>,
  c = #mmrec.tune_space<>
} : () -> ()
