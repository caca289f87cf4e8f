//===- MmrecAttrs.h - mmrec attributes -------------------------*- C++ -*-===//
//
// #mmrec.tiling, #mmrec.tune_space, #mmrec.numerics and the ScanStrategy enum.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_DIALECT_MMREC_MMRECATTRS_H
#define MMREC_DIALECT_MMREC_MMRECATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectImplementation.h"

#include "mmrec/Dialect/Mmrec/MmrecEnums.h.inc"

namespace mmrec {
/// Parses `[v1, v2, ...]` of values that have a FieldParser (candidate lists).
template <typename T>
mlir::FailureOr<llvm::SmallVector<T>> parseSquareList(mlir::AsmParser &parser) {
  llvm::SmallVector<T> values;
  if (parser.parseCommaSeparatedList(mlir::AsmParser::Delimiter::Square, [&]() {
        mlir::FailureOr<T> value = mlir::FieldParser<T>::parse(parser);
        if (mlir::failed(value))
          return mlir::failure();
        values.push_back(*value);
        return mlir::success();
      }))
    return mlir::failure();
  return values;
}

template <typename T> void printSquareList(mlir::AsmPrinter &printer, llvm::ArrayRef<T> values) {
  printer << '[';
  llvm::interleaveComma(values, printer.getStream());
  printer << ']';
}
} // namespace mmrec

#define GET_ATTRDEF_CLASSES
#include "mmrec/Dialect/Mmrec/MmrecAttrs.h.inc"

#endif // MMREC_DIALECT_MMREC_MMRECATTRS_H
