// Why: how a tile moves between memory and registers (vector width, cache hint, a TMA bulk
// copy through shared memory, bf16 kept packed) is a per-site config choice the printer must
// not make; stages are named here, in the order the kernel first uses them.
#include <fmt/format.h>

#include <map>
#include <set>

#include "passes.hpp"
#include "templates/tilecc/sizing.hpp"
#include "translator/config/specialization.hpp"
#include "translator/ir/layout.hpp"
#include "translator/ir/visitor.hpp"

namespace tilecc::passes {

namespace {

ir::CacheHint hint_of(config::LoadHint h) {
  switch (h) {
    case config::LoadHint::Default: return ir::CacheHint::Default;
    case config::LoadHint::EvictFirst: return ir::CacheHint::EvictFirst;
    case config::LoadHint::EvictLast: return ir::CacheHint::EvictLast;
    case config::LoadHint::Cg: return ir::CacheHint::Cg;
  }
  return ir::CacheHint::Default;
}
ir::CacheHint hint_of(config::StoreHint h) {
  switch (h) {
    case config::StoreHint::Default: return ir::CacheHint::Default;
    case config::StoreHint::EvictFirst: return ir::CacheHint::EvictFirst;
    case config::StoreHint::Cs: return ir::CacheHint::Cs;
  }
  return ir::CacheHint::Default;
}

template <class T> T at_or(const std::vector<T>& v, int i, T fallback) {
  return i >= 0 && static_cast<std::size_t>(i) < v.size() ? v[static_cast<std::size_t>(i)] : fallback;
}

bool gathers(const ir::Expr& load) {
  for (const ir::Index& i : load.indices)
    if (i.kind == ir::Index::Kind::Gather) return true;
  return false;
}

/// The loads a dot reads as its operand `arg` (0: A, 1: B), directly or through a let that
/// nothing else reads (MmaRows layout only): B operands are copied to shared memory, where
/// ldmatrix reads them; A operands are packed once as mma registers, or read from shared
/// memory too (a_operand_in_shared).
class DotOperandLoads {
 public:
  explicit DotOperandLoads(std::size_t arg) : arg_(arg) {}
  std::set<const ir::Expr*> find(const std::vector<ir::StmtPtr>& body) {
    walk(body);
    for (const auto& [name, load] : lets_)
      if (b_names_.count(name) && uses_[name] == operand_uses_[name]) loads_.insert(load);
    return loads_;
  }

 private:
  void walk(const std::vector<ir::StmtPtr>& body) {
    for (const ir::StmtPtr& s : body) {
      if (s->kind == ir::Stmt::Kind::Let && s->expr && s->expr->kind == ir::Expr::Kind::Load)
        lets_[s->name] = s->expr.get();
      if (s->expr) expr(*s->expr);
      walk(s->body);
    }
  }
  void expr(const ir::Expr& e) {
    if (e.kind == ir::Expr::Kind::Var) ++uses_[e.name];
    if (e.kind == ir::Expr::Kind::Dot) {
      const ir::Expr* b = e.args[arg_].get();
      if (b->kind == ir::Expr::Kind::Transpose) b = b->args[0].get();
      if (b->kind == ir::Expr::Kind::Var) {
        b_names_.insert(b->name);
        ++operand_uses_[b->name];
      }
      if (b->kind == ir::Expr::Kind::Load) loads_.insert(b);
    }
    for (const ir::ExprPtr& a : e.args) expr(*a);
  }
  std::size_t arg_;
  std::map<std::string, const ir::Expr*> lets_;
  std::set<std::string> b_names_;
  std::map<std::string, int> uses_, operand_uses_;
  std::set<const ir::Expr*> loads_;
};

/// Registers a thread may give a dot's packed A operand (MmaA). More, and the operand is read
/// from shared memory by ldmatrix at each use: attention's queries at head dimension 128 and
/// 32 rows a warp take 64, which beside the 128 of the output accumulator and the scores spill
/// (FlashAttention 2 keeps its queries in shared memory for the same reason).
constexpr std::int64_t kPackedARegisters = 32;

bool a_operand_in_shared(const ir::Layout& l, const ir::Expr& load) {
  const auto [r, k] = ir::physical(l, load.shape);
  const std::int64_t warps = l.threads / 32;
  return ir::size_bytes(load.dtype) == 2 && k % 16 == 0 && r % (16 * warps) == 0 &&
         r * k / (warps * 64) > kPackedARegisters;
}

/// Shared operand tiles together beyond static shared memory's 48 KB move to dynamic shared
/// memory, one after another in site order (16-byte aligned).
/// Only in kernels with no dot k-loop of their own in dynamic memory, which starts at byte 0.
class DynamicSharedTiles : public ir::Mutator {
 public:
  void place(ir::Kernel& k) {
    struct Tiles : ir::Visitor {
      const ir::Layout* l = nullptr;
      std::map<int, std::int64_t> bytes;
      bool dynamic_dot = false;
      void visit_load(const ir::Expr& e) override {
        if (e.access.shared) {
          const auto [r, c] = ir::physical(*l, e.shape);
          bytes[e.access.site] = r * (c + 8) * ir::size_bytes(e.dtype);
        }
        visit_children(e);
      }
      void visit_loop(const ir::Stmt& s) override {
        dynamic_dot = dynamic_dot || (s.is_dot && s.dot.dynamic_bytes > 0);
        visit_children(s);
      }
      void visit_dot_loop_store(const ir::Stmt& s) override {
        dynamic_dot = dynamic_dot || s.dot.dynamic_bytes > 0;
        visit_children(s);
      }
    } tiles;
    tiles.l = &k.layout;
    tiles.visit(k.body);
    std::int64_t total = 0;
    for (const auto& [site, b] : tiles.bytes) total += b;
    if (total <= sizing::static_shared_limit || tiles.dynamic_dot) return;
    std::int64_t at = 0;
    for (const auto& [site, b] : tiles.bytes) {
      offsets_[site] = at;
      at += (b + 15) / 16 * 16;
    }
    k.body = mutate(k.body);
  }

 protected:
  ir::ExprPtr mutate_load(const ir::ExprPtr& e) override {
    if (!e->access.shared) return mutate_children(e);
    auto out = std::make_shared<ir::Expr>(*e);
    out->access.shared_offset = static_cast<int>(offsets_.at(e->access.site));
    return out;
  }

 private:
  std::map<int, std::int64_t> offsets_;
};

bool scatters(const ir::Stmt& store) {
  for (const ir::Index& i : store.indices)
    if (i.kind == ir::Index::Kind::Gather) return true;
  return false;
}

class Accesses : public ir::Mutator {
 public:
  Accesses(ir::Kernel& k, const PassContext& ctx) : k_(k), ctx_(ctx), c_(ctx.config) {}

  /// Stages are named in the order the printed kernel first uses them: the loads persistent
  /// programs issue before the body (loaded once, then prefetched), then the body in order.
  void early_loads(const std::vector<ir::StmtPtr>& body) {
    struct Early : ir::Visitor {
      std::vector<const ir::Expr*> once, next;
      void visit_load(const ir::Expr& e) override {
        if (e.access.prefetch == ir::Prefetch::Invariant) once.push_back(&e);
        if (e.access.prefetch == ir::Prefetch::Next) next.push_back(&e);
        visit_children(e);
      }
    } early;
    early.visit(body);
    for (const ir::Expr* e : early.once) stage_for_load(*e);
    for (const ir::Expr* e : early.next) stage_for_load(*e);
  }

 protected:
  ir::ExprPtr mutate_load(const ir::ExprPtr& e) override {
    ir::ExprPtr m = mutate_children(e);
    if (m->access.site < 0) return m;
    auto out = std::make_shared<ir::Expr>(*m);
    const int i = out->access.site;
    out->access.vector = at_or(c_.load_vectors, i, true);
    out->access.hint = hint_of(at_or(c_.load_hints, i, config::LoadHint::Default));
    if (shared_loads_.count(e.get())) {
      out->access.shared = true;
      out->access.prefetch = ir::Prefetch::None;  // copied where it is bound, not a program ahead
      return out;
    }
    out->access.mma_a = mma_a_loads_.count(e.get()) > 0;
    if (!gathers(*out) && !packed_loads_.count(e.get())) {
      const auto [stage, skipped] = stage_for_load(*e);
      out->access.tma_stage = stage;
      out->access.tma_skipped = skipped;
    }
    out->access.packed = packed_loads_.count(e.get()) > 0;
    return out;
  }

  /// A cast to f32 of a bf16 tile load (plain rows: not gathered or TMA) whose fragment holds
  /// an even number of elements per thread row: the load stays packed, widened at each use.
  ir::ExprPtr mutate_cast(const ir::ExprPtr& e) override {
    const ir::Expr& a = *e->args[0];
    const bool widening = e->dtype == ir::DType::f32 && a.kind == ir::Expr::Kind::Load && a.dtype == ir::DType::bf16 &&
                          !a.shape.empty() && !gathers(a) && !at_or(c_.load_tma, a.access.site, false);
    if (widening) {
      const std::int64_t cols = ir::physical(k_.layout, a.shape).second, tc = k_.layout.threads_per_row;
      if (cols >= tc && (cols / tc) % 2 == 0) {
        packed_loads_.insert(e->args[0].get());
        auto out = std::make_shared<ir::Expr>(*mutate_children(e));
        out->packed_widen = true;
        return out;
      }
    }
    return mutate_children(e);
  }

  ir::StmtPtr mutate_store(const ir::StmtPtr& s) override {
    ir::StmtPtr m = mutate_children(s);
    if (m->access.site < 0) return m;
    auto out = std::make_shared<ir::Stmt>(*m);
    const int i = out->access.site;
    out->access.vector = at_or(c_.store_vectors, i, true);
    out->access.hint = hint_of(at_or(c_.store_hints, i, config::StoreHint::Default));
    if (at_or(c_.store_tma, i, false) && scatters(*out)) {
      out->access.tma_skipped =
          fmt::format("store_tma[{}] does not apply here: this store scatters through gathered indices", i);
    } else if (at_or(c_.store_tma, i, false)) {
      std::vector<ir::Dim> shape;
      for (std::size_t d = 0; d < out->indices.size(); ++d) {
        const ir::Index& x = out->indices[d];
        if (x.kind == ir::Index::Kind::Tile) shape.push_back({ir::Dim::Kind::Tile, x.var, 0, nullptr});
        if (x.kind == ir::Index::Kind::All)
          shape.push_back({ir::Dim::Kind::Full, out->name, static_cast<int>(d), nullptr});
      }
      const auto [index, skipped] = stage(false, i, param_dtype(out->name), ir::physical(k_.layout, shape),
                                          fmt::format("store to {} at line {}", out->name, out->loc.line));
      out->access.tma_stage = index;
      out->access.tma_skipped = skipped;
    }
    return out;
  }

  /// In the MmaRows layout, a dot's A operand that casts a float tile to f16 / bf16 (attention's
  /// probabilities) is rounded pair by pair into packed registers as the dot reads it: no
  /// 16-bit copy of the tile is materialized beside the float one, whose registers the
  /// accumulator needs (H100, d128 and 32 rows a warp: ptxas spills without it).
  ir::ExprPtr mutate_dot(const ir::ExprPtr& e) override {
    ir::ExprPtr m = mutate_children(e);
    const ir::Expr& a = *m->args[0];
    const bool half = a.dtype == ir::DType::bf16 || a.dtype == ir::DType::f16;
    if (!k_.layout.mma_rows || a.kind != ir::Expr::Kind::Cast || !half || a.args[0]->dtype != ir::DType::f32 ||
        a.shape.size() != 2)
      return m;
    auto out = std::make_shared<ir::Expr>(*m);
    auto cast = std::make_shared<ir::Expr>(a);
    cast->narrow_at_dot = true;
    out->args[0] = cast;
    return out;
  }

  /// A dot_loop_store's products go from the mma registers to the tensor: its store has no
  /// access of its own to choose, and its k-loop's operands are staged by the library.
  ir::StmtPtr mutate_dot_loop_store(const ir::StmtPtr& s) override { return s; }

 private:
  ir::DType param_dtype(const std::string& name) const {
    for (const ir::Param& p : k_.params)
      if (p.name == name) return p.dtype;
    throw LoweringError("select_accesses: unknown tensor " + name);
  }

  std::pair<int, std::string> stage_for_load(const ir::Expr& e) {
    if (!at_or(c_.load_tma, e.access.site, false) || gathers(e)) return {-1, ""};
    return stage(true, e.access.site, param_dtype(e.name), ir::physical(k_.layout, e.shape),
                 fmt::format("load of {} at line {}", e.name, e.loc.line));
  }

  /// The stage of TMA site `site` for an R x C tile of t, or why TMA does not apply to this
  /// instance: a tile row of fewer than 16 bytes holds no bulk copy (the access stays in
  /// registers). TMA before sm_90 is a config error.
  std::pair<int, std::string> stage(bool load, int site, ir::DType t, std::pair<std::int64_t, std::int64_t> rc,
                                    const std::string& what) {
    const char* field = load ? "load_tma" : "store_tma";
    if (config::backend_of(ctx_.target.arch) != config::Backend::sm90)
      throw config::ConfigError(
          fmt::format("config field '{}[{}]': TMA bulk copies need sm_90 or newer, the target is {}", field, site,
                      ctx_.target.arch));
    const std::int64_t row_bytes = rc.second * ir::size_bytes(t);
    if (row_bytes % 16 != 0)
      return {-1,
              fmt::format("{}[{}] does not apply here: rows of the {} are {} bytes, a bulk copy moves 16-byte units",
                          field, site, what, row_bytes)};
    // One stage per site and tile shape (a site used twice, e.g. prefetched, shares it).
    const std::string base = fmt::format("tma_{}_{}", load ? "load" : "store", site);
    int shapes = 0;
    for (std::size_t j = 0; j < k_.tma_stages.size(); ++j) {
      const ir::TmaStage& s = k_.tma_stages[j];
      if (s.load != load || s.site != site) continue;
      if (s.rows == rc.first && s.cols == rc.second) return {static_cast<int>(j), ""};
      ++shapes;
    }
    k_.tma_stages.push_back(
        {shapes ? fmt::format("{}_{}", base, shapes) : base, load, site, t, rc.first, rc.second, what});
    return {static_cast<int>(k_.tma_stages.size()) - 1, ""};
  }

  ir::Kernel& k_;
  const PassContext& ctx_;
  const config::Config& c_;
  std::set<const ir::Expr*> packed_loads_;

 public:
  std::set<const ir::Expr*> shared_loads_, mma_a_loads_;
};

}  // namespace

ir::Kernel select_accesses(const ir::Kernel& k, const PassContext& ctx) {
  ir::Kernel out = k;
  Accesses pass(out, ctx);
  if (k.layout.mma_rows) {
    pass.shared_loads_ = DotOperandLoads(1).find(k.body);
    for (const ir::Expr* a : DotOperandLoads(0).find(k.body))
      (a_operand_in_shared(k.layout, *a) ? pass.shared_loads_ : pass.mma_a_loads_).insert(a);
  }
  pass.early_loads(k.body);
  out.body = pass.mutate(k.body);
  DynamicSharedTiles().place(out);
  return out;
}

}  // namespace tilecc::passes
