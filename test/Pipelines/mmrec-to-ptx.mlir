// REQUIRES: ptxas
// RUN: mmrec-opt %s '-mmrec-to-ptx=chip=sm_80 features=+ptx80 cuda-path=%cuda_path' | FileCheck %s
// RUN: mmrec-opt %s -mmrec-to-ptx | FileCheck %s --check-prefix=SM90

// -mmrec-to-ptx: one gpu.binary per kernel holding the PTX of one entry per
// group; exp goes through libdevice (no call is left in the PTX), the block
// size is fixed (.maxntid), memrefs are passed as their descriptor fields
// (allocated and aligned pointers, offset, sizes, strides: 2 x 7 u64 here).
// CHECK:      gpu.binary @exp_cumsum
// CHECK-SAME:   #nvvm.target<O = 3, chip = "sm_80", features = "+ptx80">
// CHECK-SAME:   assembly = "
// CHECK-SAME:   .target sm_80
// CHECK-SAME:   .visible .entry exp_cumsum__group0(
// CHECK-SAME:   exp_cumsum__group0_param_13
// CHECK-NOT:    exp_cumsum__group0_param_14
// CHECK-SAME:   .maxntid 128, 1, 1
// CHECK-SAME:   ex2.approx
// CHECK-NOT:    call.uni
// SM90:       chip = "sm_90a"
// SM90-SAME:  .target sm_90a
mmrec.kernel @exp_cumsum(%in: memref<?x?xf32, strided<[?, ?], offset: ?>>,
                         %out: memref<?x?xf32, strided<[?, ?], offset: ?>>) {
  %x = mmrec.load %in : memref<?x?xf32, strided<[?, ?], offset: ?>>
  %e = mmrec.map %x : (tensor<?x?xf32>) -> tensor<?x?xf32> {
  ^bb0(%v: f32):
    %r = math.exp %v : f32
    mmrec.yield %r : f32
  }
  %y = mmrec.scan %e axis = 0 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  mmrec.store %y, %out : tensor<?x?xf32>, memref<?x?xf32, strided<[?, ?], offset: ?>>
}
