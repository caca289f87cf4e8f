//===- MmrecOps.cpp - mmrec operations ------------------------------------===//
//
// Verifiers, type inference, custom assembly and folds of the mmrec ops.
// Verifiers and type inference also run on malformed IR from the parser, so
// they never assume what they have not checked.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Dialect/Mmrec/MmrecOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/FunctionImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace mmrec;

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

/// Prints a shape as `[2, ?, 8]`.
static std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(shape, os, [&](int64_t dim) {
    if (ShapedType::isDynamic(dim))
      os << "?";
    else
      os << dim;
  });
  os << "]";
  return text;
}

/// `shape` without dimension `axis`.
static SmallVector<int64_t> dropAxis(ArrayRef<int64_t> shape, int64_t axis) {
  SmallVector<int64_t> result(shape);
  result.erase(result.begin() + axis);
  return result;
}

/// Checks that all `operands` are ranked tensors, that `inputs` is non-empty,
/// that all inputs have one shape (equal where static), and that `axis` is a
/// dimension of it. Type inference relies on these, so it runs them too.
static LogicalResult checkScanLikeInputs(std::optional<Location> loc, StringRef opName,
                                         ValueRange operands, ValueRange inputs,
                                         IntegerAttr axisAttr) {
  for (Value operand : operands)
    if (!isa<RankedTensorType>(operand.getType()))
      return emitOptionalError(loc, "'" + opName + "' op operands must be ranked tensors");
  if (inputs.empty())
    return emitOptionalError(loc, "'" + opName + "' op expects at least one input");
  auto first = cast<RankedTensorType>(inputs[0].getType());
  for (auto [i, input] : llvm::enumerate(inputs)) {
    auto type = cast<RankedTensorType>(input.getType());
    if (failed(verifyCompatibleShape(type.getShape(), first.getShape())))
      return emitOptionalError(loc, "'" + opName + "' op input #" + Twine(i) + " has shape " +
                                        formatShape(type.getShape()) + " but input #0 has shape " +
                                        formatShape(first.getShape()) +
                                        "; all inputs must have one shape");
  }
  if (!axisAttr)
    return emitOptionalError(loc, "'" + opName + "' op expects an 'axis' attribute");
  int64_t axis = axisAttr.getInt(), rank = first.getRank();
  if (axis < 0 || axis >= rank)
    return emitOptionalError(loc, "'" + opName + "' op axis " + Twine(axis) +
                                      " is out of range for inputs of rank " + Twine(rank) +
                                      " (expected 0 <= axis < " + Twine(rank) + ")");
  return success();
}

/// Checks that `region` holds one block whose arguments have `argTypes`,
/// that ends with an `mmrec.yield` of `yieldTypes`, and whose other ops are
/// side-effect free and compute on scalars. `what` names the region in
/// diagnostics ("combiner", "body").
static LogicalResult verifyScalarRegion(Operation *op, Region &region, StringRef what,
                                        TypeRange argTypes, StringRef argMeaning,
                                        TypeRange yieldTypes, StringRef yieldMeaning) {
  if (!llvm::hasSingleElement(region))
    return op->emitOpError() << what << " must have exactly one block";
  Block &block = region.front();
  if (block.getNumArguments() != argTypes.size())
    return op->emitOpError() << what << " must take " << argTypes.size() << " scalar arguments ("
                             << argMeaning << "), got " << block.getNumArguments();
  for (auto [i, arg, expected] : llvm::enumerate(block.getArguments(), argTypes))
    if (arg.getType() != expected)
      return op->emitOpError() << what << " argument #" << i << " has type " << arg.getType()
                               << ", expected " << expected << " (" << argMeaning << ")";

  auto yield = block.empty() ? YieldOp() : dyn_cast<YieldOp>(block.back());
  if (!yield)
    return op->emitOpError() << what << " must end with 'mmrec.yield'";
  if (yield.getValues().size() != yieldTypes.size())
    return yield.emitOpError() << "yields " << yield.getValues().size() << " values but the "
                               << what << " of '" << op->getName() << "' must yield "
                               << yieldTypes.size() << " (" << yieldMeaning << ")";
  for (auto [i, value, expected] : llvm::enumerate(yield.getValues(), yieldTypes))
    if (value.getType() != expected)
      return yield.emitOpError() << "value #" << i << " has type " << value.getType()
                                 << ", expected " << expected << " (" << yieldMeaning << ")";

  for (Operation &inner : block.without_terminator()) {
    if (!isMemoryEffectFree(&inner))
      return inner.emitOpError() << "has side effects, but the " << what << " of '" << op->getName()
                                 << "' must be side-effect free";
    for (Type type : inner.getResultTypes())
      if (!type.isIntOrIndexOrFloat())
        return inner.emitOpError()
               << "produces a value of type " << type << ", but the " << what << " of '"
               << op->getName() << "' computes on scalars (integers, indices, floats)";
  }
  return success();
}

/// The regions of map, scan and reduce are isolated from above, so they are
/// parsed as a name scope of their own: names inside may shadow names
/// outside, and a name inside never resolves a forward reference outside.
static ParseResult parseScalarRegion(OpAsmParser &parser, Region &region) {
  return parser.parseRegion(region, /*arguments=*/{}, /*enableNameShadowing=*/true);
}

static void printScalarRegion(OpAsmPrinter &p, Operation *, Region &region) {
  p.printRegion(region, /*printEntryBlockArgs=*/true, /*printBlockTerminators=*/true);
}

/// The element types of `values`, twice in a row (the lhs and rhs arguments
/// of a combiner).
static SmallVector<Type> combinerArgTypes(ValueRange values) {
  SmallVector<Type> types;
  for (int repeat = 0; repeat < 2; ++repeat)
    for (Value value : values)
      types.push_back(getElementTypeOrSelf(value.getType()));
  return types;
}

static LogicalResult verifyCombiner(Operation *op, Region &combiner, ValueRange inputs) {
  SmallVector<Type> argTypes = combinerArgTypes(inputs);
  size_t n = inputs.size();
  std::string argMeaning =
      std::to_string(n) + " lhs then " + std::to_string(n) + " rhs, of the inputs' element types";
  return verifyScalarRegion(op, combiner, "combiner", argTypes, argMeaning,
                            TypeRange(argTypes).take_front(n), "one per input, its element type");
}

//===----------------------------------------------------------------------===//
// KernelOp
//===----------------------------------------------------------------------===//

void KernelOp::build(OpBuilder &builder, OperationState &state, StringRef name, FunctionType type) {
  state.addAttribute(SymbolTable::getSymbolAttrName(), builder.getStringAttr(name));
  state.addAttribute(getFunctionTypeAttrName(state.name), TypeAttr::get(type));
  Region *body = state.addRegion();
  Block *entry = new Block();
  body->push_back(entry);
  for (Type input : type.getInputs())
    entry->addArgument(input, state.location);
  ensureTerminator(*body, builder, state.location);
}

/// As function_interface_impl::parseFunctionOp, but the body is parsed as an
/// isolated name scope (the kernel is IsolatedFromAbove): MLIR 19's
/// function parser makes it part of the enclosing scope, so that a kernel
/// wrongly nested in a map's region (malformed input) resolved that
/// region's forward references, and its ops, destroyed after an error in
/// the kernel, were still used there (use after free; llvm-project#127778).
ParseResult KernelOp::parse(OpAsmParser &parser, OperationState &result) {
  Builder &builder = parser.getBuilder();
  (void)impl::parseOptionalVisibilityKeyword(parser, result.attributes);
  StringAttr name;
  if (parser.parseSymbolName(name, SymbolTable::getSymbolAttrName(), result.attributes))
    return failure();
  SmallVector<OpAsmParser::Argument> arguments;
  SmallVector<Type> resultTypes;
  SmallVector<DictionaryAttr> resultAttrs;
  bool isVariadic = false;
  if (function_interface_impl::parseFunctionSignature(parser, /*allowVariadic=*/false, arguments,
                                                      isVariadic, resultTypes, resultAttrs))
    return failure();
  SmallVector<Type> argumentTypes;
  for (OpAsmParser::Argument &argument : arguments)
    argumentTypes.push_back(argument.type);
  StringAttr typeName = getFunctionTypeAttrName(result.name);
  result.addAttribute(typeName, TypeAttr::get(builder.getFunctionType(argumentTypes, resultTypes)));
  NamedAttrList attributes;
  SMLoc attributesLoc = parser.getCurrentLocation();
  if (parser.parseOptionalAttrDictWithKeyword(attributes))
    return failure();
  for (StringRef inferred : {SymbolTable::getVisibilityAttrName(), SymbolTable::getSymbolAttrName(),
                             typeName.getValue()})
    if (attributes.get(inferred))
      return parser.emitError(attributesLoc, "'")
             << inferred
             << "' is an inferred attribute and should not be specified in the explicit "
                "attribute dictionary";
  result.attributes.append(attributes);
  function_interface_impl::addArgAndResultAttrs(builder, result, arguments, resultAttrs,
                                                getArgAttrsAttrName(result.name),
                                                getResAttrsAttrName(result.name));
  // Inherent attributes of the wrong kind would otherwise be dropped silently
  // when the op stores them as properties.
  if (failed(result.name.verifyInherentAttrs(
          result.attributes, [&] { return parser.emitError(parser.getNameLoc()); })))
    return failure();
  Region &body = *result.addRegion();
  SMLoc bodyLoc = parser.getCurrentLocation();
  OptionalParseResult parsed =
      parser.parseOptionalRegion(body, arguments, /*enableNameShadowing=*/true);
  if (parsed.has_value() && failed(*parsed))
    return failure();
  if (parsed.has_value() && body.empty())
    return parser.emitError(bodyLoc, "expected non-empty function body");
  if (!body.empty())
    ensureTerminator(body, builder, result.location);
  return success();
}

void KernelOp::print(OpAsmPrinter &p) {
  p << ' ';
  if (auto visibility = getSymVisibilityAttr())
    p << visibility.getValue() << ' ';
  p.printSymbolName(getSymName());
  function_interface_impl::printFunctionSignature(p, *this, getArgumentTypes(),
                                                  /*isVariadic=*/false, getResultTypes());
  function_interface_impl::printFunctionAttributes(p, *this,
                                                   {getSymVisibilityAttrName(),
                                                    getFunctionTypeAttrName(),
                                                    getArgAttrsAttrName(), getResAttrsAttrName()});
  if (!getBody().empty()) {
    p << ' ';
    p.printRegion(getBody(), /*printEntryBlockArgs=*/false, /*printBlockTerminators=*/false);
  }
}

LogicalResult KernelOp::verify() {
  if (getBody().empty())
    return emitOpError("needs a body; mmrec kernels cannot be declarations");
  if (!getResultTypes().empty())
    return emitOpError("must not return values (got ")
           << getResultTypes().size() << "); write results through 'mmrec.store'";
  for (auto [i, type] : llvm::enumerate(getArgumentTypes())) {
    auto memref = dyn_cast<MemRefType>(type);
    if (!memref)
      return emitOpError("argument #")
             << i << " must be a memref view of global memory, got " << type;
    if (!isStrided(memref))
      return emitOpError("argument #")
             << i << " must have a strided layout (sizes and strides), got " << type;
    if (memref.getMemorySpace())
      return emitOpError("argument #")
             << i << " must be in global memory (no memory space), got " << type;
    Type element = memref.getElementType();
    if (!element.isIntOrFloat())
      return emitOpError("argument #") << i << " must have an integer or floating-point element "
                                       << "type, got " << element;
  }
  return success();
}

SmallVector<Value> KernelOp::getTemporaries() {
  SmallVector<Value> temporaries;
  for (Operation &op : getBody().front())
    if (auto group = dyn_cast<GroupOp>(op))
      for (Value result : group.getResults())
        if (llvm::any_of(result.getUsers(), [](Operation *user) { return !isa<StoreOp>(user); }))
          temporaries.push_back(result);
  return temporaries;
}

//===----------------------------------------------------------------------===//
// LoadOp / StoreOp
//===----------------------------------------------------------------------===//

LogicalResult LoadOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                                       ValueRange operands, DictionaryAttr attributes,
                                       OpaqueProperties properties, RegionRange regions,
                                       SmallVectorImpl<Type> &inferredReturnTypes) {
  auto memref = operands.size() == 1 ? dyn_cast<MemRefType>(operands[0].getType()) : nullptr;
  if (!memref)
    return emitOptionalError(location, "'mmrec.load' op expects one memref operand");
  inferredReturnTypes.push_back(RankedTensorType::get(memref.getShape(), memref.getElementType()));
  return success();
}

LogicalResult StoreOp::verify() {
  auto value = getValue().getType();
  auto target = getTarget().getType();
  if (value.getElementType() != target.getElementType())
    return emitOpError("value has element type ")
           << value.getElementType() << " but the target view has element type "
           << target.getElementType() << "; convert with 'mmrec.map' first";
  if (value.getRank() != target.getRank() ||
      failed(verifyCompatibleShape(value.getShape(), target.getShape())))
    return emitOpError("value of shape ")
           << formatShape(value.getShape()) << " does not fit the target view of shape "
           << formatShape(target.getShape());
  return success();
}

//===----------------------------------------------------------------------===//
// MapOp
//===----------------------------------------------------------------------===//

int64_t MapOp::getDomainRank() {
  return getResults().empty() ? 0 : cast<RankedTensorType>(getResult(0).getType()).getRank();
}

AffineMap MapOp::getIndexingMap(unsigned i) {
  if (std::optional<ArrayAttr> maps = getIndexingMaps())
    return cast<AffineMapAttr>((*maps)[i]).getValue();
  return AffineMap::getMultiDimIdentityMap(getDomainRank(), getContext());
}

LogicalResult MapOp::verify() {
  if (getResults().empty())
    return emitOpError("must have at least one result");
  auto domainType = cast<RankedTensorType>(getResult(0).getType());
  ArrayRef<int64_t> domain = domainType.getShape();
  for (auto [i, result] : llvm::enumerate(getResults())) {
    auto type = cast<RankedTensorType>(result.getType());
    if (type.getShape() != domain)
      return emitOpError("result #")
             << i << " has shape " << formatShape(type.getShape()) << " but result #0 has shape "
             << formatShape(domain) << "; all results share the iteration domain";
  }

  std::optional<ArrayAttr> maps = getIndexingMaps();
  if (maps && maps->size() != getInputs().size())
    return emitOpError("has ") << maps->size() << " indexing maps for " << getInputs().size()
                               << " inputs; expected one map per input";

  llvm::SmallBitVector indexed(domain.size());
  for (auto [i, input] : llvm::enumerate(getInputs())) {
    auto type = cast<RankedTensorType>(input.getType());
    AffineMap map;
    if (maps) {
      auto mapAttr = dyn_cast<AffineMapAttr>((*maps)[i]);
      if (!mapAttr)
        return emitOpError("indexing map #") << i << " is not an affine map";
      map = mapAttr.getValue();
    } else {
      map = AffineMap::getMultiDimIdentityMap(domain.size(), getContext());
    }
    if (map.getNumSymbols() != 0 || map.getNumDims() != domain.size())
      return emitOpError("indexing map #")
             << i << " must map the " << domain.size() << " dimensions of the domain "
             << formatShape(domain) << " (and no symbols), got " << AffineMapAttr::get(map);
    if (map.getNumResults() != static_cast<unsigned>(type.getRank()))
      return emitOpError("indexing map #")
             << i << " has " << map.getNumResults() << " results but input #" << i << " has rank "
             << type.getRank() << (maps ? "" : " (without 'maps', inputs have the domain's rank)");
    llvm::SmallBitVector used(domain.size());
    for (auto [j, expr] : llvm::enumerate(map.getResults())) {
      auto dimExpr = dyn_cast<AffineDimExpr>(expr);
      if (!dimExpr) {
        std::string exprText;
        llvm::raw_string_ostream(exprText) << expr;
        return emitOpError("indexing map #")
               << i << " result #" << j << " is '" << exprText
               << "'; each result must be a single domain dimension (d0, d1, ...)";
      }
      unsigned d = dimExpr.getPosition();
      if (used.test(d))
        return emitOpError("indexing map #") << i << " uses d" << d << " twice";
      used.set(d);
      indexed.set(d);
      int64_t inputDim = type.getDimSize(j), domainDim = domain[d];
      if (!ShapedType::isDynamic(inputDim) && !ShapedType::isDynamic(domainDim) &&
          inputDim != domainDim)
        return emitOpError("input #")
               << i << " dimension " << j << " has size " << inputDim << " but domain dimension d"
               << d << " has size " << domainDim;
    }
  }
  for (auto [d, size] : llvm::enumerate(domain))
    if (ShapedType::isDynamic(size) && !indexed.test(d))
      return emitOpError("domain dimension d")
             << d << " is dynamic but no input indexes it, so its size is unknown";
  return success();
}

LogicalResult MapOp::verifyRegions() {
  SmallVector<Type> argTypes, yieldTypes;
  for (Value input : getInputs())
    argTypes.push_back(getElementTypeOrSelf(input.getType()));
  for (Value result : getResults())
    yieldTypes.push_back(getElementTypeOrSelf(result.getType()));
  return verifyScalarRegion(*this, getBody(), "body", argTypes, "one per input, its element type",
                            yieldTypes, "one per result, its element type");
}

/// A map whose body yields its arguments unchanged, from inputs indexed by the
/// identity and typed like the results, is its inputs.
LogicalResult MapOp::fold(FoldAdaptor, SmallVectorImpl<OpFoldResult> &results) {
  Block &body = getBody().front();
  auto yield = cast<YieldOp>(body.getTerminator());
  if (&body.front() != yield.getOperation())
    return failure();
  SmallVector<OpFoldResult> folded;
  for (auto [value, result] : llvm::zip(yield.getValues(), getResults())) {
    auto arg = dyn_cast<BlockArgument>(value);
    if (!arg || arg.getOwner() != &body)
      return failure();
    Value input = getInputs()[arg.getArgNumber()];
    if (input.getType() != result.getType() || !getIndexingMap(arg.getArgNumber()).isIdentity())
      return failure();
    folded.push_back(input);
  }
  results.append(folded);
  return success();
}

//===----------------------------------------------------------------------===//
// ScanOp
//===----------------------------------------------------------------------===//

/// `axis = 2 reverse exclusive`: the axis, then the flags that are set.
static ParseResult parseScanAxis(OpAsmParser &parser, IntegerAttr &axis, BoolAttr &reverse,
                                 BoolAttr &exclusive) {
  int64_t value = 0;
  if (parser.parseInteger(value))
    return failure();
  Builder &builder = parser.getBuilder();
  axis = builder.getI64IntegerAttr(value);
  if (succeeded(parser.parseOptionalKeyword("reverse")))
    reverse = builder.getBoolAttr(true);
  if (succeeded(parser.parseOptionalKeyword("exclusive")))
    exclusive = builder.getBoolAttr(true);
  return success();
}

static void printScanAxis(OpAsmPrinter &p, Operation *, IntegerAttr axis, BoolAttr reverse,
                          BoolAttr exclusive) {
  p << axis.getInt();
  if (reverse && reverse.getValue())
    p << " reverse";
  if (exclusive && exclusive.getValue())
    p << " exclusive";
}

LogicalResult ScanOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                                       ValueRange operands, DictionaryAttr attributes,
                                       OpaqueProperties properties, RegionRange regions,
                                       SmallVectorImpl<Type> &inferredReturnTypes) {
  Adaptor adaptor(operands, attributes, properties, regions);
  if (failed(checkScanLikeInputs(location, "mmrec.scan", operands, adaptor.getInputs(),
                                 adaptor.getAxisAttr())))
    return failure();
  for (Value input : adaptor.getInputs())
    inferredReturnTypes.push_back(input.getType());
  for (Value init : adaptor.getInits())
    inferredReturnTypes.push_back(init.getType());
  return success();
}

LogicalResult ScanOp::verify() {
  if (failed(
          checkScanLikeInputs(getLoc(), "mmrec.scan", getOperands(), getInputs(), getAxisAttr())))
    return failure();
  size_t n = getInputs().size();
  int64_t axis = getAxis();
  if (!getInits().empty()) {
    if (getInits().size() != n)
      return emitOpError("has ") << getInits().size() << " inits for " << n
                                 << " inputs; expected one init per input";
    for (auto [i, input, init] : llvm::enumerate(getInputs(), getInits())) {
      auto inputType = cast<RankedTensorType>(input.getType());
      auto initType = cast<RankedTensorType>(init.getType());
      SmallVector<int64_t> expected = dropAxis(inputType.getShape(), axis);
      if (initType.getElementType() != inputType.getElementType() ||
          initType.getRank() != static_cast<int64_t>(expected.size()) ||
          failed(verifyCompatibleShape(initType.getShape(), expected)))
        return emitOpError("init #")
               << i << " has type " << initType << ", expected shape " << formatShape(expected)
               << " and element type " << inputType.getElementType() << " (input #" << i
               << " without axis " << axis << ")";
    }
  }

  if (std::optional<ArrayAttr> identity = getIdentity()) {
    if (!getExclusive() || !getInits().empty())
      return emitOpError("'identity' is only used by exclusive scans without inits; remove it");
    if (identity->size() != n)
      return emitOpError("'identity' has ")
             << identity->size() << " values for " << n << " inputs; expected one per input";
    for (auto [i, value, input] : llvm::enumerate(*identity, getInputs())) {
      Type element = getElementTypeOrSelf(input.getType());
      auto typed = dyn_cast<TypedAttr>(value);
      if (!typed || !isa<IntegerAttr, FloatAttr>(typed) || typed.getType() != element)
        return emitOpError("'identity' value #")
               << i << " must be a scalar of type " << element << " (element type of input #" << i
               << "), got " << value;
    }
  } else if (getExclusive() && getInits().empty()) {
    return emitOpError("is exclusive without inits, so it needs an 'identity' (one scalar per "
                       "input) for the first element");
  }
  return success();
}

LogicalResult ScanOp::verifyRegions() { return verifyCombiner(*this, getCombiner(), getInputs()); }

/// An inclusive scan without inits over an axis of static size 1 is its input.
LogicalResult ScanOp::fold(FoldAdaptor, SmallVectorImpl<OpFoldResult> &results) {
  if (!getInits().empty() || getExclusive())
    return failure();
  auto type = cast<RankedTensorType>(getInputs()[0].getType());
  if (type.getDimSize(getAxis()) != 1)
    return failure();
  results.append(getInputs().begin(), getInputs().end());
  return success();
}

//===----------------------------------------------------------------------===//
// ReduceOp
//===----------------------------------------------------------------------===//

LogicalResult ReduceOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                                         ValueRange operands, DictionaryAttr attributes,
                                         OpaqueProperties properties, RegionRange regions,
                                         SmallVectorImpl<Type> &inferredReturnTypes) {
  Adaptor adaptor(operands, attributes, properties, regions);
  if (failed(checkScanLikeInputs(location, "mmrec.reduce", operands, adaptor.getInputs(),
                                 adaptor.getAxisAttr())))
    return failure();
  int64_t axis = adaptor.getAxisAttr().getInt();
  std::optional<int64_t> chunk;
  if (IntegerAttr chunkAttr = adaptor.getChunkAttr()) {
    chunk = chunkAttr.getInt();
    if (*chunk <= 0)
      return emitOptionalError(location,
                               "'mmrec.reduce' op chunk must be positive, got " + Twine(*chunk));
  }
  for (Value input : adaptor.getInputs()) {
    auto type = cast<RankedTensorType>(input.getType());
    SmallVector<int64_t> shape;
    if (chunk) {
      shape.assign(type.getShape().begin(), type.getShape().end());
      int64_t size = shape[axis];
      shape[axis] =
          ShapedType::isDynamic(size) ? ShapedType::kDynamic : llvm::divideCeil(size, *chunk);
    } else {
      shape = dropAxis(type.getShape(), axis);
    }
    inferredReturnTypes.push_back(RankedTensorType::get(shape, type.getElementType()));
  }
  return success();
}

LogicalResult ReduceOp::verify() {
  if (failed(
          checkScanLikeInputs(getLoc(), "mmrec.reduce", getOperands(), getInputs(), getAxisAttr())))
    return failure();
  if (std::optional<int64_t> chunk = getChunk(); chunk && *chunk <= 0)
    return emitOpError("chunk must be positive, got ") << *chunk;
  return success();
}

LogicalResult ReduceOp::verifyRegions() {
  return verifyCombiner(*this, getCombiner(), getInputs());
}

//===----------------------------------------------------------------------===//
// GroupOp
//===----------------------------------------------------------------------===//

Operation *GroupOp::getScanOrReduce() {
  for (Operation &op : getBody().front())
    if (isa<ScanOp, ReduceOp>(op))
      return &op;
  return nullptr;
}

LogicalResult GroupOp::verifyRegions() {
  Block &body = getBody().front();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError("body must take ")
           << getInputs().size() << " arguments (one per input), got " << body.getNumArguments();
  for (auto [i, arg, input] : llvm::enumerate(body.getArguments(), getInputs()))
    if (arg.getType() != input.getType())
      return emitOpError("body argument #")
             << i << " has type " << arg.getType() << ", expected " << input.getType();
  auto yield = body.empty() ? YieldOp() : dyn_cast<YieldOp>(body.back());
  if (!yield)
    return emitOpError("body must end with 'mmrec.yield'");
  if (yield.getValues().getTypes() != getResultTypes())
    return yield.emitOpError("must yield the group's result types ") << getResultTypes();
  unsigned scans = 0;
  for (Operation &op : body.without_terminator()) {
    if (!isa<MapOp, ScanOp, ReduceOp>(op))
      return op.emitOpError("cannot be part of a group; groups hold maps, scans and reduces");
    scans += isa<ScanOp, ReduceOp>(op);
  }
  if (scans > 1)
    return emitOpError("fuses at most one scan or reduce, got ") << scans;
  return success();
}

//===----------------------------------------------------------------------===//
// YieldOp
//===----------------------------------------------------------------------===//

LogicalResult YieldOp::verify() {
  if (isa<KernelOp>((*this)->getParentOp()) && !getValues().empty())
    return emitOpError("at the end of a kernel body yields nothing, got ")
           << getValues().size() << " values";
  return success();
}

#define GET_OP_CLASSES
#include "mmrec/Dialect/Mmrec/MmrecOps.cpp.inc"
