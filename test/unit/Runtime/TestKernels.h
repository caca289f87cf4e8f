//===- TestKernels.h - kernel texts shared by the runtime tests -*- C++ -*-===//

#ifndef MMREC_TEST_UNIT_RUNTIME_TESTKERNELS_H
#define MMREC_TEST_UNIT_RUNTIME_TESTKERNELS_H

namespace mmrec::test {

/// A cumulative sum over axis 0 of a [T, N] f32 view: N lanes of T steps.
inline const char *const kCumsum = R"(
mmrec.kernel @cumsum(%in: memref<?x?xf32>, %out: memref<?x?xf32>) {
  %x = mmrec.load %in : memref<?x?xf32>
  %y = mmrec.scan %x axis = 0 : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  mmrec.store %y, %out : tensor<?x?xf32>, memref<?x?xf32>
})";

} // namespace mmrec::test

#endif // MMREC_TEST_UNIT_RUNTIME_TESTKERNELS_H
