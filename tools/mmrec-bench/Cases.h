//===- Cases.h - what mmrec-bench measures on a GPU -------------*- C++ -*-===//
//
// The issue's performance targets (a library kernel, dtype and shape with a
// fraction of copy bandwidth or a time to reach) and the cases a run
// measures: the targets that pass --kernels and --shapes, and shapes given
// with --shapes that are no target's. No CUDA here: unit-tested on any host.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_TOOLS_CASES_H
#define MMREC_TOOLS_CASES_H

#include "mmrec/Context.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mmrec::bench {

/// A kernel at a shape and its target: a fraction of copy bandwidth, or a
/// time (neither: a shape given with --shapes, measured only).
struct Case {
  std::string kernel;
  DType dtype;
  std::vector<int64_t> shape;
  double minFraction = 0; // of copy bandwidth
  double maxMicros = 0;
  bool hasTarget() const { return minFraction > 0 || maxMicros > 0; }
};

/// The issue's targets (`small`: shorter sequences, a quick check).
std::vector<Case> issueCases(bool small);

/// "2x8x32768x128".
std::string shapeText(const std::vector<int64_t> &shape);

/// "2x8x32768x128" as sizes; nullopt for anything else (each size a
/// positive decimal number).
std::optional<std::vector<int64_t>> parseShape(const std::string &text);

/// Whether `name` passes a --kernels or --shapes filter (empty: all do).
bool selected(const std::vector<std::string> &filter, const std::string &name);

/// The cases of a run: the targets that pass `kernels` and `shapes`, then
/// each entry of `shapes` that is no selected kernel's target shape (once
/// however often given), for every selected kernel of its rank, in its
/// targets' dtype and with no target. With `dtype`, every case takes it,
/// and those of another dtype lose their target (a target is for its
/// dtype). Throws mmrec::Error for an entry that is not a shape or that no
/// selected kernel takes.
std::vector<Case> selectedCases(const std::vector<std::string> &kernels,
                                const std::vector<std::string> &shapes, bool small,
                                std::optional<DType> dtype = std::nullopt);

} // namespace mmrec::bench

#endif // MMREC_TOOLS_CASES_H
