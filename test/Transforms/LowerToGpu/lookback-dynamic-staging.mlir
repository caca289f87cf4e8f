// RUN: mmrec-opt %s -mmrec-fuse -mmrec-specialize-contiguous=alignment=16 -mmrec-lower-to-gpu -canonicalize -cse | FileCheck %s

// A lookback tile's staging buffer (the inputs of its full runs, copied
// with cp.async) goes to dynamic shared memory where it does not fit the
// static 48 KiB with the rest: 128 steps x 256 bf16 lanes = 64 KiB. The GPU
// module declares an external shared array of no size (PTX `.extern
// .shared`), the kernel says how many bytes a launch must give it
// (mmrec.dynamic_shared), and its copies address that array. A tile of 32
// KiB keeps a static workgroup buffer.
// CHECK:       llvm.mlir.global external @mmrec_dynamic_shared() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// CHECK-LABEL: gpu.func @large__group0(
// CHECK-NOT:     memref<16384xi32, #gpu.address_space<workgroup>>
// CHECK-SAME:    mmrec.dynamic_shared = 65536 : i64
// CHECK:         %[[ARRAY:.*]] = llvm.mlir.addressof @mmrec_dynamic_shared : !llvm.ptr<3>
// CHECK:         %[[BASE:.*]] = llvm.ptrtoint %[[ARRAY]] : !llvm.ptr<3> to i64
// CHECK:         arith.addi %[[BASE]],
// CHECK:         cp.async.cg.shared.global.L2::cache_hint [$0], [$1], 16, $2;
// CHECK:         cp.async.wait_all;
// CHECK-LABEL: gpu.func @small__group0(
// CHECK-SAME:    %[[STAGING:[^ ]*]] : memref<8192xi32, #gpu.address_space<workgroup>>
// CHECK-NOT:     mmrec.dynamic_shared
// CHECK:         memref.extract_aligned_pointer_as_index %[[STAGING]]
// CHECK:         cp.async.ca.shared.global.L2::cache_hint [$0], [$1], 8, $2;
!m = memref<?x?xbf16>
!o = memref<?x?xf32>
mmrec.kernel @large(%x: !m, %y: !o) {
  %v = mmrec.load %x : !m
  %w = mmrec.map %v : (tensor<?x?xbf16>) -> tensor<?x?xf32> {
  ^bb0(%a: bf16):
    %e = arith.extf %a : bf16 to f32
    mmrec.yield %e : f32
  }
  %s = mmrec.scan %w axis = 0 {
      tiling = #mmrec.tiling<strategy = lookback, chunk = 128, lanes = 256, vector = 8, warps = 8>}
      : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %t = arith.addf %l, %r : f32
    mmrec.yield %t : f32
  }
  mmrec.store %s, %y : tensor<?x?xf32>, !o
}
mmrec.kernel @small(%x: !m, %y: !o) {
  %v = mmrec.load %x : !m
  %w = mmrec.map %v : (tensor<?x?xbf16>) -> tensor<?x?xf32> {
  ^bb0(%a: bf16):
    %e = arith.extf %a : bf16 to f32
    mmrec.yield %e : f32
  }
  %s = mmrec.scan %w axis = 0 {
      tiling = #mmrec.tiling<strategy = lookback, chunk = 128, lanes = 128, vector = 4, warps = 8>}
      : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %t = arith.addf %l, %r : f32
    mmrec.yield %t : f32
  }
  mmrec.store %s, %y : tensor<?x?xf32>, !o
}
