//===- MmrecBase.td - the mmrec dialect definition ---------*- tablegen -*-===//
//
// The dialect record shared by the attribute and op definitions.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_DIALECT_MMREC_BASE
#define MMREC_DIALECT_MMREC_BASE

include "mlir/IR/OpBase.td"

def Mmrec_Dialect : Dialect {
  let name = "mmrec";
  let cppNamespace = "::mmrec";
  let summary = "Scans, reductions and maps over strided memory views, for MM-Rec kernels";
  let description = [{
    The `mmrec` dialect describes the kernels of MM-Rec-style recurrent
    models at the tensor level: associative scans along one axis
    (cumulative decay products, linear recurrences, selective state-space
    scans), chunked reductions (hierarchical-memory aggregation) and
    elementwise maps with broadcasting. A kernel is an `mmrec.kernel` whose
    arguments are strided memref views of global memory; inside it, values
    are tensors with value semantics. The compiler fuses the ops of a kernel
    and picks a parallel strategy for every scan; the attributes
    `#mmrec.tiling`, `#mmrec.tune_space` and `#mmrec.numerics` carry the
    schedule, the autotuner's candidates and the numerical guards.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::math::MathDialect"];
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
}

class Mmrec_Op<string mnemonic, list<Trait> traits = []>
    : Op<Mmrec_Dialect, mnemonic, traits>;

#endif // MMREC_DIALECT_MMREC_BASE
