//===- CasesTest.cpp - what mmrec-bench measures on a GPU -----------------===//

#include "Cases.h"

#include <gtest/gtest.h>

namespace mmrec::bench {
namespace {

std::vector<std::string> describe(const std::vector<Case> &cases) {
  std::vector<std::string> text;
  for (const Case &c : cases)
    text.push_back(c.kernel + " " + shapeText(c.shape) + (c.hasTarget() ? " target" : ""));
  return text;
}

TEST(Cases, ShapesParseAsTheTablePrintsThem) {
  EXPECT_EQ(parseShape("2x8x32768x128"), (std::vector<int64_t>{2, 8, 32768, 128}));
  EXPECT_EQ(parseShape("7"), (std::vector<int64_t>{7}));
  for (const char *bad :
       {"", "x", "2x", "x2", "2xx8", "2x0", "2x-8", "2x8.5", "2X8", " 2x8", "1234567890123x2"})
    EXPECT_FALSE(parseShape(bad)) << bad;
}

/// No filters: every target. A selected kernel's target shape only
/// filters (written with leading zeros too); another shape is measured for
/// each selected kernel of its rank, once however often it is given.
TEST(Cases, ShapesSelectTargetsAndAddOthers) {
  EXPECT_EQ(selectedCases({}, {}, false).size(), issueCases(false).size());
  EXPECT_EQ(describe(selectedCases({"assoc_scan_exp", "linear_recurrence_rows"},
                                   {"2x8x32768x128", "02x8x32768x128"}, false)),
            (std::vector<std::string>{"assoc_scan_exp 2x8x32768x128 target"}));
  EXPECT_EQ(describe(selectedCases({}, {"2x8x1024x128"}, false)),
            (std::vector<std::string>{"assoc_scan_exp 2x8x1024x128 target",
                                      "linear_recurrence 2x8x1024x128 target"}));
  EXPECT_EQ(
      describe(selectedCases({"assoc_scan_exp", "linear_recurrence_rows"},
                             {"4x8x512x128", "2x8x32768x128", "4x8x512x128"}, false)),
      (std::vector<std::string>{"assoc_scan_exp 2x8x32768x128 target", "assoc_scan_exp 4x8x512x128",
                                "linear_recurrence_rows 4x8x512x128"}));
  std::vector<Case> aggregate = selectedCases({"chunk_aggregate"}, {"1x4096x256"}, false);
  ASSERT_EQ(aggregate.size(), 1u);
  EXPECT_EQ(aggregate[0].dtype, DType::BF16);
  EXPECT_EQ(aggregate[0].minFraction, 0);
  EXPECT_EQ(aggregate[0].maxMicros, 0);
}

/// --dtype: every case in it; a target keeps its goal only in its own dtype.
TEST(Cases, DtypeAppliesToEveryCase) {
  std::vector<Case> f32 = selectedCases({"decayed_sum", "assoc_scan_exp"},
                                        {"2x1024x64x64", "2x8x1024x128"}, false, DType::F32);
  EXPECT_EQ(describe(f32), (std::vector<std::string>{"assoc_scan_exp 2x8x1024x128",
                                                     "decayed_sum 2x1024x64x64 target"}));
  for (const Case &c : f32)
    EXPECT_EQ(c.dtype, DType::F32) << c.kernel;
  EXPECT_EQ(describe(selectedCases({"chunk_aggregate"}, {}, false, DType::BF16)),
            (std::vector<std::string>{"chunk_aggregate 2x32768x4096 target"}));
}

TEST(Cases, ShapesNoSelectedKernelTakesAreErrors) {
  try {
    selectedCases({"assoc_scan_exp"}, {"2x32768x4096"}, false);
    FAIL() << "a shape of rank 3 for assoc_scan_exp";
  } catch (const Error &error) {
    EXPECT_STREQ(error.what(),
                 "--shapes: no selected kernel takes a shape of rank 3 ('2x32768x4096')");
  }
  EXPECT_THROW(selectedCases({}, {"2x8xab"}, false), Error);
}

} // namespace
} // namespace mmrec::bench
