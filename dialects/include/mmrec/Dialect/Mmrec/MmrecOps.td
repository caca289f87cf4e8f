//===- MmrecOps.td - mmrec operations ----------------------*- tablegen -*-===//
//
// The ops of the mmrec dialect: a kernel entry, loads and stores of strided
// views, elementwise maps, associative scans and (chunked) reductions.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_DIALECT_MMREC_OPS
#define MMREC_DIALECT_MMREC_OPS

include "mmrec/Dialect/Mmrec/MmrecBase.td"
include "mmrec/Dialect/Mmrec/MmrecAttrs.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/FunctionInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// KernelOp
//===----------------------------------------------------------------------===//

def Mmrec_KernelOp : Mmrec_Op<"kernel", [
    FunctionOpInterface, IsolatedFromAbove,
    SingleBlockImplicitTerminator<"YieldOp">]> {
  let summary = "kernel entry point whose arguments are strided views of global memory";
  let description = [{
    A kernel is a named function without results. Each argument is a memref
    view of global memory; shapes and strides are normally dynamic (`?`) so
    that one kernel serves every shape and layout; the runtime specializes
    on what changes the generated code. The body reads views with
    `mmrec.load`, computes on tensor values and writes results with
    `mmrec.store`. The body is one block; its `mmrec.yield` terminator is
    implicit in the custom form.

    Optional attributes: `tune_space` (a `#mmrec.tune_space`, the autotuner's
    candidates) and `numerics` (a `#mmrec.numerics`).

    ```mlir
    mmrec.kernel @copy(%in: memref<?xf32, strided<[?], offset: ?>>,
                       %out: memref<?xf32, strided<[?], offset: ?>>) {
      %x = mmrec.load %in : memref<?xf32, strided<[?], offset: ?>>
      mmrec.store %x, %out : tensor<?xf32>, memref<?xf32, strided<[?], offset: ?>>
    }
    ```
  }];

  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<FunctionType>:$function_type,
                       OptionalAttr<StrAttr>:$sym_visibility,
                       OptionalAttr<DictArrayAttr>:$arg_attrs,
                       OptionalAttr<DictArrayAttr>:$res_attrs,
                       OptionalAttr<Mmrec_TuneSpaceAttr>:$tune_space,
                       OptionalAttr<Mmrec_NumericsAttr>:$numerics);
  let regions = (region AnyRegion:$body);

  let builders = [OpBuilder<(ins "::llvm::StringRef":$name, "::mlir::FunctionType":$type)>];

  let extraClassDeclaration = [{
    /// FunctionOpInterface: the body, or null for a declaration (which the
    /// verifier rejects).
    ::mlir::Region *getCallableRegion() { return isExternal() ? nullptr : &getBody(); }
    ::llvm::ArrayRef<::mlir::Type> getArgumentTypes() { return getFunctionType().getInputs(); }
    ::llvm::ArrayRef<::mlir::Type> getResultTypes() { return getFunctionType().getResults(); }
    bool isDeclaration() { return isExternal(); }
    /// The results of groups that other groups read, in order: the buffers
    /// a fused kernel needs between its passes over memory.
    ::llvm::SmallVector<::mlir::Value> getTemporaries();
  }];
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// LoadOp / StoreOp
//===----------------------------------------------------------------------===//

def Mmrec_LoadOp : Mmrec_Op<"load", [
    HasParent<"KernelOp">, DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "view a memref argument as a tensor value";
  let description = [{
    The result is a tensor with the shape and element type of the view.
    Loads sit directly in a kernel body.

    ```mlir
    %x = mmrec.load %gamma : memref<?x?xbf16, strided<[?, ?], offset: ?>>
    ```
  }];
  let arguments = (ins Arg<AnyStridedMemRef, "the view to read", [MemRead]>:$source);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$source attr-dict `:` type($source)";
}

def Mmrec_StoreOp : Mmrec_Op<"store", [HasParent<"KernelOp">]> {
  let summary = "write a tensor value into a memref argument";
  let description = [{
    The value and the view have the same element type and compatible shapes
    (equal where both are static; the runtime checks dynamic sizes).

    ```mlir
    mmrec.store %y, %out : tensor<?x?xbf16>, memref<?x?xbf16, strided<[?, ?], offset: ?>>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$value,
                       Arg<AnyStridedMemRef, "the view to write", [MemWrite]>:$target);
  let assemblyFormat = "$value `,` $target attr-dict `:` type($value) `,` type($target)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// MapOp
//===----------------------------------------------------------------------===//

def Mmrec_MapOp : Mmrec_Op<"map", [Pure, IsolatedFromAbove]> {
  let summary = "elementwise computation over N inputs with broadcasting";
  let description = [{
    Applies the body to every point of the iteration domain, the shape of
    the results (all results have one shape). Each input has an affine
    indexing map from the domain to its own indices, as in `linalg.generic`;
    a map may drop dimensions (broadcast) or permute them, and each result of
    a map is a single dimension. Without `maps`, every input is indexed by the
    identity (and has the results' rank). Every dynamic dimension of the
    domain must be indexed by at least one input, so that its size is known.

    The body takes one scalar per input (its element type) and yields one
    scalar per result (the result's element type). It holds only pure ops.

    ```mlir
    // A per-row decay A[b, t, r] used over x[b, t, r, c].
    %ab = mmrec.map %A, %x maps [affine_map<(b, t, r, c) -> (b, t, r)>,
                                 affine_map<(b, t, r, c) -> (b, t, r, c)>]
        : (tensor<?x?x?xf32>, tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
    ^bb0(%a: f32, %xi: f32):
      mmrec.yield %a : f32
    }
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs,
                       OptionalAttr<AffineMapArrayAttr>:$indexing_maps);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $inputs (`maps` $indexing_maps^)? attr-dict `:` functional-type($inputs, $results) custom<ScalarRegion>($body)
  }];
  let extraClassDeclaration = [{
    /// The indexing map of input `i` (the identity when `maps` is absent).
    ::mlir::AffineMap getIndexingMap(unsigned i);
    /// The rank of the iteration domain.
    int64_t getDomainRank();
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// ScanOp
//===----------------------------------------------------------------------===//

def Mmrec_ScanOp : Mmrec_Op<"scan", [
    Pure, IsolatedFromAbove, AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "associative scan along one axis";
  let description = [{
    Scans N inputs of one shape along `axis` with the combiner region. The
    combiner takes N "lhs" scalars then N "rhs" scalars and yields N; it must
    be associative (`-mmrec-check-combiners` tests that) but need not be
    commutative: lhs is always the earlier element in scan order (the later
    index when `reverse`).

    - `reverse`: scan from the last index to the first.
    - `exclusive`: element t of the result combines the elements before t;
      the first element is the init (with `inits`) or the `identity`.
    - `inits`: one carry-in per input, shaped like the input without `axis`.
      With inits, element t is `init ⊕ x_0 ⊕ ... ⊕ x_t`, and the op has N more
      results: the final carries (the combination of the init and the whole
      axis).
    - `identity`: one typed scalar per input, required by an exclusive scan
      without inits.
    - `tiling`: an optional `#mmrec.tiling` fixing the schedule.

    Results: the N scanned tensors (the inputs' types), then the N final
    carries when inits are given (the inits' types).

    ```mlir
    // h_t = a_t * h_{t-1} + b_t, with h_{-1} = h0.
    %A, %h, %Af, %hf = mmrec.scan %a, %b inits(%one, %h0 : tensor<?x?xf32>, tensor<?x?xf32>)
        axis = 1 : tensor<?x?x?xf32>, tensor<?x?x?xf32> {
    ^bb0(%a1: f32, %b1: f32, %a2: f32, %b2: f32):
      %a12 = arith.mulf %a1, %a2 : f32
      %p = arith.mulf %a2, %b1 : f32
      %b12 = arith.addf %p, %b2 : f32
      mmrec.yield %a12, %b12 : f32, f32
    }
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs,
                       Variadic<AnyRankedTensor>:$inits,
                       I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$reverse,
                       DefaultValuedAttr<BoolAttr, "false">:$exclusive,
                       OptionalAttr<ArrayAttr>:$identity,
                       OptionalAttr<Mmrec_TilingAttr>:$tiling);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$combiner);
  let assemblyFormat = [{
    $inputs (`inits` `(` $inits^ `:` type($inits) `)`)? `axis` `=`
    custom<ScanAxis>($axis, $reverse, $exclusive) attr-dict `:` type($inputs)
    custom<ScalarRegion>($combiner)
  }];
  let extraClassDeclaration = [{
    /// The scanned tensors (the first N results).
    ::mlir::ResultRange getScanned() { return getResults().take_front(getInputs().size()); }
    /// The final carries (empty without inits).
    ::mlir::ResultRange getCarries() { return getResults().drop_front(getInputs().size()); }
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// ReduceOp
//===----------------------------------------------------------------------===//

def Mmrec_ReduceOp : Mmrec_Op<"reduce", [
    Pure, IsolatedFromAbove, DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "reduction along one axis, whole or in chunks";
  let description = [{
    Combines N inputs of one shape along `axis` with an associative combiner
    region (as for `mmrec.scan`: N lhs scalars, N rhs scalars, N yields; lhs is
    the earlier element). Without `chunk` the axis disappears from the
    results; with `chunk = c` every run of c consecutive elements is reduced
    (hierarchical-memory level-1 aggregation) and the axis has
    `ceil(size / c)` elements, the last run possibly shorter.

    ```mlir
    // Sum of each chunk of 128 along T of [B, T, D].
    %s = mmrec.reduce %x axis = 1 chunk = 128 : tensor<?x?x?xf32> {
    ^bb0(%l: f32, %r: f32):
      %s = arith.addf %l, %r : f32
      mmrec.yield %s : f32
    }
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs,
                       I64Attr:$axis,
                       OptionalAttr<I64Attr>:$chunk,
                       OptionalAttr<Mmrec_TilingAttr>:$tiling);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$combiner);
  let assemblyFormat = [{
    $inputs `axis` `=` $axis (`chunk` `=` $chunk^)? attr-dict `:` type($inputs)
    custom<ScalarRegion>($combiner)
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

//===----------------------------------------------------------------------===//
// GroupOp
//===----------------------------------------------------------------------===//

def Mmrec_GroupOp : Mmrec_Op<"group", [Pure, IsolatedFromAbove]> {
  let summary = "ops fused into one pass over memory (a scan group)";
  let description = [{
    Holds maps around at most one `mmrec.scan` or `mmrec.reduce` that the
    compiler runs as one loop nest (one GPU kernel): prologue maps computed
    at each point before the scan (or at each lane for its inits), the scan
    itself, and epilogue maps on its results. Values inside the group are
    never written to memory; only the group's results are. `-mmrec-fuse`
    builds groups; they are not meant to be written by hand.

    The body takes one tensor per input and yields the results.

    ```mlir
    %y = mmrec.group %g : (tensor<?x?xbf16>) -> tensor<?x?xbf16> {
    ^bb0(%in: tensor<?x?xbf16>):
      %l = mmrec.map %in : (tensor<?x?xbf16>) -> tensor<?x?xf32> { ... }
      %s = mmrec.scan %l axis = 1 : tensor<?x?xf32> { ... }
      %e = mmrec.map %s : (tensor<?x?xf32>) -> tensor<?x?xbf16> { ... }
      mmrec.yield %e : tensor<?x?xbf16>
    }
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type($inputs, $results) custom<ScalarRegion>($body)
  }];
  let extraClassDeclaration = [{
    /// The one scan or reduce of the group, or null for a group of maps.
    ::mlir::Operation *getScanOrReduce();
  }];
  let hasRegionVerifier = 1;
}

//===----------------------------------------------------------------------===//
// YieldOp
//===----------------------------------------------------------------------===//

def Mmrec_YieldOp : Mmrec_Op<"yield", [
    Pure, Terminator, ReturnLike,
    ParentOneOf<["KernelOp", "MapOp", "ScanOp", "ReduceOp", "GroupOp"]>]> {
  let summary = "terminator of kernel bodies, map bodies, combiners and groups";
  let description = [{
    Yields the scalars of a map body or a combiner, or the tensors of a group
    (checked by the parent op), or nothing at the end of a kernel body
    (implicit in the custom form).
  }];
  let arguments = (ins Variadic<AnyType>:$values);
  let builders = [OpBuilder<(ins), [{ /* nothing to yield */ }]>];
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
  let hasVerifier = 1;
}

#endif // MMREC_DIALECT_MMREC_OPS
