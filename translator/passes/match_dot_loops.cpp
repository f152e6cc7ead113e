// Why: a k-loop of dots is one library call that stages operands and drives the tensor cores;
// which instruction, how many stages and how much shared memory are decided here, where a
// config the kernel cannot take is refused with the reason.
#include <fmt/format.h>

#include <algorithm>

#include "dot_epilogue.hpp"
#include "dot_rules.hpp"
#include "templates/tilecc/sizing.hpp"
#include "passes.hpp"
#include "translator/ir/layout.hpp"
#include "translator/ir/visitor.hpp"

namespace tilecc::passes {

namespace {

using ir::Dim;
using ir::Expr;
using ir::Index;
using ir::Stmt;

bool mentions(const Stmt& s, const std::string& name) {
  struct Finder : ir::Visitor {
    const std::string& name;
    bool found = false;
    explicit Finder(const std::string& n) : name(n) {}
    void visit_var(const Expr& e) override { found = found || e.name == name; }
  } finder(name);
  if (s.name == name && (s.kind == Stmt::Kind::Assign || s.kind == Stmt::Kind::Let)) return true;
  finder.visit_children(s);
  return finder.found;
}

class DotLoops : public ir::Mutator {
 public:
  DotLoops(const ir::Kernel& k, const PassContext& ctx) : k_(k), ctx_(ctx) {}

  std::vector<ir::StmtPtr> mutate(const std::vector<ir::StmtPtr>& body) override {
    const std::vector<ir::StmtPtr> in = Mutator::mutate(body);
    std::vector<ir::StmtPtr> out;
    for (std::size_t i = 0; i < in.size(); ++i) {
      // Lets between the k-loop and the store (`auto ids = rows[tm];`) that do not read the
      // accumulator go before the dot_loop_store: the loop writes nothing else.
      std::vector<ir::StmtPtr> between;
      std::size_t store = i + 2;
      if (i + 1 < in.size() && in[i]->kind == Stmt::Kind::Let)
        while (store < in.size() && in[store]->kind == Stmt::Kind::Let && !mentions(*in[store], in[i]->name))
          between.push_back(in[store++]);
      if (ir::StmtPtr s = dot_loop_store(in, i, store)) {
        out.insert(out.end(), between.begin(), between.end());
        out.push_back(std::move(s));
        i = store;
        continue;
      }
      out.push_back(in[i]);
    }
    return drop_index_lets(out);
  }

 protected:
  /// `for (tk ..) acc = dot(a[.., tk], b[tk, ..], acc)`: one dot_loop call.
  ir::StmtPtr mutate_loop(const ir::StmtPtr& s) override {
    const int device = s->is_launch ? 0 : 1;
    device_loops_ += device;
    ir::StmtPtr m = mutate_children(s);
    device_loops_ -= device;
    const Expr* product = config::dot_loop_product(*m);
    if (!product) return m;
    auto out = std::make_shared<Stmt>(*m);
    out->is_dot = true;
    out->dot.stages = configured_stages(*out, product->args[2]->dtype, product->args[0]->dtype, out->notes);
    if (!out->dot.stages) out->dot.stages = stages_beside_scratch(*out, *product);
    return out;
  }

  /// The automatic stage count of a dot_loop's pipeline (its static shared memory) where the
  /// library's own choice (as many as fit in 48 KB, up to 4) would leave no room for the block
  /// reductions' scratch of the same kernel (a matmul with a row norm after it); else 0.
  int stages_beside_scratch(const Stmt& loop, const Expr& product) const {
    struct Reductions : ir::Visitor {
      bool any = false;
      void visit_reduce(const Expr& e) override {
        any = any || !ir::is_scan(e.op);
        visit_children(e);
      }
    } reductions;
    reductions.visit(k_.body);
    if (!reductions.any || product.args.size() != 3) return 0;
    const auto [r, c] = ir::physical(k_.layout, product.args[2]->shape);
    const std::int64_t bk = k_.layout.blocks.at(loop.dims[0].var);
    if (!dot_rules::pipeline_shape(r, c, bk, k_.layout.threads, product.args[2]->dtype, product.args[0]->dtype))
      return 0;
    const std::int64_t limit = sizing::static_shared_limit, scratch = sizing::reduce_scratch_bytes(k_.layout.threads);
    if (sizing::pipeline_bytes(r, bk, c, 0, limit) + scratch <= limit) return 0;
    return static_cast<int>(sizing::pipeline_stages(r, bk, c, 0, limit - scratch));
  }

 private:
  /// range_num_stages[site] of a dot k-loop, or 0 (with a note) where this instance's element
  /// types have no cp.async pipeline: a config applies to every template instance of a kernel.
  int configured_stages(const Stmt& loop, ir::DType acc, ir::DType operand, std::vector<std::string>& notes) const {
    const auto site = static_cast<std::size_t>(loop.site);
    const int stages =
        loop.site >= 0 && site < ctx_.config.range_num_stages.size() ? ctx_.config.range_num_stages[site] : 0;
    if (stages && !dot_rules::pipelined_types(acc, operand)) {
      notes.push_back(
          fmt::format("range_num_stages[{}] = {} does not apply: {} operands into {} take no cp.async "
                      "pipeline",
                      loop.site, stages, ir::name(operand), ir::name(acc)));
      return 0;
    }
    return stages;
  }

  /// `acc = zeros(tm, tn); for (tk ..) acc = dot(a, b, acc); out[tm, tn] = f(acc);` with acc
  /// unused afterwards: the products go from the tensor cores' registers straight to out, through
  /// f where f is elementwise (dot_epilogue.hpp: a cast, a bias, a scale, an activation).
  /// `atomic_add(out[tm, tn], f(acc))` (split-k) adds them to memory the same way.
  /// body[i], body[i + 1] and body[store] (the statements between are lets moved before it).
  ir::StmtPtr dot_loop_store(const std::vector<ir::StmtPtr>& body, std::size_t i, std::size_t at) {
    if (at >= body.size()) return nullptr;
    const Stmt& init = *body[i];
    const Stmt& loop = *body[i + 1];
    const Stmt& store = *body[at];
    if (init.kind != Stmt::Kind::Let || !init.expr || init.expr->kind != Expr::Kind::Full ||
        init.expr->dtype != ir::DType::f32 || init.expr->shape.size() != 2 || init.expr->args.size() != 1)
      return nullptr;
    const Expr& fill = *init.expr->args[0];
    if (fill.kind != Expr::Kind::Const || fill.fval != 0 || fill.ival != 0) return nullptr;
    const Expr* product = config::dot_loop_product(loop, true);
    if (!product || loop.body[0]->name != init.name) return nullptr;
    // out[scalars..., tm, tn]: leading scalar indices (a batch) are fine.
    const bool atomic = store.kind == Stmt::Kind::AtomicAdd && store.op == ir::Op::Add;
    if ((store.kind != Stmt::Kind::Store && !atomic) || store.indices.size() < 2) return nullptr;
    for (std::size_t d = 0; d + 2 < store.indices.size(); ++d)
      if (store.indices[d].kind != Index::Kind::Scalar) return nullptr;
    const Expr& a = *product->args[0];
    const Expr& b = *product->args[1];
    const Index& ri = store.indices[store.indices.size() - 2];
    const Index& ci = store.indices.back();
    if (ci.kind != Index::Kind::Tile || a.shape[0].kind != Dim::Kind::Tile || b.shape[1].kind != Dim::Kind::Tile ||
        ci.var != b.shape[1].var)
      return nullptr;
    const std::string& row = a.shape[0].var;
    // Rows gathered from a (a[ids, tk]) and scattered to out (out[ids, tn]) by index tensors
    // over the row tile: the library reads each row's index where its copies start.
    // (dot_loop_product let a gather through only as a's row index.)
    ir::ExprPtr a_rows, out_rows;
    for (const Index& x : a.indices)
      if (x.kind == Index::Kind::Gather && !(a_rows = index_load(body, at, x.expr, row))) return nullptr;
    if (ri.kind == Index::Kind::Gather) {
      if (!(out_rows = index_load(body, at, ri.expr, row))) return nullptr;
    } else if (ri.kind != Index::Kind::Tile || ri.var != row || ri.expr) {
      return nullptr;
    }
    if (!fusable_dot_epilogue(*store.expr, init.name, row, ci.var)) return nullptr;
    for (std::size_t j = at + 1; j < body.size(); ++j)
      if (mentions(*body[j], init.name)) return nullptr;

    auto out = std::make_shared<Stmt>();
    out->kind = Stmt::Kind::DotLoopStore;
    out->loc = init.loc;
    out->is_dot = true;
    auto inner = std::make_shared<Stmt>(loop);
    inner->notes.clear();
    inner->is_dot = false;  // run by the dot_loop_store, not as a dot_loop of its own
    inner->dot = {};
    out->body = {body[i], inner, body[at]};
    const int site = store.access.site;
    if (site >= 0 && static_cast<std::size_t>(site) < ctx_.config.store_tma.size() &&
        ctx_.config.store_tma[static_cast<std::size_t>(site)])
      out->notes.push_back(
          fmt::format("store_tma[{}] does not apply: the products go from registers to {}", site, store.name));
    const ir::Layout& l = k_.layout;
    const auto [r, c] = ir::physical(l, init.expr->shape);
    const std::int64_t bk = l.blocks.at(loop.dims[0].var);
    // mma.sync (the path of every fp8 dot, wgmma's fallback included) stages fp8 operands in
    // 48 KB in k steps of 32 at least: a tile too wide for that has no path.
    if (dot_rules::is_fp8(a.dtype) && dot_rules::mma_k_step(r, c, bk) % 32 != 0)
      throw config::ConfigError(fmt::format(
          "config field 'block_sizes': the {} x {} tile of the fp8 dot at line {} does not fit its operands' "
          "mma.sync staging (k steps of 32) in 48 KB of shared memory; use a smaller tile",
          r, c, loop.loc.line));
    // Pipeline stages: as configured, or as many as fit in 48 KB of static shared memory; when
    // fewer than 3 would fit, 3 in dynamic shared memory (the launcher asks for it).
    int stages = configured_stages(loop, ir::DType::f32, a.dtype, out->notes);
    const std::int64_t stage_bytes = sizing::pipeline_stage_bytes(r, bk, c), static_limit = sizing::static_shared_limit;
    const std::int64_t arch_limit = dot_rules::arch_shared_limit(ctx_.target.arch);
    const bool lowp = a.dtype == ir::DType::bf16 || a.dtype == ir::DType::f16;
    // fp8 runs wgmma K-major (b column-major, checked at run time) in its own k steps of 128, so
    // its k block does not constrain it; no tensor maps.
    const bool fp8 = dot_rules::is_fp8(a.dtype);
    // Tensor-map loads keep their stages' mbarriers in static shared memory beside them.
    const config::DotOperandLoad load = ctx_.config.dot_operand_load;
    bool tma = load != config::DotOperandLoad::CpAsync;
    const std::int64_t wgmma_limit = tma ? arch_limit - sizing::tensor_map_barrier_bytes : arch_limit;
    const std::string wgmma_no = lowp || fp8
                                     ? dot_rules::wgmma_problem(ctx_.target.arch, l.threads, r, c,
                                                                fp8 ? sizing::wgmma_bk : bk, stages, wgmma_limit)
                                     : "";
    const config::DotInstruction want = ctx_.config.dot_instruction;
    // Warp specialization: the first warpgroup only issues copies, the others run the wgmmas.
    std::string ws_no;
    if (load == config::DotOperandLoad::TmaWs) {
      if (!lowp)
        ws_no = "f16 or bf16 operands only";
      else if (want == config::DotInstruction::MmaSync)
        ws_no = "dot_instruction is mma_sync";
      else if (l.threads != 256)  // two consumer warpgroups (16 warps) hung on an H100
        ws_no = "needs num_warps 8 (a producer warpgroup and a consumer one)";
      else if (ctx_.config.min_blocks_per_sm > 1)
        ws_no = "needs min_blocks_per_sm 0 or 1 (the roles trade the registers of one block per SM)";
      else if (std::string no =
                   dot_rules::wgmma_problem(ctx_.target.arch, l.threads / 2, r, c, bk, stages, wgmma_limit);
               !no.empty())
        ws_no = "its consumer warpgroups' wgmma " + no;
    }
    std::string map_no = !tma  ? ""
                         : fp8 ? "fp8 operands are copied with cp.async"
                               : tensor_map_problem(a, b, row, ci.var, loop.dims[0].var);
    // One box of a's map covers the tile's rows: the copy engine's boxes hold at most 256.
    if (tma && map_no.empty() && r > 256)
      map_no = fmt::format("a tensor-map box holds at most 256 rows, the tile has {}", r);
    bool ws = load == config::DotOperandLoad::TmaWs && ws_no.empty() && map_no.empty();
    if ((lowp || fp8) && want == config::DotInstruction::Wgmma && !wgmma_no.empty() && !ws)
      throw config::ConfigError(
          fmt::format("config field 'dot_instruction': wgmma for the {} x {} x {} dot at line "
                      "{} {}; or use mma_sync",
                      r, bk, c, loop.loc.line, wgmma_no));
    const bool wgmma = ws || ((lowp || fp8) && wgmma_no.empty() && want != config::DotInstruction::MmaSync);
    const bool pipeline = dot_rules::pipeline_shape(r, c, bk, l.threads, ir::DType::f32, a.dtype);
    // Where the k-loop does not run wgmma (another element type, another arch) or its operands
    // are not plain tiles of rank-2 tensors, tma does not apply: a note, so that one config
    // serves every instance of the kernel.
    // auto: tma where it applies, silently cp_async elsewhere.
    const bool quiet = load == config::DotOperandLoad::Auto;
    if (tma && quiet && (!wgmma || !map_no.empty())) tma = false;
    if (tma && !wgmma) {
      tma = false;
      out->notes.push_back(
          fmt::format("dot_operand_load {} does not apply: the k-loop runs {}", config::name(load),
                      lowp ? (wgmma_no.empty() ? "mma.sync (dot_instruction)" : "mma.sync (wgmma " + wgmma_no + ")")
                           : "on operands that are not f16 or bf16"));
    }
    if (tma && !map_no.empty()) {
      tma = false;
      out->notes.push_back(fmt::format("dot_operand_load {} does not apply: {}", config::name(load), map_no));
    }
    if (tma && !ws_no.empty())
      out->notes.push_back("dot_operand_load tma_ws does not apply: " + ws_no + "; tensor maps without a producer");
    if (wgmma && !stages) stages = static_cast<int>(std::min<std::int64_t>((wgmma_limit - 1024) / ((r + c) * 128), 4));
    if (pipeline && !stages && static_limit / stage_bytes < 3) stages = 3;
    const bool dynamic = wgmma || (pipeline && stages * stage_bytes > static_limit);
    // wgmma: its stages, or (operands the pipeline cannot take) dot_loop_mma's staging in k steps.
    const std::int64_t bytes = wgmma ? std::max(dot_rules::wgmma_bytes(r, c, stages, wgmma_limit),
                                                dot_rules::mma_loop_bytes(r, c, dot_rules::mma_k_step(r, c, bk)))
                                     : dot_rules::dot_loop_staging(r, c, bk, l.threads, ir::DType::f32, a.dtype, stages,
                                                                   true, dynamic ? arch_limit : static_limit)
                                           .bytes;
    out->dot.stages = stages;
    out->dot.wgmma = wgmma;
    out->dot.dynamic_bytes = dynamic ? bytes : 0;
    out->dot.a_rows = a_rows;
    out->dot.out_rows = out_rows;
    // Persistent programs walk their tiles in a loop (map_programs) around the whole body.
    out->dot.in_loop = device_loops_ > 0 || ctx_.config.persistent();
    if (tma) {
      out->dot.tma = true;
      out->dot.warp_specialized = ws;
      out->dot.a_map = tensor_map(a.name, r, sizing::wgmma_bk);
      out->dot.b_map = tensor_map(b.name, sizing::wgmma_bk, 64);
    }
    return out;
  }

  /// `body` without the lets of row indices (`auto ids = order[tt];`) that only dot_loop_stores'
  /// row maps read (a map is the let's own load, index_load): the library reads the index tensor
  /// itself, and a fused epilogue reads no gathered tile.
  static std::vector<ir::StmtPtr> drop_index_lets(const std::vector<ir::StmtPtr>& body) {
    std::vector<ir::StmtPtr> out;
    for (std::size_t i = 0; i < body.size(); ++i) {
      const Stmt& s = *body[i];
      bool mapped = false, used = s.kind != Stmt::Kind::Let;
      for (std::size_t j = i + 1; j < body.size() && !used; ++j) {
        const Stmt& t = *body[j];
        if (t.kind == Stmt::Kind::DotLoopStore && (t.dot.a_rows == s.expr || t.dot.out_rows == s.expr))
          mapped = true;
        else
          used = mentions(t, s.name);
      }
      if (used || !mapped) out.push_back(body[i]);
    }
    return out;
  }

  /// The load `idx[row]` (a rank-1 integer tensor, the plain row tile) that the gather index
  /// `index` is, directly or as a let earlier in `body` not assigned since; null otherwise.
  static ir::ExprPtr index_load(const std::vector<ir::StmtPtr>& body, std::size_t i, const ir::ExprPtr& index,
                                const std::string& row) {
    ir::ExprPtr e = index;
    if (e && e->kind == Expr::Kind::Var) {
      e = nullptr;
      for (std::size_t j = i; j-- > 0;) {
        const Stmt& s = *body[j];
        if (s.name != index->name) continue;
        if (s.kind == Stmt::Kind::Let) e = s.expr;
        break;  // an Assign since the let, or the let itself
      }
    }
    if (!e || e->kind != Expr::Kind::Load || e->transposed || e->indices.size() != 1 || !ir::is_integer(e->dtype))
      return nullptr;
    const Index& x = e->indices[0];
    return x.kind == Index::Kind::Tile && x.var == row && !x.expr ? e : nullptr;
  }

  /// Why the operands cannot be read through tensor maps over whole rank-2 tensors ("" if they
  /// can): a[tm, tk] and b[tk, tn] loads, indices the plain tiles of the loops.
  std::string tensor_map_problem(const Expr& a, const Expr& b, const std::string& m, const std::string& n,
                                 const std::string& k) const {
    auto plain = [&](const Expr& e, const std::string& row, const std::string& col) {
      if (e.kind != Expr::Kind::Load || e.transposed || e.indices.size() != 2) return false;
      bool tensor2 = false;
      for (const ir::Param& p : k_.params) tensor2 = tensor2 || (p.name == e.name && p.is_tensor && p.rank == 2);
      auto tile = [](const Index& i, const std::string& var) {
        return i.kind == Index::Kind::Tile && i.var == var && !i.expr;
      };
      return tensor2 && tile(e.indices[0], row) && tile(e.indices[1], col);
    };
    if (!plain(a, m, k)) return fmt::format("operand a must be {}[{}, {}] of a rank-2 tensor", a.name, m, k);
    if (!plain(b, k, n)) return fmt::format("operand b must be {}[{}, {}] of a rank-2 tensor", b.name, k, n);
    return "";
  }

  /// The index of the kernel's tensor map of `param` in boxes of rows x cols, added if new.
  int tensor_map(const std::string& param, std::int64_t rows, std::int64_t cols) {
    for (std::size_t i = 0; i < maps_.size(); ++i)
      if (maps_[i].param == param && maps_[i].box_rows == rows && maps_[i].box_cols == cols) return static_cast<int>(i);
    maps_.push_back({fmt::format("{}_tmap_{}x{}", param, rows, cols), param, rows, cols});
    return static_cast<int>(maps_.size() - 1);
  }

 public:
  std::vector<ir::TensorMapUse> maps_;  // the tensor maps of the k-loops matched so far

 private:
  const ir::Kernel& k_;
  const PassContext& ctx_;
  int device_loops_ = 0;  // device loops around the statements being matched
};

}  // namespace

namespace {

/// `x + dot(a, b)` (either order) with x of the dot's shape becomes `dot(a, b, x)` in the
/// MmaRows layout: the products are added into x's registers, so no second accumulator lives
/// beside it (attention's `acc = acc * alpha + dot(p, v)`).
class DotAccumulators : public ir::Mutator {
 public:
  explicit DotAccumulators(const ir::Layout& l) : l_(l) {}

 protected:
  /// x is no broadcast of the products: no dimension of 1 on either side (the frontend checked
  /// that the others agree) and the same fragment.
  bool same_extents(const Expr& x, const Expr& d) const {
    if (x.shape.size() != d.shape.size()) return false;
    for (std::size_t i = 0; i < x.shape.size(); ++i)
      if (x.shape[i].kind == Dim::Kind::One || d.shape[i].kind == Dim::Kind::One) return false;
    return ir::physical(l_, x.shape) == ir::physical(l_, d.shape);
  }

  ir::ExprPtr mutate_binary(const ir::ExprPtr& e) override {
    ir::ExprPtr m = mutate_children(e);
    if (m->op != ir::Op::Add || m->args.size() != 2 || m->dtype != ir::DType::f32) return m;
    for (int side = 0; side < 2; ++side) {
      const ir::ExprPtr& d = m->args[static_cast<std::size_t>(side)];
      const ir::ExprPtr& x = m->args[static_cast<std::size_t>(1 - side)];
      if (d->kind != Expr::Kind::Dot || d->args.size() != 2 || d->dtype != ir::DType::f32) continue;
      if (x->dtype != ir::DType::f32 || !same_extents(*x, *d)) continue;
      auto out = std::make_shared<Expr>(*d);
      out->args.push_back(x);
      out->loc = m->loc;
      return out;
    }
    return m;
  }

 private:
  const ir::Layout& l_;
};

}  // namespace

ir::Kernel match_dot_loops(const ir::Kernel& k, const PassContext& ctx) {
  DotLoops pass(k, ctx);
  ir::Kernel out = k;
  out.body = pass.mutate(k.body);
  out.tensor_maps = pass.maps_;
  if (out.layout.mma_rows) out.body = DotAccumulators(out.layout).mutate(out.body);
  return out;
}

}  // namespace tilecc::passes
