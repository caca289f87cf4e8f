//===- Library.cpp - the MM-Rec kernel library ----------------------------===//
//
// Random inputs in each kernel's domain, rounded to the kernel's dtype; the
// float64 reference is computed from the rounded inputs, so the comparison
// measures the kernel, not the input rounding. Draws depend only on (seed,
// input, index), so that inputs fill in parallel (hostThreads) and stay the
// same for a seed whatever the number of threads.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Library.h"
#include "mmrec/KernelBuilder.h"
#include "mmrec/References.h"

#include "ThreadPool.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

namespace mmrec::library {

extern const std::string_view kAssocScanExpSource;
extern const std::string_view kLinearRecurrenceSource;
extern const std::string_view kDecayedSumSource;
extern const std::string_view kChunkAggregateSource;

namespace {

/// A host buffer of one dtype, filled from and read back as float64.
struct Buffer {
  DType dtype;
  std::vector<int64_t> shape;
  std::vector<unsigned char> bytes;

  Buffer(DType dtype, std::vector<int64_t> shape) : dtype(dtype), shape(std::move(shape)) {
    bytes.resize(numel() * sizeOf(dtype));
  }
  int64_t numel() const {
    int64_t n = 1;
    for (int64_t s : shape)
      n *= s;
    return n;
  }
  TensorView view() { return TensorView::contiguous(bytes.data(), dtype, shape); }

  void set(int64_t i, double value) {
    switch (dtype) {
    case DType::BF16: {
      float f = static_cast<float>(value);
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      if (std::isnan(f))
        bits = 0x7fc00000;
      else
        bits += 0x7fff + ((bits >> 16) & 1); // round to nearest even
      uint16_t half = static_cast<uint16_t>(bits >> 16);
      std::memcpy(&bytes[i * 2], &half, 2);
      break;
    }
    case DType::F16: {
      _Float16 h = static_cast<_Float16>(value);
      std::memcpy(&bytes[i * 2], &h, 2);
      break;
    }
    case DType::F32: {
      float f = static_cast<float>(value);
      std::memcpy(&bytes[i * 4], &f, 4);
      break;
    }
    case DType::F64:
      std::memcpy(&bytes[i * 8], &value, 8);
      break;
    }
  }

  double get(int64_t i) const {
    switch (dtype) {
    case DType::BF16: {
      uint16_t half;
      std::memcpy(&half, &bytes[i * 2], 2);
      uint32_t bits = static_cast<uint32_t>(half) << 16;
      float f;
      std::memcpy(&f, &bits, 4);
      return f;
    }
    case DType::F16: {
      _Float16 h;
      std::memcpy(&h, &bytes[i * 2], 2);
      return static_cast<double>(h);
    }
    case DType::F32: {
      float f;
      std::memcpy(&f, &bytes[i * 4], 4);
      return f;
    }
    case DType::F64: {
      double d;
      std::memcpy(&d, &bytes[i * 8], 8);
      return d;
    }
    }
    return 0;
  }

  /// Fills with `next(i)` (a pure function of i), rounded to the dtype;
  /// returns the rounded values.
  template <typename Next> std::vector<double> fill(Next next) {
    std::vector<double> values(numel());
    hostThreads().parallelFor(numel(), [&](int64_t first, int64_t last) {
      for (int64_t i = first; i < last; ++i) {
        set(i, next(i));
        values[i] = get(i);
      }
    });
    return values;
  }

  void poison() {
    hostThreads().parallelFor(numel(), [&](int64_t first, int64_t last) {
      for (int64_t i = first; i < last; ++i)
        set(i, NAN);
    });
  }

  std::vector<double> values() const {
    std::vector<double> out(numel());
    hostThreads().parallelFor(numel(), [&](int64_t first, int64_t last) {
      for (int64_t i = first; i < last; ++i)
        out[i] = get(i);
    });
    return out;
  }
};

/// A draw in [low, high) that depends only on (seed, stream, i): splitmix64's
/// finalizer of a counter.
double uniformAt(uint64_t seed, uint64_t stream, int64_t i, double low, double high) {
  uint64_t z = seed * 0x9e3779b97f4a7c15ull + stream * 0xd1b54a32d192ed03ull +
               static_cast<uint64_t>(i) * 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return low + (high - low) * static_cast<double>(z >> 11) * 0x1.0p-53;
}

/// ||got - ref|| / ||ref||, the largest |got - ref|, and whether got has NaN;
/// in a fixed number of parts summed in order (the same result whatever the
/// threads).
void compare(const Buffer &got, const std::vector<double> &ref, RunReport &report) {
  struct Part {
    double err = 0, norm = 0, maxAbs = 0;
    bool nan = false;
  };
  constexpr int64_t kParts = 256;
  std::vector<Part> parts(kParts);
  int64_t n = got.numel();
  hostThreads().parallelFor(kParts, [&](int64_t firstPart, int64_t lastPart) {
    for (int64_t p = firstPart; p < lastPart; ++p) {
      Part &part = parts[p];
      for (int64_t i = n * p / kParts; i < n * (p + 1) / kParts; ++i) {
        double g = got.get(i);
        if (std::isnan(g)) {
          part.nan = true;
          continue;
        }
        part.err += (g - ref[i]) * (g - ref[i]);
        part.norm += ref[i] * ref[i];
        part.maxAbs = std::max(part.maxAbs, std::fabs(g - ref[i]));
      }
    }
  });
  double err = 0, norm = 0;
  for (const Part &part : parts) {
    err += part.err;
    norm += part.norm;
    report.nanFound |= part.nan;
    report.maxAbsError = std::max(report.maxAbsError, part.maxAbs);
  }
  double relative = norm > 0 ? std::sqrt(err / norm) : std::sqrt(err);
  report.relativeError = std::max(report.relativeError, relative);
}

/// The relative error an output of `dtype` may have: a few units of its
/// rounding for bf16 and f16, far under 1e-5 for f32.
double toleranceFor(DType dtype) {
  switch (dtype) {
  case DType::BF16:
    return 4e-3;
  case DType::F16:
    return 1e-3;
  case DType::F32:
    return 1e-5;
  case DType::F64:
    return 1e-12;
  }
  return 0;
}

void requireRank(const KernelInfo &info, const std::vector<int64_t> &shape) {
  bool ok = shape.size() == info.defaultShape.size();
  for (int64_t s : shape)
    ok = ok && s >= 0;
  if (!ok) {
    std::string text;
    for (int64_t s : shape)
      text += (text.empty() ? "" : ",") + std::to_string(s);
    throw Error("mmrec library kernel '" + info.name + "': shape [" + text + "] must be " +
                info.shapeMeaning + " (" + std::to_string(info.defaultShape.size()) +
                " sizes, none negative)");
  }
}

} // namespace

const std::vector<KernelInfo> &kernels() {
  static const std::vector<KernelInfo> list = {
      {"assoc_scan_exp",
       "cumulative product of decays in log space along T",
       "B,H,T,D",
       {2, 8, 1024, 128},
       DType::BF16},
      {"linear_recurrence",
       "h[t] = a[t] * h[t-1] + b[t] along T",
       "B,H,T,D",
       {2, 8, 1024, 128},
       DType::BF16},
      {"linear_recurrence_h0",
       "the same from a state h0, also writing the final state",
       "B,H,T,D",
       {2, 8, 1024, 128},
       DType::BF16},
      {"linear_recurrence_rows",
       "linear_recurrence along the last axis (each sequence a contiguous row)",
       "B,H,D,T",
       {2, 8, 128, 1024},
       DType::BF16},
      {"decayed_sum",
       "sum_{j<=t} exp(A[t] - A[j]) x[j] (nanoSSM) in O(T)",
       "B,T,R,C",
       {2, 1024, 64, 64},
       DType::F32},
      {"chunk_aggregate",
       "sum and mean of chunks of 128 along T (HDS level 1)",
       "B,T,D",
       {2, 4096, 1024},
       DType::BF16},
  };
  return list;
}

const KernelInfo &find(std::string_view name) {
  for (const KernelInfo &info : kernels())
    if (info.name == name)
      return info;
  std::string known;
  for (const KernelInfo &info : kernels())
    known += (known.empty() ? "" : ", ") + info.name;
  throw Error("mmrec: no library kernel '" + std::string(name) + "' (the library has: " + known +
              ")");
}

std::string_view textSource(std::string_view name) {
  const KernelInfo &info = find(name);
  if (info.name == "assoc_scan_exp")
    return kAssocScanExpSource;
  if (info.name == "decayed_sum")
    return kDecayedSumSource;
  if (info.name == "chunk_aggregate")
    return kChunkAggregateSource;
  return kLinearRecurrenceSource;
}

namespace {

using namespace dsl;

/// Half-precision kernels compute in f32, f64 kernels in f64.
DType accumulatorFor(DType dtype) { return dtype == DType::F64 ? DType::F64 : DType::F32; }

const char *kScanTuneSpace =
    "#mmrec.tune_space<strategy = [lookback, chunked, lanes], chunk = [64, 128, 256, 512, 1024], "
    "vector = [1, 2, 4, 8], warps = [2, 4, 8, 16]>";

void numerics(KernelBuilder &k, DType acc, const std::string &guards = "") {
  k.attribute("numerics", std::string("#mmrec.numerics<acc = ") + nameOf(acc) + guards + ">");
}

std::string assocScanExp(DType t) {
  DType acc = accumulatorFor(t);
  // The hardware's log and exp (2^-22 relative) where the output is 16-bit:
  // libdevice's log was a third of the GPU kernel's time.
  Accuracy accuracy = t == DType::BF16 || t == DType::F16 ? Accuracy::Approximate : Accuracy::Full;
  KernelBuilder k("assoc_scan_exp");
  Argument gamma = k.argument("gamma", t, 4), y = k.argument("y", t, 4);
  numerics(k, acc, ", eps = 1.0e-8, clamp = [-50.0, 0.0]");
  k.attribute("tune_space", kScanTuneSpace);
  Tensor logs = k.map({k.load(gamma)}, {acc}, [&](const Scalars &x) {
    Scalar xf = x[0].to(acc);
    Scalar eps = xf.like(1e-8), low = xf.like(-50.0), high = xf.like(0.0);
    Scalar shifted = xf + eps;
    Scalar logged = log(shifted, accuracy);
    Scalar above = max(logged, low);
    return Scalars{min(above, high)};
  })[0];
  Tensor sums =
      k.scan({logs}, 2, [](const Scalars &l, const Scalars &r) { return Scalars{l[0] + r[0]}; })[0];
  Tensor out =
      k.map({sums}, {t}, [&](const Scalars &v) { return Scalars{exp(v[0], accuracy).to(t)}; })[0];
  k.store(out, y);
  return k.build();
}

Scalars recurrence(const Scalars &l, const Scalars &r) {
  Scalar decay = l[0] * r[0];
  Scalar carried = r[0] * l[1];
  return Scalars{decay, carried + r[1]};
}

/// linear_recurrence, with a state (`withState`: linear_recurrence_h0) or
/// along the last axis (`rows`: linear_recurrence_rows).
std::string linearRecurrence(DType t, bool withState, bool rows = false) {
  DType acc = accumulatorFor(t);
  KernelBuilder k(withState ? "linear_recurrence_h0"
                  : rows    ? "linear_recurrence_rows"
                            : "linear_recurrence");
  Argument a = k.argument("a", t, 4), b = k.argument("b", t, 4);
  Argument h0, h, last;
  if (withState) {
    h0 = k.argument("h0", acc, 3);
    h = k.argument("h", t, 4);
    last = k.argument("h_final", acc, 3);
  } else {
    h = k.argument("h", t, 4);
  }
  numerics(k, acc);
  k.attribute("tune_space", kScanTuneSpace);
  Tensor av = k.load(a), bv = k.load(b);
  Tensor init = withState ? k.load(h0) : Tensor();
  std::vector<Tensor> wide = k.map({av, bv}, {acc, acc}, [&](const Scalars &x) {
    Scalar af = x[0].to(acc);
    return Scalars{af, x[1].to(acc)};
  });
  ScanOptions options;
  if (withState) {
    Tensor one = k.map({init}, {acc}, [](const Scalars &x) { return Scalars{x[0].like(1.0)}; })[0];
    options.inits = {one, init};
  }
  std::vector<Tensor> scanned = k.scan(wide, rows ? 3 : 2, recurrence, options);
  Tensor out = k.map({scanned[1]}, {t}, [&](const Scalars &v) { return Scalars{v[0].to(t)}; })[0];
  k.store(out, h);
  if (withState)
    k.store(scanned[3], last);
  return k.build();
}

std::string decayedSum(DType t) {
  DType acc = accumulatorFor(t);
  KernelBuilder k("decayed_sum");
  Argument A = k.argument("A", t, 3), x = k.argument("x", t, 4), out = k.argument("out", t, 4);
  numerics(k, acc);
  k.attribute("tune_space",
              "#mmrec.tune_space<strategy = [lookback, chunked, lanes], chunk = "
              "[64, 128, 256, 512, 1024], vector = [1, 2, 4], warps = [2, 4, 8, 16]>");
  Tensor av = k.load(A), xv = k.load(x);
  // A[b, t, r] broadcast over c; x widened alongside when it is narrower.
  bool widen = t != acc;
  std::vector<DType> types = widen ? std::vector<DType>{acc, acc} : std::vector<DType>{acc};
  std::vector<Tensor> operands =
      k.map({av, xv}, types,
            [&](const Scalars &v) {
              return widen ? Scalars{v[0].to(acc), v[1].to(acc)} : Scalars{v[0]};
            },
            {{0, 1, 2}, {0, 1, 2, 3}});
  if (!widen)
    operands.push_back(xv);
  std::vector<Tensor> scanned = k.scan(operands, 1, [](const Scalars &l, const Scalars &r) {
    Scalar delta = r[0] - l[0];
    Scalar decay = exp(delta);
    Scalar carried = decay * l[1];
    return Scalars{r[0], carried + r[1]};
  });
  Tensor result = scanned[1];
  if (widen)
    result = k.map({result}, {t}, [&](const Scalars &v) { return Scalars{v[0].to(t)}; })[0];
  k.store(result, out);
  return k.build();
}

std::string chunkAggregate(DType t) {
  DType acc = accumulatorFor(t);
  KernelBuilder k("chunk_aggregate");
  Argument x = k.argument("x", t, 3), sum = k.argument("sum", t, 3),
           mean = k.argument("mean", t, 3);
  numerics(k, acc);
  k.attribute("tune_space", "#mmrec.tune_space<strategy = [chunked, lanes], vector = [1, 2, 4, "
                            "8], warps = [2, 4, 8, 16]>");
  std::vector<Tensor> values = k.map({k.load(x)}, {acc, acc}, [&](const Scalars &v) {
    Scalar vf = v[0].to(acc);
    return Scalars{vf, vf.like(1.0)};
  });
  std::vector<Tensor> reduced = k.reduce(
      values, 1,
      [](const Scalars &l, const Scalars &r) {
        Scalar s = l[0] + r[0];
        return Scalars{s, l[1] + r[1]};
      },
      128);
  std::vector<Tensor> out = k.map(reduced, {t, t}, [&](const Scalars &v) {
    Scalar m = v[0] / v[1];
    Scalar s16 = v[0].to(t);
    return Scalars{s16, m.to(t)};
  });
  k.store(out[0], sum);
  k.store(out[1], mean);
  return k.build();
}

} // namespace

std::string source(std::string_view name, DType dtype) {
  const KernelInfo &info = find(name);
  if (info.name == "assoc_scan_exp")
    return assocScanExp(dtype);
  if (info.name == "linear_recurrence")
    return linearRecurrence(dtype, false);
  if (info.name == "linear_recurrence_h0")
    return linearRecurrence(dtype, true);
  if (info.name == "linear_recurrence_rows")
    return linearRecurrence(dtype, false, /*rows=*/true);
  if (info.name == "decayed_sum")
    return decayedSum(dtype);
  return chunkAggregate(dtype);
}

Kernel compile(Context &context, std::string_view name, DType dtype) {
  return context.compile(source(name, dtype), find(name).name);
}

std::string withTiling(std::string source, std::string_view tiling) {
  size_t op = source.find("mmrec.scan");
  if (op == std::string::npos)
    op = source.find("mmrec.reduce");
  // The attribute dictionary goes after the axis (and a reduce's chunk).
  size_t axis = op == std::string::npos ? op : source.find("axis = ", op);
  size_t colon = axis == std::string::npos ? axis : source.find(" : ", axis);
  if (colon == std::string::npos)
    throw Error("mmrec: no scan or reduce to give the tiling " + std::string(tiling) + " in\n" +
                source);
  return source.insert(colon, " {tiling = " + std::string(tiling) + "}");
}

namespace {

/// The inputs (random, in the kernel's domain), the outputs (zeroed) and,
/// with `withReferences`, the float64 reference of each output.
struct Prepared {
  std::vector<Buffer> inputs, outputs;
  std::vector<std::vector<double>> refs;
};

Prepared prepare(const KernelInfo &info, DType dtype, const std::vector<int64_t> &shape,
                 uint64_t seed, bool withReferences) {
  // Each input draws from its own stream.
  uint64_t streams = 0;
  auto uniform = [&](double low, double high) {
    return [seed, stream = streams++, low, high](int64_t i) {
      return uniformAt(seed, stream, i, low, high);
    };
  };
  Prepared prepared;
  std::vector<Buffer> &inputs = prepared.inputs, &outputs = prepared.outputs;
  std::vector<std::vector<double>> &refs = prepared.refs;

  if (info.name == "assoc_scan_exp") {
    int64_t B = shape[0], H = shape[1], T = shape[2], D = shape[3];
    inputs.emplace_back(info.dtype, shape);
    // gamma in [0.05, 0.95], with exact 0 and 1 (the ends of the domain).
    auto draw = uniform(0.05, 0.95);
    std::vector<double> gamma = inputs[0].fill([&](int64_t i) {
      return i % 997 == 0 ? 0.0 : i % 991 == 0 ? 1.0 : draw(i);
    });
    outputs.emplace_back(info.dtype, shape);
    if (withReferences)
      refs.push_back(reference::assocScanExp(gamma, B, H, T, D));
  } else if (info.name == "linear_recurrence" || info.name == "linear_recurrence_h0") {
    int64_t B = shape[0], H = shape[1], T = shape[2], D = shape[3];
    inputs.emplace_back(info.dtype, shape);
    inputs.emplace_back(info.dtype, shape);
    std::vector<double> a = inputs[0].fill(uniform(0.5, 1.0));
    std::vector<double> b = inputs[1].fill(uniform(-1.0, 1.0));
    std::vector<double> h0;
    bool withState = info.name == "linear_recurrence_h0";
    if (withState) {
      inputs.emplace_back(accumulatorFor(dtype), std::vector<int64_t>{B, H, D});
      h0 = inputs[2].fill(uniform(-1.0, 1.0));
    }
    std::vector<double> h, hFinal;
    if (withReferences)
      reference::linearRecurrence(a, b, h0, B, H, T, D, h, hFinal);
    outputs.emplace_back(info.dtype, shape);
    refs.push_back(h);
    if (withState) {
      outputs.emplace_back(accumulatorFor(dtype), std::vector<int64_t>{B, H, D});
      refs.push_back(hFinal);
    }
  } else if (info.name == "linear_recurrence_rows") {
    // Rows of T: the reference's [B, H, T, D] with one sequence per H.
    int64_t rows = shape[0] * shape[1] * shape[2], T = shape[3];
    inputs.emplace_back(info.dtype, shape);
    inputs.emplace_back(info.dtype, shape);
    std::vector<double> a = inputs[0].fill(uniform(0.5, 1.0));
    std::vector<double> b = inputs[1].fill(uniform(-1.0, 1.0));
    std::vector<double> h, hFinal;
    if (withReferences)
      reference::linearRecurrence(a, b, {}, 1, rows, T, 1, h, hFinal);
    outputs.emplace_back(info.dtype, shape);
    refs.push_back(h);
  } else if (info.name == "decayed_sum") {
    int64_t B = shape[0], T = shape[1], R = shape[2], C = shape[3];
    inputs.emplace_back(info.dtype, std::vector<int64_t>{B, T, R});
    // A is a cumulative sum of log decays (steps in [-0.3, 0]) along t.
    std::vector<double> A(B * T * R);
    auto step = uniform(-0.3, 0.0);
    hostThreads().parallelFor(B * R, [&](int64_t first, int64_t last) {
      for (int64_t br = first; br < last; ++br) {
        int64_t b = br / R, r = br % R;
        double acc = 0;
        for (int64_t t = 0; t < T; ++t) {
          int64_t i = (b * T + t) * R + r;
          acc += step(i);
          inputs[0].set(i, acc);
          A[i] = inputs[0].get(i);
        }
      }
    });
    inputs.emplace_back(info.dtype, shape);
    std::vector<double> x = inputs[1].fill(uniform(-1.0, 1.0));
    outputs.emplace_back(info.dtype, shape);
    if (withReferences)
      refs.push_back(reference::decayedSum(A, x, B, T, R, C));
  } else {
    int64_t B = shape[0], T = shape[1], D = shape[2], N = (T + 127) / 128;
    inputs.emplace_back(info.dtype, shape);
    std::vector<double> x = inputs[0].fill(uniform(-1.0, 1.0));
    std::vector<double> sum, mean;
    if (withReferences)
      reference::chunkAggregate(x, B, T, D, 128, sum, mean);
    outputs.emplace_back(info.dtype, std::vector<int64_t>{B, N, D});
    outputs.emplace_back(info.dtype, std::vector<int64_t>{B, N, D});
    refs.push_back(sum);
    refs.push_back(mean);
  }
  if (!withReferences)
    refs.clear();
  return prepared;
}

} // namespace

Problem randomProblem(std::string_view name, DType dtype, const std::vector<int64_t> &shape,
                      uint64_t seed) {
  KernelInfo info = find(name);
  requireRank(info, shape);
  info.dtype = dtype;
  Prepared prepared = prepare(info, dtype, shape, seed, /*withReferences=*/false);
  Problem problem;
  for (auto [from, to] : {std::pair{&prepared.inputs, &problem.inputs},
                          std::pair{&prepared.outputs, &problem.outputs}})
    for (Buffer &buffer : *from)
      to->push_back(HostTensor{buffer.dtype, buffer.shape, std::move(buffer.bytes)});
  return problem;
}

RunReport runAndVerify(Context &context, std::string_view name, DType dtype,
                       const std::vector<int64_t> &shape, uint64_t seed, int repeats,
                       std::string_view text) {
  const KernelInfo &base = find(name);
  requireRank(base, shape);
  KernelInfo info = base;
  info.dtype = dtype;
  Kernel kernel =
      text.empty() ? compile(context, info.name, dtype) : context.compile(text, info.name);
  Prepared prepared = prepare(info, dtype, shape, seed, /*withReferences=*/true);
  std::vector<Buffer> &inputs = prepared.inputs, &outputs = prepared.outputs;
  std::vector<std::vector<double>> &refs = prepared.refs;
  RunReport report;

  // The kernel reads and writes memory of the context's device: host
  // buffers on the CPU, copies of them on a GPU. Outputs start poisoned.
  std::vector<TensorView> args;
  std::vector<DeviceBuffer> device;
  for (Buffer &buffer : outputs)
    buffer.poison();
  for (std::vector<Buffer> *list : {&inputs, &outputs})
    for (Buffer &buffer : *list) {
      report.bytes += static_cast<int64_t>(buffer.bytes.size());
      device.emplace_back(context, buffer.bytes.size());
      device.back().upload(buffer.bytes.data(), buffer.bytes.size());
      args.push_back(TensorView::contiguous(device.back().data(), buffer.dtype, buffer.shape,
                                            context.device()));
    }
  kernel.launch(args.data(), args.size());
  context.synchronize();
  for (size_t k = 0; k < outputs.size(); ++k) {
    device[inputs.size() + k].download(outputs[k].bytes.data(), outputs[k].bytes.size());
    compare(outputs[k], refs[k], report);
  }
  report.tolerance = toleranceFor(info.dtype);

  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    kernel.launch(args.data(), args.size());
    context.synchronize();
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  if (!times.empty()) {
    std::sort(times.begin(), times.end());
    report.seconds = times[times.size() / 2];
  }
  return report;
}

} // namespace mmrec::library
