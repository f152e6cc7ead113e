// The lowering passes, in the order lower() runs them (pipeline.cpp). Each is an
// IR -> IR function: it reads the decisions of the passes before it and records its own
// on the IR (translator/ir/ir.hpp: "Decisions of the lowering passes"), so that the CUDA
// printer only chooses spelling. `tilecc translate --print-ir-after=PASS` shows each result.
#pragma once

#include "pass.hpp"

namespace tilecc::passes {

/// Refuses what the CUDA backend cannot express, with the source line and what to write instead.
ir::Kernel check_supported(const ir::Kernel& k, const PassContext& ctx);

/// Numbers the sites the config's per-site lists refer to (tile loads and stores, device
/// loops, multi-dimensional loops) before any pass restructures the body.
ir::Kernel number_sites(const ir::Kernel& k, const PassContext& ctx);

/// Runs the leading tile dimension of tiles of rank 3 and 4 as a loop over its positions inside
/// the program (each position a tile of lower rank); reductions along it accumulate across
/// the positions.
ir::Kernel loop_leading_dims(const ir::Kernel& k, const PassContext& ctx);

/// Turns tl::trans of a loaded tile (other than a dot operand, which dot stages transposed)
/// into a load of the transposed view: the same elements, row and column strides swapped.
ir::Kernel fold_transposes(const ir::Kernel& k, const PassContext& ctx);

/// Folds the argument facts of a specialized variant: constant sizes and strides, tile loops
/// whose extent divides the block, pointers and strides the compiler may assume aligned.
ir::Kernel specialize(const ir::Kernel& k, const PassContext& ctx);

/// Gives every tile loop its block sizes, dimension order, flattening, unrolling and site.
ir::Kernel tile_loops(const ir::Kernel& k, const PassContext& ctx);

/// Chooses the threads of a block and which tile dimensions run down rows or along columns.
ir::Kernel assign_layout(const ir::Kernel& k, const PassContext& ctx);

/// Turns `acc = acc + sum(tile, dim)` over a loop's own tile into an elementwise partial
/// accumulator of the tile's shape, reduced once after the loop (also max / min).
ir::Kernel defer_loop_reductions(const ir::Kernel& k, const PassContext& ctx);

/// Walks whole rows in chunks (reduction_loops): row lets are recomputed per chunk, row
/// reductions become chunked reductions before their first use, row stores chunk loops.
ir::Kernel chunk_reductions(const ir::Kernel& k, const PassContext& ctx);

/// Finds dot k-loops the library runs on the tensor cores and decides their instruction,
/// pipeline depth and shared memory.
ir::Kernel match_dot_loops(const ir::Kernel& k, const PassContext& ctx);

/// Maps program ids to the launch loops' tiles: flat, xyz or persistent, L2 bands, and
/// (persistent) the loads issued once or one program ahead.
ir::Kernel map_programs(const ir::Kernel& k, const PassContext& ctx);

/// Persistent programs: atomic updates every tile makes to the same elements (`dw[all] +=
/// sum(...)`) accumulate in registers over a program's tiles and update memory once at its end.
ir::Kernel hoist_program_atomics(const ir::Kernel& k, const PassContext& ctx);

/// Chooses how each tile load and store moves data: vector width, cache hint, TMA stage,
/// bf16 kept packed.
ir::Kernel select_accesses(const ir::Kernel& k, const PassContext& ctx);

/// In the MmaRows layout, schedules the shared-memory copies of a loop's dot operands one dot
/// ahead of the dot that reads each (Stmt::copy_schedule).
ir::Kernel schedule_shared_copies(const ir::Kernel& k, const PassContext& ctx);

/// Gives each block reduction its scratch buffer and decides which may skip their closing
/// barrier (straight-line neighbours alternate two buffers).
ir::Kernel plan_reduction_scratch(const ir::Kernel& k, const PassContext& ctx);

/// Marks compares of a tile's row indices with its column indices, each plus host scalars (a
/// causal mask), to run as 32-bit compares against the tiles' offsets (Expr::index_compare).
ir::Kernel select_index_compares(const ir::Kernel& k, const PassContext& ctx);

}  // namespace tilecc::passes
