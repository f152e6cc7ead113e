#include "dot_rules.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tilecc::passes::dot_rules {

bool pipeline_shape(std::int64_t r, std::int64_t c, std::int64_t bk, int threads, ir::DType acc, ir::DType operand) {
  const std::int64_t warps = threads / 32;
  if (!pipelined_types(acc, operand) || r % 64 || c % 64 || bk % 32) return false;
  for (std::int64_t wm = 1; wm <= warps; wm *= 2) {
    const std::int64_t wn = warps / wm;
    if (wm * wn != warps || r % wm || c % wn) continue;
    const std::int64_t tm = r / wm, tn = c / wn;
    if (tm % 16 == 0 && tn % 16 == 0 && tm * tn / 32 <= 128) return true;
  }
  return false;
}

std::int64_t mma_loop_bytes(std::int64_t r, std::int64_t c, std::int64_t bk) {
  const std::int64_t limit = 48 * 1024, stage_elems = r * (bk + 8) + bk * (c + 8);
  const std::int64_t stage_bytes = (2 * stage_elems * 2 <= limit ? 2 : 1) * stage_elems * 2;
  const std::int64_t budget = std::max(stage_bytes, 16 * (c + 4) * 4);
  std::int64_t rows = r;
  while (rows > 16 && rows * (c + 4) * 4 > budget) rows /= 2;
  return std::max(stage_bytes, rows * (c + 4) * 4);
}

std::int64_t mma_k_step(std::int64_t r, std::int64_t c, std::int64_t bk) {
  while (bk > 16 && bk % 32 == 0 && mma_loop_bytes(r, c, bk) > 48 * 1024) bk /= 2;
  return bk;
}

std::int64_t simt_bytes(std::int64_t size, std::int64_t r, std::int64_t k, std::int64_t c) {
  const std::int64_t a_elems = (r * (k + 1) + (16 / size) - 1) / (16 / size) * (16 / size);
  return (a_elems + k * ((c + 3) / 4 * 4 + 4)) * size;
}

std::int64_t simt_k_step(std::int64_t size, std::int64_t r, std::int64_t bk, std::int64_t c) {
  while (bk > 1 && simt_bytes(size, r, bk, c) > 48 * 1024) bk /= 2;
  return bk;
}

std::string wgmma_problem(const std::string& arch, int threads, std::int64_t r, std::int64_t c, std::int64_t bk,
                          int stages, std::int64_t limit) {
  if (arch != "sm_90a") return fmt::format("needs --arch sm_90a (this is {})", arch);
  if (bk != 64) return fmt::format("needs a k block of 64 (it is {})", bk);
  const std::int64_t groups = threads / 128;
  if (threads % 128 || groups == 0 || r % (64 * groups))
    return fmt::format("needs num_warps a multiple of 4 whose warpgroups split the {} rows in m64 tiles", r);
  const std::int64_t msub = r / (64 * groups);
  if (msub > 2 || (c != 64 && c != 128 && c != 256) || msub * c / 2 > 128)
    return fmt::format("needs 1 or 2 m64 tiles per warpgroup ({} here) and a column block of 64, 128 or 256 with "
                       "at most 128 accumulators per thread",
                       msub);
  const std::int64_t stage = (r + c) * 64 * 2, fit = (limit - 1024) / stage;
  const std::int64_t n = stages ? stages : std::min<std::int64_t>(fit, 4);
  if (n > fit || n < 2)
    return fmt::format("needs {} stages of {} bytes; {} fit in {} bytes of shared memory",
                       std::max<std::int64_t>(n, 2), stage, fit, limit);
  return "";
}

std::int64_t wgmma_bytes(std::int64_t r, std::int64_t c, int stages, std::int64_t limit) {
  const std::int64_t stage = (r + c) * 64 * 2;
  return (stages ? stages : std::min<std::int64_t>((limit - 1024) / stage, 4)) * stage + 1024;
}

Staging dot_loop_staging(std::int64_t r, std::int64_t c, std::int64_t bk, int threads, ir::DType acc,
                         ir::DType operand, int stages, bool products_only, std::int64_t pipe_limit) {
  Staging s;
  const bool lowp = operand == ir::DType::bf16 || operand == ir::DType::f16;
  s.mma = acc == ir::DType::f32 && lowp && r % 16 == 0 && bk % 16 == 0 && c % 8 == 0;
  if (!s.mma) return s;
  // dot_loop_store walks dot_loop_mma's staging in k steps that fit (mma_k_step).
  s.bytes = mma_loop_bytes(r, c, products_only ? mma_k_step(r, c, bk) : bk);
  s.stage_bytes = (r * bk + bk * c) * 2;
  s.fit = std::min<std::int64_t>(4, pipe_limit / s.stage_bytes);
  s.pipeline = pipeline_shape(r, c, bk, threads, acc, operand) && s.fit >= 2;
  if (s.pipeline) s.bytes = std::max(s.bytes, (stages && stages <= s.fit ? stages : s.fit) * s.stage_bytes);
  return s;
}

}  // namespace tilecc::passes::dot_rules
