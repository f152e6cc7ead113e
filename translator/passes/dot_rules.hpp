// What the device library's dot k-loops can run, as the host must know it to choose among
// them: the cp.async pipeline's block shapes, the wgmma pipeline's grid and stages, and the
// shared memory each path stages in. The formulas are the device library's own
// (templates/tilecc/sizing.hpp, which dot.cuh, dot_pipeline.cuh and dot_wgmma.cuh include);
// this adds the element-type rules and the reasons a config is refused.
#pragma once

#include <cstdint>
#include <string>

#include "translator/ir/ir.hpp"

namespace tilecc::passes::dot_rules {

/// f16/bf16 operands into f32: the types the tensor-core pipelines take.
inline bool pipelined_types(ir::DType acc, ir::DType operand) {
  return acc == ir::DType::f32 && (operand == ir::DType::bf16 || operand == ir::DType::f16);
}

inline bool is_fp8(ir::DType t) { return t == ir::DType::fp8e4m3 || t == ir::DType::fp8e5m2; }

/// The operands run on mma.sync into f32 with a k step of k: f16/bf16 (k % 16 == 0), or fp8
/// (k % 32 == 0: m16n8k32 on sm_89+, staged as bf16 before; the device library's dot_mma_eligible).
inline bool mma_types(ir::DType acc, ir::DType operand, std::int64_t k) {
  if (acc != ir::DType::f32) return false;
  if (operand == ir::DType::bf16 || operand == ir::DType::f16) return k % 16 == 0;
  return is_fp8(operand) && k % 32 == 0;
}

/// The dot k-loop can take the cp.async pipeline (shared memory aside): a block of multiples
/// of 64, a k block of multiples of 32, warps in 16k x 16k tiles of at most 128 accumulators.
bool pipeline_shape(std::int64_t r, std::int64_t c, std::int64_t bk, int threads, ir::DType acc, ir::DType operand);

/// Shared bytes of dot_loop_mma: its operand stages or the products' rounds, whichever is larger.
std::int64_t mma_loop_bytes(std::int64_t r, std::int64_t c, std::int64_t bk);
/// dot_loop_store's k step for dot_loop_mma: bk halved while it does not fit in 48 KB.
std::int64_t mma_k_step(std::int64_t r, std::int64_t c, std::int64_t bk);

/// Shared bytes of one dot of fragments (dot.cuh's dot: mma.sync staging for f16/bf16 operands
/// into f32 in multiples of 16 x 16 x 8, else dot_simt's staging in the accumulator's type).
std::int64_t fragment_dot_bytes(ir::DType acc, ir::DType a, ir::DType b, std::int64_t r, std::int64_t k,
                                std::int64_t c);

/// Shared bytes dot_simt stages for an r x k by k x c product accumulating in size-byte floats.
std::int64_t simt_bytes(std::int64_t size, std::int64_t r, std::int64_t k, std::int64_t c);
/// The k step of dot_loop's general path: bk halved until its SIMT staging fits in 48 KB.
std::int64_t simt_k_step(std::int64_t size, std::int64_t r, std::int64_t bk, std::int64_t c);

/// Why the wgmma pipeline cannot run an r x c x bk dot ("" when it can).
std::string wgmma_problem(const std::string& arch, int threads, std::int64_t r, std::int64_t c, std::int64_t bk,
                          int stages, std::int64_t limit);
/// Dynamic shared bytes of the wgmma pipeline.
std::int64_t wgmma_bytes(std::int64_t r, std::int64_t c, int stages, std::int64_t limit);

/// What a dot_loop of an r x c accumulator over k blocks of bk stages in shared memory.
struct Staging {
  std::int64_t bytes = 0;       // shared bytes the call needs
  bool mma = false;             // the tensor-core path (else SIMT)
  bool pipeline = false;        // the cp.async pipeline
  std::int64_t fit = 0;         // pipeline stages that fit (mma path)
  std::int64_t stage_bytes = 0; // bytes of one pipeline stage (mma path)
};
/// products_only: dot_loop_store, which walks dot_loop_mma in mma_k_step steps.
/// pipe_limit: the shared bytes the pipeline's stages may take.
Staging dot_loop_staging(std::int64_t r, std::int64_t c, std::int64_t bk, int threads, ir::DType acc, ir::DType operand,
                         int stages, bool products_only, std::int64_t pipe_limit);

/// The arch's most dynamic shared memory per block (bytes).
inline std::int64_t arch_shared_limit(const std::string& arch) { return (arch == "sm_80" ? 163 : 227) * 1024; }

}  // namespace tilecc::passes::dot_rules
