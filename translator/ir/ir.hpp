// The tile IR: what the frontend produces and every later layer consumes.
//
// A Kernel has parameters, a host prologue (scalar shape arithmetic and
// checks) and a body of tile/grid loops over tile-valued statements. The IR is
// a tree: expressions nest, statements form blocks. Nothing here depends on
// Clang, so serialized IR can be shipped to a machine that has no Clang.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tilecc::ir {

/// Element types (the language's dtypes).
enum class DType { f16, bf16, f32, f64, i8, i32, i64, b1 };

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
  Neg, Not, Exp, Exp2, Log, Sqrt, Rsqrt, Tanh, Sigmoid, Erf, Abs,
  // Binary
  Add, Sub, Mul, Div, Rem, Pow, Maximum, Minimum, And, Or,
  // Compare
  Lt, Le, Gt, Ge, Eq, Ne,
  // Reduce
  Sum, Mean, Max, Min, Argmax, Argmin,
  // TileAttr
  Begin, End, Size, Id, BlockSize,
};
const char* name(Op op);                              // "exp", "maximum", "block_size"
std::optional<Op> parse_op(const std::string& s);     // the inverse of name()

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

/// One dimension of a tile's shape.
struct Dim {
  enum class Kind {
    Tile,  // the tile of loop variable `var` (extent <= its block size)
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
  ExprPtr expr;     // Scalar: int expression; Gather: rank-1 integer tile
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
    Unary,        // op: Neg|Not|Exp|Exp2|Log|Sqrt|Rsqrt|Tanh|Sigmoid|Erf|Abs
    Binary,       // op: Add|Sub|Mul|Div|Rem|Pow|Maximum|Minimum|And|Or
    Compare,      // op: Lt|Le|Gt|Ge|Eq|Ne
    Select,       // args: cond, a, b (where / ?:)
    Cast,         // to dtype
    Load,         // tensor `name` indexed by `indices`
    Full,         // fill value args[0], shape from `shape`
    Arange,       // 0..n-1, n = args[0]
    Reduce,       // op: Sum|Mean|Max|Min|Argmax|Argmin over dim ival, keepdim flag
    Dot,          // args: a, b[, acc]
    Unsqueeze,    // insert a size-1 dim at ival
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

  bool is_scalar() const { return shape.empty(); }
};

/// A block size of one tile-loop dimension.
struct BlockSpec {
  enum class Kind {
    Tunable,  // config.block_sizes[slot]
    Fixed,    // the constant `value` (tile(n, block(64)))
    One,      // grid loops
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
};

struct Stmt;
using StmtPtr = std::shared_ptr<const Stmt>;

/// Statements of the host prologue and the device body.
struct Stmt {
  enum class Kind {
    Let,        // `name` = expr (declares)
    Assign,     // `name` = expr (updates an earlier Let)
    Store,      // tensor `name`[indices] = expr
    AtomicAdd,  // tensor `name`[indices] += expr, atomically
    Check,      // host: abort the launch unless expr (text: the source)
    Loop,       // tile or grid loop over `dims`, body `body`
  };
  Kind kind = Kind::Let;
  std::string name;
  std::vector<Index> indices;
  ExprPtr expr;
  std::string text;
  // Loop only:
  bool is_grid = false;      // tl::grid (scalar indices) rather than tl::tile
  bool is_launch = false;    // one of the outermost loops: becomes the launch grid
  std::vector<LoopDim> dims;
  std::vector<StmtPtr> body;
  SourceLoc loc;
};

/// A kernel parameter: a tensor view or a scalar.
struct Param {
  std::string name;
  bool is_tensor = false;
  DType dtype = DType::f32;
  int rank = 0;           // tensors
  bool is_const = false;  // Tensor<const T>
  std::string cpp_type;   // the C++ type as instantiated, e.g. "tilecc::Tensor<const tilecc::bf16, 2>"
};

/// A tunable block-size slot (one per tile-loop dimension unless shared).
struct BlockSlot {
  std::string name;        // e.g. "block_size_tm" or the registered name
  std::int64_t min = 1, max = 1024;
};

struct Kernel {
  std::string name;           // function name (`softmax`)
  std::string instance;       // template arguments as written, e.g. "tl::bf16"; empty if none
  std::string source_file;    // as given on the command line
  SourceLoc loc;
  std::vector<Param> params;
  std::vector<BlockSlot> block_slots;
  std::vector<StmtPtr> host;  // Let / Check
  std::vector<StmtPtr> body;  // the launch loop nest and what follows it
};

/// All kernels of one translation unit.
struct Module {
  std::string source_file;
  std::vector<Kernel> kernels;
};

/// The expression kind an op belongs to (Unary for Neg..Abs, ...); Const for Op::None.
Expr::Kind op_kind(Op op);

// Construction helpers (used by the frontend, passes and tests).
ExprPtr make_const_int(std::int64_t v, DType t = DType::i64, SourceLoc loc = {});
ExprPtr make_const_float(double v, DType t = DType::f32, SourceLoc loc = {});
ExprPtr make_var(const std::string& name, DType t, std::vector<Dim> shape = {}, SourceLoc loc = {});

}  // namespace tilecc::ir
