//===- GpuBench.h - the library kernels on a GPU ----------------*- C++ -*-===//

#ifndef MMREC_TOOLS_GPUBENCH_H
#define MMREC_TOOLS_GPUBENCH_H

#include "mmrec/Context.h"

#include <optional>
#include <string>
#include <vector>

namespace mmrec::bench {

struct GpuOptions {
  int repeats = 100;
  /// #mmrec.tiling texts: each selected kernel and shape is measured with
  /// each of them on its scans instead of the heuristic's choice (empty:
  /// the heuristic's). One process for a sweep of tilings: no new context,
  /// copy measurement or reference for each.
  std::vector<std::string> tilings;
  /// Only these kernels (all when empty).
  std::vector<std::string> kernels;
  /// Only these of the targets' shapes, as printed ("2x8x32768x128"; all
  /// when empty); other shapes are measured too, for each selected kernel
  /// of their rank, with no target.
  std::vector<std::string> shapes;
  /// Every kernel in this dtype instead of its targets' (none: theirs).
  std::optional<DType> dtype;
  std::string csvPath, jsonPath, plotPath;
  bool launchOverhead = false;
  bool small = false;
};

/// Measures the copy bandwidth, then each library kernel at the issue's
/// shapes (verified first); prints a table, writes CSV/JSON/PNG. Returns
/// the exit status.
int runGpuBench(Context &context, const GpuOptions &options);

} // namespace mmrec::bench

#endif // MMREC_TOOLS_GPUBENCH_H
