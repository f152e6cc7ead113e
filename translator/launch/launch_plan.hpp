// How a kernel is launched under a config, worked out once: the launch grid (which launch
// loop dims, in what order, on which grid axis, with which block size), the host prologue,
// the whole-extent guards and how each parameter is passed. Three things launch kernels and
// all read this plan: the emitted launcher (host C++ printed by codegen), the runtime
// (runtime/kernel.cpp, through the driver API) and the tuner's bench worker (autotune/).
// grid.hpp evaluates the grid for actual extents, arg_pack.hpp packs the arguments and
// host_eval.hpp evaluates the prologue and the launch loops' bounds on the CPU.
//
// The emitted launcher, line by line, and the fields it prints from (K: the kernel, P: the
// plan, `scalar(e)`: the printer's C++ for a host expression, `tiles(d)`:
// `tilecc::dev::ceil_div((scalar(d.dim->end)) - (scalar(d.dim->begin)), {d.block}LL)`):
//
//   cudaError_t K.name(<params>, cudaStream_t stream) {
//     P.lets, in order:    const <cuda type of s->expr->dtype> s->name = scalar(s->expr);
//     P.checks, in order:  if (!(scalar(s->expr))) return tilecc::launch_check_failed("K.name", "s->text");
//     P.beyond_guards == Refuse, P.guards in order:
//                          if (g.text > P.full_extent) return tilecc::launch_config_error("K.name",
//                              "g.text exceeds the config's full_extent P.full_extent: translate with a
//                              larger full_extent");
//     P.beyond_guards == RunLooped:
//                          const bool looped = g.text > P.full_extent || ... (every guard);
//     P.grid == Xyz, for axis 0, 1, 2 (x, y, z):
//                          const long long grid_x = programs(P.group_on_axis(0)), or 1LL past P.axes;
//                          if (grid_x <= 0 || grid_y <= 0 || grid_z <= 0) return cudaSuccess;
//                          if (grid_x > 2147483647LL || grid_y > 65535 || grid_z > 65535) return
//                              tilecc::launch_config_error(...);  grid: dim3(unsigned(grid_x), ...)
//     otherwise:           const long long programs = programs(every dim);
//                          if (programs <= 0) return cudaSuccess;
//                          if (programs > 2147483647LL) return cudaErrorInvalidConfiguration;
//     P.grid == Persistent: const long long blocks = std::min<long long>(programs,
//                              tilecc::sm_count() * P.programs_per_sm LL);  grid: dim3(unsigned(blocks))
//     Flat:                grid: dim3(unsigned(programs))
//     P.dynamic_shared_bytes != 0: if (cudaError_t e = tilecc::allow_dynamic_shared<symbol>(bytes); ...) return e;
//     RunLooped, P.looped_dynamic_shared_bytes != 0: the same for the looped symbol;
//     RunLooped:           if (looped)
//                            <symbol>_looped<<<grid, P.threads, P.looped_dynamic_shared_bytes, stream>>>(args);
//                          else ...
//     symbol<<<grid, P.threads, P.dynamic_shared_bytes, stream>>>(per P.params[i]: Tensor:
//         tilecc::to_arg(name), Scalar: name);
//     return cudaGetLastError();
//   }
//
// where programs(group) is `tiles(d)` of each of the group's dims joined by " * " (the dims
// P.dims[first .. first + count)), programs(every dim) the same over all of P.dims, and "1LL"
// when there are none.
//
// The kernel side reads the same order: P.dims is the order in which a program id is
// decomposed into tile indices (the last dim fastest); with pid xyz, group g reads
// `tilecc::dev::program_id(P.groups[g].axis)` and decomposes it over its own dims.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "translator/config/config.hpp"
#include "translator/ir/ir.hpp"

namespace tilecc::launch {

/// The kernel and config cannot be launched as planned (pid xyz with more than three grid
/// axes, more launch dims or parameters than a launch path holds). config::validate refuses
/// most of these first.
struct PlanError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// What the runtime's allocation-free launch path keeps in fixed arrays: plan_launch refuses more.
inline constexpr int kMaxLaunchDims = 16;
inline constexpr int kMaxParams = 32;

/// One dim of the launch loops as the kernel writes them (see kernel_launch_dims).
struct KernelLaunchDim {
  const ir::LoopDim* dim;
  const ir::Stmt* loop;
};

/// The dims of the launch loops (the chain of outermost `is_launch` loops), outermost loop
/// first and each loop's dims as written, whatever the config. Extents passed to
/// compute_grid are in this order (so the runtime evaluates them before it knows the config).
std::vector<KernelLaunchDim> kernel_launch_dims(const ir::Kernel& kernel);

/// A whole tensor dimension the kernel holds in registers (`x[tm, tl::all]`, a Full dim of
/// a shape): its extent must not exceed the config's full_extent unless reductions loop.
struct WholeDim {
  int param = -1;    // the tensor parameter; -1: the name is not a parameter (nothing to check)
  int dim = 0;
  std::string text;  // "x.size(1)": the launcher's host expression and the messages' name
};

/// Every whole dimension the kernel holds, each once, sorted by text.
std::vector<WholeDim> whole_dims(const ir::Kernel& kernel);

enum class GridKind : std::uint8_t {
  Flat,        // one block per program: grid x = programs
  Xyz,         // one grid axis per group of dims: grid x/y/z = programs of the group on that axis
  Persistent,  // min(programs, SMs x programs_per_sm) blocks that walk the programs
};

/// One launch dim, in the config's order.
struct LaunchDim {
  const ir::LoopDim* dim = nullptr;  // var, begin, end
  const ir::Stmt* loop = nullptr;    // the launch loop it belongs to
  int kernel_index = 0;              // its place in kernel_launch_dims(): where compute_grid reads its extent
  std::int64_t block = 1;            // tile size (1 for a tl::grid dim)
  bool is_grid = false;              // a tl::grid dim (scalar index) rather than a tl::tile one
  int group = 0;                     // its xyz axis group (index into LaunchPlan::groups)
};

/// A run of launch dims that share one program id of pid xyz: one dim, or every dim of a
/// launch loop the config flattens (flatten_loops). Groups are numbered outermost first.
struct AxisGroup {
  int first = 0;  // its dims are LaunchPlan::dims[first .. first + count)
  int count = 0;
  int axis = 0;   // the grid axis it reads under pid xyz: 0 = x (the innermost group), 1 = y, 2 = z
};

/// How one parameter is passed to the __global__ function (cuLaunchKernel's bytes).
struct ParamPacking {
  enum class Kind : std::uint8_t {
    Tensor,  // tilecc::dev::TensorArg<T, R> { T* data; long long sizes[R]; long long strides[R]; }
    Scalar,  // its dtype's C type; f16 / bf16 as their 16 bits (round to nearest even)
  };
  Kind kind = Kind::Scalar;
  ir::DType dtype = ir::DType::f32;
  int rank = 0;     // tensors
  int size = 0;     // bytes
  int align = 1;    // bytes
};

/// How each parameter of `kernel` is passed (depends on the kernel only).
std::vector<ParamPacking> param_packing(const ir::Kernel& kernel);

/// A tensor map the kernel takes after its own parameters (a lowered kernel's tensor_maps):
/// tilecc::dev::TensorMap of tensor parameter `param` in boxes of box_rows x box_cols.
struct TensorMapPacking {
  int param = 0;
  ir::DType dtype = ir::DType::bf16;
  std::int64_t box_rows = 0, box_cols = 0;
};
std::vector<TensorMapPacking> tensor_map_packing(const ir::Kernel& kernel);

/// Whole extents beyond full_extent: refused (launch_config_error), or run by the config's
/// looped variant (config::looped_fallback), which walks the rows in chunks of full_extent.
enum class BeyondGuards { Refuse, RunLooped };

struct LaunchPlan {
  /// The launch dims outermost first: launch loops outermost first, each loop's dims in the
  /// config's loop order (loop_orders). The last dim varies fastest over program ids.
  std::vector<LaunchDim> dims;
  /// One per dim, or one per flattened launch loop; their dims are contiguous in `dims`.
  std::vector<AxisGroup> groups;
  GridKind grid = GridKind::Flat;
  int axes = 1;              // grid axes of pid xyz: groups.size() (at least 1)
  int programs_per_sm = 0;   // Persistent: blocks per SM
  int threads = 128;         // block size: 32 x num_warps
  /// Dynamic shared memory the launch asks for (deep dot pipelines): the caller sets it from
  /// codegen's KernelResources::dynamic_shared_bytes, which plan_launch cannot know.
  int dynamic_shared_bytes = 0;
  std::vector<const ir::Stmt*> lets;    // the host prologue's lets, in order (all run before any check)
  std::vector<const ir::Stmt*> checks;  // its TILECC_CHECKs, in order
  std::int64_t full_extent = 0;         // the config's bound on every guard
  /// Whole dims to check against full_extent; empty when the config loops reductions
  /// (reduction_loops[0] != 0: rows are walked in chunks, any length fits).
  std::vector<WholeDim> guards;
  /// What a launch whose whole extents exceed the guards does.
  BeyondGuards beyond_guards = BeyondGuards::Refuse;
  /// RunLooped: the dynamic shared memory of the looped variant's launch (the caller sets it
  /// from that variant's resources, as for dynamic_shared_bytes).
  int looped_dynamic_shared_bytes = 0;
  std::vector<ParamPacking> params;     // per kernel parameter, in order
  std::vector<TensorMapPacking> tensor_maps;  // then these (dot_operand_load tma)

  /// The group whose programs run along grid axis `axis` (0 = x) under pid xyz.
  int group_on_axis(int axis) const { return axes - 1 - axis; }
};

/// The plan of `kernel` under `config` (a validated config); throws PlanError.
LaunchPlan plan_launch(const ir::Kernel& kernel, const config::Config& config);

/// The plan of the lowered kernel `lowered` (its grid, its tensor maps) whose whole-extent
/// guards and looped fallback are those of its source kernel, as the runtime plans them from the
/// source: lowering may restructure the body so that it no longer reads as the source does
/// (hoist_program_atomics moves atomics after a block's programs, with partial sums in the body,
/// which whole_dims and the looped fallback do not recognize).
LaunchPlan plan_lowered_launch(const ir::Kernel& source, const ir::Kernel& lowered, const config::Config& config);

}  // namespace tilecc::launch
