// A kernel's config: the choices codegen makes that do not change results.
//
// JSON form: {"block_sizes": [64, 32], "num_warps": 4, "full_extent": 4096}
// - block_sizes: one power of two per tunable tile dimension (the kernel's
//   block_sizes slots, in order);
// - num_warps: warps per block (1-32, power of two);
// - full_extent: compile-time bound (power of two) on every whole-dimension
//   tile (`x[tm, tl::all]`) and arange; the launcher refuses larger inputs;
// - min_blocks_per_sm: 0, or the blocks per SM to leave registers for (a
//   register cap through __launch_bounds__);
// - pid: "flat" (one block per program) or "persistent" (SM count x
//   programs_per_sm blocks loop over the programs; with prefetch, loads of
//   const tensors for the next program are issued before this one computes);
// - threads_per_row: threads laid across a tile row (power of two, at most the
//   block's threads); 0 lets codegen choose (one 16-byte vector per thread
//   across the widest row). 32 gives a warp per row: reductions need no
//   shared memory.
// The knobs below have one entry per structural element (KernelStructure says which and in
// what order); an empty list means "every entry at its default", so old configs still parse.
// - pid: also "xyz" (launch dims on grid axes x, y, z), "persistent_blocked" (each block
//   walks a contiguous run of programs), "persistent_interleaved" (block b runs programs
//   b, b + grid, …; the old "persistent" means this);
// - l2_grouping: 1 (off) or a power of two G: along a 2-D launch grid, G rows of tiles are
//   walked column by column, so neighbouring programs share operand tiles in L2 (clamped to
//   the number of row tiles);
// - loop_orders[i]: per multi-dim tile loop, the order of its dims, outermost first
//   ([0, 1] = as written; for a launch loop, the last listed dim varies fastest over pids);
// - flatten_loops[i]: per multi-dim tile loop, one linear loop (device) or one grid axis
//   (launch, pid xyz) over all its tiles instead of one per dim;
// - reduction_loops[i]: per reduction dimension, 0 (persistent: the whole extent in
//   registers) or a chunk size (power of two): the rows are walked in chunks, values recomputed
//   per pass;
// - range_unroll_factors[i]: per device loop, 0 (compiler's choice), 1 (no unrolling) or n;
// - range_num_stages[i]: per device loop, 0 (as many as fit) or the pipeline depth (dot
//   k-loops: cp.async stages 2-4);
// - load_vectors[i] / store_vectors[i]: per tile load / store, true: 16-byte (or the widest
//   aligned) vector accesses; false: element by element;
// - load_hints[i]: "default", "evict_first", "evict_last" (L1 eviction priority) or "cg"
//   (cache in L2 only); store_hints[i]: "default", "evict_first" or "cs" (streaming).
// - dot_instruction: the tensor-core instruction of f16/bf16 dot k-loops: "mma_sync" (sm_80+,
//   ldmatrix + mma.sync), "wgmma" (sm_90a: warpgroup MMA reading shared memory; needs a k
//   block of 64 and a block of whole warpgroups, see dot_wgmma.cuh; rejected where it cannot
//   run) or "auto" (wgmma where it can run, else mma_sync).
// - load_tma[i] / store_tma[i]: per tile load / store, true: through the Tensor Memory
//   Accelerator (sm_90+, templates/tilecc/device/tma.cuh): each tile row's 16-byte aligned
//   interior is one bulk copy via shared memory, the row's edges move in registers (with the
//   hint); false: loads and stores in registers only. Not for row gathers.
// - dot_operand_load: how the wgmma k-loop's operands reach shared memory: "cp_async" (every
//   thread copies 16-byte chunks) or "tma" (sm_90a: one thread issues tensor-map copies into
//   an mbarrier ring of stages, dot_wgmma_tma.cuh; the launcher encodes a tensor map per
//   operand; operands a map cannot describe take the cp_async path at run time) or "tma_ws"
//   (tma with warp specialization, dot_wgmma_ws.cuh: num_warps 8, the first warpgroup only
//   issues the copies, the second only multiplies; min_blocks_per_sm 0 or 1; two consumer
//   warpgroups (16 warps) hung on an H100 and are refused) or "auto" (the sm_90a default: tma
//   where it applies, else cp_async, without notes). Where the k-loop does not run wgmma or its
//   operands are not plain tiles of rank-2 tensors tma does not apply (a note in the output),
//   so one config serves every instance of a kernel.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "translator/ir/ir.hpp"

namespace tilecc::config {

/// An invalid config; the message names the field. A `located` one conflicts with the kernel's
/// own source (its register_block_size bounds): the message starts with that place,
/// "file:line:col: error: ", and is printed as it is.
struct ConfigError : std::runtime_error {
  explicit ConfigError(const std::string& what, bool located = false) : std::runtime_error(what), located(located) {}
  bool located = false;
};

/// reduction_loops are emitted (emit_cuda.cpp: chunk loops); false would make validate() accept
/// only 0 (persistent) and leave the knob out of the config space.
inline constexpr bool kLoopedReductions = true;

/// How program ids map to tiles of the launch loops.
enum class Pid { Flat, Xyz, PersistentBlocked, PersistentInterleaved };
const char* name(Pid p);  // "flat", "xyz", "persistent_blocked", "persistent_interleaved"

enum class LoadHint { Default, EvictFirst, EvictLast, Cg };
enum class StoreHint { Default, EvictFirst, Cs };
enum class DotInstruction { Auto, MmaSync, Wgmma };
const char* name(DotInstruction d);  // "auto", "mma_sync", "wgmma"
enum class DotOperandLoad { CpAsync, Tma, TmaWs, Auto };
const char* name(DotOperandLoad d);  // "cp_async", "tma", "tma_ws", "auto"
const char* name(LoadHint h);   // "default", "evict_first", "evict_last", "cg"
const char* name(StoreHint h);  // "default", "evict_first", "cs"

struct Config {
  std::vector<std::int64_t> block_sizes;
  int num_warps = 4;
  std::int64_t full_extent = 1024;
  int min_blocks_per_sm = 0;
  Pid pid = Pid::Flat;
  int programs_per_sm = 2;   // persistent grid: SM count x this
  bool prefetch = true;      // persistent: load the next program's tiles early
  int threads_per_row = 0;   // 0: chosen by codegen
  int l2_grouping = 1;
  std::vector<std::vector<int>> loop_orders;
  std::vector<bool> flatten_loops;
  std::vector<std::int64_t> reduction_loops;
  std::vector<int> range_unroll_factors;
  std::vector<int> range_num_stages;
  std::vector<bool> load_vectors, store_vectors;
  std::vector<LoadHint> load_hints;
  std::vector<StoreHint> store_hints;
  DotInstruction dot_instruction = DotInstruction::Auto;
  std::vector<bool> load_tma, store_tma;
  DotOperandLoad dot_operand_load = DotOperandLoad::CpAsync;

  bool persistent() const { return pid == Pid::PersistentBlocked || pid == Pid::PersistentInterleaved; }
  std::string to_json() const;
};

/// The structural elements of a kernel that per-element knobs refer to, each list in the
/// kernel body's pre-order (statement order, outer loops before inner ones).
struct KernelStructure {
  std::vector<const ir::Stmt*> multi_dim_loops;  // loop_orders, flatten_loops (tile loops of >= 2 dims)
  std::vector<const ir::Stmt*> device_loops;     // range_* (tile loops inside the launch loops)
  std::vector<bool> device_loop_is_dot;          // the loop is a dot k-loop (dot_loop in the library)
  std::vector<std::string> reduction_dims;       // reduction_loops: whole extents reduced ("x.size(1)")
  bool reductions_loopable = false;              // the launch body can be walked in chunks
  std::vector<const ir::Expr*> loads;            // load_* (tile loads, except dot k-loop operands)
  std::vector<const ir::Stmt*> stores;           // store_* (tile stores)
  std::vector<bool> load_is_gather;              // the load gathers rows (no load_tma)
  std::vector<const ir::LoopDim*> launch_dims;   // the launch grid's dims, outermost first
  std::vector<bool> launch_dim_is_grid;          // tl::grid (scalar index) rather than tl::tile
  const ir::Stmt* launch_loop_2d = nullptr;      // l2_grouping applies: the first multi-dim launch loop
};
KernelStructure analyze(const ir::Kernel& kernel);

/// The dot product of a device loop codegen turns into the library's k-loop
/// (`for (tk : tile(k)) acc = dot(a[.., tk], b[tk, ..], acc)`), or nullptr. gathered_a_rows:
/// a's rows may also be gathered (`a[ids, tk]`), which only dot_loop_store takes.
const ir::Expr* dot_loop_product(const ir::Stmt& loop, bool gathered_a_rows = false);

/// Whether the launch body can walk its whole-extent dimension in chunks (reduction_loops):
/// only lets and stores of elementwise work on rows whose whole extent lies along the columns,
/// reduced with sum / mean / max / min, no dot, gather or device loop.
bool reductions_loopable(const ir::Kernel& kernel);

/// The variant a launcher runs for whole extents longer than `config.full_extent`: the same
/// config with its reductions walked in chunks of full_extent (at least 16), so full_extent is
/// a choice of speed, never a limit on the inputs. nullopt when the config already loops its
/// reductions, the kernel holds no whole extent, or its launch body cannot be chunked
/// (reductions_loopable).
std::optional<Config> looped_fallback(const ir::Kernel& kernel, const Config& config);

/// Parses and validates a config against the kernel's block-size slots.
Config parse_config(const std::string& json, const ir::Kernel& kernel);
/// Sets the fields the JSON object names on top of `base`; checks types and names, not values.
Config apply_config_json(const std::string& json, Config base);
/// Validates field by field; throws ConfigError naming the first bad field.
void validate(const Config& c, const ir::Kernel& kernel);
/// A reasonable default: square-ish 2-D tiles, long rows for 1-D, 4 warps.
/// arch "sm_90a": f16/bf16 dot kernels get warpgroup-MMA tiles (128 x 256, k block 64, 8 warps);
/// otherwise (or arch "") tiles that suit mma.sync on every architecture.
Config default_config(const ir::Kernel& kernel, const std::string& arch = "");

/// The default config fitted to rows of up to `longest` elements held whole: full_extent the
/// next power of two (at least the default's), and, for a row kernel (one launch loop over
/// rows, whole rows, no dot), fewer rows per program and then more warps as rows grow, so that
/// a thread holds about 32 elements of each row tile (the tuner's bests on H100 and H200 hold
/// 16 to 32) rather than spilling. Other kernels get full_extent alone.
Config default_config_for_rows(const ir::Kernel& kernel, const std::string& arch, std::int64_t longest);

/// The same fitting from any config (a user's --set or --config): rows per program, warps and
/// full_extent change, every other field stays.
Config config_for_rows(const ir::Kernel& kernel, Config base, std::int64_t longest);

/// Whether the kernel chains two dots over whole extents (attention: scores, then probabilities
/// times values), whose default config holds head dimensions up to 128.
bool chained_dots(const ir::Kernel& kernel);

/// Chained dots' default for head dimensions up to 64 (short_head_dim): the default holding 64
/// columns (no products of padding), 64 keys a step.
inline constexpr std::int64_t short_head_dim = 64;
Config chained_dots_short_head(const ir::Kernel& kernel, const std::string& arch);

/// The row lengths a default translation of a row kernel carries whole-row variants for, beyond
/// the default's own full_extent (ascending); empty for other kernels.
std::vector<std::int64_t> default_row_extents(const ir::Kernel& kernel);

}  // namespace tilecc::config
