//===- KernelBuilder.cpp - the embedded C++ DSL ---------------------------===//
//
// Builds the ops of the mmrec dialect with an OpBuilder; lambdas run while
// a region's builder is current, so that scalar arithmetic lands in it.
//
//===----------------------------------------------------------------------===//

#include "mmrec/KernelBuilder.h"

#include "mmrec/Error.h"

#include "mmrec/Dialect/Mmrec/MmrecOps.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;

namespace mmrec::dsl {

class BuilderImpl {
public:
  explicit BuilderImpl(const std::string &name) : builder(&context) {
    context.loadDialect<MmrecDialect, arith::ArithDialect, math::MathDialect>();
    loc = NameLoc::get(builder.getStringAttr(name));
    module = ModuleOp::create(loc);
    builder.setInsertionPointToEnd(module->getBody());
    kernel = builder.create<KernelOp>(loc, name, builder.getFunctionType({}, {}));
  }

  Type elementType(DType dtype) {
    switch (dtype) {
    case DType::BF16:
      return builder.getBF16Type();
    case DType::F16:
      return builder.getF16Type();
    case DType::F32:
      return builder.getF32Type();
    case DType::F64:
      return builder.getF64Type();
    }
    return {};
  }

  /// A builder at the end of the kernel body (before its terminator).
  OpBuilder kernelBuilder() {
    Block &body = kernel.getBody().front();
    return OpBuilder(&body, body.getTerminator()->getIterator());
  }

  /// The builder of the region being traced; scalars need one.
  OpBuilder &scalarBuilder() {
    if (!current)
      throw Error("mmrec::dsl: scalars exist only inside a map body or a combiner");
    return *current;
  }

  static Value valueOf(const Scalar &s) { return Value::getFromOpaquePointer(s.value); }
  static Value valueOf(const Tensor &t) {
    if (!t.value)
      throw Error("mmrec::dsl: use of an empty Tensor");
    return Value::getFromOpaquePointer(t.value);
  }
  Scalar scalar(Value v) { return Scalar(this, v.getAsOpaquePointer()); }
  static Tensor tensor(Value v) { return Tensor(v.getAsOpaquePointer()); }

  /// Fills `block` by calling `body` on its arguments; yields what it returns.
  void trace(Block *block, const std::function<Scalars(const Scalars &)> &body, size_t expected) {
    OpBuilder regionBuilder = OpBuilder::atBlockEnd(block);
    OpBuilder *saved = current;
    Operation *savedConstants = lastConstant;
    current = &regionBuilder;
    lastConstant = nullptr;
    Scalars args;
    for (BlockArgument arg : block->getArguments())
      args.push_back(scalar(arg));
    Scalars results;
    try {
      results = body(args);
    } catch (...) {
      current = saved;
      lastConstant = savedConstants;
      throw;
    }
    current = saved;
    lastConstant = savedConstants;
    if (results.size() != expected)
      throw Error("mmrec::dsl: a body returned " + std::to_string(results.size()) +
                  " scalars, expected " + std::to_string(expected));
    SmallVector<Value> values;
    for (const Scalar &s : results)
      values.push_back(valueOf(s));
    regionBuilder.create<YieldOp>(loc, values);
  }

  MLIRContext context;
  OpBuilder builder;
  Location loc = UnknownLoc::get(&context);
  OwningOpRef<ModuleOp> module;
  KernelOp kernel;
  OpBuilder *current = nullptr;
  /// Constants go to the start of the traced block, in the order they are
  /// made, as hand-written kernels have them: the IR does not depend on the
  /// order C++ evaluates arguments in.
  Operation *lastConstant = nullptr;

  Value constant(FloatAttr value) {
    OpBuilder &region = scalarBuilder();
    OpBuilder b(&context);
    if (lastConstant)
      b.setInsertionPointAfter(lastConstant);
    else
      b.setInsertionPointToStart(region.getInsertionBlock());
    auto op = b.create<arith::ConstantOp>(loc, value);
    lastConstant = op;
    return op;
  }
};

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

namespace {
template <typename OpT> Scalar binary(BuilderImpl *impl, const Scalar &a, const Scalar &b) {
  OpBuilder &builder = impl->scalarBuilder();
  Value lhs = BuilderImpl::valueOf(a), rhs = BuilderImpl::valueOf(b);
  if (lhs.getType() != rhs.getType()) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << "mmrec::dsl: " << OpT::getOperationName() << " of " << lhs.getType() << " and "
       << rhs.getType() << "; convert one with .to()";
    throw Error(text);
  }
  return impl->scalar(builder.create<OpT>(impl->loc, lhs, rhs));
}

template <typename OpT> Scalar unary(BuilderImpl *impl, const Scalar &x) {
  return impl->scalar(impl->scalarBuilder().create<OpT>(impl->loc, BuilderImpl::valueOf(x)));
}
} // namespace

Scalar Scalar::operator+(const Scalar &o) const { return binary<arith::AddFOp>(impl, *this, o); }
Scalar Scalar::operator-(const Scalar &o) const { return binary<arith::SubFOp>(impl, *this, o); }
Scalar Scalar::operator*(const Scalar &o) const { return binary<arith::MulFOp>(impl, *this, o); }
Scalar Scalar::operator/(const Scalar &o) const { return binary<arith::DivFOp>(impl, *this, o); }
Scalar Scalar::operator-() const { return unary<arith::NegFOp>(impl, *this); }

Scalar Scalar::like(double c) const {
  auto type = cast<FloatType>(BuilderImpl::valueOf(*this).getType());
  return impl->scalar(impl->constant(FloatAttr::get(type, c)));
}

Scalar Scalar::to(DType dtype) const {
  OpBuilder &builder = impl->scalarBuilder();
  Value v = BuilderImpl::valueOf(*this);
  auto from = cast<FloatType>(v.getType());
  auto to = cast<FloatType>(impl->elementType(dtype));
  if (from == to)
    return *this;
  if (from.getWidth() < to.getWidth() || (from.getWidth() == to.getWidth() && from.isBF16()))
    return impl->scalar(builder.create<arith::ExtFOp>(impl->loc, to, v));
  return impl->scalar(builder.create<arith::TruncFOp>(impl->loc, to, v));
}

namespace {
template <typename OpT>
Scalar transcendental(BuilderImpl *impl, const Scalar &x, Accuracy accuracy) {
  Scalar result = unary<OpT>(impl, x);
  if (accuracy == Accuracy::Approximate) {
    auto op = BuilderImpl::valueOf(result).getDefiningOp<OpT>();
    op.setFastmath(arith::FastMathFlags::afn);
  }
  return result;
}
} // namespace

Scalar exp(const Scalar &x, Accuracy accuracy) {
  return transcendental<math::ExpOp>(x.impl, x, accuracy);
}
Scalar log(const Scalar &x, Accuracy accuracy) {
  return transcendental<math::LogOp>(x.impl, x, accuracy);
}
Scalar log1p(const Scalar &x) { return unary<math::Log1pOp>(x.impl, x); }
Scalar abs(const Scalar &x) { return unary<math::AbsFOp>(x.impl, x); }
Scalar max(const Scalar &a, const Scalar &b) { return binary<arith::MaximumFOp>(a.impl, a, b); }
Scalar min(const Scalar &a, const Scalar &b) { return binary<arith::MinimumFOp>(a.impl, a, b); }

Scalar operator<(const Scalar &a, const Scalar &b) {
  OpBuilder &builder = a.impl->scalarBuilder();
  return a.impl->scalar(builder.create<arith::CmpFOp>(
      a.impl->loc, arith::CmpFPredicate::OLT, BuilderImpl::valueOf(a), BuilderImpl::valueOf(b)));
}

Scalar select(const Scalar &condition, const Scalar &a, const Scalar &b) {
  OpBuilder &builder = a.impl->scalarBuilder();
  return a.impl->scalar(
      builder.create<arith::SelectOp>(a.impl->loc, BuilderImpl::valueOf(condition),
                                      BuilderImpl::valueOf(a), BuilderImpl::valueOf(b)));
}

//===----------------------------------------------------------------------===//
// KernelBuilder
//===----------------------------------------------------------------------===//

KernelBuilder::KernelBuilder(std::string name) {
  if (name.empty())
    throw Error("mmrec::dsl: a kernel needs a name");
  impl = std::make_unique<BuilderImpl>(name);
}

KernelBuilder::~KernelBuilder() = default;

Argument KernelBuilder::argument(const std::string &name, DType dtype, int rank) {
  if (rank < 1 || rank > kMaxRank)
    throw Error("mmrec::dsl: argument '" + name + "' has rank " + std::to_string(rank) +
                "; ranks go from 1 to " + std::to_string(kMaxRank));
  SmallVector<int64_t> shape(rank, ShapedType::kDynamic), strides(rank, ShapedType::kDynamic);
  auto layout = StridedLayoutAttr::get(&impl->context, ShapedType::kDynamic, strides);
  Block &body = impl->kernel.getBody().front();
  body.addArgument(MemRefType::get(shape, impl->elementType(dtype), layout), impl->loc);
  return Argument(body.getNumArguments() - 1);
}

void KernelBuilder::attribute(const std::string &name, const std::string &value) {
  Attribute attr = parseAttribute(value, &impl->context);
  if (!attr)
    throw Error("mmrec::dsl: cannot parse the attribute '" + value + "'");
  impl->kernel->setAttr(name, attr);
}

Tensor KernelBuilder::load(Argument argument) {
  Block &body = impl->kernel.getBody().front();
  if (argument.index >= body.getNumArguments())
    throw Error("mmrec::dsl: unknown argument");
  OpBuilder b = impl->kernelBuilder();
  return BuilderImpl::tensor(b.create<LoadOp>(impl->loc, body.getArgument(argument.index)));
}

void KernelBuilder::store(Tensor value, Argument argument) {
  Block &body = impl->kernel.getBody().front();
  if (argument.index >= body.getNumArguments())
    throw Error("mmrec::dsl: unknown argument");
  OpBuilder b = impl->kernelBuilder();
  b.create<StoreOp>(impl->loc, BuilderImpl::valueOf(value), body.getArgument(argument.index));
}

std::vector<Tensor> KernelBuilder::map(const std::vector<Tensor> &inputs,
                                       const std::vector<DType> &results,
                                       const std::function<Scalars(const Scalars &)> &body) {
  return map(inputs, results, body, {});
}

std::vector<Tensor> KernelBuilder::map(const std::vector<Tensor> &inputs,
                                       const std::vector<DType> &results,
                                       const std::function<Scalars(const Scalars &)> &body,
                                       const std::vector<std::vector<unsigned>> &indexing) {
  if (inputs.empty())
    throw Error("mmrec::dsl: map needs at least one input (its shape is the domain)");
  if (!indexing.empty() && indexing.size() != inputs.size())
    throw Error("mmrec::dsl: map has " + std::to_string(indexing.size()) + " indexing lists for " +
                std::to_string(inputs.size()) + " inputs");
  SmallVector<Value> operands;
  for (const Tensor &t : inputs)
    operands.push_back(BuilderImpl::valueOf(t));
  int64_t rank = cast<RankedTensorType>(operands[0].getType()).getRank();
  ArrayAttr maps;
  if (!indexing.empty()) {
    rank = 0;
    for (const std::vector<unsigned> &dims : indexing)
      rank = std::max<int64_t>(rank, dims.size());
    SmallVector<Attribute> attrs;
    for (const std::vector<unsigned> &dims : indexing) {
      SmallVector<AffineExpr> exprs;
      for (unsigned d : dims)
        exprs.push_back(getAffineDimExpr(d, &impl->context));
      attrs.push_back(AffineMapAttr::get(AffineMap::get(rank, 0, exprs, &impl->context)));
    }
    maps = ArrayAttr::get(&impl->context, attrs);
  }
  SmallVector<int64_t> domain(rank, ShapedType::kDynamic);
  SmallVector<Type> resultTypes;
  for (DType dtype : results)
    resultTypes.push_back(RankedTensorType::get(domain, impl->elementType(dtype)));
  OpBuilder b = impl->kernelBuilder();
  auto op = b.create<MapOp>(impl->loc, resultTypes, operands, maps);
  Block *block = b.createBlock(&op.getBody());
  for (Value v : operands)
    block->addArgument(getElementTypeOrSelf(v.getType()), impl->loc);
  impl->trace(block, body, results.size());
  std::vector<Tensor> out;
  for (Value v : op.getResults())
    out.push_back(BuilderImpl::tensor(v));
  return out;
}

namespace {
/// Adds the 2N scalar arguments of a combiner over `inputs` and traces it.
void traceCombiner(BuilderImpl &impl, Region &region, ValueRange inputs,
                   const std::function<Scalars(const Scalars &, const Scalars &)> &combiner) {
  OpBuilder b(&impl.context);
  Block *block = b.createBlock(&region);
  for (int side = 0; side < 2; ++side)
    for (Value v : inputs)
      block->addArgument(getElementTypeOrSelf(v.getType()), impl.loc);
  size_t n = inputs.size();
  impl.trace(
      block,
      [&](const Scalars &all) {
        Scalars lhs(all.begin(), all.begin() + n), rhs(all.begin() + n, all.end());
        return combiner(lhs, rhs);
      },
      n);
}
} // namespace

std::vector<Tensor>
KernelBuilder::scan(const std::vector<Tensor> &inputs, int64_t axis,
                    const std::function<Scalars(const Scalars &, const Scalars &)> &combiner,
                    const ScanOptions &options) {
  SmallVector<Value> operands, inits;
  for (const Tensor &t : inputs)
    operands.push_back(BuilderImpl::valueOf(t));
  for (const Tensor &t : options.inits)
    inits.push_back(BuilderImpl::valueOf(t));
  OpBuilder b = impl->kernelBuilder();
  ArrayAttr identity;
  if (!options.identity.empty()) {
    SmallVector<Attribute> values;
    for (auto [i, v] : llvm::enumerate(options.identity)) {
      if (i >= operands.size())
        throw Error("mmrec::dsl: more identity values than scan inputs");
      values.push_back(b.getFloatAttr(getElementTypeOrSelf(operands[i].getType()), v));
    }
    identity = b.getArrayAttr(values);
  }
  SmallVector<Type> resultTypes;
  for (Value v : operands)
    resultTypes.push_back(v.getType());
  for (Value v : inits)
    resultTypes.push_back(v.getType());
  auto op = b.create<ScanOp>(impl->loc, resultTypes, operands, inits, b.getI64IntegerAttr(axis),
                             b.getBoolAttr(options.reverse), b.getBoolAttr(options.exclusive),
                             identity, TilingAttr());
  traceCombiner(*impl, op.getCombiner(), operands, combiner);
  std::vector<Tensor> out;
  for (Value v : op.getResults())
    out.push_back(BuilderImpl::tensor(v));
  return out;
}

std::vector<Tensor>
KernelBuilder::reduce(const std::vector<Tensor> &inputs, int64_t axis,
                      const std::function<Scalars(const Scalars &, const Scalars &)> &combiner,
                      int64_t chunk) {
  SmallVector<Value> operands;
  for (const Tensor &t : inputs)
    operands.push_back(BuilderImpl::valueOf(t));
  OpBuilder b = impl->kernelBuilder();
  SmallVector<Type> resultTypes;
  IntegerAttr axisAttr = b.getI64IntegerAttr(axis);
  IntegerAttr chunkAttr = chunk > 0 ? b.getI64IntegerAttr(chunk) : IntegerAttr();
  ReduceOp::Properties properties;
  properties.axis = axisAttr;
  properties.chunk = chunkAttr;
  if (failed(ReduceOp::inferReturnTypes(&impl->context, impl->loc, operands, DictionaryAttr(),
                                        OpaqueProperties(&properties), RegionRange(), resultTypes)))
    throw Error("mmrec::dsl: invalid reduce (axis " + std::to_string(axis) + ", chunk " +
                std::to_string(chunk) + ")");
  auto op = b.create<ReduceOp>(impl->loc, resultTypes, operands, axisAttr, chunkAttr, TilingAttr());
  traceCombiner(*impl, op.getCombiner(), operands, combiner);
  std::vector<Tensor> out;
  for (Value v : op.getResults())
    out.push_back(BuilderImpl::tensor(v));
  return out;
}

std::string KernelBuilder::build() {
  KernelOp kernel = impl->kernel;
  Block &body = kernel.getBody().front();
  SmallVector<Type> argTypes(body.getArgumentTypes());
  kernel.setFunctionType(FunctionType::get(&impl->context, argTypes, {}));
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&impl->context, [&](Diagnostic &diag) {
    llvm::raw_string_ostream(diagnostics) << diag << "\n";
    return success();
  });
  if (failed(verify(*impl->module)))
    throw Error("mmrec::dsl: kernel '" + kernel.getSymName().str() + "' is invalid:\n" +
                diagnostics);
  std::string text;
  llvm::raw_string_ostream os(text);
  impl->module->print(os);
  return text;
}

} // namespace mmrec::dsl
