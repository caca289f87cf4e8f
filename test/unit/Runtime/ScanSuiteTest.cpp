//===- ScanSuiteTest.cpp - randomized scans against float64 ---------------===//
//
// Generated scan kernels of every shape class the CPU backend must handle:
// T = 1, odd T, long T (32768, 65536), ranks 1 to 5 and every axis,
// non-contiguous views, reverse, exclusive, inits with final carries, and
// non-commutative combiners (linear recurrence, 2x2 matrix product), in
// every dtype; fresh random inputs each run, compared with float64.
//
//===----------------------------------------------------------------------===//

#include "GpuContext.h"
#include "HostArray.h"
#include "mmrec/Context.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <sstream>
#include <tuple>

using namespace mmrec;

namespace {

enum class Combiner { Sum, LinearRecurrence, Matrix2x2 };

/// Where the elements of a view of `shape` lie: row-major (contiguous:
/// where rows are a multiple of 16 bytes, the runtime's aligned code), row-
/// major with each row padded by 3 elements, or column-major (the first
/// dimension contiguous): strides that are neither contiguous nor in the
/// usual order.
enum class Order { RowMajor, PaddedRows, ColumnMajor };

struct ScanCase {
  std::vector<int64_t> shape;
  int64_t axis;
  DType dtype;
  Combiner combiner;
  bool reverse = false, exclusive = false, inits = false;
  Order order = Order::ColumnMajor;
};

int operandsOf(Combiner c) {
  return c == Combiner::Sum ? 1 : c == Combiner::LinearRecurrence ? 2 : 4;
}

/// The element type the kernel computes in.
const char *computeType(DType dtype) { return dtype == DType::F64 ? "f64" : "f32"; }

std::string memrefType(const std::vector<int64_t> &shape, const char *element) {
  std::string text = "memref<";
  for (size_t i = 0; i < shape.size(); ++i)
    text += "?x";
  text += std::string(element) + ", strided<[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += i ? ", ?" : "?";
  return text + "], offset: ?>>";
}

std::string tensorType(size_t rank, const char *element) {
  std::string text = "tensor<";
  for (size_t i = 0; i < rank; ++i)
    text += "?x";
  return text + element + ">";
}

/// The text of kernel @scan for `c`: load, widen, scan, narrow, store.
std::string kernelText(const ScanCase &c, const std::string &tiling) {
  int n = operandsOf(c.combiner);
  const char *t = nameOf(c.dtype), *k = computeType(c.dtype);
  bool convert = std::strcmp(t, k) != 0;
  size_t rank = c.shape.size();
  std::vector<int64_t> laneShape(c.shape);
  laneShape.erase(laneShape.begin() + c.axis);
  std::string view = memrefType(c.shape, t), laneView = memrefType(laneShape, k);
  std::string tt = tensorType(rank, t), tk = tensorType(rank, k), lk = tensorType(rank - 1, k);
  std::ostringstream os;
  os << "mmrec.kernel @scan(";
  for (int i = 0; i < n; ++i)
    os << "%x" << i << ": " << view << ", ";
  if (c.inits)
    for (int i = 0; i < n; ++i)
      os << "%h" << i << ": " << laneView << ", ";
  for (int i = 0; i < n; ++i)
    os << (i ? ", " : "") << "%y" << i << ": " << view;
  if (c.inits)
    for (int i = 0; i < n; ++i)
      os << ", %c" << i << ": " << laneView;
  os << ") {\n";
  for (int i = 0; i < n; ++i) {
    os << "  %l" << i << " = mmrec.load %x" << i << " : " << view << "\n";
    os << "  %w" << i << " = mmrec.map %l" << i << " : (" << tt << ") -> " << tk
       << " {\n  ^bb0(%v: " << t << "):\n";
    if (convert)
      os << "    %e = arith.extf %v : " << t << " to " << k << "\n    mmrec.yield %e : " << k
         << "\n  }\n";
    else
      os << "    mmrec.yield %v : " << k << "\n  }\n";
  }
  if (c.inits)
    for (int i = 0; i < n; ++i)
      os << "  %i" << i << " = mmrec.load %h" << i << " : " << laneView << "\n";
  os << "  ";
  for (int i = 0; i < n; ++i)
    os << (i ? ", " : "") << "%s" << i;
  if (c.inits)
    for (int i = 0; i < n; ++i)
      os << ", %f" << i;
  os << " = mmrec.scan ";
  for (int i = 0; i < n; ++i)
    os << (i ? ", " : "") << "%w" << i;
  if (c.inits) {
    os << " inits(";
    for (int i = 0; i < n; ++i)
      os << (i ? ", " : "") << "%i" << i;
    os << " : ";
    for (int i = 0; i < n; ++i)
      os << (i ? ", " : "") << lk;
    os << ")";
  }
  os << " axis = " << c.axis << (c.reverse ? " reverse" : "") << (c.exclusive ? " exclusive" : "");
  std::vector<std::string> attributes;
  if (c.exclusive && !c.inits) {
    const char *identity[] = {"0.0", "1.0, 0.0", "1.0, 0.0, 0.0, 1.0"};
    std::string ids = identity[n == 1 ? 0 : n == 2 ? 1 : 2], attr;
    std::istringstream parts(ids);
    for (std::string v; std::getline(parts, v, ',');)
      attr += (attr.empty() ? "" : ", ") + v + " : " + k;
    attributes.push_back("identity = [" + attr + "]");
  }
  if (!tiling.empty())
    attributes.push_back("tiling = " + tiling);
  for (size_t a = 0; a < attributes.size(); ++a)
    os << (a ? ", " : " {") << attributes[a] << (a + 1 == attributes.size() ? "}" : "");
  os << " : ";
  for (int i = 0; i < n; ++i)
    os << (i ? ", " : "") << tk;
  os << " {\n  ^bb0(";
  for (int side = 0; side < 2; ++side)
    for (int i = 0; i < n; ++i)
      os << (side || i ? ", " : "") << (side ? "%r" : "%q") << i << ": " << k;
  os << "):\n";
  switch (c.combiner) {
  case Combiner::Sum:
    os << "    %o0 = arith.addf %q0, %r0 : " << k << "\n";
    break;
  case Combiner::LinearRecurrence:
    os << "    %o0 = arith.mulf %q0, %r0 : " << k << "\n"
       << "    %p = arith.mulf %r0, %q1 : " << k << "\n"
       << "    %o1 = arith.addf %p, %r1 : " << k << "\n";
    break;
  case Combiner::Matrix2x2: // row-major [q0 q1; q2 q3] x [r0 r1; r2 r3]
    for (int row = 0; row < 2; ++row)
      for (int col = 0; col < 2; ++col)
        os << "    %m" << row << col << "a = arith.mulf %q" << 2 * row << ", %r" << col << " : "
           << k << "\n    %m" << row << col << "b = arith.mulf %q" << 2 * row + 1 << ", %r"
           << 2 + col << " : " << k << "\n    %o" << 2 * row + col << " = arith.addf %m" << row
           << col << "a, %m" << row << col << "b : " << k << "\n";
    break;
  }
  os << "    mmrec.yield ";
  for (int i = 0; i < n; ++i)
    os << (i ? ", " : "") << "%o" << i;
  os << " : ";
  for (int i = 0; i < n; ++i)
    os << (i ? ", " : "") << k;
  os << "\n  }\n";
  for (int i = 0; i < n; ++i) {
    os << "  %n" << i << " = mmrec.map %s" << i << " : (" << tk << ") -> " << tt
       << " {\n  ^bb0(%v: " << k << "):\n";
    if (convert)
      os << "    %e = arith.truncf %v : " << k << " to " << t << "\n    mmrec.yield %e : " << t
         << "\n  }\n";
    else
      os << "    mmrec.yield %v : " << t << "\n  }\n";
    os << "  mmrec.store %n" << i << ", %y" << i << " : " << tt << ", " << view << "\n";
  }
  if (c.inits)
    for (int i = 0; i < n; ++i)
      os << "  mmrec.store %f" << i << ", %c" << i << " : " << lk << ", " << laneView << "\n";
  os << "}\n";
  return os.str();
}

struct Layout {
  std::vector<int64_t> shape, strides;
  int64_t elements = 1;

  Layout(std::vector<int64_t> s, Order order) : shape(std::move(s)), strides(shape.size()) {
    int64_t rank = shape.size(), stride = 1;
    for (int64_t k = 0; k < rank; ++k) {
      int64_t d = order == Order::ColumnMajor ? k : rank - 1 - k;
      strides[d] = stride;
      stride *= shape[d] + (order == Order::PaddedRows && k == 0 ? 3 : 0);
    }
    elements = std::max<int64_t>(stride, 1);
  }
  int64_t offset(const std::vector<int64_t> &idx) const {
    int64_t o = 0;
    for (size_t d = 0; d < idx.size(); ++d)
      o += idx[d] * strides[d];
    return o;
  }
};

double tolerance(DType dtype) {
  return dtype == DType::BF16  ? 4e-3
         : dtype == DType::F16 ? 1e-3
         : dtype == DType::F32 ? 1e-5
                               : 1e-12;
}

/// Where a case runs: the device and the schedule (#mmrec.tiling text, or
/// empty for the default).
struct Target {
  Device device;
  const char *name;
  std::string tiling;
};

/// Every case runs on the CPU, and on CUDA with the default (`lanes`) and
/// the `chunked` strategies: a thread per chunk of 16 steps and 2 lanes; a
/// block's threads sharing chunks of 32 steps (8 lanes per block of 64
/// threads: 8 runs of 4 steps per lane, 4 of them in each warp, scanned with
/// shuffles); and 64 lanes per block of 128 threads (2 runs per lane in
/// different warps, through shared memory only); and `lookback`: tiles of 16
/// steps x 8 lanes (8 runs of 2 steps, unrolled; look-back rounds of 4
/// tiles), of 32 steps x 32 lanes (one run per lane: a window of one tile),
/// 32 lanes and chunks of 256 steps, and with `vector` lanes a thread (8:
/// 16-byte accesses where rows are aligned, a partial last lane block
/// elsewhere). Without a GPU the CUDA cases
/// report themselves skipped, with the reason.
const Target kTargets[] = {
    {Device::CPU, "cpu", ""},
    {Device::CUDA, "cuda", ""},
    {Device::CUDA, "cuda_chunked",
     "#mmrec.tiling<strategy = chunked, chunk = 16, lanes = 128, vector = 2, warps = 2>"},
    {Device::CUDA, "cuda_chunked_shared",
     "#mmrec.tiling<strategy = chunked, chunk = 32, lanes = 8, vector = 1, warps = 2>"},
    {Device::CUDA, "cuda_chunked_warps",
     "#mmrec.tiling<strategy = chunked, chunk = 16, lanes = 64, vector = 1, warps = 4>"},
    {Device::CUDA, "cuda_lookback",
     "#mmrec.tiling<strategy = lookback, chunk = 16, lanes = 8, vector = 1, warps = 2, window = "
     "4>"},
    {Device::CUDA, "cuda_lookback_one_run",
     "#mmrec.tiling<strategy = lookback, chunk = 32, lanes = 32, vector = 1, warps = 1>"},
    {Device::CUDA, "cuda_lookback_default",
     "#mmrec.tiling<strategy = lookback, chunk = 256, lanes = 32, vector = 1, warps = 4>"},
    // Lane blocks of `vector` lanes a thread: 16 per tile (runs scanned with
    // shuffles), 64 per tile (runs through shared memory only).
    {Device::CUDA, "cuda_lookback_vector",
     "#mmrec.tiling<strategy = lookback, chunk = 64, lanes = 128, vector = 8, warps = 2>"},
    {Device::CUDA, "cuda_lookback_vector_runs",
     "#mmrec.tiling<strategy = lookback, chunk = 32, lanes = 128, vector = 2, warps = 4>"},
    {Device::CUDA, "cuda_chunked_shared_vector",
     "#mmrec.tiling<strategy = chunked, chunk = 32, lanes = 16, vector = 4, warps = 2>"},
    // Staging buffers over the static 48 KB where rows are aligned (f32 64
    // KB, f64 128 KB: dynamic shared memory; bf16 and f16 32 KB, static with
    // one or two operands).
    {Device::CUDA, "cuda_lookback_dynamic_staging",
     "#mmrec.tiling<strategy = lookback, chunk = 256, lanes = 64, vector = 4, warps = 8>"},
    // The heuristic's tiles for two 16-bit inputs with many chains: 16-byte
    // vectors of 8 lanes, 16 lane blocks of 8 runs (bf16 and f16 with two
    // operands 64 KB staged, dynamic; f32 and f64 not staged or rejected
    // where shared memory does not suffice).
    {Device::CUDA, "cuda_lookback_wide_vectors",
     "#mmrec.tiling<strategy = lookback, chunk = 128, lanes = 128, vector = 8, warps = 4>"},
    // Along the innermost axis: 16 runs of 4 steps a lane, two lanes a warp
    // (their runs scanned with shuffles within each half).
    {Device::CUDA, "cuda_lookback_axis",
     "#mmrec.tiling<strategy = lookback, chunk = 64, lanes = 8, vector = 2, warps = 2>"},
    // The heuristic's tiles along the innermost axis for two 16-bit inputs
    // on many rows: 32 runs of one 16-byte vector a lane (bf16, f16), 4
    // lanes a thread.
    {Device::CUDA, "cuda_lookback_axis_many_rows",
     "#mmrec.tiling<strategy = lookback, chunk = 256, lanes = 16, vector = 4, warps = 4>"},
    // ... and on the shortest axes: 2 runs a lane (of 8 steps), 2 lanes a
    // thread, 64 lanes a warp.
    {Device::CUDA, "cuda_lookback_axis_short",
     "#mmrec.tiling<strategy = lookback, chunk = 16, lanes = 128, vector = 2, warps = 4>"},
};

using ScanParam = std::tuple<Target, ScanCase>;

class ScanSuite : public ::testing::TestWithParam<ScanParam> {
protected:
  /// One context per device, or null and the reason it is missing.
  static Context *context(Device device, std::string &missing) {
    static std::unique_ptr<Context> cpu = std::make_unique<Context>(Device::CPU);
    return device == Device::CPU ? cpu.get() : test::gpuContext(missing);
  }
};

std::vector<double> combine(Combiner c, const std::vector<double> &l,
                            const std::vector<double> &r) {
  switch (c) {
  case Combiner::Sum:
    return {l[0] + r[0]};
  case Combiner::LinearRecurrence:
    return {l[0] * r[0], r[0] * l[1] + r[1]};
  case Combiner::Matrix2x2:
    return {l[0] * r[0] + l[1] * r[2], l[0] * r[1] + l[1] * r[3], l[2] * r[0] + l[3] * r[2],
            l[2] * r[1] + l[3] * r[3]};
  }
  return {};
}

TEST_P(ScanSuite, MatchesFloat64) {
  const auto &[target, c] = GetParam();
  Device device = target.device;
  std::string missing;
  Context *ctx = context(device, missing);
  if (!ctx)
    GTEST_SKIP() << "no GPU: " << missing;
  int n = operandsOf(c.combiner);
  std::string text = kernelText(c, target.tiling);
  Kernel kernel = ctx->compile(text, "scan");
  std::mt19937_64 rng(std::random_device{}());
  auto draw = [&](int operand) {
    switch (c.combiner) {
    case Combiner::Sum:
      return std::uniform_real_distribution<double>(-1, 1)(rng);
    case Combiner::LinearRecurrence:
      return operand == 0 ? std::uniform_real_distribution<double>(0.5, 1.0)(rng)
                          : std::uniform_real_distribution<double>(-1, 1)(rng);
    case Combiner::Matrix2x2: // near a rotation: products stay bounded
      return (operand == 0 || operand == 3 ? 0.7 : 0.0) +
             std::uniform_real_distribution<double>(-0.3, 0.3)(rng);
    }
    return 0.0;
  };

  Layout layout(c.shape, c.order);
  std::vector<int64_t> laneShape(c.shape);
  laneShape.erase(laneShape.begin() + c.axis);
  Layout lanes(laneShape, Order::RowMajor);
  DType carryType = c.dtype == DType::F64 ? DType::F64 : DType::F32;
  std::vector<test::HostArray> x, y, h, carries;
  for (int i = 0; i < n; ++i) {
    x.emplace_back(c.dtype, layout.elements);
    y.emplace_back(c.dtype, layout.elements);
    for (int64_t e = 0; e < layout.elements; ++e) {
      x[i].set(e, draw(i));
      y[i].set(e, NAN);
    }
    if (c.inits) {
      h.emplace_back(carryType, lanes.elements);
      carries.emplace_back(carryType, lanes.elements);
      for (int64_t e = 0; e < lanes.elements; ++e) {
        h[i].set(e, draw(i));
        carries[i].set(e, NAN);
      }
    }
  }
  // The arrays go to the device (outputs poisoned with NaN) and come back.
  std::vector<TensorView> args;
  std::vector<DeviceBuffer> buffers;
  std::vector<test::HostArray *> arrays;
  auto add = [&](test::HostArray &a, const Layout &l) {
    buffers.emplace_back(*ctx, a.bytes.size());
    buffers.back().upload(a.bytes.data(), a.bytes.size());
    arrays.push_back(&a);
    args.push_back(TensorView{buffers.back().data(), a.dtype, l.shape, l.strides, device});
  };
  for (auto &a : x)
    add(a, layout);
  for (auto &a : h)
    add(a, lanes);
  for (auto &a : y)
    add(a, layout);
  for (auto &a : carries)
    add(a, lanes);
  kernel.launch(args.data(), args.size());
  ctx->synchronize();
  for (size_t k = 0; k < arrays.size(); ++k)
    buffers[k].download(arrays[k]->bytes.data(), arrays[k]->bytes.size());

  // The reference walks every lane in scan order.
  double err = 0, norm = 0, carryErr = 0, carryNorm = 0;
  int64_t T = c.shape[c.axis], laneCount = 1;
  for (int64_t s : laneShape)
    laneCount *= s;
  for (int64_t lane = 0; lane < laneCount; ++lane) {
    std::vector<int64_t> laneIdx(laneShape.size());
    for (int64_t d = laneShape.size() - 1, rest = lane; d >= 0; --d) {
      laneIdx[d] = rest % laneShape[d];
      rest /= laneShape[d];
    }
    std::vector<int64_t> idx(laneIdx);
    idx.insert(idx.begin() + c.axis, 0);
    std::vector<double> carry;
    if (c.inits)
      for (int i = 0; i < n; ++i)
        carry.push_back(h[i].get(lanes.offset(laneIdx)));
    else if (c.exclusive)
      carry = c.combiner == Combiner::Sum                ? std::vector<double>{0}
              : c.combiner == Combiner::LinearRecurrence ? std::vector<double>{1, 0}
                                                         : std::vector<double>{1, 0, 0, 1};
    for (int64_t s = 0; s < T; ++s) {
      idx[c.axis] = c.reverse ? T - 1 - s : s;
      int64_t o = layout.offset(idx);
      std::vector<double> value(n);
      for (int i = 0; i < n; ++i)
        value[i] = x[i].get(o);
      std::vector<double> next = carry.empty() ? value : combine(c.combiner, carry, value);
      const std::vector<double> &expected = c.exclusive ? carry : next;
      for (int i = 0; i < n; ++i) {
        double got = y[i].get(o);
        ASSERT_FALSE(std::isnan(got)) << "NaN at lane " << lane << ", t " << idx[c.axis];
        err += (got - expected[i]) * (got - expected[i]);
        norm += expected[i] * expected[i];
      }
      carry = next;
    }
    if (c.inits)
      for (int i = 0; i < n; ++i) {
        double got = carries[i].get(lanes.offset(laneIdx));
        carryErr += (got - carry[i]) * (got - carry[i]);
        carryNorm += carry[i] * carry[i];
      }
  }
  if (norm > 0) {
    EXPECT_LT(std::sqrt(err / norm), tolerance(c.dtype)) << text;
  }
  if (carryNorm > 0) {
    EXPECT_LT(std::sqrt(carryErr / carryNorm), tolerance(carryType)) << text;
  }
}

std::vector<ScanCase> cases() {
  std::vector<ScanCase> list;
  const DType dtypes[] = {DType::BF16, DType::F16, DType::F32, DType::F64};
  // Every dtype, every combiner, with the scan features.
  for (DType dtype : dtypes)
    for (Combiner combiner : {Combiner::Sum, Combiner::LinearRecurrence, Combiner::Matrix2x2}) {
      list.push_back({{3, 37, 5}, 1, dtype, combiner});
      list.push_back({{3, 37, 5}, 1, dtype, combiner, /*reverse=*/true});
      list.push_back(
          {{2, 9, 70}, 1, dtype, combiner, false, /*exclusive=*/true, false, Order::PaddedRows});
      list.push_back({{4, 5, 66}, 1, dtype, combiner, true, true, /*inits=*/true});
    }
  // T = 1 and T not a multiple of any tile; long axes.
  list.push_back({{4, 1, 3}, 1, DType::F32, Combiner::Sum});
  list.push_back({{1, 1}, 0, DType::F32, Combiner::LinearRecurrence, false, false, true});
  list.push_back({{2, 1001, 3}, 1, DType::BF16, Combiner::LinearRecurrence});
  // Several lane blocks of 256, register chunks and a remainder per block.
  list.push_back({{150, 300}, 0, DType::BF16, Combiner::LinearRecurrence});
  list.push_back({{150, 300}, 0, DType::F32, Combiner::Matrix2x2, /*reverse=*/true});
  list.push_back({{32768, 2}, 0, DType::F32, Combiner::Sum});
  list.push_back({{2, 65536}, 1, DType::F32, Combiner::LinearRecurrence, true});
  list.push_back({{65536}, 0, DType::BF16, Combiner::LinearRecurrence});
  // Every axis of a 5-D view, contiguous or not.
  for (int64_t axis = 0; axis < 5; ++axis) {
    list.push_back({{3, 4, 2, 5, 6},
                    axis,
                    DType::F32,
                    Combiner::LinearRecurrence,
                    axis % 2 == 1,
                    false,
                    axis == 2,
                    axis >= 3 ? Order::PaddedRows : Order::ColumnMajor});
  }
  // Along the innermost axis of contiguous views (runs of consecutive
  // threads, vectors along the axis where rows are aligned): partial lane
  // blocks and tiles, reverse runs that start aligned (T a multiple of 8)
  // or not, every scan feature, rows that are not a multiple of 16 bytes.
  const Order rows = Order::RowMajor;
  list.push_back(
      {{3, 5, 1000}, 2, DType::BF16, Combiner::LinearRecurrence, false, false, false, rows});
  list.push_back(
      {{2, 8, 512}, 2, DType::BF16, Combiner::Sum, /*reverse=*/true, false, false, rows});
  list.push_back(
      {{2, 6, 336}, 2, DType::F32, Combiner::LinearRecurrence, true, false, false, rows});
  list.push_back(
      {{2, 6, 333}, 2, DType::F32, Combiner::LinearRecurrence, true, false, false, rows});
  list.push_back(
      {{4, 3, 256}, 2, DType::F16, Combiner::Matrix2x2, false, /*exclusive=*/true, false, rows});
  list.push_back(
      {{3, 4, 136}, 2, DType::F64, Combiner::LinearRecurrence, true, true, /*inits=*/true, rows});
  list.push_back(
      {{1, 16, 4096}, 2, DType::BF16, Combiner::LinearRecurrence, false, false, true, rows});
  list.push_back({{65536}, 0, DType::BF16, Combiner::LinearRecurrence, false, false, false, rows});
  return list;
}

std::string caseName(const ::testing::TestParamInfo<ScanParam> &info) {
  const auto &[target, c] = info.param;
  std::string name = std::string(target.name) + "_";
  for (int64_t s : c.shape)
    name += std::to_string(s) + "x";
  name.pop_back();
  name += std::string("_axis") + std::to_string(c.axis) + "_" + nameOf(c.dtype) +
          (c.combiner == Combiner::Sum                ? "_sum"
           : c.combiner == Combiner::LinearRecurrence ? "_linrec"
                                                      : "_mat2") +
          (c.reverse ? "_reverse" : "") + (c.exclusive ? "_exclusive" : "") +
          (c.inits ? "_inits" : "") +
          (c.order == Order::RowMajor     ? "_contiguous"
           : c.order == Order::PaddedRows ? "_padded"
                                          : "_transposed") +
          "_" + std::to_string(info.index);
  return name;
}

INSTANTIATE_TEST_SUITE_P(Devices, ScanSuite,
                         ::testing::Combine(::testing::ValuesIn(kTargets),
                                            ::testing::ValuesIn(cases())),
                         caseName);

} // namespace
