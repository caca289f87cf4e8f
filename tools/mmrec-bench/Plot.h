//===- Plot.h - a line chart as a PNG file ----------------------*- C++ -*-===//
//
// mmrec-bench --plot: each kernel's fraction of copy bandwidth against
// sequence length. Self-contained (RGB, uncompressed deflate blocks, a 5x7
// bitmap font) so that the tool needs no imaging library.
//
//===----------------------------------------------------------------------===//

#ifndef MMREC_TOOLS_PLOT_H
#define MMREC_TOOLS_PLOT_H

#include <string>
#include <utility>
#include <vector>

namespace mmrec::bench {

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points; // (x > 0, y in [0, 1])
};

/// Draws `series` as lines over a log2 x axis and a y axis from 0 to 100%,
/// with `title`, the x values of the points as ticks, a dashed line at
/// `target` (none when 0) and a legend; writes a width x height PNG to
/// `path`. Throws mmrec::Error when the file cannot be written.
void writePlot(const std::string &path, const std::string &title, const std::string &xLabel,
               const std::vector<Series> &series, double target, int width = 800,
               int height = 500);

/// The PNG encoding of an RGB image (3 bytes a pixel, rows top down).
std::vector<unsigned char> encodePng(const std::vector<unsigned char> &rgb, int width,
                                     int height);

} // namespace mmrec::bench

#endif // MMREC_TOOLS_PLOT_H
