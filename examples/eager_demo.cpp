// Runs examples/softmax.tile.cpp eagerly (on the CPU) on a 4x8 bf16 matrix and
// prints the input, the output and each output row's sum (1 up to bf16 rounding).
#include <cstdio>
#include <vector>

#include "softmax.tile.cpp"

namespace {
void print_rows(const char* title, const std::vector<tl::bf16>& v, int rows, int cols) {
  std::printf("%s\n", title);
  for (int i = 0; i < rows; ++i) {
    std::printf("  [");
    for (int j = 0; j < cols; ++j) std::printf("%s%7.4f", j ? ", " : "", float(v[static_cast<std::size_t>(i * cols + j)]));
    std::printf("]\n");
  }
}
}  // namespace

int main() {
  constexpr int m = 4, n = 8;
  std::vector<tl::bf16> x(m * n), out(m * n);
  for (int j = 0; j < n; ++j) {
    x[0 * n + j] = 0.25f * float(j);                        // a ramp
    x[1 * n + j] = 1.0f;                                    // constant: uniform output
    x[2 * n + j] = j == 5 ? 4.0f : 0.0f;                    // one large logit
    x[3 * n + j] = (j % 2 ? -0.5f : 0.5f) * float(j);       // alternating signs
  }

  softmax<tl::bf16>(tl::Tensor<const tl::bf16, 2>(x.data(), {m, n}), tl::Tensor<tl::bf16, 2>(out.data(), {m, n}));

  print_rows("softmax input x (bf16, 4x8):", x, m, n);
  print_rows("softmax(x) along each row (bf16):", out, m, n);
  std::printf("row sums of the output:\n ");
  for (int i = 0; i < m; ++i) {
    float s = 0;
    for (int j = 0; j < n; ++j) s += float(out[static_cast<std::size_t>(i * n + j)]);
    std::printf(" %.4f", s);
  }
  std::printf("\n");
  return 0;
}
