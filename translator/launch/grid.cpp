#include "grid.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace tilecc::launch {

namespace {

/// Tiles of size b covering a (0 when a <= 0), as tilecc::dev::ceil_div.
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

/// a * b for tile counts (>= 0), held at the int64 maximum instead of overflowing: any
/// count that large is refused by the limits anyway. (No division: this runs per launch.)
std::int64_t times(std::int64_t a, std::int64_t b) {
  std::int64_t product;
  return __builtin_mul_overflow(a, b, &product) ? std::numeric_limits<std::int64_t>::max() : product;
}

}  // namespace

std::string Grid::error() const {
  switch (status) {
    case Status::XyzLimit:
      return fmt::format(
          "the grid of {} x {} x {} programs exceeds CUDA's limits with pid xyz ({} along x, {} along "
          "y and z): use pid flat",
          axis_programs[0], axis_programs[1], axis_programs[2], kMaxGridX, kMaxGridYZ);
    case Status::ProgramLimit: return fmt::format("{} programs exceed CUDA's grid limit of {}", programs, kMaxGridX);
    default: return "";
  }
}

Grid compute_grid(const LaunchPlan& plan, std::span<const std::int64_t> extents, std::int64_t sm_count) {
  Grid g;
  g.threads = static_cast<unsigned>(plan.threads);
  g.dynamic_shared_bytes = static_cast<unsigned>(plan.dynamic_shared_bytes);
  g.programs = 1;
  for (const LaunchDim& d : plan.dims) {
    const std::int64_t tiles = ceil_div(extents[static_cast<std::size_t>(d.kernel_index)], d.block);
    g.programs = times(g.programs, tiles);
    if (plan.grid == GridKind::Xyz) {
      std::int64_t& axis = g.axis_programs[plan.groups[static_cast<std::size_t>(d.group)].axis];
      axis = times(axis, tiles);
    }
  }
  if (g.programs <= 0) {
    g.status = Grid::Status::Empty;
    return g;
  }
  if (plan.grid == GridKind::Xyz) {
    if (g.axis_programs[0] > kMaxGridX || g.axis_programs[1] > kMaxGridYZ || g.axis_programs[2] > kMaxGridYZ) {
      g.status = Grid::Status::XyzLimit;
      return g;
    }
    g.x = static_cast<unsigned>(g.axis_programs[0]);
    g.y = static_cast<unsigned>(g.axis_programs[1]);
    g.z = static_cast<unsigned>(g.axis_programs[2]);
  } else {
    // Checked before the persistent grid is taken: a persistent program id is decomposed in
    // 32 bits too.
    if (g.programs > kMaxGridX) {
      g.status = Grid::Status::ProgramLimit;
      return g;
    }
    std::int64_t blocks = g.programs;
    if (plan.grid == GridKind::Persistent)
      blocks = std::min(blocks, times(std::max<std::int64_t>(sm_count, 1), plan.programs_per_sm));
    g.x = static_cast<unsigned>(blocks);
  }
  g.status = Grid::Status::Launch;
  return g;
}

const WholeDim* exceeded_guard(const LaunchPlan& plan, const std::int64_t* const* sizes) {
  for (const WholeDim& w : plan.guards)
    if (w.param >= 0 && sizes[w.param][w.dim] > plan.full_extent) return &w;
  return nullptr;
}

std::string guard_error(const LaunchPlan& plan, const WholeDim& guard, std::int64_t size) {
  return fmt::format("{} = {} exceeds the config's full_extent {}", guard.text, size, plan.full_extent);
}

}  // namespace tilecc::launch
