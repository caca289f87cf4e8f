//===- KernelBuilder.h - the embedded C++ DSL ------------------*- C++ -*-===//
//
// Builds mmrec kernels from C++: declare argument views, then load, map,
// scan, reduce and store. Map bodies and combiners are C++ lambdas over
// symbolic scalars, traced into the ops' regions. build() returns the
// kernel's IR, the same text a kernel file would hold, for Context::compile.
//
//   mmrec::dsl::KernelBuilder k("cumsum");
//   auto x = k.load(k.argument("x", mmrec::DType::F32, 2));
//   auto y = k.scan({x}, /*axis=*/1, [](auto l, auto r) { return std::vector{l[0] + r[0]}; });
//   k.store(y[0], k.argument("y", mmrec::DType::F32, 2));
//   mmrec::Kernel kernel = context.compile(k.build(), "cumsum");
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_KERNELBUILDER_H
#define MMREC_KERNELBUILDER_H

#include "mmrec/Tensor.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mmrec::dsl {

class BuilderImpl;

/// How exp and log are computed. Approximate marks the op fastmath<afn>:
/// on the GPU, for f32 scalars, the hardware's approximations (log within
/// ~2^-22 absolute, exp ~2^-22 relative plus |x| 2^-24; subnormals flush
/// to zero, as in CUDA's fast math; one or two instructions instead of
/// libdevice's ~30 for log), for values that end up in bf16 or f16; other
/// types keep the accurate functions. The CPU backend still
/// calls the C library (LLVM keeps the flag).
enum class Accuracy { Full, Approximate };

/// A scalar inside a map body or a combiner. Arithmetic on scalars records
/// arith and math ops; a double operand becomes a constant of the other
/// operand's type.
class Scalar {
public:
  Scalar operator+(const Scalar &o) const;
  Scalar operator-(const Scalar &o) const;
  Scalar operator*(const Scalar &o) const;
  Scalar operator/(const Scalar &o) const;
  Scalar operator-() const;
  Scalar operator+(double c) const { return *this + like(c); }
  Scalar operator-(double c) const { return *this - like(c); }
  Scalar operator*(double c) const { return *this * like(c); }
  Scalar operator/(double c) const { return *this / like(c); }

  /// The same value in another float type (extf or truncf).
  Scalar to(DType dtype) const;
  /// A constant of this scalar's type.
  Scalar like(double value) const;

private:
  friend class BuilderImpl;
  friend Scalar exp(const Scalar &, Accuracy);
  friend Scalar log(const Scalar &, Accuracy);
  friend Scalar log1p(const Scalar &);
  friend Scalar abs(const Scalar &);
  friend Scalar max(const Scalar &, const Scalar &);
  friend Scalar min(const Scalar &, const Scalar &);
  friend Scalar select(const Scalar &, const Scalar &, const Scalar &);
  friend Scalar operator<(const Scalar &, const Scalar &);
  Scalar(BuilderImpl *impl, void *value) : impl(impl), value(value) {}
  BuilderImpl *impl;
  void *value; // an mlir::Value
};

Scalar exp(const Scalar &x, Accuracy accuracy = Accuracy::Full);
Scalar log(const Scalar &x, Accuracy accuracy = Accuracy::Full);
Scalar log1p(const Scalar &x);
Scalar abs(const Scalar &x);
/// NaN-propagating maximum and minimum (arith.maximumf / minimumf).
Scalar max(const Scalar &a, const Scalar &b);
Scalar min(const Scalar &a, const Scalar &b);
/// `condition` ? a : b; conditions come from comparisons.
Scalar select(const Scalar &condition, const Scalar &a, const Scalar &b);
Scalar operator<(const Scalar &a, const Scalar &b);

using Scalars = std::vector<Scalar>;

/// A tensor value of the kernel.
class Tensor {
public:
  Tensor() = default;

private:
  friend class KernelBuilder;
  friend class BuilderImpl;
  explicit Tensor(void *value) : value(value) {}
  void *value = nullptr; // an mlir::Value
};

/// A kernel argument (a strided view of memory).
class Argument {
public:
  Argument() = default;

private:
  friend class KernelBuilder;
  explicit Argument(unsigned index) : index(index) {}
  unsigned index = 0;
};

struct ScanOptions {
  bool reverse = false;
  bool exclusive = false;
  /// One carry-in per input (the input's shape without the axis).
  std::vector<Tensor> inits;
  /// For an exclusive scan without inits: one value per input.
  std::vector<double> identity;
};

class KernelBuilder {
public:
  explicit KernelBuilder(std::string name);
  ~KernelBuilder();
  KernelBuilder(const KernelBuilder &) = delete;
  KernelBuilder &operator=(const KernelBuilder &) = delete;

  /// A new argument: a view of `rank` dimensions of `dtype`, dynamic sizes
  /// and strides. Arguments come in the order they are declared.
  Argument argument(const std::string &name, DType dtype, int rank);
  /// Attaches an attribute written in MLIR syntax to the kernel, e.g.
  /// ("numerics", "#mmrec.numerics<acc = f32>").
  void attribute(const std::string &name, const std::string &value);

  Tensor load(Argument argument);
  void store(Tensor value, Argument argument);

  /// Elementwise: `body` takes one scalar per input (inputs of one shape)
  /// and returns one scalar per entry of `results`.
  std::vector<Tensor> map(const std::vector<Tensor> &inputs, const std::vector<DType> &results,
                          const std::function<Scalars(const Scalars &)> &body);
  /// Elementwise with broadcasting: input i is read at the domain dimensions
  /// `indexing[i]` (e.g. {0, 1, 2} reads A[b, t, r] over a domain [b, t, r, c]);
  /// the domain has as many dimensions as the longest list.
  std::vector<Tensor> map(const std::vector<Tensor> &inputs, const std::vector<DType> &results,
                          const std::function<Scalars(const Scalars &)> &body,
                          const std::vector<std::vector<unsigned>> &indexing);
  /// An associative scan along `axis`; `combiner(lhs, rhs)` with lhs the
  /// earlier elements. Returns the scanned tensors, then the final carries
  /// when `options.inits` is not empty.
  std::vector<Tensor> scan(const std::vector<Tensor> &inputs, int64_t axis,
                           const std::function<Scalars(const Scalars &, const Scalars &)> &combiner,
                           const ScanOptions &options = {});
  /// A reduction along `axis`, in runs of `chunk` elements when chunk > 0.
  std::vector<Tensor>
  reduce(const std::vector<Tensor> &inputs, int64_t axis,
         const std::function<Scalars(const Scalars &, const Scalars &)> &combiner,
         int64_t chunk = 0);

  /// The module holding the kernel, as text. Throws mmrec::Error when the
  /// kernel does not verify (with the verifier's message).
  std::string build();

private:
  std::unique_ptr<BuilderImpl> impl;
};

} // namespace mmrec::dsl

#endif // MMREC_KERNELBUILDER_H
