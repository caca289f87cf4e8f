//===- PlotTest.cpp - mmrec-bench's PNG line chart -------------------------===//
//
// Decodes what writePlot writes with an independent reader (chunk CRCs,
// stored deflate blocks, Adler-32, filter-0 rows) and looks at the pixels.
//
//===----------------------------------------------------------------------===//

#include "Plot.h"

#include "mmrec/Error.h"

#include <gtest/gtest.h>

#include "llvm/Support/Compression.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace mmrec;
using namespace mmrec::bench;

namespace {

uint32_t bigEndian(const std::vector<unsigned char> &b, size_t at) {
  return uint32_t(b[at]) << 24 | uint32_t(b[at + 1]) << 16 | uint32_t(b[at + 2]) << 8 | b[at + 3];
}

// Bit by bit, unlike the table-driven writer.
uint32_t crc32(const unsigned char *data, size_t size) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k)
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
  }
  return ~crc;
}

struct Image {
  uint32_t width = 0, height = 0;
  std::vector<unsigned char> rgb;
  bool has(unsigned char r, unsigned char g, unsigned char b) const {
    for (size_t i = 0; i + 2 < rgb.size(); i += 3)
      if (rgb[i] == r && rgb[i + 1] == g && rgb[i + 2] == b)
        return true;
    return false;
  }
};

/// The rows of a zlib stream of stored deflate blocks; fails the test on
/// anything else or a checksum error.
std::vector<unsigned char> storedBlocks(const std::vector<unsigned char> &zlib) {
  std::vector<unsigned char> raw;
  size_t at = 2;
  for (bool last = false; !last;) {
    last = zlib[at] & 1;
    EXPECT_EQ(zlib[at] & 6, 0) << "stored blocks only";
    size_t n = zlib[at + 1] | zlib[at + 2] << 8;
    EXPECT_EQ(n ^ (zlib[at + 3] | zlib[at + 4] << 8), 0xFFFFu);
    raw.insert(raw.end(), zlib.begin() + at + 5, zlib.begin() + at + 5 + n);
    at += 5 + n;
  }
  uint32_t a = 1, b = 0;
  for (unsigned char byte : raw) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  EXPECT_EQ(bigEndian(zlib, at), (b << 16) | a) << "Adler-32";
  return raw;
}

/// Decodes an 8-bit RGB PNG (deflated with zlib, or stored blocks where
/// LLVM has no zlib); fails the test on anything else or any checksum
/// error.
Image decode(const std::vector<unsigned char> &png) {
  Image image;
  const unsigned char signature[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  EXPECT_TRUE(png.size() > 8 && std::equal(signature, signature + 8, png.begin()));
  std::vector<unsigned char> zlib;
  bool ended = false;
  for (size_t at = 8; at + 12 <= png.size();) {
    uint32_t length = bigEndian(png, at);
    std::string type(png.begin() + at + 4, png.begin() + at + 8);
    EXPECT_LE(at + 12 + length, png.size());
    EXPECT_EQ(crc32(png.data() + at + 4, length + 4), bigEndian(png, at + 8 + length)) << type;
    const unsigned char *data = png.data() + at + 8;
    if (type == "IHDR") {
      image.width = bigEndian(png, at + 8);
      image.height = bigEndian(png, at + 12);
      EXPECT_EQ(std::vector<unsigned char>(data + 8, data + 13),
                (std::vector<unsigned char>{8, 2, 0, 0, 0}));
    } else if (type == "IDAT") {
      zlib.insert(zlib.end(), data, data + length);
    } else if (type == "IEND") {
      ended = true;
    }
    at += 12 + length;
  }
  EXPECT_TRUE(ended);
  EXPECT_GE(zlib.size(), 6u);
  EXPECT_EQ((zlib[0] * 256 + zlib[1]) % 31, 0) << "zlib header check";
  size_t row = image.width * 3;
  std::vector<unsigned char> raw;
  if (llvm::compression::zlib::isAvailable()) {
    // zlib checks the stream's Adler-32 itself.
    llvm::SmallVector<uint8_t, 0> inflated;
    llvm::Error error = llvm::compression::zlib::decompress(
        zlib, inflated, static_cast<size_t>(image.height) * (row + 1));
    EXPECT_FALSE(static_cast<bool>(error)) << llvm::toString(std::move(error));
    raw.assign(inflated.begin(), inflated.end());
  } else {
    raw = storedBlocks(zlib);
  }
  EXPECT_EQ(raw.size(), image.height * (row + 1));
  for (uint32_t y = 0; y < image.height && (y + 1) * (row + 1) <= raw.size(); ++y) {
    EXPECT_EQ(raw[y * (row + 1)], 0) << "filter of row " << y;
    image.rgb.insert(image.rgb.end(), raw.begin() + y * (row + 1) + 1,
                     raw.begin() + (y + 1) * (row + 1));
  }
  return image;
}

std::vector<unsigned char> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<unsigned char>(std::istreambuf_iterator<char>(in), {});
}

TEST(PlotTest, WritesADecodablePngWithTheSeries) {
  std::string path = testing::TempDir() + "mmrec-plot-test.png";
  std::vector<Series> series = {
      {"assoc_scan_exp", {{1024, 0.12}, {4096, 0.35}, {32768, 0.43}}},
      {"linear_recurrence", {{1024, 0.22}, {32768, 0.48}}},
  };
  writePlot(path, "fraction of copy bandwidth, test", "sequence length T", series, 0.85, 640,
            400);
  Image image = decode(readFile(path));
  ASSERT_EQ(image.width, 640u);
  ASSERT_EQ(image.height, 400u);
  ASSERT_EQ(image.rgb.size(), 640u * 400 * 3);
  // White background, black axes and text, each series in its color.
  EXPECT_EQ(image.rgb[0], 255);
  EXPECT_TRUE(image.has(0, 0, 0));
  EXPECT_TRUE(image.has(31, 119, 180));
  EXPECT_TRUE(image.has(255, 127, 14));
  EXPECT_FALSE(image.has(44, 160, 44)) << "no third series";
  std::remove(path.c_str());
}

TEST(PlotTest, LargeImagesSpanSeveralDeflateBlocks) {
  std::vector<unsigned char> rgb(300 * 200 * 3);
  for (size_t i = 0; i < rgb.size(); ++i)
    rgb[i] = static_cast<unsigned char>(i * 7);
  Image image = decode(encodePng(rgb, 300, 200));
  EXPECT_EQ(image.rgb, rgb);
}

TEST(PlotTest, AnUnwritablePathIsAnError) {
  EXPECT_THROW(writePlot("/nonexistent-dir/plot.png", "t", "x", {}, 0), Error);
}

} // namespace
