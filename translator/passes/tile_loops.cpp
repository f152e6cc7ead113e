// Why: block sizes, dimension orders, flattening and unrolling are per-loop config knobs;
// fixing them on the loops lets every later pass read a loop's tiling from the loop itself.
#include "passes.hpp"
#include "translator/ir/visitor.hpp"

namespace tilecc::passes {

namespace {

class Tiling : public ir::Mutator {
 public:
  explicit Tiling(const config::Config& c) : c_(c) {}

 protected:
  ir::StmtPtr mutate_loop(const ir::StmtPtr& s) override {
    auto out = std::make_shared<ir::Stmt>(*mutate_children(s));
    for (ir::LoopDim& d : out->dims) {
      if (d.block.kind == ir::BlockSpec::Kind::Tunable)
        d.block = {ir::BlockSpec::Kind::Fixed, d.block.slot, c_.block_sizes.at(static_cast<std::size_t>(d.block.slot))};
      else if (d.block.kind == ir::BlockSpec::Kind::One)
        d.block.value = 1;
    }
    const auto multi = static_cast<std::size_t>(out->multi_site);
    if (out->multi_site >= 0 && multi < c_.loop_orders.size()) out->order = c_.loop_orders[multi];
    if (out->multi_site >= 0 && multi < c_.flatten_loops.size()) out->flatten = c_.flatten_loops[multi];
    const auto site = static_cast<std::size_t>(out->site);
    if (out->site >= 0 && site < c_.range_unroll_factors.size()) out->unroll = c_.range_unroll_factors[site];
    return out;
  }

 private:
  const config::Config& c_;
};

}  // namespace

ir::Kernel tile_loops(const ir::Kernel& k, const PassContext& ctx) { return Tiling(ctx.config).mutate(k); }

}  // namespace tilecc::passes
