// The launch grid of a plan for actual extents, as the emitted launcher computes it: the
// runtime and the tuner's bench worker launch through the driver API with what this gives.
// Nothing here allocates unless a launch is refused (the message), so the runtime's cached
// launch stays allocation-free.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "launch_plan.hpp"

namespace tilecc::launch {

/// CUDA's grid limits: blocks along x, and along y and z.
inline constexpr std::int64_t kMaxGridX = 2147483647LL;
inline constexpr std::int64_t kMaxGridYZ = 65535;

struct Grid {
  enum class Status : std::uint8_t {
    Launch,        // launch x * y * z blocks of `threads`
    Empty,         // no programs (an empty extent): nothing to launch, not an error
    XyzLimit,      // pid xyz: an axis has more programs than CUDA allows along it
    ProgramLimit,  // more than 2^31 - 1 programs (program ids are decomposed in 32 bits)
  };
  Status status = Status::Empty;
  unsigned x = 1, y = 1, z = 1;  // blocks along each axis (Launch)
  unsigned threads = 0;          // the plan's
  unsigned dynamic_shared_bytes = 0;
  std::int64_t programs = 0;     // every program of the launch (flat and persistent; xyz: the product)
  std::int64_t axis_programs[3] = {1, 1, 1};  // pid xyz: programs along x, y, z

  bool launches() const { return status == Status::Launch; }
  /// Why the launch is refused (XyzLimit, ProgramLimit), naming the limit; "" otherwise.
  std::string error() const;
};

/// The grid of `plan` when the launch dims have these extents (end - begin of each, in
/// kernel_launch_dims() order) on a device of `sm_count` multiprocessors (read for
/// persistent plans only). As the launcher: nothing to launch when any dim has no tiles;
/// then the limits; a persistent grid is min(programs, sm_count x programs_per_sm) blocks.
Grid compute_grid(const LaunchPlan& plan, std::span<const std::int64_t> extents, std::int64_t sm_count);

/// The first guard these tensor sizes break (a whole dim longer than plan.full_extent), or
/// nullptr. `sizes[p]`: parameter p's sizes (read for the guards' tensors only).
const WholeDim* exceeded_guard(const LaunchPlan& plan, const std::int64_t* const* sizes);

/// "x.size(1) = 5000 exceeds the config's full_extent 4096".
std::string guard_error(const LaunchPlan& plan, const WholeDim& guard, std::int64_t size);

}  // namespace tilecc::launch
