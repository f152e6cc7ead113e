// The argument checks of `tilecc translate --emit=torch` ops, run on the host without a GPU: the
// translated softmax and torch_scalars (included: TILECC_SOFTMAX, TILECC_SCALARS) on the
// stand-in PyTorch API of torch_api/, whose tensors are shapes without data. Each bad call must
// raise an error naming the op, the argument and what was expected, before anything launches;
// a failed TILECC_CHECK is raised with its text. Exit 0: every message as expected.
#include TILECC_SOFTMAX
#include TILECC_SCALARS

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace {

int failures = 0;

void expect(const char* what, const std::function<void()>& call, const std::vector<std::string>& fragments) {
  std::string message = "(no error)";
  try {
    call();
  } catch (const std::exception& e) {
    message = e.what();
  }
  for (const std::string& f : fragments)
    if (message.find(f) == std::string::npos) {
      std::printf("FAIL %s: expected \"%s\" in: %s\n", what, f.c_str(), message.c_str());
      ++failures;
      return;
    }
  std::printf("ok   %s: %s\n", what, message.c_str());
}

}  // namespace

int main() {
  using at::Tensor;
  const Tensor x(at::kFloat, {8, 16}), out(at::kFloat, {8, 16});
  Tensor o = out;
  expect("a float16 input", [&] { tilecc_op_softmax(Tensor(at::kHalf, {8, 16}), o); },
         {"tilecc.softmax: 'x' must be Float or BFloat16, got Half"});
  Tensor bf_out(at::kBFloat16, {8, 16});
  expect("dtypes that disagree", [&] { tilecc_op_softmax(x, bf_out); },
         {"tilecc.softmax: 'out' must be Float (as 'x' is Float), got BFloat16"});
  expect("a CPU tensor", [&] { tilecc_op_softmax(Tensor(at::kFloat, {8, 16}, {false, 0}), o); },
         {"tilecc.softmax: 'x' must be a CUDA tensor, got one on cpu"});
  Tensor other_device(at::kFloat, {8, 16}, {true, 1});
  expect("another device", [&] { tilecc_op_softmax(x, other_device); },
         {"'out' must be on cuda:0 as 'x' is, got cuda:1"});
  expect("a rank-3 tensor", [&] { tilecc_op_softmax(Tensor(at::kFloat, {1, 8, 16}), o); },
         {"'x' must have 2 dimensions, got 3 (sizes [1, 8, 16])"});
  Tensor broadcast(at::kFloat, {8, 16}, {}, {0, 1});
  expect("a broadcast output", [&] { tilecc_op_softmax(x, broadcast); },
         {"output 'out' is a broadcast view (stride 0 in dimension 0)"});
  Tensor narrow(at::kFloat, {8, 15});
  expect("a failed TILECC_CHECK", [&] { tilecc_op_softmax(x, narrow); },
         {"tilecc.softmax: TILECC_CHECK(out.size(0) == m && out.size(1) == n) failed; kernel not launched"});
  const Tensor xb(at::kBFloat16, {9}), outb(at::kBFloat16, {9});
  Tensor ob = outb;
  expect("an int beyond int32", [&] { tilecc_op_scale_shift(xb, 1.0, 0.0, std::int64_t(1) << 40, false, ob); },
         {"'repeat' = 1099511627776 does not fit the kernel's 32-bit integer parameter"});
  expect("a failed check on scalars", [&] { tilecc_op_scale_shift(xb, 1.0, 0.0, 0, true, ob); },
         {"TILECC_CHECK(", "repeat >= 1"});
  if (failures) std::printf("%d failed\n", failures);
  return failures ? 1 : 0;
}
