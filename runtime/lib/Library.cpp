//===- Library.cpp - the MM-Rec kernel library ----------------------------===//
//
// Random inputs in each kernel's domain, rounded to the kernel's dtype; the
// float64 reference is computed from the rounded inputs, so the comparison
// measures the kernel, not the input rounding.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Library.h"
#include "mmrec/References.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <random>

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

  /// Fills with draws of `next`, rounded to the dtype; returns the rounded
  /// values.
  template <typename Next> std::vector<double> fill(Next next) {
    std::vector<double> values(numel());
    for (int64_t i = 0; i < numel(); ++i) {
      set(i, next(i));
      values[i] = get(i);
    }
    return values;
  }

  void poison() {
    for (int64_t i = 0; i < numel(); ++i)
      set(i, NAN);
  }

  std::vector<double> values() const {
    std::vector<double> out(numel());
    for (int64_t i = 0; i < numel(); ++i)
      out[i] = get(i);
    return out;
  }
};

/// ||got - ref|| / ||ref||, the largest |got - ref|, and whether got has NaN.
void compare(const Buffer &got, const std::vector<double> &ref, RunReport &report) {
  double err = 0, norm = 0;
  for (int64_t i = 0; i < got.numel(); ++i) {
    double g = got.get(i);
    if (std::isnan(g)) {
      report.nanFound = true;
      continue;
    }
    err += (g - ref[i]) * (g - ref[i]);
    norm += ref[i] * ref[i];
    report.maxAbsError = std::max(report.maxAbsError, std::fabs(g - ref[i]));
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

std::string_view source(std::string_view name) {
  const KernelInfo &info = find(name);
  if (info.name == "assoc_scan_exp")
    return kAssocScanExpSource;
  if (info.name == "decayed_sum")
    return kDecayedSumSource;
  if (info.name == "chunk_aggregate")
    return kChunkAggregateSource;
  return kLinearRecurrenceSource;
}

Kernel compile(Context &context, std::string_view name) {
  return context.compile(source(name), find(name).name);
}

RunReport runAndVerify(Context &context, std::string_view name, const std::vector<int64_t> &shape,
                       uint64_t seed, int repeats, std::string_view text) {
  const KernelInfo &info = find(name);
  requireRank(info, shape);
  Kernel kernel = text.empty() ? compile(context, info.name) : context.compile(text, info.name);
  std::mt19937_64 rng(seed);
  auto uniform = [&](double low, double high) {
    return [&rng, low, high](int64_t) {
      return std::uniform_real_distribution<double>(low, high)(rng);
    };
  };
  std::vector<Buffer> inputs, outputs;
  std::vector<std::vector<double>> refs;
  RunReport report;

  if (info.name == "assoc_scan_exp") {
    int64_t B = shape[0], H = shape[1], T = shape[2], D = shape[3];
    inputs.emplace_back(info.dtype, shape);
    // gamma in [0.05, 0.95], with exact 0 and 1 (the ends of the domain).
    auto draw = uniform(0.05, 0.95);
    std::vector<double> gamma = inputs[0].fill([&](int64_t i) {
      return i % 997 == 0 ? 0.0 : i % 991 == 0 ? 1.0 : draw(i);
    });
    outputs.emplace_back(info.dtype, shape);
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
      inputs.emplace_back(DType::F32, std::vector<int64_t>{B, H, D});
      h0 = inputs[2].fill(uniform(-1.0, 1.0));
    }
    std::vector<double> h, hFinal;
    reference::linearRecurrence(a, b, h0, B, H, T, D, h, hFinal);
    outputs.emplace_back(info.dtype, shape);
    refs.push_back(h);
    if (withState) {
      outputs.emplace_back(DType::F32, std::vector<int64_t>{B, H, D});
      refs.push_back(hFinal);
    }
  } else if (info.name == "decayed_sum") {
    int64_t B = shape[0], T = shape[1], R = shape[2], C = shape[3];
    inputs.emplace_back(info.dtype, std::vector<int64_t>{B, T, R});
    // A is a cumulative sum of log decays (steps in [-0.3, 0]) along t.
    std::vector<double> A(B * T * R);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t r = 0; r < R; ++r) {
        double acc = 0;
        for (int64_t t = 0; t < T; ++t) {
          int64_t i = (b * T + t) * R + r;
          acc += std::uniform_real_distribution<double>(-0.3, 0.0)(rng);
          inputs[0].set(i, acc);
          A[i] = inputs[0].get(i);
        }
      }
    inputs.emplace_back(info.dtype, shape);
    std::vector<double> x = inputs[1].fill(uniform(-1.0, 1.0));
    outputs.emplace_back(info.dtype, shape);
    refs.push_back(reference::decayedSum(A, x, B, T, R, C));
  } else {
    int64_t B = shape[0], T = shape[1], D = shape[2], N = (T + 127) / 128;
    inputs.emplace_back(info.dtype, shape);
    std::vector<double> x = inputs[0].fill(uniform(-1.0, 1.0));
    std::vector<double> sum, mean;
    reference::chunkAggregate(x, B, T, D, 128, sum, mean);
    outputs.emplace_back(info.dtype, std::vector<int64_t>{B, N, D});
    outputs.emplace_back(info.dtype, std::vector<int64_t>{B, N, D});
    refs.push_back(sum);
    refs.push_back(mean);
  }

  std::vector<TensorView> args;
  for (Buffer &buffer : inputs) {
    args.push_back(buffer.view());
    report.bytes += static_cast<int64_t>(buffer.bytes.size());
  }
  for (Buffer &buffer : outputs) {
    buffer.poison();
    args.push_back(buffer.view());
    report.bytes += static_cast<int64_t>(buffer.bytes.size());
  }
  kernel.launch(args.data(), args.size());
  for (size_t k = 0; k < outputs.size(); ++k)
    compare(outputs[k], refs[k], report);
  report.tolerance = toleranceFor(info.dtype);

  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    kernel.launch(args.data(), args.size());
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
