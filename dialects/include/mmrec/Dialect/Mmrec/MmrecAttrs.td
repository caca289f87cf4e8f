//===- MmrecAttrs.td - mmrec attributes --------------------*- tablegen -*-===//
//
// Schedules (#mmrec.tiling), autotuning candidates (#mmrec.tune_space) and
// numerical guards (#mmrec.numerics).
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_DIALECT_MMREC_ATTRS
#define MMREC_DIALECT_MMREC_ATTRS

include "mmrec/Dialect/Mmrec/MmrecBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Mmrec_ScanStrategy : I32EnumAttr<"ScanStrategy", "parallel strategy of a scan", [
    I32EnumAttrCase<"lookback", 0>,
    I32EnumAttrCase<"chunked", 1>,
    I32EnumAttrCase<"lanes", 2>
  ]> {
  let cppNamespace = "::mmrec";
  let genSpecializedAttr = 0;
}

class Mmrec_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Mmrec_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Mmrec_TilingAttr : Mmrec_Attr<"Tiling", "tiling"> {
  let summary = "a concrete schedule for one scan or reduce";
  let description = [{
    How one `mmrec.scan` or `mmrec.reduce` is tiled onto the machine:

    - `strategy`: `lookback` (single pass, decoupled look-back), `chunked`
      (reduce chunks, scan their aggregates, rescan) or `lanes` (one thread
      walks the whole axis for its lanes).
    - `chunk`: elements of the scan axis handled by one block, in [1, 2^20].
    - `lanes`: elements of the other axes handled by one block, in
      [1, 65536], a multiple of `vector`.
    - `vector`: consecutive elements per thread load (1, 2, 4, 8 or 16).
    - `warps`: warps per block, in [1, 32].
    - `window` (optional, default 1; `lookback` only): the tiles before its
      own that a block's look-back reads in one round, in [1, 32] (at most
      the runs a lane has). One is fastest where chains of tiles are long;
      up to 8 where a chain has at most that many tiles (they start
      together, and a round a tile would walk back one tile at a time).

    ```mlir
    #mmrec.tiling<strategy = lookback, chunk = 128, lanes = 128, vector = 8, warps = 8>
    #mmrec.tiling<strategy = lookback, chunk = 128, lanes = 64, vector = 4, warps = 4, window = 8>
    ```
  }];
  let parameters = (ins
    EnumParameter<Mmrec_ScanStrategy>:$strategy,
    "int64_t":$chunk,
    "int64_t":$lanes,
    "int64_t":$vector,
    "int64_t":$warps,
    DefaultValuedParameter<"int64_t", "1">:$window);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

// A candidate list, written in square brackets so that it nests in a struct.
class Mmrec_Candidates<string elementType> : OptionalArrayRefParameter<elementType> {
  let parser = "::mmrec::parseSquareList<" # elementType # ">($_parser)";
  let printer = "::mmrec::printSquareList($_printer, $_self)";
}

def Mmrec_TuneSpaceAttr : Mmrec_Attr<"TuneSpace", "tune_space"> {
  let summary = "the candidate values of each tiling parameter, for the autotuner";
  let description = [{
    Lists the candidates the autotuner tries for each parameter of
    `#mmrec.tiling`. A parameter that is left out keeps the tuner's default
    candidates. Every value obeys the range of the same parameter of
    `#mmrec.tiling`; lists are non-empty and hold no duplicates.

    ```mlir
    #mmrec.tune_space<strategy = [lookback, chunked], chunk = [64, 128, 256], vector = [4, 8], warps = [4, 8]>
    ```
  }];
  let parameters = (ins
    Mmrec_Candidates<"::mmrec::ScanStrategy">:$strategy,
    Mmrec_Candidates<"int64_t">:$chunk,
    Mmrec_Candidates<"int64_t">:$lanes,
    Mmrec_Candidates<"int64_t">:$vector,
    Mmrec_Candidates<"int64_t">:$warps);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Mmrec_NumericsAttr : Mmrec_Attr<"Numerics", "numerics"> {
  let summary = "accumulation type and log-space guards";
  let description = [{
    The numerical contract of a kernel: `acc` is the floating-point type
    inside the kernel (inputs and outputs may be narrower); `eps` is the
    offset added before a logarithm (`log(x + eps)`); `clamp` is the range
    `[low, high]` that log-space values are clamped to. `eps` and `clamp`
    are optional; `eps` is at least 0 and `low <= high`.

    ```mlir
    #mmrec.numerics<acc = f32, eps = 1.0e-08, clamp = [-50.0, 0.0]>
    ```
  }];
  let parameters = (ins
    "::mlir::FloatType":$acc,
    OptionalParameter<"::mlir::FloatAttr">:$eps,
    OptionalParameter<"::mlir::FloatAttr">:$clampLow,
    OptionalParameter<"::mlir::FloatAttr">:$clampHigh);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

#endif // MMREC_DIALECT_MMREC_ATTRS
