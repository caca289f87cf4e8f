// RUN: mmrec-opt %s -mmrec-fuse -mmrec-lower-to-gpu -canonicalize -cse -split-input-file | FileCheck %s

// A kernel of the runtime's aligned specialization (mmrec.alignment = 16,
// innermost strides 1, arguments noalias): a thread's full block of
// `vector` = 8 bf16 lanes
// reads and writes its point as one 16-byte vector at the address of lane
// 0: the input, which the group does not write, through one inline
// ld.global.nc.v4.b32 (LLVM would split a vector load whose elements are
// used one by one), the output with an llvm.store of alignment 16. The
// partial block at the end of a row keeps scalar memref accesses.
// CHECK-LABEL: gpu.func @cumsum__group0(
// CHECK:         scf.if %{{.*}} {
// CHECK:           %[[FIRST:.*]] = arith.muli %{{.*}}, %c8 : index
// CHECK:           scf.for %[[S:.*]] = %c1 to %{{.*}} step %c1 iter_args(
// CHECK:             memref.extract_strided_metadata %[[IN:arg0]]
// CHECK:             %[[ROW:.*]] = arith.muli %[[S]], %strides#0
// CHECK:             %[[AT:.*]] = arith.addi %{{.*}}, %[[FIRST]] : index
// CHECK:             memref.extract_aligned_pointer_as_index %[[IN]]
// CHECK:             llvm.getelementptr %{{.*}} : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, bf16
// CHECK:             %[[X:.*]] = llvm.inline_asm "ld.global.nc.v4.b32 {$0, $1, $2, $3}, [$4];", "=r,=r,=r,=r,l" %{{.*}} : (!llvm.ptr<1>) -> !llvm.struct<(i32, i32, i32, i32)>
// CHECK:             %[[W0:.*]] = llvm.extractvalue %[[X]][0]
// CHECK:             %[[W3:.*]] = llvm.extractvalue %[[X]][3]
// CHECK:             %[[V0:.*]] = llvm.bitcast %[[W0]] : i32 to vector<2xbf16>
// CHECK-COUNT-2:     llvm.extractelement %[[V0]]
// CHECK:             %[[V3:.*]] = llvm.bitcast %[[W3]] : i32 to vector<2xbf16>
// CHECK-COUNT-2:     llvm.extractelement %[[V3]]
// CHECK-COUNT-8:     arith.addf
// CHECK:             memref.extract_aligned_pointer_as_index %arg1
// CHECK-COUNT-8:     llvm.insertelement
// CHECK:             llvm.store %{{.*}} {alignment = 16 : i64} : vector<8xbf16>, !llvm.ptr<1>
// CHECK:         } else {
// CHECK:           scf.for
// CHECK:             memref.load %arg0
// CHECK-NOT:     llvm.inline_asm
// CHECK:         gpu.return
!row = memref<?x?xbf16, strided<[?, 1], offset: ?>>
mmrec.kernel @cumsum(%in: !row {llvm.noalias}, %out: !row {llvm.noalias})
    attributes {mmrec.alignment = 16 : i64} {
  %x = mmrec.load %in : !row
  %y = mmrec.scan %x axis = 0 {
      tiling = #mmrec.tiling<strategy = lanes, chunk = 1, lanes = 8, vector = 8, warps = 1>}
      : tensor<?x?xbf16> {
  ^bb0(%l: bf16, %r: bf16):
    %s = arith.addf %l, %r : bf16
    mmrec.yield %s : bf16
  }
  mmrec.store %y, %out : tensor<?x?xbf16>, !row
}

// -----

// f32 lanes: 8 of them are two 16-byte vectors, the second 4 elements on;
// each word is one lane.
// CHECK-LABEL: gpu.func @cumsum__group0(
// CHECK:         %[[X0:.*]] = llvm.inline_asm "ld.global.nc.v4.b32 {{.*}}" %[[P:.*]] : (!llvm.ptr<1>) -> !llvm.struct<(i32, i32, i32, i32)>
// CHECK:         %[[W0:.*]] = llvm.extractvalue %[[X0]][0]
// CHECK:         llvm.bitcast %[[W0]] : i32 to f32
// CHECK:         %[[P4:.*]] = llvm.getelementptr %[[P]][4] : (!llvm.ptr<1>) -> !llvm.ptr<1>, f32
// CHECK:         llvm.inline_asm "ld.global.nc.v4.b32 {{.*}}" %[[P4]]
!row = memref<?x?xf32, strided<[?, 1], offset: ?>>
mmrec.kernel @cumsum(%in: !row {llvm.noalias}, %out: !row {llvm.noalias})
    attributes {mmrec.alignment = 16 : i64} {
  %x = mmrec.load %in : !row
  %y = mmrec.scan %x axis = 0 {
      tiling = #mmrec.tiling<strategy = lanes, chunk = 1, lanes = 8, vector = 8, warps = 1>}
      : tensor<?x?xf32> {
  ^bb0(%l: f32, %r: f32):
    %s = arith.addf %l, %r : f32
    mmrec.yield %s : f32
  }
  mmrec.store %y, %out : tensor<?x?xf32>, !row
}

// -----

// f64 lanes: 64-bit words, two to a 16-byte vector.
// CHECK-LABEL: gpu.func @cumsum__group0(
// CHECK:         %[[X:.*]] = llvm.inline_asm "ld.global.nc.v2.b64 {$0, $1}, [$2];", "=l,=l,l" %{{.*}} : (!llvm.ptr<1>) -> !llvm.struct<(i64, i64)>
// CHECK:         %[[W1:.*]] = llvm.extractvalue %[[X]][1]
// CHECK:         llvm.bitcast %[[W1]] : i64 to f64
!row = memref<?x?xf64, strided<[?, 1], offset: ?>>
mmrec.kernel @cumsum(%in: !row {llvm.noalias}, %out: !row {llvm.noalias})
    attributes {mmrec.alignment = 16 : i64} {
  %x = mmrec.load %in : !row
  %y = mmrec.scan %x axis = 0 {
      tiling = #mmrec.tiling<strategy = lanes, chunk = 1, lanes = 4, vector = 4, warps = 1>}
      : tensor<?x?xf64> {
  ^bb0(%l: f64, %r: f64):
    %s = arith.addf %l, %r : f64
    mmrec.yield %s : f64
  }
  mmrec.store %y, %out : tensor<?x?xf64>, !row
}

// -----

// Without the alignment attribute (the generic specialization), with a
// dynamic innermost stride, or with the scan along the innermost dimension
// (lanes in d0, a row apart), accesses stay scalar memref ops.
// CHECK-LABEL: gpu.func @cumsum__group0(
// CHECK-NOT:     llvm.{{load|inline_asm}}
// CHECK:         memref.load
// CHECK-NOT:     llvm.{{load|inline_asm}}
// CHECK:         gpu.return
// CHECK-LABEL: gpu.func @cumsum_strided__group0(
// CHECK-NOT:     llvm.{{load|inline_asm}}
// CHECK:         memref.load
// CHECK-NOT:     llvm.{{load|inline_asm}}
// CHECK:         gpu.return
// CHECK-LABEL: gpu.func @cumsum_last_axis__group0(
// CHECK-NOT:     llvm.{{load|inline_asm}}
// CHECK:         memref.load
// CHECK-NOT:     llvm.{{load|inline_asm}}
// CHECK:         gpu.return
!row = memref<?x?xbf16, strided<[?, 1], offset: ?>>
!any = memref<?x?xbf16, strided<[?, ?], offset: ?>>
mmrec.kernel @cumsum(%in: !row, %out: !row) {
  %x = mmrec.load %in : !row
  %y = mmrec.scan %x axis = 0 {
      tiling = #mmrec.tiling<strategy = lanes, chunk = 1, lanes = 8, vector = 8, warps = 1>}
      : tensor<?x?xbf16> {
  ^bb0(%l: bf16, %r: bf16):
    %s = arith.addf %l, %r : bf16
    mmrec.yield %s : bf16
  }
  mmrec.store %y, %out : tensor<?x?xbf16>, !row
}
mmrec.kernel @cumsum_strided(%in: !any, %out: !any) attributes {mmrec.alignment = 16 : i64} {
  %x = mmrec.load %in : !any
  %y = mmrec.scan %x axis = 0 {
      tiling = #mmrec.tiling<strategy = lanes, chunk = 1, lanes = 8, vector = 8, warps = 1>}
      : tensor<?x?xbf16> {
  ^bb0(%l: bf16, %r: bf16):
    %s = arith.addf %l, %r : bf16
    mmrec.yield %s : bf16
  }
  mmrec.store %y, %out : tensor<?x?xbf16>, !any
}
mmrec.kernel @cumsum_last_axis(%in: !row, %out: !row) attributes {mmrec.alignment = 16 : i64} {
  %x = mmrec.load %in : !row
  %y = mmrec.scan %x axis = 1 {
      tiling = #mmrec.tiling<strategy = lanes, chunk = 1, lanes = 8, vector = 8, warps = 1>}
      : tensor<?x?xbf16> {
  ^bb0(%l: bf16, %r: bf16):
    %s = arith.addf %l, %r : bf16
    mmrec.yield %s : bf16
  }
  mmrec.store %y, %out : tensor<?x?xbf16>, !row
}

// -----

// A group that writes the memory it reads (a scan in place), or an input
// that another argument may alias (no llvm.noalias), loads its vectors with
// llvm.load: the non-coherent path is for memory constant while it runs.
// CHECK-LABEL: gpu.func @cumsum_in_place__group0(
// CHECK-NOT:     llvm.inline_asm
// CHECK:         llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK-NOT:     llvm.inline_asm
// CHECK:         gpu.return
!row = memref<?x?xbf16, strided<[?, 1], offset: ?>>
mmrec.kernel @cumsum_in_place(%data: !row) attributes {mmrec.alignment = 16 : i64} {
  %x = mmrec.load %data : !row
  %y = mmrec.scan %x axis = 0 {
      tiling = #mmrec.tiling<strategy = lanes, chunk = 1, lanes = 8, vector = 8, warps = 1>}
      : tensor<?x?xbf16> {
  ^bb0(%l: bf16, %r: bf16):
    %s = arith.addf %l, %r : bf16
    mmrec.yield %s : bf16
  }
  mmrec.store %y, %data : tensor<?x?xbf16>, !row
}

// CHECK-LABEL: gpu.func @cumsum_may_alias__group0(
// CHECK-NOT:     llvm.inline_asm
// CHECK:         llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK-NOT:     llvm.inline_asm
// CHECK:         gpu.return
mmrec.kernel @cumsum_may_alias(%in: !row, %out: !row) attributes {mmrec.alignment = 16 : i64} {
  %x = mmrec.load %in : !row
  %y = mmrec.scan %x axis = 0 {
      tiling = #mmrec.tiling<strategy = lanes, chunk = 1, lanes = 8, vector = 8, warps = 1>}
      : tensor<?x?xbf16> {
  ^bb0(%l: bf16, %r: bf16):
    %s = arith.addf %l, %r : bf16
    mmrec.yield %s : bf16
  }
  mmrec.store %y, %out : tensor<?x?xbf16>, !row
}

// -----

// A reduce with chunks: a thread per lane block and chunk (mmrec.chunk =
// the reduce's chunk: the grid covers lane blocks x chunks), thread g taking
// chunk g / blocks of lane block g % blocks, so consecutive threads read
// consecutive lanes.
// CHECK-LABEL: gpu.func @chunk_sums__group0(
// CHECK-SAME:      mmrec.chunk = 4 : i64
// CHECK:         %[[T:.*]] = memref.dim %arg0, %c1
// CHECK:         %[[BLOCKS:.*]] = arith.muli
// CHECK:         %[[G:.*]] = arith.addi
// CHECK:         %[[CHUNKS:.*]] = arith.ceildivui %[[T]], %c4
// CHECK:         %[[THREADS:.*]] = arith.muli %[[BLOCKS]], %[[CHUNKS]]
// CHECK:         arith.cmpi ult, %[[G]], %[[THREADS]]
// CHECK:         %[[CHUNK:.*]] = arith.divui %[[G]], %[[BLOCKS]]
// CHECK:         arith.remui %[[G]], %[[BLOCKS]]
// CHECK:         %[[START:.*]] = arith.muli %[[CHUNK]], %c4
// CHECK-NOT:     scf.for {{.*}} to %[[CHUNKS]]
// CHECK:         gpu.return
!view3 = memref<?x?x?xf32>
mmrec.kernel @chunk_sums(%x: !view3, %sums: !view3) {
  %xs = mmrec.load %x : !view3
  %s = mmrec.reduce %xs axis = 1 chunk = 4 : tensor<?x?x?xf32> {
  ^bb0(%a: f32, %b: f32):
    %c = arith.addf %a, %b : f32
    mmrec.yield %c : f32
  }
  mmrec.store %s, %sums : tensor<?x?x?xf32>, !view3
}
