#include "launch_plan.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tilecc::launch {

namespace {

std::int64_t block_of(const ir::LoopDim& d, const config::Config& c) {
  switch (d.block.kind) {
    case ir::BlockSpec::Kind::Fixed: return d.block.value;
    case ir::BlockSpec::Kind::Tunable: return c.block_sizes.at(static_cast<std::size_t>(d.block.slot));
    case ir::BlockSpec::Kind::One: return 1;
  }
  return 1;
}

/// Calls f(loop) for each launch loop, outermost first.
template <class F> void for_each_launch_loop(const ir::Kernel& kernel, F&& f) {
  const std::vector<ir::StmtPtr>* body = &kernel.body;
  while (!body->empty() && (*body)[0]->kind == ir::Stmt::Kind::Loop && (*body)[0]->is_launch) {
    f(*(*body)[0]);
    body = &(*body)[0]->body;
  }
}

class WholeDimFinder {
 public:
  explicit WholeDimFinder(const ir::Kernel& k) : kernel_(k) {}

  void body(const std::vector<ir::StmtPtr>& stmts) {
    for (const ir::StmtPtr& s : stmts) {
      expr(s->expr);
      for (std::size_t d = 0; d < s->indices.size(); ++d)
        if (s->indices[d].kind == ir::Index::Kind::All) note(s->name, static_cast<int>(d));
      body(s->body);
    }
  }
  std::vector<WholeDim> take() {
    std::sort(found_.begin(), found_.end(), [](const WholeDim& a, const WholeDim& b) { return a.text < b.text; });
    return std::move(found_);
  }

 private:
  void expr(const ir::ExprPtr& e) {
    if (!e) return;
    for (const ir::Dim& d : e->shape)
      if (d.kind == ir::Dim::Kind::Full) note(d.var, d.index);
    for (const ir::ExprPtr& a : e->args) expr(a);
  }
  void note(const std::string& tensor, int dim) {
    WholeDim w;
    w.dim = dim;
    w.text = fmt::format("{}.size({})", tensor, dim);
    for (const WholeDim& f : found_)
      if (f.text == w.text) return;
    for (std::size_t i = 0; i < kernel_.params.size(); ++i)
      if (kernel_.params[i].name == tensor) w.param = static_cast<int>(i);
    found_.push_back(std::move(w));
  }

  const ir::Kernel& kernel_;
  std::vector<WholeDim> found_;
};

}  // namespace

std::vector<KernelLaunchDim> kernel_launch_dims(const ir::Kernel& kernel) {
  std::vector<KernelLaunchDim> out;
  for_each_launch_loop(kernel, [&](const ir::Stmt& s) {
    for (const ir::LoopDim& d : s.dims) out.push_back({&d, &s});
  });
  return out;
}

std::vector<WholeDim> whole_dims(const ir::Kernel& kernel) {
  WholeDimFinder finder(kernel);
  finder.body(kernel.body);
  return finder.take();
}

std::vector<TensorMapPacking> tensor_map_packing(const ir::Kernel& kernel) {
  std::vector<TensorMapPacking> out;
  for (const ir::TensorMapUse& t : kernel.tensor_maps)
    for (std::size_t p = 0; p < kernel.params.size(); ++p)
      if (kernel.params[p].name == t.param)
        out.push_back({static_cast<int>(p), kernel.params[p].dtype, t.box_rows, t.box_cols});
  return out;
}

std::vector<ParamPacking> param_packing(const ir::Kernel& kernel) {
  std::vector<ParamPacking> out;
  for (const ir::Param& p : kernel.params) {
    ParamPacking pp;
    pp.dtype = p.dtype;
    if (p.is_tensor) {
      pp.kind = ParamPacking::Kind::Tensor;
      pp.rank = p.rank;
      pp.size = 8 + 16 * p.rank;
      pp.align = 8;
    } else {
      pp.size = pp.align = ir::size_bytes(p.dtype);
    }
    out.push_back(pp);
  }
  return out;
}

LaunchPlan plan_launch(const ir::Kernel& kernel, const config::Config& config) {
  LaunchPlan plan;
  // Per-loop knobs (loop_orders, flatten_loops) are indexed by the kernel's multi-dim loops.
  const config::KernelStructure structure = config::analyze(kernel);
  auto multi_index = [&](const ir::Stmt& s) -> std::size_t {
    const auto it = std::find(structure.multi_dim_loops.begin(), structure.multi_dim_loops.end(), &s);
    return static_cast<std::size_t>(it - structure.multi_dim_loops.begin());  // size(): not multi-dim
  };
  int kernel_index = 0;
  for_each_launch_loop(kernel, [&](const ir::Stmt& s) {
    const std::size_t mi = multi_index(s);
    const bool flat = mi < config.flatten_loops.size() && config.flatten_loops[mi];
    std::vector<const ir::LoopDim*> ordered;
    if (mi < config.loop_orders.size())
      for (int i : config.loop_orders[mi]) ordered.push_back(&s.dims.at(static_cast<std::size_t>(i)));
    else
      for (const ir::LoopDim& d : s.dims) ordered.push_back(&d);
    // A flattened loop is one group of all its dims; otherwise each dim is a group of its own.
    for (const ir::LoopDim* d : ordered) {
      if (!flat || d == ordered.front()) {
        AxisGroup g;
        g.first = static_cast<int>(plan.dims.size());
        plan.groups.push_back(g);
      }
      LaunchDim ld;
      ld.dim = d;
      ld.loop = &s;
      ld.kernel_index = kernel_index + static_cast<int>(d - s.dims.data());
      ld.is_grid = s.is_grid;
      ld.block = s.is_grid ? 1 : block_of(*d, config);
      ld.group = static_cast<int>(plan.groups.size()) - 1;
      ++plan.groups.back().count;
      plan.dims.push_back(ld);
    }
    kernel_index += static_cast<int>(s.dims.size());
  });
  plan.axes = std::max<int>(1, static_cast<int>(plan.groups.size()));
  for (AxisGroup& g : plan.groups) g.axis = plan.axes - 1 - static_cast<int>(&g - plan.groups.data());
  if (plan.dims.size() > static_cast<std::size_t>(kMaxLaunchDims))
    throw PlanError(fmt::format("kernel '{}' has more than {} launch loop dimensions", kernel.name, kMaxLaunchDims));
  if (kernel.params.size() > static_cast<std::size_t>(kMaxParams))
    throw PlanError(fmt::format("kernel '{}' has more than {} parameters", kernel.name, kMaxParams));

  plan.grid = config.persistent()              ? GridKind::Persistent
              : config.pid == config::Pid::Xyz ? GridKind::Xyz
                                               : GridKind::Flat;
  if (plan.grid == GridKind::Xyz && plan.axes > 3)
    throw PlanError(fmt::format("kernel '{}': pid xyz with {} grid axes (CUDA has 3)", kernel.name, plan.axes));
  if (plan.grid == GridKind::Persistent) plan.programs_per_sm = config.programs_per_sm;
  plan.threads = 32 * config.num_warps;

  for (const ir::StmtPtr& s : kernel.host) {
    if (s->kind == ir::Stmt::Kind::Let) plan.lets.push_back(s.get());
    if (s->kind == ir::Stmt::Kind::Check) plan.checks.push_back(s.get());
  }
  plan.full_extent = config.full_extent;
  const bool looped = !config.reduction_loops.empty() && config.reduction_loops[0] != 0;
  if (!looped) plan.guards = whole_dims(kernel);
  if (!plan.guards.empty() && config::looped_fallback(kernel, config)) plan.beyond_guards = BeyondGuards::RunLooped;
  plan.params = param_packing(kernel);
  plan.tensor_maps = tensor_map_packing(kernel);
  return plan;
}

LaunchPlan plan_lowered_launch(const ir::Kernel& source, const ir::Kernel& lowered, const config::Config& config) {
  LaunchPlan plan = plan_launch(lowered, config);
  const LaunchPlan from_source = plan_launch(source, config);
  plan.guards = from_source.guards;
  plan.beyond_guards = from_source.beyond_guards;
  return plan;
}

}  // namespace tilecc::launch
