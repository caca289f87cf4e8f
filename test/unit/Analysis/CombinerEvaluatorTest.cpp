//===- CombinerEvaluatorTest.cpp - tests of the region interpreter --------===//
//
// The interpreter behind -mmrec-check-combiners, on regions parsed from IR:
// integer widths wrap, domains are respected, unknown ops are named.
//
//===----------------------------------------------------------------------===//

#include "mmrec/Analysis/CombinerEvaluator.h"
#include "mmrec/Dialect/Mmrec/MmrecOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mlir;
using namespace mmrec;

namespace {

class CombinerEvaluatorTest : public ::testing::Test {
protected:
  CombinerEvaluatorTest() {
    context.loadDialect<MmrecDialect, arith::ArithDialect, math::MathDialect>();
  }

  /// Parses a kernel holding one scan of `elementType` with this combiner body
  /// (arguments %l, %r) and returns the combiner region.
  Region &parseCombiner(StringRef elementType, StringRef body) {
    std::string source =
        ("mmrec.kernel @k(%m: memref<?x" + elementType + ">) {\n" +
         "  %x = mmrec.load %m : memref<?x" + elementType + ">\n" +
         "  %y = mmrec.scan %x axis = 0 : tensor<?x" + elementType + "> {\n" +
         "  ^bb0(%l: " + elementType + ", %r: " + elementType + "):\n" + body + "\n  }\n}\n")
            .str();
    module = parseSourceString<ModuleOp>(source, &context);
    EXPECT_TRUE(module) << source;
    ScanOp scan;
    module->walk([&](ScanOp op) { scan = op; });
    return scan.getCombiner();
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

TEST(ScalarTest, IntegersWrapAtTheirWidth) {
  Scalar s = Scalar::ofInt(200, 8);
  EXPECT_EQ(s.i, -56);
  EXPECT_EQ(s.unsignedValue(), 200u);
  EXPECT_EQ(Scalar::ofInt(1, 1).i, -1);
  EXPECT_EQ(Scalar::ofInt(1, 1).str(), "true");
  EXPECT_EQ(Scalar::ofInt(-7, 64).str(), "-7");
  EXPECT_EQ(Scalar::ofFloat(0.5).str(), "0.5");
}

TEST_F(CombinerEvaluatorTest, EvaluatesFloatArithmetic) {
  Region &region = parseCombiner("f32", R"(
    %s = arith.addf %l, %r : f32
    %e = math.exp %s : f32
    mmrec.yield %e : f32)");
  RegionEvaluator evaluator(region);
  ASSERT_EQ(evaluator.findUnsupportedOp(), nullptr);
  FailureOr<SmallVector<Scalar>> out =
      evaluator.evaluate({Scalar::ofFloat(0.25), Scalar::ofFloat(0.5)});
  ASSERT_TRUE(succeeded(out));
  ASSERT_EQ(out->size(), 1u);
  EXPECT_DOUBLE_EQ((*out)[0].f, std::exp(0.75));
}

TEST_F(CombinerEvaluatorTest, KeepsOperandOrder) {
  Region &region = parseCombiner("f64", R"(
    %d = arith.subf %l, %r : f64
    mmrec.yield %d : f64)");
  FailureOr<SmallVector<Scalar>> out =
      RegionEvaluator(region).evaluate({Scalar::ofFloat(5.0), Scalar::ofFloat(3.0)});
  ASSERT_TRUE(succeeded(out));
  EXPECT_EQ((*out)[0].f, 2.0);
}

TEST_F(CombinerEvaluatorTest, WrapsIntegerArithmetic) {
  Region &region = parseCombiner("i8", R"(
    %s = arith.addi %l, %r : i8
    %m = arith.maxui %s, %l : i8
    mmrec.yield %m : i8)");
  FailureOr<SmallVector<Scalar>> out =
      RegionEvaluator(region).evaluate({Scalar::ofInt(100, 8), Scalar::ofInt(100, 8)});
  ASSERT_TRUE(succeeded(out));
  // 100 + 100 wraps to -56, which is 200 unsigned: larger than 100.
  EXPECT_EQ((*out)[0].i, -56);
}

TEST_F(CombinerEvaluatorTest, DivisionByZeroLeavesTheDomain) {
  Region &region = parseCombiner("i32", R"(
    %q = arith.divsi %l, %r : i32
    mmrec.yield %q : i32)");
  RegionEvaluator evaluator(region);
  EXPECT_TRUE(failed(evaluator.evaluate({Scalar::ofInt(7, 32), Scalar::ofInt(0, 32)})));
  FailureOr<SmallVector<Scalar>> out =
      evaluator.evaluate({Scalar::ofInt(-7, 32), Scalar::ofInt(2, 32)});
  ASSERT_TRUE(succeeded(out));
  EXPECT_EQ((*out)[0].i, -3);
}

TEST_F(CombinerEvaluatorTest, UnorderedComparisonsSeeNaN) {
  Region &region = parseCombiner("f32", R"(
    %u = arith.cmpf ult, %l, %r : f32
    %z = arith.constant 0.0 : f32
    %o = arith.constant 1.0 : f32
    %s = arith.select %u, %o, %z : f32
    mmrec.yield %s : f32)");
  RegionEvaluator evaluator(region);
  FailureOr<SmallVector<Scalar>> nan =
      evaluator.evaluate({Scalar::ofFloat(NAN), Scalar::ofFloat(1.0)});
  FailureOr<SmallVector<Scalar>> greater =
      evaluator.evaluate({Scalar::ofFloat(2.0), Scalar::ofFloat(1.0)});
  ASSERT_TRUE(succeeded(nan) && succeeded(greater));
  EXPECT_EQ((*nan)[0].f, 1.0);
  EXPECT_EQ((*greater)[0].f, 0.0);
}

TEST_F(CombinerEvaluatorTest, NamesTheFirstUnknownOp) {
  Region &region = parseCombiner("f32", R"(
    %s = arith.addf %l, %r : f32
    %c = math.cbrt %s : f32
    %t = math.tan %c : f32
    mmrec.yield %t : f32)");
  Operation *unknown = RegionEvaluator(region).findUnsupportedOp();
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->getName().getStringRef(), "math.cbrt");
}

} // namespace
