#include "resources.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "dot_rules.hpp"
#include "templates/tilecc/sizing.hpp"
#include "translator/ir/layout.hpp"

namespace tilecc::passes {

namespace {

using ir::DType;
using ir::Expr;
using ir::Stmt;

/// Whether n adjacent elements of t move as one 4/8/16-byte access (vector_unit in memory.cuh).
bool vector_access(DType t, std::int64_t n) {
  const std::int64_t bytes = n * ir::size_bytes(t);
  return n >= 2 && (bytes % 16 == 0 || bytes == 8 || bytes == 4);
}

/// Walks the lowered kernel as the printer emits it and adds up what each fragment, stage and
/// library call needs.
class Counter {
 public:
  Counter(const ir::Kernel& k, Resources& r) : k_(k), l_(k.layout), r_(r), threads_(k.layout.threads) {}

  void run() {
    for (const ir::TmaStage& t : k_.tma_stages)
      shared(sizing::tma_stage_bytes(t.rows, t.cols, ir::size_bytes(t.dtype)),
             fmt::format("the TMA stage of the {} ({} x {} {})", t.what, t.rows, t.cols, ir::name(t.dtype)));
    for (const ir::StmtPtr& s : k_.host) stmt(*s);
    body(k_.body);
    if (k_.second_scratch)
      shared(sizing::reduce_scratch_bytes(threads_), "the block reductions' second scratch buffer");
    r_.prefetchable_loads = k_.programs.prefetchable;
  }

 private:
  void body(const std::vector<ir::StmtPtr>& b) {
    for (const ir::StmtPtr& s : b) stmt(*s);
  }

  void stmt(const Stmt& s) {
    switch (s.kind) {
      case Stmt::Kind::Let:
        if (s.deferred) {
          deferred_[s.name] = s.expr.get();
          body(s.body);
        } else {
          expr(s.expr);
        }
        return;
      case Stmt::Kind::Assign:
      case Stmt::Kind::Check: expr(s.expr); return;
      case Stmt::Kind::Store:
      case Stmt::Kind::AtomicAdd: store(s); return;
      case Stmt::Kind::Loop:
        for (const ir::LoopDim& d : s.dims) {
          expr(d.begin);
          expr(d.end);
        }
        if (s.is_dot) return dot_loop(s);
        body(s.body);
        return;
      case Stmt::Kind::DotLoopStore: return dot_loop_store(s);
      case Stmt::Kind::ChunkReduce:
        expr(s.expr->args[0]);
        reduction_scratch();
        frag(s.expr->dtype, ir::physical(l_, s.expr->shape));
        return;
      case Stmt::Kind::ChunkLoop: body(s.body); return;
    }
  }

  void store(const Stmt& s) {
    for (const ir::Index& i : s.indices) expr(i.expr);
    expr(s.expr);
    if (s.kind != Stmt::Kind::Store || s.access.site < 0) return;
    std::vector<ir::Dim> shape;
    for (std::size_t d = 0; d < s.indices.size(); ++d) {
      const ir::Index& i = s.indices[d];
      if (i.kind == ir::Index::Kind::Tile) shape.push_back({ir::Dim::Kind::Tile, i.var, 0, nullptr});
      if (i.kind == ir::Index::Kind::All) shape.push_back({ir::Dim::Kind::Full, s.name, static_cast<int>(d), nullptr});
    }
    if (shape.empty()) return;
    site(r_.store_rows_only, k_.store_sites, s.access, param_dtype(s.name), ir::physical(l_, shape).second, "store",
         s.name);
  }

  void expr(const ir::ExprPtr& p) {
    if (p) node(*p);
  }

  void node(const Expr& e) {
    if (e.kind == Expr::Kind::Reduce && e.chunked >= 0) return;  // computed by its ChunkReduce
    if (e.kind == Expr::Kind::Var) {
      if (const auto it = deferred_.find(e.name); it != deferred_.end()) {
        const Expr* d = it->second;
        deferred_.erase(it);  // each deferred row is counted once
        node(*d);
      }
      return;
    }
    if (e.kind == Expr::Kind::Cast && e.packed_widen) {  // the load stays packed: no Frag of it
      const Expr& load = *e.args[0];
      for (const ir::Index& i : load.indices) expr(i.expr);
      load_site(load);
      frag(DType::f32, ir::physical(l_, e.shape));
      return;
    }
    for (const ir::ExprPtr& a : e.args) expr(a);
    for (const ir::Index& i : e.indices) expr(i.expr);
    self(e);
  }

  /// The fragment an expression's own result takes (operands counted already).
  void self(const Expr& e) {
    if (e.shape.empty()) {
      if (e.kind == Expr::Kind::Reduce) reduction_scratch();
      return;
    }
    switch (e.kind) {
      case Expr::Kind::Var:
      case Expr::Kind::Unsqueeze:
      case Expr::Kind::Transpose: return;  // views of their operand's fragment
      case Expr::Kind::Load:
        if (e.access.shared) {  // a dot operand: a shared tile (rows padded by 16 bytes), no fragment
          const auto [r, c] = ir::physical(l_, e.shape);
          const std::int64_t bytes = r * (c + 8) * ir::size_bytes(e.dtype);
          if (!shared_sites_.insert(e.access.site).second) return;
          if (e.access.shared_offset >= 0)
            r_.dynamic_shared_bytes =
                std::max(r_.dynamic_shared_bytes, static_cast<int>(e.access.shared_offset + bytes));
          else
            shared(bytes, fmt::format("the shared operand tile of the load of {} at line {}", e.name, e.loc.line));
          return;
        }
        load_site(e);
        break;
      case Expr::Kind::Reduce:
        if (!l_.mma_rows) reduction_scratch();  // MmaRows: rows reduce within a quad, no scratch
        break;
      case Expr::Kind::Dot: {  // its own static staging buffer
        if (l_.mma_rows) break;  // MmaRows: products in the registers, operands in shared tiles
        const auto [r, k] = ir::physical(l_, e.args[0]->shape);
        const std::int64_t c = ir::physical(l_, e.args[1]->shape).second;
        shared(dot_rules::fragment_dot_bytes(e.dtype, e.args[0]->dtype, e.args[1]->dtype, r, k, c),
               fmt::format("the operand staging of the {} x {} x {} dot at line {}", r, k, c, e.loc.line));
        break;
      }
      default: break;
    }
    frag(e.dtype, ir::physical(l_, e.shape));
  }

  void load_site(const Expr& e) {
    if (e.shape.empty() || e.access.site < 0) return;
    site(r_.load_rows_only, k_.load_sites, e.access, e.dtype, ir::physical(l_, e.shape).second, "load", e.name);
  }

  void site(std::vector<bool>& rows_only, int sites, const ir::Access& a, DType t, std::int64_t cols, const char* what,
            const std::string& tensor) {
    rows_only.resize(static_cast<std::size_t>(sites));
    rows_only[static_cast<std::size_t>(a.site)] = cols == 1;
    const std::int64_t n = ir::fragment_vector(l_, cols);
    if (a.vector && cols > 1 && !vector_access(t, n) && r_.vector_conflict.empty())
      r_.vector_conflict = fmt::format(
          "config field '{}_vectors[{}]': a thread holds {} adjacent {} of a row of {} (layout {} x {} threads): no "
          "4/8/16-byte access; set it false",
          what, a.site, n, ir::name(t), tensor, threads_ / l_.threads_per_row, l_.threads_per_row);
  }

  void reduction_scratch() {
    if (scratch_) return;
    scratch_ = true;
    shared(sizing::reduce_scratch_bytes(threads_), "the block reductions' scratch");
  }

  void dot_loop_store(const Stmt& s) {
    const Stmt& init = *s.body[0];
    const Stmt& loop = *s.body[1];
    const Stmt& st = *s.body[2];
    const Expr* product = config::dot_loop_product(loop, true);
    if (st.access.site >= 0) {
      r_.store_from_dot.resize(static_cast<std::size_t>(k_.store_sites));
      r_.store_from_dot[static_cast<std::size_t>(st.access.site)] = true;
    }
    const auto [rows, cols] = ir::physical(l_, init.expr->shape);
    if (s.dot.wgmma) {
      frag(DType::f32, {rows, cols});
      r_.unspillable_registers =
          std::max(r_.unspillable_registers, static_cast<int>(rows * cols / std::max(threads_, 1)));
    } else {
      const std::int64_t limit =
          s.dot.dynamic_bytes ? dot_rules::arch_shared_limit(k_.arch) : sizing::static_shared_limit;
      dot_staging(rows, cols, l_.blocks.at(loop.dims[0].var), DType::f32, product->args[0]->dtype, s.dot.stages, true,
                  limit);
    }
    r_.dynamic_shared_bytes = static_cast<int>(std::max<std::int64_t>(r_.dynamic_shared_bytes, s.dot.dynamic_bytes));
  }

  void dot_loop(const Stmt& s) {
    const Expr* product = config::dot_loop_product(s);
    const Expr& acc = *product->args[2];
    const auto [rows, cols] = ir::physical(l_, acc.shape);
    dot_staging(rows, cols, l_.blocks.at(s.dims[0].var), acc.dtype, product->args[0]->dtype, s.dot.stages, false,
                sizing::static_shared_limit);
  }

  /// Shared memory and registers of dot_loop: which path it takes and what each path stages.
  void dot_staging(std::int64_t r, std::int64_t c, std::int64_t bk, DType acc, DType operand, int stages,
                   bool products_only, std::int64_t pipe_limit) {
    const dot_rules::Staging st =
        dot_rules::dot_loop_staging(r, c, bk, threads_, acc, operand, stages, products_only, pipe_limit);
    const std::string tile = fmt::format("{} x {} x {}", r, bk, c);
    if (st.mma) {
      stages_conflict(stages, st.pipeline, st.fit, st.stage_bytes, tile);
      if (pipe_limit == sizing::static_shared_limit)
        shared(st.bytes, fmt::format("dot_loop's {} operand stages", tile));
      frag(acc, {r, c}, products_only ? 0 : (r * c + threads_ - 1) / threads_);  // acc + mma products
    } else {
      // General path: operand fragments (double-buffered) and dot_simt's staging in the
      // accumulator's compute type, k walked in the steps that fit (dot.cuh: simt_k_step).
      const std::int64_t size = acc == DType::f64 ? 8 : 4, k = dot_rules::simt_k_step(size, r, bk, c);
      frag(operand, {r, k}, ir::fragment_registers(l_, operand, r, k) + 2 * ir::fragment_registers(l_, operand, k, c));
      shared(dot_rules::simt_bytes(size, r, k, c), fmt::format("dot's {} x {} x {} staging", r, k, c));
      stages_conflict(stages, false, 0, 0, tile);
    }
  }

  /// range_num_stages asks for a pipeline depth: only the cp.async pipeline has stages, and
  /// only as many as fit in shared memory.
  void stages_conflict(int stages, bool pipeline, std::int64_t fit, std::int64_t stage_bytes, const std::string& tile) {
    if (!stages || !r_.stages_conflict.empty()) return;
    if (!pipeline)
      r_.stages_conflict = fmt::format(
          "config field 'range_num_stages': the {} dot k-loop does not take the cp.async pipeline (f16/bf16 operands, "
          "block sizes multiples of 64, k block a multiple of 32, warps in 16k x 16k tiles); set it 0",
          tile);
    else if (stages > fit)
      r_.stages_conflict = fmt::format(
          "config field 'range_num_stages': {} stages of {} operands need {} bytes of shared memory, {} fit", stages,
          tile, stages * stage_bytes, fit);
  }

  void frag(DType t, std::pair<std::int64_t, std::int64_t> rc, std::int64_t extra = 0) {
    const std::int64_t regs = ir::fragment_registers(l_, t, rc.first, rc.second) + extra;
    if (regs > r_.fragment_registers) {
      r_.fragment_registers = static_cast<int>(regs);
      r_.fragment_what = fmt::format("a {} x {} {} tile on {} threads", rc.first, rc.second, ir::name(t), threads_);
    }
  }

  std::set<int> shared_sites_;  // load sites whose shared operand tile is counted
  void shared(std::int64_t bytes, const std::string& what) {
    if (bytes > largest_) {
      largest_ = bytes;
      r_.shared_what = what;
    }
    r_.shared_bytes += static_cast<int>(bytes);
  }

  DType param_dtype(const std::string& name) const {
    for (const ir::Param& p : k_.params)
      if (p.name == name) return p.dtype;
    return DType::f32;
  }

 private:
  const ir::Kernel& k_;
  const ir::Layout& l_;
  Resources& r_;
  int threads_;
  bool scratch_ = false;
  std::int64_t largest_ = 0;
  std::map<std::string, const Expr*> deferred_;
};

}  // namespace

Resources analyze_resources(const ir::Kernel& lowered) {
  Resources r;
  Counter(lowered, r).run();
  return r;
}

std::optional<std::string> over_limits(const ir::Kernel& k, const Resources& r, const config::ArchLimits& limits) {
  const int threads = k.layout.threads;
  const std::string& arch = limits.name;
  if (threads > limits.max_threads_per_block)
    return fmt::format("config field 'num_warps': {} threads per block, {} allows {}", threads, arch,
                       limits.max_threads_per_block);
  if (k.min_blocks_per_sm * threads > limits.max_threads_per_sm)
    return fmt::format("config field 'min_blocks_per_sm': {} blocks of {} threads exceed the {} threads of an {} SM",
                       k.min_blocks_per_sm, threads, limits.max_threads_per_sm, arch);
  if (!r.vector_conflict.empty()) return r.vector_conflict;
  if (!r.stages_conflict.empty()) return r.stages_conflict;
  if (r.shared_bytes > limits.static_shared_bytes)
    return fmt::format("shared memory: {} bytes of static shared memory, {} allows {} per block ({})", r.shared_bytes,
                       arch, limits.static_shared_bytes, r.shared_what);
  if (r.shared_bytes + r.dynamic_shared_bytes > limits.dynamic_shared_bytes)
    return fmt::format(
        "shared memory: {} bytes of dynamic shared memory (a dot k-loop's pipeline stages or dot operand tiles) and {} "
        "static, {} allows {} per block",
        r.dynamic_shared_bytes, r.shared_bytes, arch, limits.dynamic_shared_bytes);
  // Half the register file (128 of 256, 255 addressable) for the largest tile: 4 warps holding
  // 128 x 128 mma products (128 each) run without spills.
  if (r.fragment_registers > (limits.max_registers_per_thread + 1) / 2)
    return fmt::format("registers: {} needs {} registers per thread; at most {} fit beside the rest", r.fragment_what,
                       r.fragment_registers, (limits.max_registers_per_thread + 1) / 2);
  // min_blocks_per_sm caps the registers per thread (__launch_bounds__; ptxas allocates in
  // steps of 8): the largest tile must fit in the cap (row kernels run well with tiles close
  // to their cap; a wgmma accumulator, which cannot spill, needs room for its k-loop too).
  if (k.min_blocks_per_sm > 0) {
    const int cap =
        std::min(limits.max_registers_per_thread, limits.registers_per_sm / (k.min_blocks_per_sm * threads) / 8 * 8);
    if (r.fragment_registers > cap)
      return fmt::format(
          "config field 'min_blocks_per_sm': {} blocks of {} threads leave {} registers per thread; {} "
          "needs {}",
          k.min_blocks_per_sm, threads, cap, r.fragment_what, r.fragment_registers);
    // A wgmma accumulator cannot spill, and the k-loop around it needs about 26 registers more
    // (ptxas asked for 154 beside a 128-register accumulator): ptxas stops below that.
    constexpr int kWgmmaLoopRegisters = 26;
    if (r.unspillable_registers > 0 && r.unspillable_registers + kWgmmaLoopRegisters > cap)
      return fmt::format(
          "config field 'min_blocks_per_sm': {} blocks of {} threads leave {} registers per thread; the wgmma "
          "accumulator needs {} and its k-loop about {} more (use min_blocks_per_sm 1 or smaller tiles)",
          k.min_blocks_per_sm, threads, cap, r.unspillable_registers, kWgmmaLoopRegisters);
  }
  return std::nullopt;
}

}  // namespace tilecc::passes
