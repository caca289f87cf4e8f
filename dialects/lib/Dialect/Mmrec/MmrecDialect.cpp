//===- MmrecDialect.cpp - the mmrec dialect -------------------------------===//
//
// Registers the ops and attributes of the dialect.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Dialect/Mmrec/MmrecDialect.h"
#include "mmrec/Dialect/Mmrec/MmrecOps.h"

using namespace mlir;
using namespace mmrec;

#include "mmrec/Dialect/Mmrec/MmrecOpsDialect.cpp.inc"

void MmrecDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "mmrec/Dialect/Mmrec/MmrecOps.cpp.inc"
      >();
  registerAttributes();
}
