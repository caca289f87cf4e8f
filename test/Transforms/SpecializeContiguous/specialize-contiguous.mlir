// RUN: mmrec-opt %s -mmrec-specialize-contiguous | FileCheck %s
// RUN: mmrec-opt %s -mmrec-specialize-contiguous=alignment=16 | FileCheck %s --check-prefix=ALIGNED
// RUN: not mmrec-opt %s -mmrec-specialize-contiguous=alignment=-1 2>&1 | FileCheck %s --check-prefix=NEGATIVE

// The runtime's contiguous variant: dynamic innermost strides become 1 (a
// static one stays), every argument is noalias; with an alignment the
// kernel also claims it (the GPU's 16-byte accesses).
// CHECK-LABEL: mmrec.kernel @copy(
// CHECK-SAME:    %{{.*}}: memref<?x?xbf16, strided<[?, 1], offset: ?>> {llvm.noalias},
// CHECK-SAME:    %{{.*}}: memref<?x?xbf16, strided<[?, 2], offset: ?>> {llvm.noalias})
// CHECK-NOT:     mmrec.alignment
// ALIGNED-LABEL: mmrec.kernel @copy(
// ALIGNED-SAME:    attributes {mmrec.alignment = 16 : i64}
// NEGATIVE: error: 'mmrec.kernel' op alignment must be >= 0, got -1
!any = memref<?x?xbf16, strided<[?, ?], offset: ?>>
!strided = memref<?x?xbf16, strided<[?, 2], offset: ?>>
mmrec.kernel @copy(%in: !any, %out: !strided) {
  %x = mmrec.load %in : !any
  mmrec.store %x, %out : tensor<?x?xbf16>, !strided
}
