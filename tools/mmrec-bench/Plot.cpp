//===- Plot.cpp - a line chart as a PNG file -------------------------------===//

#include "Plot.h"

#include "mmrec/Error.h"

#include "llvm/Support/Compression.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <fstream>

namespace mmrec::bench {

namespace {

using Color = std::array<unsigned char, 3>;
constexpr Color kWhite{255, 255, 255}, kBlack{0, 0, 0}, kGrid{220, 220, 220},
    kTarget{150, 150, 150};
constexpr Color kSeriesColors[] = {
    {31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40}, {148, 103, 189}, {140, 86, 75}};

/// A 5x7 glyph: seven rows, bit 4 the leftmost column.
using Glyph = std::array<unsigned char, 7>;

Glyph glyph(char c) {
  if (c >= 'A' && c <= 'Z')
    c = static_cast<char>(c - 'A' + 'a');
  static const Glyph digits[10] = {
      {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}, {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E},
      {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}, {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E},
      {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}, {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E},
      {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}, {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08},
      {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}, {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}};
  static const Glyph letters[26] = {
      {0x00, 0x00, 0x0E, 0x01, 0x0F, 0x11, 0x0F}, {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1E},
      {0x00, 0x00, 0x0E, 0x10, 0x10, 0x11, 0x0E}, {0x01, 0x01, 0x0D, 0x13, 0x11, 0x11, 0x0F},
      {0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E}, {0x06, 0x09, 0x08, 0x1C, 0x08, 0x08, 0x08},
      {0x00, 0x0F, 0x11, 0x11, 0x0F, 0x01, 0x0E}, {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11},
      {0x04, 0x00, 0x0C, 0x04, 0x04, 0x04, 0x0E}, {0x02, 0x00, 0x06, 0x02, 0x02, 0x12, 0x0C},
      {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12}, {0x0C, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E},
      {0x00, 0x00, 0x1A, 0x15, 0x15, 0x11, 0x11}, {0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11},
      {0x00, 0x00, 0x0E, 0x11, 0x11, 0x11, 0x0E}, {0x00, 0x00, 0x1E, 0x11, 0x1E, 0x10, 0x10},
      {0x00, 0x00, 0x0D, 0x13, 0x0F, 0x01, 0x01}, {0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10},
      {0x00, 0x00, 0x0E, 0x10, 0x0E, 0x01, 0x1E}, {0x08, 0x08, 0x1C, 0x08, 0x08, 0x09, 0x06},
      {0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0D}, {0x00, 0x00, 0x11, 0x11, 0x11, 0x0A, 0x04},
      {0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0A}, {0x00, 0x00, 0x11, 0x0A, 0x04, 0x0A, 0x11},
      {0x00, 0x00, 0x11, 0x11, 0x0F, 0x01, 0x0E}, {0x00, 0x00, 0x1F, 0x02, 0x04, 0x08, 0x1F}};
  if (c >= '0' && c <= '9')
    return digits[c - '0'];
  if (c >= 'a' && c <= 'z')
    return letters[c - 'a'];
  switch (c) {
  case ' ':
    return {};
  case '%':
    return {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03};
  case '.':
    return {0, 0, 0, 0, 0, 0x0C, 0x0C};
  case ',':
    return {0, 0, 0, 0, 0x0C, 0x04, 0x08};
  case ':':
    return {0, 0x0C, 0x0C, 0, 0x0C, 0x0C, 0};
  case '-':
    return {0, 0, 0, 0x1F, 0, 0, 0};
  case '_':
    return {0, 0, 0, 0, 0, 0, 0x1F};
  case '(':
    return {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02};
  case ')':
    return {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08};
  case '[':
    return {0x0E, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0E};
  case ']':
    return {0x0E, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0E};
  case '/':
    return {0, 0x01, 0x02, 0x04, 0x08, 0x10, 0};
  case '=':
    return {0, 0, 0x1F, 0, 0x1F, 0, 0};
  case '>':
    return {0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08};
  case '<':
    return {0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02};
  default: // '?'
    return {0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04};
  }
}

struct Canvas {
  int width, height;
  std::vector<unsigned char> rgb;

  Canvas(int width, int height)
      : width(width), height(height), rgb(static_cast<size_t>(width) * height * 3, 255) {}

  void set(int x, int y, Color c) {
    if (x < 0 || y < 0 || x >= width || y >= height)
      return;
    std::copy(c.begin(), c.end(), rgb.begin() + (static_cast<size_t>(y) * width + x) * 3);
  }
  void fill(int x0, int y0, int x1, int y1, Color c) {
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x)
        set(x, y, c);
  }
  /// A line `thickness` pixels wide; every `dash`-th run of 6 pixels left
  /// out when dashed.
  void line(double x0, double y0, double x1, double y1, Color c, int thickness = 1,
            bool dashed = false) {
    int steps = static_cast<int>(std::ceil(std::max(std::abs(x1 - x0), std::abs(y1 - y0)))) + 1;
    for (int i = 0; i <= steps; ++i) {
      if (dashed && (i / 6) % 2)
        continue;
      double t = static_cast<double>(i) / steps;
      int x = static_cast<int>(std::lround(x0 + t * (x1 - x0)));
      int y = static_cast<int>(std::lround(y0 + t * (y1 - y0)));
      fill(x - thickness / 2, y - thickness / 2, x + (thickness - 1) / 2, y + (thickness - 1) / 2,
           c);
    }
  }
  /// Text at (x, y) (top left), glyphs scaled by `scale`; returns its width.
  int text(int x, int y, const std::string &s, Color c, int scale = 2) {
    for (size_t i = 0; i < s.size(); ++i) {
      Glyph g = glyph(s[i]);
      for (int row = 0; row < 7; ++row)
        for (int col = 0; col < 5; ++col)
          if (g[row] & (0x10 >> col))
            fill(x + (static_cast<int>(i) * 6 + col) * scale, y + row * scale,
                 x + (static_cast<int>(i) * 6 + col) * scale + scale - 1,
                 y + row * scale + scale - 1, c);
    }
    return static_cast<int>(s.size()) * 6 * scale;
  }
};

uint32_t crc32(const unsigned char *data, size_t size, uint32_t crc = 0) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k)
        c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (size_t i = 0; i < size; ++i)
    crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

void bigEndian(std::vector<unsigned char> &out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<unsigned char>(v >> shift));
}

void chunk(std::vector<unsigned char> &png, const char *type,
           const std::vector<unsigned char> &data) {
  bigEndian(png, static_cast<uint32_t>(data.size()));
  size_t start = png.size();
  png.insert(png.end(), type, type + 4);
  png.insert(png.end(), data.begin(), data.end());
  bigEndian(png, crc32(png.data() + start, png.size() - start));
}

std::string tickLabel(double x) {
  if (x >= 1024 && std::fmod(x, 1024) == 0)
    return std::to_string(static_cast<long long>(x / 1024)) + "k";
  return std::to_string(static_cast<long long>(std::lround(x)));
}

} // namespace

std::vector<unsigned char> encodePng(const std::vector<unsigned char> &rgb, int width,
                                     int height) {
  std::vector<unsigned char> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<unsigned char> header;
  bigEndian(header, static_cast<uint32_t>(width));
  bigEndian(header, static_cast<uint32_t>(height));
  header.insert(header.end(), {8, 2, 0, 0, 0}); // 8-bit RGB, no interlace
  chunk(png, "IHDR", header);
  // Rows with filter 0, in a zlib stream: deflated by LLVM's zlib where it
  // has one (an 800 x 500 chart: 7 KB instead of 1.2 MB), else stored
  // (uncompressed) blocks.
  std::vector<unsigned char> raw;
  size_t row = static_cast<size_t>(width) * 3;
  for (int y = 0; y < height; ++y) {
    raw.push_back(0);
    raw.insert(raw.end(), rgb.begin() + y * row, rgb.begin() + (y + 1) * row);
  }
  if (llvm::compression::zlib::isAvailable()) {
    llvm::SmallVector<uint8_t, 0> deflated;
    llvm::compression::zlib::compress(raw, deflated, llvm::compression::zlib::BestSizeCompression);
    chunk(png, "IDAT", std::vector<unsigned char>(deflated.begin(), deflated.end()));
    chunk(png, "IEND", {});
    return png;
  }
  std::vector<unsigned char> zlib = {0x78, 0x01};
  for (size_t at = 0; at < raw.size(); at += 65535) {
    size_t n = std::min<size_t>(65535, raw.size() - at);
    zlib.push_back(at + n == raw.size() ? 1 : 0); // BFINAL on the last block
    zlib.insert(zlib.end(), {static_cast<unsigned char>(n), static_cast<unsigned char>(n >> 8),
                             static_cast<unsigned char>(~n), static_cast<unsigned char>(~n >> 8)});
    zlib.insert(zlib.end(), raw.begin() + at, raw.begin() + at + n);
  }
  uint32_t a = 1, b = 0;
  for (unsigned char byte : raw) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  bigEndian(zlib, (b << 16) | a);
  chunk(png, "IDAT", zlib);
  chunk(png, "IEND", {});
  return png;
}

void writePlot(const std::string &path, const std::string &title, const std::string &xLabel,
               const std::vector<Series> &series, double target, int width, int height) {
  Canvas canvas(width, height);
  // The legend's width: its longest name.
  size_t longest = 0;
  for (const Series &s : series)
    longest = std::max(longest, s.name.size());
  const int left = 70, right = width - 70 - 12 * static_cast<int>(longest), top = 50,
            bottom = height - 60;
  double xMin = 0, xMax = 0;
  std::vector<double> ticks;
  for (const Series &s : series)
    for (auto [x, y] : s.points) {
      if (x <= 0)
        continue;
      xMin = xMin == 0 ? x : std::min(xMin, x);
      xMax = std::max(xMax, x);
      if (std::find(ticks.begin(), ticks.end(), x) == ticks.end())
        ticks.push_back(x);
    }
  if (xMin == 0)
    xMin = 1, xMax = 2;
  double lo = std::log2(xMin), hi = std::log2(xMax);
  if (hi - lo < 1e-9)
    lo -= 0.5, hi += 0.5;
  auto px = [&](double x) { return left + (std::log2(x) - lo) / (hi - lo) * (right - left); };
  auto py = [&](double y) { return bottom - std::clamp(y, 0.0, 1.0) * (bottom - top); };

  canvas.text(left, 15, title, kBlack);
  for (int percent = 0; percent <= 100; percent += 25) {
    double y = py(percent / 100.0);
    canvas.line(left, y, right, y, kGrid);
    std::string label = std::to_string(percent) + "%";
    canvas.text(left - 10 - static_cast<int>(label.size()) * 12, static_cast<int>(y) - 7, label,
                kBlack);
  }
  if (target > 0)
    canvas.line(left, py(target), right, py(target), kTarget, 1, /*dashed=*/true);
  std::sort(ticks.begin(), ticks.end());
  for (double x : ticks) {
    canvas.line(px(x), bottom, px(x), bottom + 5, kBlack);
    std::string label = tickLabel(x);
    canvas.text(static_cast<int>(px(x)) - static_cast<int>(label.size()) * 6, bottom + 10, label,
                kBlack);
  }
  canvas.text((left + right) / 2 - static_cast<int>(xLabel.size()) * 6, bottom + 35, xLabel,
              kBlack);
  canvas.line(left, top, left, bottom, kBlack);
  canvas.line(left, bottom, right, bottom, kBlack);

  for (size_t i = 0; i < series.size(); ++i) {
    Color color = kSeriesColors[i % std::size(kSeriesColors)];
    std::vector<std::pair<double, double>> points;
    for (auto point : series[i].points)
      if (point.first > 0) // a log axis
        points.push_back(point);
    std::sort(points.begin(), points.end());
    for (size_t p = 0; p < points.size(); ++p) {
      double x = px(points[p].first), y = py(points[p].second);
      canvas.fill(static_cast<int>(x) - 3, static_cast<int>(y) - 3, static_cast<int>(x) + 3,
                  static_cast<int>(y) + 3, color);
      if (p > 0)
        canvas.line(px(points[p - 1].first), py(points[p - 1].second), x, y, color, 3);
    }
    int legendY = top + static_cast<int>(i) * 25;
    canvas.fill(right + 20, legendY + 4, right + 40, legendY + 8, color);
    canvas.text(right + 48, legendY, series[i].name, kBlack);
  }

  std::vector<unsigned char> png = encodePng(canvas.rgb, width, height);
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char *>(png.data()), static_cast<std::streamsize>(png.size()));
  if (!out)
    throw Error("mmrec-bench: cannot write the plot to " + path);
}

} // namespace mmrec::bench
