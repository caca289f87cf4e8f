//===- Library.h - the MM-Rec kernel library -------------------*- C++ -*-===//
//
// Entry points for the kernels of kernels/*.mlir (embedded in the library),
// and one float64 reference per kernel, shared by the tests, mmrec-run, the
// tuner and the benchmark.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_LIBRARY_H
#define MMREC_LIBRARY_H

#include "mmrec/Context.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mmrec::library {

struct KernelInfo {
  std::string name;
  std::string summary;
  /// What --shape means for this kernel, e.g. "B,H,T,D".
  std::string shapeMeaning;
  std::vector<int64_t> defaultShape;
  /// The element type of its inputs and outputs in kernels/*.mlir; the C++
  /// DSL builds it for any dtype.
  DType dtype;
};

const std::vector<KernelInfo> &kernels();
/// The info of `name`; throws mmrec::Error listing the kernels otherwise.
const KernelInfo &find(std::string_view name);
/// The text of the kernels/*.mlir file that defines `name`.
std::string_view textSource(std::string_view name);
/// The kernel `name` for `dtype` in and out, built with the C++ DSL (for the
/// dtype of kernels/*.mlir, the same IR as the file).
std::string source(std::string_view name, DType dtype);
/// Compiles `name` for `dtype` in `context`.
Kernel compile(Context &context, std::string_view name, DType dtype);

/// `source` with `tiling` (#mmrec.tiling text) on its scan or reduce; throws
/// mmrec::Error when it has none.
std::string withTiling(std::string source, std::string_view tiling);

/// Host data of one argument, contiguous.
struct HostTensor {
  DType dtype;
  std::vector<int64_t> shape;
  std::vector<unsigned char> bytes;
};

/// The arguments of `name` for `dtype` at `shape` (see KernelInfo): random
/// inputs in the kernel's domain drawn with `seed` (as runAndVerify draws
/// them), then zeroed outputs, in argument order.
struct Problem {
  std::vector<HostTensor> inputs, outputs;
};
Problem randomProblem(std::string_view name, DType dtype, const std::vector<int64_t> &shape,
                      uint64_t seed);

struct RunReport {
  double relativeError = 0; // ||out - ref|| / ||ref|| over all outputs
  double maxAbsError = 0;
  double tolerance = 0; // on relativeError, for this kernel and dtype
  bool nanFound = false;
  double seconds = 0; // one launch, median of the timed runs
  int64_t bytes = 0;  // every input read once, every output written once
  bool passed() const { return !nanFound && relativeError <= tolerance; }
};

/// Runs `name` for `dtype` on fresh random inputs of `shape` (see KernelInfo) drawn with
/// `seed`, poisons the outputs first, compares them with the float64
/// reference computed from the same (rounded) inputs, and times `repeats`
/// launches. `source`, when given, replaces the library's text of the kernel
/// (a modified copy of it). Throws mmrec::Error for a bad shape.
RunReport runAndVerify(Context &context, std::string_view name, DType dtype,
                       const std::vector<int64_t> &shape, uint64_t seed, int repeats = 5,
                       std::string_view source = {});

} // namespace mmrec::library

#endif // MMREC_LIBRARY_H
