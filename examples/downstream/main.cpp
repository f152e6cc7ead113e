// Runs axpy.tile.cpp eagerly on the CPU and checks it against a plain loop.
#include <cmath>
#include <cstdio>
#include <vector>

#include "axpy.tile.cpp"

int main() {
  const int n = 1000;  // not a multiple of any block size
  std::vector<float> x(n), y(n), out(n);
  for (int i = 0; i < n; ++i) {
    x[i] = 0.5f * float(i);
    y[i] = float(n - i);
  }
  const float alpha = 2.0f;
  axpy(alpha, tl::Tensor<const float, 1>(x.data(), {n}), tl::Tensor<const float, 1>(y.data(), {n}),
       tl::Tensor<float, 1>(out.data(), {n}));
  int wrong = 0;
  for (int i = 0; i < n; ++i) wrong += std::fabs(out[i] - (alpha * x[i] + y[i] + AXPY_BIAS)) > 1e-4f;
  std::printf("axpy eager: n=%d, out[0]=%g, out[%d]=%g, %d wrong\n", n, double(out[0]), n - 1,
              double(out[n - 1]), wrong);
  return wrong == 0 ? 0 : 1;
}
