// RUN: mmrec-opt %s -pass-pipeline='builtin.module(gpu.module(mmrec-approximate-math))' | FileCheck %s

// f32 log/exp/log2/exp2 with fastmath<afn> become the hardware's
// approximations (the .ftz forms: subnormals flush to zero); without afn,
// or in f64, they stay (libdevice later).

// CHECK-LABEL: gpu.func @approximated
gpu.module @kernels {
  gpu.func @approximated(%x: f32, %out: memref<4xf32>) kernel {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c3 = arith.constant 3 : index
    // CHECK:      %[[LG:.*]] = llvm.call_intrinsic "llvm.nvvm.lg2.approx.ftz.f"(%{{.*}}) : (f32) -> f32
    // CHECK:      %[[LN2:.*]] = arith.constant 0.693147182 : f32
    // CHECK:      arith.mulf %[[LG]], %[[LN2]] : f32
    // CHECK-NOT:  math.log
    %log = math.log %x fastmath<afn> : f32
    // CHECK:      %[[LOG2E:.*]] = arith.constant 1.44269502 : f32
    // CHECK:      %[[SCALED:.*]] = arith.mulf %{{.*}}, %[[LOG2E]] : f32
    // CHECK:      llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f"(%[[SCALED]]) : (f32) -> f32
    %exp = math.exp %x fastmath<fast> : f32
    // CHECK:      llvm.call_intrinsic "llvm.nvvm.lg2.approx.ftz.f"(%{{.*}}) : (f32) -> f32
    %log2 = math.log2 %x fastmath<afn> : f32
    // CHECK:      llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f"(%{{.*}}) : (f32) -> f32
    %exp2 = math.exp2 %x fastmath<afn> : f32
    memref.store %log, %out[%c0] : memref<4xf32>
    memref.store %exp, %out[%c1] : memref<4xf32>
    memref.store %log2, %out[%c2] : memref<4xf32>
    memref.store %exp2, %out[%c3] : memref<4xf32>
    gpu.return
  }

  // CHECK-LABEL: gpu.func @kept
  gpu.func @kept(%x: f32, %y: f64, %out: memref<2xf32>, %wide: memref<2xf64>) kernel {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    // CHECK-NOT:  llvm.call_intrinsic
    // CHECK:      math.log %{{.*}} : f32
    // CHECK:      math.exp %{{.*}} fastmath<nnan,ninf> : f32
    // CHECK:      math.log %{{.*}} fastmath<afn> : f64
    // CHECK:      math.exp %{{.*}} fastmath<afn> : f64
    %log = math.log %x : f32
    %exp = math.exp %x fastmath<nnan,ninf> : f32
    %wlog = math.log %y fastmath<afn> : f64
    %wexp = math.exp %y fastmath<afn> : f64
    memref.store %log, %out[%c0] : memref<2xf32>
    memref.store %exp, %out[%c1] : memref<2xf32>
    memref.store %wlog, %wide[%c0] : memref<2xf64>
    memref.store %wexp, %wide[%c1] : memref<2xf64>
    gpu.return
  }
}
