//===- MmrecAttrs.cpp - mmrec attributes ----------------------------------===//
//
// Range checks of the tiling parameters (shared by #mmrec.tiling and
// #mmrec.tune_space) and the assembly format of #mmrec.numerics.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Dialect/Mmrec/MmrecAttrs.h"
#include "mmrec/Dialect/Mmrec/MmrecDialect.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mmrec;

#include "mmrec/Dialect/Mmrec/MmrecEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "mmrec/Dialect/Mmrec/MmrecAttrs.cpp.inc"

void MmrecDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "mmrec/Dialect/Mmrec/MmrecAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Tiling parameters
//===----------------------------------------------------------------------===//

namespace {
/// The legal values of one integer tiling parameter.
struct TilingParamRange {
  llvm::StringLiteral name;
  int64_t min;
  int64_t max;
  bool powerOfTwo;
  const char *meaning;
};
} // namespace

static constexpr TilingParamRange kChunkRange{"chunk", 1, int64_t(1) << 20, false,
                                              "elements of the scan axis per block"};
static constexpr TilingParamRange kLanesRange{"lanes", 1, 65536, false,
                                              "elements of the other axes per block"};
static constexpr TilingParamRange kVectorRange{"vector", 1, 16, true,
                                               "consecutive elements per thread access"};
static constexpr TilingParamRange kWarpsRange{"warps", 1, 32, false, "warps per block"};
static constexpr TilingParamRange kWindowRange{"window", 1, 32, false,
                                               "tiles a look-back round reads"};

static LogicalResult checkTilingParam(function_ref<InFlightDiagnostic()> emitError,
                                      const TilingParamRange &range, int64_t value) {
  bool inRange = value >= range.min && value <= range.max;
  if (inRange && (!range.powerOfTwo || llvm::isPowerOf2_64(value)))
    return success();
  InFlightDiagnostic diag = emitError();
  diag << "'" << range.name << "' (" << range.meaning << ") must be ";
  if (range.powerOfTwo)
    diag << "a power of two ";
  diag << "in [" << range.min << ", " << range.max << "], got " << value;
  return diag;
}

LogicalResult TilingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 ScanStrategy strategy, int64_t chunk, int64_t lanes,
                                 int64_t vector, int64_t warps, int64_t window) {
  if (failed(checkTilingParam(emitError, kChunkRange, chunk)) ||
      failed(checkTilingParam(emitError, kLanesRange, lanes)) ||
      failed(checkTilingParam(emitError, kVectorRange, vector)) ||
      failed(checkTilingParam(emitError, kWarpsRange, warps)) ||
      failed(checkTilingParam(emitError, kWindowRange, window)))
    return failure();
  if (lanes % vector != 0)
    return emitError() << "'lanes' (" << lanes << ") must be a multiple of 'vector' (" << vector
                       << ")";
  if (window != 1 && strategy != ScanStrategy::lookback)
    return emitError() << "'window' (" << window
                       << ") is the look-back's: only strategy = lookback takes one";
  return success();
}

/// Checks one candidate list of #mmrec.tune_space: no duplicates and every
/// value in range. The parser cannot tell `chunk = []` from a missing
/// parameter, so an empty list means "the tuner's default candidates".
static LogicalResult checkCandidates(function_ref<InFlightDiagnostic()> emitError,
                                     const TilingParamRange &range, ArrayRef<int64_t> values) {
  llvm::SmallDenseSet<int64_t> seen;
  for (int64_t value : values) {
    if (failed(checkTilingParam(emitError, range, value)))
      return failure();
    if (!seen.insert(value).second)
      return emitError() << "'" << range.name << "' candidates list " << value << " twice";
  }
  return success();
}

LogicalResult TuneSpaceAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                    ArrayRef<ScanStrategy> strategy, ArrayRef<int64_t> chunk,
                                    ArrayRef<int64_t> lanes, ArrayRef<int64_t> vector,
                                    ArrayRef<int64_t> warps) {
  if (failed(checkCandidates(emitError, kChunkRange, chunk)) ||
      failed(checkCandidates(emitError, kLanesRange, lanes)) ||
      failed(checkCandidates(emitError, kVectorRange, vector)) ||
      failed(checkCandidates(emitError, kWarpsRange, warps)))
    return failure();
  llvm::SmallDenseSet<uint32_t> seen;
  for (ScanStrategy s : strategy)
    if (!seen.insert(static_cast<uint32_t>(s)).second)
      return emitError() << "'strategy' candidates list " << stringifyScanStrategy(s) << " twice";
  return success();
}

//===----------------------------------------------------------------------===//
// NumericsAttr
//===----------------------------------------------------------------------===//

LogicalResult NumericsAttr::verify(function_ref<InFlightDiagnostic()> emitError, FloatType acc,
                                   FloatAttr eps, FloatAttr clampLow, FloatAttr clampHigh) {
  if (!acc)
    return emitError() << "'acc' must be a floating-point type";
  if (eps) {
    double value = eps.getValueAsDouble();
    if (!(value >= 0.0) || !std::isfinite(value))
      return emitError() << "'eps' must be finite and at least 0, got " << value;
  }
  if (bool(clampLow) != bool(clampHigh))
    return emitError() << "'clamp' needs both a low and a high bound";
  if (clampLow) {
    double low = clampLow.getValueAsDouble(), high = clampHigh.getValueAsDouble();
    if (std::isnan(low) || std::isnan(high) || low > high)
      return emitError() << "'clamp' range [" << low << ", " << high << "] must have low <= high";
  }
  return success();
}

Attribute NumericsAttr::parse(AsmParser &parser, Type) {
  MLIRContext *ctx = parser.getContext();
  llvm::SMLoc loc = parser.getCurrentLocation();
  Type accType;
  if (parser.parseLess() || parser.parseKeyword("acc") || parser.parseEqual() ||
      parser.parseType(accType))
    return {};
  auto acc = ::mlir::dyn_cast<FloatType>(accType);
  if (!acc) {
    parser.emitError(loc) << "'acc' must be a floating-point type, got " << accType;
    return {};
  }
  FloatAttr eps, clampLow, clampHigh;
  auto f64 = [&](double v) { return FloatAttr::get(Float64Type::get(ctx), v); };
  while (succeeded(parser.parseOptionalComma())) {
    llvm::SMLoc keyLoc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key) || parser.parseEqual())
      return {};
    if (key == "eps" && !eps) {
      double value;
      if (parser.parseFloat(value))
        return {};
      eps = f64(value);
    } else if (key == "clamp" && !clampLow) {
      double low, high;
      if (parser.parseLSquare() || parser.parseFloat(low) || parser.parseComma() ||
          parser.parseFloat(high) || parser.parseRSquare())
        return {};
      clampLow = f64(low);
      clampHigh = f64(high);
    } else {
      parser.emitError(keyLoc) << "expected 'eps' or 'clamp' (each at most once), got '" << key
                               << "'";
      return {};
    }
  }
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(loc); }, ctx, acc, eps, clampLow, clampHigh);
}

void NumericsAttr::print(AsmPrinter &printer) const {
  printer << "<acc = " << getAcc();
  if (FloatAttr eps = getEps()) {
    printer << ", eps = ";
    printer.printFloat(eps.getValue());
  }
  if (FloatAttr low = getClampLow()) {
    printer << ", clamp = [";
    printer.printFloat(low.getValue());
    printer << ", ";
    printer.printFloat(getClampHigh().getValue());
    printer << "]";
  }
  printer << ">";
}
