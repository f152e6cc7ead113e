#include "dot_rules.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "templates/tilecc/sizing.hpp"

namespace tilecc::passes::dot_rules {

bool pipeline_shape(std::int64_t r, std::int64_t c, std::int64_t bk, int threads, ir::DType acc, ir::DType operand) {
  return pipelined_types(acc, operand) && sizing::pipeline_shape(r, bk, c, threads);
}

std::int64_t mma_loop_bytes(std::int64_t r, std::int64_t c, std::int64_t bk) {
  return sizing::dot_loop_mma_bytes(r, bk, c);
}

std::int64_t mma_k_step(std::int64_t r, std::int64_t c, std::int64_t bk) { return sizing::mma_k_step(r, bk, c); }

std::int64_t fragment_dot_bytes(ir::DType acc, ir::DType a, ir::DType b, std::int64_t r, std::int64_t k,
                                std::int64_t c) {
  if (a == b && mma_types(acc, a, k) && r % 16 == 0 && c % 8 == 0) return sizing::dot_mma_bytes(r, k, c);
  return sizing::dot_simt_bytes(acc == ir::DType::f64 ? 8 : 4, r, k, c);
}

std::int64_t simt_bytes(std::int64_t size, std::int64_t r, std::int64_t k, std::int64_t c) {
  return sizing::dot_simt_bytes(size, r, k, c);
}

std::int64_t simt_k_step(std::int64_t size, std::int64_t r, std::int64_t bk, std::int64_t c) {
  return sizing::simt_k_step(size, r, bk, c);
}

std::string wgmma_problem(const std::string& arch, int threads, std::int64_t r, std::int64_t c, std::int64_t bk,
                          int stages, std::int64_t limit) {
  if (arch != "sm_90a") return fmt::format("needs --arch sm_90a (this is {})", arch);
  if (bk != sizing::wgmma_bk) return fmt::format("needs a k block of {} (it is {})", sizing::wgmma_bk, bk);
  const std::int64_t groups = sizing::wgmma_groups(threads);
  if (groups == 0 || r % (64 * groups))
    return fmt::format("needs num_warps a multiple of 4 whose warpgroups split the {} rows in m64 tiles", r);
  if (!sizing::wgmma_grid_ok(r, c, threads))
    return fmt::format(
        "needs 1 or 2 m64 tiles per warpgroup ({} here) and a column block of 64, 128 or 256 with "
        "at most 128 accumulators per thread",
        sizing::wgmma_m_tiles(r, threads));
  const std::int64_t stage = sizing::wgmma_stage_bytes(r, c), fit = (limit - 1024) / stage;
  const std::int64_t n = stages ? stages : std::min<std::int64_t>(fit, 4);
  if (n > fit || n < 2)
    return fmt::format("needs {} stages of {} bytes; {} fit in {} bytes of shared memory", std::max<std::int64_t>(n, 2),
                       stage, fit, limit);
  return "";
}

std::int64_t wgmma_bytes(std::int64_t r, std::int64_t c, int stages, std::int64_t limit) {
  return sizing::wgmma_bytes(r, c, stages, limit);
}

Staging dot_loop_staging(std::int64_t r, std::int64_t c, std::int64_t bk, int threads, ir::DType acc, ir::DType operand,
                         int stages, bool products_only, std::int64_t pipe_limit) {
  Staging s;
  // dot_loop_store walks dot_loop_mma's staging in k steps that fit (mma_k_step).
  const std::int64_t k = products_only ? mma_k_step(r, c, bk) : bk;
  s.mma = mma_types(acc, operand, k) && r % 16 == 0 && bk % 16 == 0 && c % 8 == 0;
  if (!s.mma) return s;
  s.bytes = mma_loop_bytes(r, c, k);
  s.stage_bytes = sizing::pipeline_stage_bytes(r, bk, c);
  s.fit = std::min<std::int64_t>(4, pipe_limit / s.stage_bytes);
  s.pipeline = pipeline_shape(r, c, bk, threads, acc, operand) && s.fit >= 2;
  if (s.pipeline) s.bytes = std::max(s.bytes, (stages && stages <= s.fit ? stages : s.fit) * s.stage_bytes);
  return s;
}

}  // namespace tilecc::passes::dot_rules
