// The tile IR: what the frontend produces and every later layer consumes.
//
// A Kernel has parameters, a host prologue (scalar shape arithmetic and
// checks) and a body of tile/grid loops over tile-valued statements. The IR is
// a tree: expressions nest, statements form blocks. Nothing here depends on
// Clang, so serialized IR can be shipped to a machine that has no Clang.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tilecc::ir {

/// Element types (the language's dtypes).
enum class DType { f16, bf16, f32, f64, i8, i32, i64, b1, u8, fp8e4m3, fp8e5m2 };

const char* name(DType t);                       // "bf16"
std::optional<DType> parse_dtype(const std::string& s);
int size_bytes(DType t);
bool is_floating(DType t);
bool is_integer(DType t);
/// torch-like promotion used by binary ops (mirrors include/tilecc/lang/dtype.hpp).
DType promote(DType a, DType b);

/// A position in the kernel's source file.
struct SourceLoc {
  int line = 0, column = 0;
  bool operator==(const SourceLoc&) const = default;
};

/// The operation of a Unary, Binary, Compare, Reduce or TileAttr expression. Its name is
/// the IR's serialized spelling and the device library's function name (`tilecc::dev::exp`).
enum class Op : std::uint8_t {
  None,
  // Unary
  Neg,
  Not,
  Exp,
  Exp2,
  Log,
  Sqrt,
  Rsqrt,
  Tanh,
  Sigmoid,
  Erf,
  Abs,
  // Binary
  Add,
  Sub,
  Mul,
  Div,
  Rem,
  Pow,
  Maximum,
  Minimum,
  And,
  Or,
  // Compare
  Lt,
  Le,
  Gt,
  Ge,
  Eq,
  Ne,
  // Reduce
  Sum,
  Mean,
  Max,
  Min,
  Argmax,
  Argmin,
  // TileAttr
  Begin,
  End,
  Size,
  Id,
  BlockSize,
  // Unary
  Floor,
  Ceil,
  Round,
  Trunc,
  Sign,
  Log1p,
  Expm1,
  Sin,
  Cos,
  BitNot,
  // Binary (Fma takes three operands; Rand and Randn a scalar seed and integer offsets)
  BitAnd,
  BitOr,
  BitXor,
  Shl,
  Shr,
  Fma,
  Rand,
  Randn,
  // Reduce kind, shape kept: inclusive scans along dimension ival
  Cumsum,
  Cummax,
};
const char* name(Op op);                              // "exp", "maximum", "block_size"
std::optional<Op> parse_op(const std::string& s);     // the inverse of name()

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

// ---- Decisions of the lowering passes (translator/passes), recorded on the IR ----------
// The frontend leaves them at their defaults; `lower()` fills them in, pass by pass, and the
// CUDA printer reads them. passes/pipeline.cpp lists which pass decides what.

/// Where a tile dimension lies in a fragment: down its rows or along its columns.
enum class Axis : std::uint8_t { Row, Col };

/// Cache hints of a tile load or store (the device library's LoadHint / StoreHint).
enum class CacheHint : std::uint8_t { Default, EvictFirst, EvictLast, Cg, Cs };
const char* name(CacheHint h);  // "default", "evict_first", "evict_last", "cg", "cs"

/// A persistent program's early load of a tile (map_programs).
enum class Prefetch : std::uint8_t {
  None,
  Invariant,  // the same tile in every program: loaded once, before the programs
  Next,       // issued one program ahead (double-buffered registers)
};

/// How one tile load or store moves its data (select_accesses).
struct Access {
  int site = -1;               // its index among the kernel's tile loads / tile stores
  bool vector = true;          // 16-byte (or the widest aligned) vector accesses
  CacheHint hint = CacheHint::Default;
  int tma_stage = -1;          // Kernel::tma_stages index; -1: registers only
  std::string tma_skipped;     // why TMA was asked for but does not apply here ("" if not)
  bool packed = false;         // a bf16 load kept packed as loaded, widened to f32 at each use
  bool shared = false;         // a dot operand copied to shared memory (cp.async), read by ldmatrix
  int shared_offset = -1;      // a shared tile's byte offset into dynamic shared memory; -1: a static buffer
  bool mma_a = false;          // a dot's A operand packed once as mma.sync A registers (MmaRows layout)
  Prefetch prefetch = Prefetch::None;
};

/// The shared scratch of a block reduction (plan_reduction_scratch).
struct Scratch {
  bool planned = false;   // false: buffer 0 with its closing barrier (the library's default)
  int buffer = 0;         // 0 or 1
  bool barrier = true;    // false: the next reduction uses the other buffer, no barrier between
};

/// A compare of a rank-2 tile's row indices with its column indices, each plus host integer
/// scalars (select_index_compares): element (r, c) is (rows' begin + r + row offset) OP (columns'
/// begin + c + column offset), computed in 32 bits (the device library's index_compare).
struct IndexCompare {
  Op op = Op::None;  // None: not selected; the compare runs on its operands elementwise
  struct Term {
    bool minus = false;
    ExprPtr value;  // a host integer scalar
  };
  std::vector<Term> row_offset, column_offset;  // in source order; empty: 0
};

/// One dimension of a tile's shape.
struct Dim {
  enum class Kind {
    Tile,  // the tile of loop variable `var` (extent <= its block size; outside its loop, a
           // whole block: defer_loop_reductions' partial accumulators)
    Full,  // a whole tensor dimension: tensor `var`, dimension `index` (tl::all)
    One,   // a broadcast dimension of size 1 (keepdim, unsqueeze)
    Expr,  // a run-time extent `extent` (arange(n), full(v, n))
  };
  Kind kind = Kind::One;
  std::string var;
  int index = 0;
  ExprPtr extent;
  bool operator==(const Dim& o) const;
};

/// One index of a tensor access `x[...]`.
struct Index {
  enum class Kind { Tile, Scalar, All, Gather };
  Kind kind = Kind::All;
  std::string var;  // Tile: loop variable
  ExprPtr expr;     // Scalar: int expression; Gather: rank-1 integer tile; Tile: null, or a
                    // scalar offset added to the tile's indices (x[tm, tn + n1])
};

/// Expressions: host scalars (rank 0, no loads) and device tile values.
struct Expr {
  enum class Kind {
    Const,        // number: ival or fval by dtype
    Param,        // scalar kernel parameter `name`
    Var,          // local variable `name` (host let, tile let, grid index)
    TensorSize,   // name.size(ival)
    TensorStride, // name.stride(ival)
    TileAttr,     // loop variable `name`'s attribute `op`: Begin|End|Size|Id|BlockSize
    TileIndex,    // `name`.index(): global indices of the tile, rank 1
    Unary,        // op: Neg|Not|Exp|Exp2|Log|Sqrt|Rsqrt|Tanh|Sigmoid|Erf|Abs|Floor..BitNot
    Binary,       // op: Add|Sub|Mul|Div|Rem|Pow|Maximum|Minimum|And|Or|BitAnd..Randn
    Compare,      // op: Lt|Le|Gt|Ge|Eq|Ne
    Select,       // args: cond, a, b (where / ?:)
    Cast,         // to dtype
    Load,         // tensor `name` indexed by `indices`
    Full,         // fill value args[0], shape from `shape`
    Arange,       // 0..n-1, n = args[0]
    Reduce,       // op: Sum|Mean|Max|Min|Argmax|Argmin over dim ival, keepdim flag; or the
                  // inclusive scan Cumsum|Cummax along dim ival (shape kept, see is_scan)
    Dot,          // args: a, b[, acc]
    Unsqueeze,    // insert a size-1 dim at ival
    Transpose,    // ival 0: the rank-2 tile args[0] with its two dims swapped (tl::trans); else
                  // tl::permute of a rank-3 or rank-4 tile, ival its order (ir/permutation.hpp)
  };
  Kind kind = Kind::Const;
  DType dtype = DType::i64;
  std::vector<Dim> shape;  // empty: scalar
  std::string name;
  Op op = Op::None;
  std::int64_t ival = 0;
  double fval = 0;
  bool keepdim = false;
  std::vector<ExprPtr> args;
  std::vector<Index> indices;
  SourceLoc loc;
  // Lowering decisions:
  Access access;     // Load
  Scratch scratch;   // Reduce
  bool packed_widen = false;  // Cast to f32 of a packed bf16 load: the load's widening
  bool narrow_at_dot =
      false;  // Cast of an f32 MmaRows tile to a dot's f16 / bf16 A operand: rounded pair by pair as the dot reads it
  bool transposed = false;  // Load: its two tile dims in reverse index order (fold_transposes)
  int chunked = -1;  // Reduce computed by a ChunkReduce (this id) before its statement
  // Binary Add / Maximum / Minimum into a loop's partial accumulator args[0] (defer_loop_reductions):
  // only args[1]'s valid elements combine, and the result keeps args[0]'s extents.
  bool accumulate = false;
  IndexCompare index_compare;  // Compare of row with column indices (set by the last pass)

  bool is_scalar() const { return shape.empty(); }
};

/// A block size of one tile-loop dimension.
struct BlockSpec {
  enum class Kind {
    Tunable,  // config.block_sizes[slot]
    Fixed,  // the constant `value` (tile(n, block(64)))
    One,  // grid loops
  };
  Kind kind = Kind::Tunable;
  int slot = 0;
  std::int64_t value = 1;
};

/// One dimension of a loop: variable, [begin, end), block size.
struct LoopDim {
  std::string var;
  ExprPtr begin, end;
  BlockSpec block;
  bool divisible = false;  // specialized: the extent is a multiple of the block (full tiles)
};

/// How a dot k-loop runs on the tensor cores (match_dot_loops).
struct DotPlan {
  int stages = 0;  // pipeline stages; 0: the library's choice
  bool wgmma = false;  // warpgroup MMA (sm_90a) rather than mma.sync
  std::int64_t dynamic_bytes = 0;  // dynamic shared memory it runs in; 0: static
  bool tma = false;  // wgmma operands through tensor maps (dot_operand_load "tma")
  int a_map = -1, b_map = -1;  // tma: the operands' Kernel::tensor_maps entries
  bool warp_specialized = false;  // tma: the first warpgroup issues the copies, the others multiply
  // DotLoopStore: the loads of rank-1 index tensors over the product's row tile that gather a's
  // rows (a[ids, tk]) and scatter the output's (out[ids, tn]); null: plain rows.
  ExprPtr a_rows, out_rows;
  bool in_loop = false;  // DotLoopStore: inside a device loop (the library hides the loop's invariants)
};

struct Stmt;
using StmtPtr = std::shared_ptr<const Stmt>;

/// Statements of the host prologue and the device body.
struct Stmt {
  enum class Kind {
    Let,  // `name` = expr (declares)
    Assign,  // `name` = expr (updates an earlier Let)
    Store,  // tensor `name`[indices] = expr
    AtomicAdd,  // tensor `name`[indices] op= expr, atomically: `op` Add, Maximum or Minimum
    Check,  // host: abort the launch unless expr (text: the source)
    Loop,  // tile or grid loop over `dims`, body `body`
    // Made by lowering passes:
    DotLoopStore,  // body = {acc = zeros, k-loop of dots into acc, store of acc}: one library k-loop
                   // storing the products from registers (match_dot_loops)
    ChunkReduce,  // expr: a reduction over a whole row, computed in chunks of `chunk` columns
                  // before the statement that reads it (chunk_reductions)
    ChunkLoop,  // body: statements over a whole row, run chunk by chunk (chunk_reductions)
  };
  Kind kind = Kind::Let;
  std::string name;
  std::vector<Index> indices;
  ExprPtr expr;
  std::string text;
  Op op = Op::Add;  // AtomicAdd: how the value combines with memory (Add, Maximum, Minimum)
  // Loop only:
  bool is_grid = false;  // tl::grid (scalar indices) rather than tl::tile
  bool is_launch = false;  // one of the outermost loops: becomes the launch grid
  std::vector<LoopDim> dims;
  std::vector<StmtPtr> body;
  SourceLoc loc;
  // Lowering decisions:
  Access access;  // Store
  std::vector<int> order;  // Loop: dims outermost first (empty: as written)
  bool flatten = false;  // Loop: one linear loop (device) or one grid axis (launch) over its tiles
  int unroll = 0;  // Loop (device): #pragma unroll factor, 0: the compiler's choice
  std::vector<int> copy_schedule;  // Loop (MmaRows): shared operand sites copied a dot ahead
  int site = -1;  // Loop (device): its index among device loops
  int multi_site = -1;  // Loop of >= 2 dims: its index among those (loop_orders, flatten_loops)
  bool is_dot = false;  // Loop / DotLoopStore: a dot k-loop run by the library
  DotPlan dot;  // ... and how
  std::int64_t chunk = 0;  // ChunkReduce / ChunkLoop: columns per chunk
  Dim whole;  // ChunkReduce / ChunkLoop: the whole dimension walked
  bool deferred = false;  // Let of a whole row under chunking: recomputed in each chunk
  std::vector<std::string> notes;  // why a config knob does not apply here (printed as comments)
};

/// A kernel parameter: a tensor view or a scalar.
struct Param {
  std::string name;
  bool is_tensor = false;
  DType dtype = DType::f32;
  int rank = 0;  // tensors
  bool is_const = false;  // Tensor<const T>
  std::string cpp_type;  // the C++ type as instantiated, e.g. "tilecc::Tensor<const tilecc::bf16, 2>"
};

/// A tunable block-size slot (one per tile-loop dimension unless shared).
struct BlockSlot {
  std::string name;  // e.g. "block_size_tm" or the registered name
  std::int64_t min = 1, max = 1024;
  SourceLoc loc{};  // the kernel's register_block_size(min, max) call; none for a tile's own slot
};

/// Threads of a block and how tile dimensions lie on them (assign_layout).
struct Layout {
  int threads = 0;  // 0: not assigned yet
  int threads_per_row = 0;  // threads across a fragment row
  std::int64_t whole_extent = 0;  // compile-time extent of whole dimensions
  std::map<std::string, std::int64_t> blocks;  // loop variable -> block size
  std::map<std::string, Axis> axes;  // tile variable ("<whole>": whole dims) -> axis
  bool mma_rows = false;  // tensor-core accumulator layout (MmaRows): warps own rows
};

/// How program ids map to the launch loops' tiles (map_programs).
struct Programs {
  enum class Kind : std::uint8_t { Flat, Xyz, PersistentBlocked, PersistentInterleaved };
  Kind kind = Kind::Flat;
  int programs_per_sm = 0;  // persistent: the grid is SMs x this
  struct Dim {
    std::string var;
    bool grid = false;  // a tl::grid dimension (a scalar index)
    int group = 0;  // pid xyz: the grid axis group (one per dim or flattened loop), outermost first
    bool l2 = false;  // one of the two dims walked in L2 bands
    ExprPtr begin, end;
    std::int64_t block = 1;
    bool divisible = false;  // specialized: the extent is a multiple of the block
  };
  std::vector<Dim> dims;  // outermost (slowest over program ids) first
  int l2_grouping = 1;  // > 1: bands of this many rows of tiles (the dims marked l2)
  int prefetchable = 0;  // loads a persistent program could issue for the next one
  // Persistent: run once before a block's first program and after its last (hoist_program_atomics:
  // partials of atomic updates every program makes to the same elements, and their updates).
  std::vector<StmtPtr> before, after;
  bool persistent() const { return kind == Kind::PersistentBlocked || kind == Kind::PersistentInterleaved; }
  int axes() const { return dims.empty() ? 1 : dims.back().group + 1; }
};

/// A shared-memory stage of a TMA load or store site (select_accesses).
struct TmaStage {
  std::string name;  // tma_load_0, tma_store_1_1
  bool load = true;
  int site = 0;
  DType dtype = DType::f32;
  std::int64_t rows = 1, cols = 1;
  std::string what;  // "load of x at line 7"
};

/// A tensor map the launcher encodes and the kernel takes as a parameter (match_dot_loops):
/// tensor `param` (rank 2) in boxes of box_rows x box_cols.
struct TensorMapUse {
  std::string name;  // x_tmap_128x64
  std::string param;
  std::int64_t box_rows = 0, box_cols = 0;
};

/// What the specialization lets the compiler assume of arguments (specialize).
struct Assumptions {
  std::map<std::pair<std::string, int>, std::int64_t> sizes, strides;  // tensor, dim -> a constant
  std::vector<std::string> aligned_tensors;  // base pointer 16-byte aligned
  std::vector<std::pair<std::string, int>> div16_strides;  // tensor, dim: stride % 16 == 0
  std::vector<std::string> facts;  // readable, for the header comment
};

struct Kernel {
  std::string name;  // function name (`softmax`)
  std::string instance;  // template arguments as written, e.g. "tl::bf16"; empty if none
  std::string template_decl;  // of an instance: the template's launcher declaration, which CUDA
                              // printed from IR alone declares before the specializations
  std::string source_file;  // as given on the command line
  SourceLoc loc;
  std::vector<Param> params;
  std::vector<BlockSlot> block_slots;
  std::vector<StmtPtr> host;  // Let / Check
  std::vector<StmtPtr> body;  // the launch loop nest and what follows it
  // Lowering decisions (kernel-wide):
  std::string arch;  // the target lowered for
  Layout layout;
  Programs programs;
  Assumptions assumptions;
  std::vector<TmaStage> tma_stages;
  std::vector<TensorMapUse> tensor_maps;  // kernel parameters after the source's own
  int min_blocks_per_sm = 0;
  int load_sites = 0, store_sites = 0;  // tile loads and stores the config's per-site lists cover
  bool second_scratch = false;  // reductions alternate two scratch buffers (plan_reduction_scratch)
};

/// All kernels of one translation unit.
struct Module {
  std::string source_file;
  std::vector<Kernel> kernels;
};

/// The expression kind an op belongs to (Unary for Neg..Abs, ...); Const for Op::None.
/// Operands an op takes: 3 for Fma, 2 for the other Binary and Compare ops, 1 for Unary.
Expr::Kind op_kind(Op op);
/// Cumsum and Cummax: Reduce-kind ops that keep the shape.
bool is_scan(Op op);
int op_arity(Op op);

// Construction helpers (used by the frontend, passes and tests).
ExprPtr make_const_int(std::int64_t v, DType t = DType::i64, SourceLoc loc = {});
ExprPtr make_const_float(double v, DType t = DType::f32, SourceLoc loc = {});
ExprPtr make_var(const std::string& name, DType t, std::vector<Dim> shape = {}, SourceLoc loc = {});

}  // namespace tilecc::ir
