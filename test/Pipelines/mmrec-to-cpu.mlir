// RUN: mmrec-opt %kernels/assoc_scan_exp.mlir -mmrec-to-cpu | FileCheck %s
// RUN: mmrec-opt %kernels/linear_recurrence.mlir -mmrec-to-cpu | FileCheck %s --check-prefix=LIN
// RUN: mmrec-opt %kernels/assoc_scan_exp.mlir -mmrec-to-cpu | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=IR

// The whole pipeline ends in the LLVM dialect: two functions per group and
// their C interfaces, no mmrec, scf, memref or arith ops left; bf16 is
// converted with integer ops.
// CHECK-DAG: llvm.func @assoc_scan_exp__group0_blocks(
// CHECK-DAG: llvm.func @_mlir_ciface_assoc_scan_exp__group0_blocks(
// CHECK-DAG: llvm.func @assoc_scan_exp__group0(
// CHECK-DAG: llvm.func @_mlir_ciface_assoc_scan_exp__group0(
// CHECK-NOT: mmrec.
// CHECK-NOT: scf.
// CHECK-NOT: memref.
// CHECK-NOT: arith.

// LIN-DAG: llvm.func @_mlir_ciface_linear_recurrence__group0(
// LIN-DAG: llvm.func @_mlir_ciface_linear_recurrence_h0__group0(

// The decay product multiplies the clamped decays (-mmrec-log-sum-to-product):
// no log or exp is left.
// IR-LABEL: define void @assoc_scan_exp__group0(
// IR-NOT: @llvm.log
// IR-NOT: @llvm.exp
// IR: fmul float
// IR-NOT: @llvm.log
// IR-NOT: @llvm.exp
// IR-LABEL: define void @_mlir_ciface_assoc_scan_exp__group0(ptr %0, ptr %1, i64 %2, i64 %3)
