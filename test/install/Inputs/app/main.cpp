// JIT-compiles a scan built with the C++ DSL (a lambda combiner), runs it on
// the CPU and checks it against a plain loop.
#include <mmrec/Context.h>
#include <mmrec/KernelBuilder.h>

#include <cmath>
#include <cstdio>
#include <vector>

int main() {
  using namespace mmrec;
  dsl::KernelBuilder k("ema");
  dsl::Argument a = k.argument("a", DType::F32, 2), x = k.argument("x", DType::F32, 2);
  dsl::Argument y = k.argument("y", DType::F32, 2);
  // An exponential moving average as the linear recurrence y = a*y + x:
  // pairs (a, x) with (a1, x1) . (a2, x2) = (a1 a2, a2 x1 + x2).
  auto out = k.scan({k.load(a), k.load(x)}, 1, [](const dsl::Scalars &l, const dsl::Scalars &r) {
    return dsl::Scalars{l[0] * r[0], r[0] * l[1] + r[1]};
  });
  k.store(out[1], y);

  Context context;
  Kernel kernel = context.compile(k.build(), "ema");
  const int64_t rows = 3, T = 1000;
  std::vector<float> av(rows * T, 0.9f), xv(rows * T), yv(rows * T);
  for (int64_t i = 0; i < rows * T; ++i)
    xv[i] = std::sin(0.01f * i);
  kernel.launch({TensorView::contiguous(av.data(), DType::F32, {rows, T}),
                 TensorView::contiguous(xv.data(), DType::F32, {rows, T}),
                 TensorView::contiguous(yv.data(), DType::F32, {rows, T})});
  double worst = 0;
  for (int64_t r = 0; r < rows; ++r) {
    double state = 0;
    for (int64_t t = 0; t < T; ++t) {
      state = 0.9 * state + xv[r * T + t];
      worst = std::fmax(worst, std::fabs(state - yv[r * T + t]));
    }
  }
  std::printf("%s: max abs error %.2e on %s\n", worst < 1e-4 ? "ok" : "FAILED", worst,
              nameOf(context.device()));
  return worst < 1e-4 ? 0 : 1;
}
