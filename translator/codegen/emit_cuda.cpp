#include "emit_cuda.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <map>
#include <set>

namespace tilecc::codegen {

namespace {

using ir::Dim;
using ir::DType;
using ir::Expr;
using ir::ExprPtr;
using ir::Index;
using ir::Stmt;

const char* cuda_type(DType t) {
  switch (t) {
    case DType::f16: return "__half";
    case DType::bf16: return "__nv_bfloat16";
    case DType::f32: return "float";
    case DType::f64: return "double";
    case DType::i8: return "signed char";
    case DType::i32: return "int";
    case DType::i64: return "long long";
    case DType::b1: return "bool";
  }
  return "?";
}

/// An emitted value: a register fragment (R x C physical tile) or a scalar.
struct Val {
  std::string code;
  DType dtype = DType::f32;
  bool frag = false;
  std::int64_t rows = 1, cols = 1;  // physical extents (compile time)
};

enum class Axis { Row, Col };

class Emitter {
 public:
  Emitter(const ir::Kernel& k, const Config& c, const EmitOptions& o) : k_(k), c_(c), o_(o) {}

  KernelCode run() {
    find_whole_dims(k_.body);
    collect_axes();
    choose_layout();
    KernelCode code;
    code.kernel_symbol = k_.name + (instance_suffix(k_).empty() ? "" : "_" + instance_suffix(k_)) + "_kernel";
    code.global_function = emit_global(code.kernel_symbol);
    code.launcher = emit_launcher(code.kernel_symbol);
    return code;
  }

 private:
  // ---- errors and comments ----------------------------------------------------------

  [[noreturn]] void fail(ir::SourceLoc at, const std::string& what, const std::string& hint = "") const {
    throw CodegenError(fmt::format("{}:{}:{}: error: {}{}", k_.source_file, at.line, at.column, what,
                                   hint.empty() ? "" : "\n  note: " + hint));
  }

  std::string source_comment(ir::SourceLoc at) const {
    std::string file = k_.source_file;
    if (auto slash = file.rfind('/'); slash != std::string::npos) file = file.substr(slash + 1);
    std::string text;
    if (at.line >= 1 && static_cast<std::size_t>(at.line) <= o_.source_lines.size()) {
      text = o_.source_lines[static_cast<std::size_t>(at.line) - 1];
      text.erase(0, text.find_first_not_of(" \t"));
    }
    return fmt::format("// {}:{}{}{}", file, at.line, text.empty() ? "" : "  ", text);
  }

  void line(const std::string& s) { out_ += std::string(static_cast<std::size_t>(indent_) * 2, ' ') + s + "\n"; }

  // ---- shapes: which dims are rows, which columns --------------------------------------

  static std::string key(const Dim& d) { return d.kind == Dim::Kind::Tile ? d.var : "<whole>"; }

  void note_shape(const std::vector<Dim>& s, ir::SourceLoc at) {
    if (s.size() > 2) fail(at, "tiles of rank 3 or more are not supported by the CUDA backend yet");
    if (s.size() != 2) return;
    for (int i = 0; i < 2; ++i) {
      if (s[i].kind == Dim::Kind::One) continue;
      const Axis want = i == 0 ? Axis::Row : Axis::Col;
      auto [it, fresh] = axes_.emplace(key(s[i]), want);
      if (!fresh && it->second != want)
        fail(at, fmt::format("'{}' is a row dimension in one tile and a column dimension in another",
                             key(s[i])),
             "transposed use of a tile dimension is not supported by the CUDA backend yet");
    }
  }
  void collect_expr(const ExprPtr& e) {
    if (!e) return;
    note_shape(e->shape, e->loc);
    // dot's operands are staged through shared memory: their dims need no axis.
    const std::size_t first = e->kind == Expr::Kind::Dot ? 2 : 0;
    for (std::size_t i = first; i < e->args.size(); ++i) collect_expr(e->args[i]);
    for (const Index& i : e->indices) collect_expr(i.expr);
  }
  void collect(const std::vector<ir::StmtPtr>& body) {
    for (const ir::StmtPtr& s : body) {
      collect_expr(s->expr);
      for (const Index& i : s->indices) collect_expr(i.expr);
      collect(s->body);
    }
  }
  void collect_axes() {
    collect_loops(k_.body);
    collect(k_.body);
  }
  void collect_loops(const std::vector<ir::StmtPtr>& body) {
    for (const ir::StmtPtr& s : body) {
      if (s->kind != Stmt::Kind::Loop) continue;
      for (const ir::LoopDim& d : s->dims) {
        std::int64_t b = 1;
        if (d.block.kind == ir::BlockSpec::Kind::Fixed) b = d.block.value;
        if (d.block.kind == ir::BlockSpec::Kind::Tunable) b = c_.block_sizes.at(static_cast<std::size_t>(d.block.slot));
        blocks_[d.var] = b;
      }
      collect_loops(s->body);
    }
  }

  Axis axis(const Dim& d) const {
    auto it = axes_.find(key(d));
    return it == axes_.end() ? Axis::Col : it->second;
  }

  std::int64_t extent(const Dim& d) const {
    switch (d.kind) {
      case Dim::Kind::Tile: return blocks_.at(d.var);
      case Dim::Kind::Full:
      case Dim::Kind::Expr: return c_.full_extent;
      case Dim::Kind::One: return 1;
    }
    return 1;
  }

  std::string runtime_extent(const Dim& d) {
    switch (d.kind) {
      case Dim::Kind::Tile: return d.var + "_size";
      case Dim::Kind::Full: return fmt::format("int({}.size({}))", d.var, d.index);
      case Dim::Kind::Expr: return "int(" + scalar(d.extent) + ")";
      case Dim::Kind::One: return "1";
    }
    return "1";
  }

  /// Physical (rows, cols) of a logical shape.
  std::pair<std::int64_t, std::int64_t> physical(const std::vector<Dim>& s, ir::SourceLoc at) const {
    if (s.empty()) return {1, 1};
    if (s.size() == 1) {
      if (s[0].kind == Dim::Kind::One) return {1, 1};
      return axis(s[0]) == Axis::Row ? std::pair{extent(s[0]), std::int64_t{1}} : std::pair{std::int64_t{1}, extent(s[0])};
    }
    if (s.size() == 2) return {extent(s[0]), extent(s[1])};
    fail(at, "tiles of rank 3 or more are not supported by the CUDA backend yet");
  }

  void choose_layout() {
    threads_ = 32 * c_.num_warps;
    std::int64_t widest = 1;
    for (const auto& [k, a] : axes_)
      if (a == Axis::Col) widest = std::max(widest, k == "<whole>" ? c_.full_extent : blocks_.at(k));
    for (const auto& [var, b] : blocks_)
      if (!axes_.count(var)) widest = std::max(widest, b);  // 1-D tiles run along columns
    // Columns per thread: one 16-byte vector of the narrowest tensor element type.
    int narrowest = 8;
    for (const ir::Param& p : k_.params)
      if (p.is_tensor) narrowest = std::min(narrowest, ir::size_bytes(p.dtype));
    tc_ = std::min<std::int64_t>(threads_, std::max<std::int64_t>(1, widest / (16 / narrowest)));
    if (c_.threads_per_row) tc_ = c_.threads_per_row;
  }

  std::string frag_type(DType t, std::int64_t r, std::int64_t c) const {
    return fmt::format("tilecc::dev::Frag<{}, {}, {}, L>", cuda_type(t), r, c);
  }

  // ---- expressions ---------------------------------------------------------------------

  std::string scalar(const ExprPtr& e) {
    Val v = emit(e);
    if (v.frag) fail(e->loc, "a tile is used where a scalar is needed");
    return v.code;
  }

  std::string literal(const Expr& e) const {
    if (ir::is_floating(e.dtype) && !std::isfinite(e.fval)) {
      const char* bits = std::isnan(e.fval) ? "0x7fffffff" : e.fval > 0 ? "0x7f800000" : "0xff800000";
      return fmt::format("tilecc::dev::convert<{}>(__int_as_float({}))", cuda_type(e.dtype), bits);
    }
    switch (e.dtype) {
      case DType::f32: return fmt::format("{}f", fmt::format("{:#}", e.fval));
      case DType::f64: return fmt::format("{:#}", e.fval);
      case DType::f16:
      case DType::bf16: return fmt::format("tilecc::dev::convert<{}>({:#}f)", cuda_type(e.dtype), e.fval);
      case DType::b1: return e.ival ? "true" : "false";
      case DType::i64: return fmt::format("{}LL", e.ival);
      default: return fmt::format("{}({})", cuda_type(e.dtype), e.ival);
    }
  }

  std::string fresh(const std::string& base) { return fmt::format("{}_{}", base, counter_++); }

  Val make_frag(std::string code, DType t, std::pair<std::int64_t, std::int64_t> rc) {
    return {std::move(code), t, true, rc.first, rc.second};
  }

  Val emit(const ExprPtr& e) {
    using K = Expr::Kind;
    const DType t = e->dtype;
    switch (e->kind) {
      case K::Const: return {literal(*e), t};
      case K::Param: return {e->name, t};
      case K::Var: {
        auto it = values_.find(e->name);
        if (it == values_.end()) return {e->name, t};  // host let or grid index: a scalar
        return it->second;
      }
      case K::TensorSize: return {fmt::format("{}.size({})", e->name, e->ival), DType::i64};
      case K::TensorStride: return {fmt::format("{}.stride({})", e->name, e->ival), DType::i64};
      case K::TileAttr: {
        const std::string& v = e->name;
        if (e->op == "begin") return {v + "_begin", DType::i64};
        if (e->op == "size") return {"(long long)" + v + "_size", DType::i64};
        if (e->op == "end") return {fmt::format("({0}_begin + {0}_size)", v), DType::i64};
        if (e->op == "id") return {v + "_id", DType::i64};
        return {std::to_string(blocks_.at(v)) + "LL", DType::i64};
      }
      case K::TileIndex: {
        const Dim d{Dim::Kind::Tile, e->name, 0, nullptr};
        const auto rc = physical(e->shape, e->loc);
        const bool row = axis(d) == Axis::Row;
        return make_frag(fmt::format("tilecc::dev::arange_{}<long long, {}, {}, L>({}_begin, {}_size)",
                                     row ? "rows" : "cols", rc.first, rc.second, e->name, e->name),
                         DType::i64, rc);
      }
      case K::Arange: {
        const auto rc = physical(e->shape, e->loc);
        const bool row = axis(e->shape[0]) == Axis::Row;
        return make_frag(fmt::format("tilecc::dev::arange_{}<{}, {}, {}, L>(0, {})", row ? "rows" : "cols",
                                     cuda_type(t), rc.first, rc.second, runtime_extent(e->shape[0])),
                         t, rc);
      }
      case K::Unary: return emit_unary(*e);
      case K::Binary:
      case K::Compare: return emit_binary(*e);
      case K::Select: {
        Val c = emit(e->args[0]), a = emit(e->args[1]), b = emit(e->args[2]);
        if (!c.frag && !a.frag && !b.frag) return {fmt::format("({} ? {} : {})", c.code, a.code, b.code), t};
        return make_frag(fmt::format("tilecc::dev::where<{}>({}, {}, {})", cuda_type(t), c.code, a.code, b.code), t,
                         physical(e->shape, e->loc));
      }
      case K::Cast: {
        Val a = emit(e->args[0]);
        if (!a.frag) return {fmt::format("tilecc::dev::convert<{}>({})", cuda_type(t), a.code), t};
        return make_frag(fmt::format("tilecc::dev::cast<{}>({})", cuda_type(t), a.code), t, {a.rows, a.cols});
      }
      case K::Load: return emit_load(*e);
      case K::Full: {
        Val v = emit(e->args[0]);
        if (e->shape.empty()) return {fmt::format("tilecc::dev::convert<{}>({})", cuda_type(t), v.code), t};
        const auto rc = physical(e->shape, e->loc);
        const auto [rows, cols] = runtime_extents(e->shape);
        return make_frag(fmt::format("tilecc::dev::full<{}, {}, {}, L>(tilecc::dev::convert<{}>({}), {}, {})",
                                     cuda_type(t), rc.first, rc.second, cuda_type(t), v.code, rows, cols),
                         t, rc);
      }
      case K::Reduce: return emit_reduce(*e);
      case K::Dot: {
        Val a = emit(e->args[0]), b = emit(e->args[1]);
        const auto rc = physical(e->shape, e->loc);
        const std::string acc = fresh("dot");
        if (e->args.size() > 2) {
          line(fmt::format("auto {} = {};", acc, emit(e->args[2]).code));
        } else {
          const auto [rows, cols] = runtime_extents(e->shape);
          line(fmt::format("auto {} = tilecc::dev::full<{}, {}, {}, L>({}(0), {}, {});", acc, cuda_type(t), rc.first,
                           rc.second, cuda_type(t), rows, cols));
        }
        line(fmt::format("tilecc::dev::dot({}, {}, {});", acc, a.code, b.code));
        return make_frag(acc, t, rc);
      }
      case K::Unsqueeze: {
        Val a = emit(e->args[0]);
        const auto rc = physical(e->shape, e->loc);
        if (a.frag && (rc.first != a.rows || rc.second != a.cols))
          fail(e->loc, "this unsqueeze moves a tile dimension between rows and columns",
               "not supported by the CUDA backend yet");
        return a;
      }
    }
    fail(e->loc, "unsupported expression");
  }

  std::pair<std::string, std::string> runtime_extents(const std::vector<Dim>& s) {
    if (s.empty()) return {"1", "1"};
    if (s.size() == 1) {
      const std::string r = runtime_extent(s[0]);
      return axis(s[0]) == Axis::Row && s[0].kind != Dim::Kind::One ? std::pair{r, std::string("1")}
                                                                    : std::pair{std::string("1"), r};
    }
    return {runtime_extent(s[0]), runtime_extent(s[1])};
  }

  Val emit_unary(const Expr& e) {
    Val a = emit(e.args[0]);
    const char* t = cuda_type(e.dtype);
    if (!a.frag) {
      if (e.op == "neg") return {"(-" + a.code + ")", e.dtype};
      if (e.op == "not") return {"(!" + a.code + ")", e.dtype};
      return {fmt::format("tilecc::dev::scalar_{}<{}>({})", e.op, t, a.code), e.dtype};
    }
    if (e.op == "not") return make_frag("tilecc::dev::logical_not(" + a.code + ")", e.dtype, {a.rows, a.cols});
    return make_frag(fmt::format("tilecc::dev::{}<{}>({})", e.op, t, a.code), e.dtype, {a.rows, a.cols});
  }

  Val emit_binary(const Expr& e) {
    Val a = emit(e.args[0]), b = emit(e.args[1]);
    static const std::map<std::string, std::string> infix = {
        {"add", "+"}, {"sub", "-"}, {"mul", "*"}, {"div", "/"}, {"rem", "%"}, {"lt", "<"},  {"le", "<="},
        {"gt", ">"},  {"ge", ">="}, {"eq", "=="}, {"ne", "!="}, {"and", "&&"}, {"or", "||"}};
    if (!a.frag && !b.frag) {
      if (auto it = infix.find(e.op); it != infix.end())
        return {fmt::format("({} {} {})", a.code, it->second, b.code), e.dtype};
      return {fmt::format("tilecc::dev::scalar_{}<{}>({}, {})", e.op, cuda_type(e.dtype), a.code, b.code), e.dtype};
    }
    const auto rc = physical(e.shape, e.loc);
    if (e.kind == Expr::Kind::Compare)
      return make_frag(fmt::format("tilecc::dev::{}({}, {})", e.op, a.code, b.code), e.dtype, rc);
    if (e.op == "and" || e.op == "or")
      return make_frag(fmt::format("tilecc::dev::logical_{}({}, {})", e.op, a.code, b.code), e.dtype, rc);
    if (e.op == "rem") fail(e.loc, "'%' on tiles is not supported by the CUDA backend yet");
    return make_frag(fmt::format("tilecc::dev::{}<{}>({}, {})", e.op, cuda_type(e.dtype), a.code, b.code), e.dtype,
                     rc);
  }

  Val emit_reduce(const Expr& e) {
    Val a = emit(e.args[0]);
    const Dim& d = e.args[0]->shape[static_cast<std::size_t>(e.ival)];
    // The physical axis reduced: a rank-1 tile lies along its own axis.
    const bool cols = e.args[0]->shape.size() == 2 ? e.ival == 1 : axis(d) == Axis::Col;
    const auto rc = cols ? std::pair{a.rows, std::int64_t{1}} : std::pair{std::int64_t{1}, a.cols};
    const bool arg = e.op == "argmax" || e.op == "argmin";
    const std::string call = arg ? fmt::format("tilecc::dev::reduce_{}_{}({})", e.op, cols ? "cols" : "rows", a.code)
                                 : fmt::format("tilecc::dev::reduce_{}_{}<{}>({})", e.op, cols ? "cols" : "rows",
                                               cuda_type(e.dtype), a.code);
    const std::string name = fresh(e.op);
    line(fmt::format("const auto {} = {};", name, call));
    return make_frag(name, e.dtype, rc);
  }

  /// Pointer to a region's first element, and the strides of its rows/columns.
  struct Access {
    std::string pointer, row_stride = "0", col_stride = "0";
    std::string rows = "1", cols = "1";
    const Index* gather = nullptr;
    std::string gather_stride;
  };

  Access access(const std::string& tensor, const std::vector<Index>& indices, const std::vector<Dim>& shape,
                ir::SourceLoc at) {
    Access a;
    std::vector<std::string> offsets;
    std::vector<std::pair<int, const Index*>> dims;  // tensor dim -> index producing a tile dim
    for (std::size_t d = 0; d < indices.size(); ++d) {
      const Index& i = indices[d];
      const std::string stride = fmt::format("{}.stride({})", tensor, d);
      switch (i.kind) {
        case Index::Kind::Tile: offsets.push_back(fmt::format("{}_begin * {}", i.var, stride)); break;
        case Index::Kind::Scalar: offsets.push_back(fmt::format("({}) * {}", scalar(i.expr), stride)); break;
        case Index::Kind::All: break;
        case Index::Kind::Gather: break;
      }
      if (i.kind != Index::Kind::Scalar) dims.push_back({static_cast<int>(d), &i});
    }
    std::string off = offsets.empty() ? "0" : offsets[0];
    for (std::size_t i = 1; i < offsets.size(); ++i) off += " + " + offsets[i];
    a.pointer = offsets.empty() ? tensor + ".data" : fmt::format("{}.data + ({})", tensor, off);
    const auto [rows, cols] = runtime_extents(shape);
    a.rows = rows;
    a.cols = cols;
    auto stride_of = [&](int d) { return fmt::format("{}.stride({})", tensor, d); };
    if (dims.size() == 2) {
      a.row_stride = stride_of(dims[0].first);
      a.col_stride = stride_of(dims[1].first);
    } else if (dims.size() == 1) {
      (axis(shape[0]) == Axis::Row ? a.row_stride : a.col_stride) = stride_of(dims[0].first);
    }
    for (std::size_t i = 0; i < dims.size(); ++i)
      if (dims[i].second->kind == Index::Kind::Gather) {
        if (i != 0 || axis(shape[0]) != Axis::Row)
          fail(at, "gathering along a column dimension is not supported by the CUDA backend yet",
               "gather rows: table[indices, t]");
        a.gather = dims[i].second;
        a.gather_stride = stride_of(dims[i].first);
      }
    return a;
  }

  const ir::Param& param(const std::string& name) const {
    for (const ir::Param& p : k_.params)
      if (p.name == name) return p;
    throw CodegenError("unknown tensor " + name);
  }

  Val emit_load(const Expr& e) {
    if (auto it = prefetched_.find(&e); it != prefetched_.end()) return it->second;
    const Access a = access(e.name, e.indices, e.shape, e.loc);
    if (e.shape.empty())
      return {fmt::format("tilecc::dev::convert<{}>({}[0])", cuda_type(e.dtype), a.pointer), e.dtype};
    const auto rc = physical(e.shape, e.loc);
    const std::string name = fresh(e.name);
    line(fmt::format("{} {};", frag_type(e.dtype, rc.first, rc.second), name));
    if (a.gather) {
      const Val idx = emit(a.gather->expr);
      line(fmt::format("tilecc::dev::load_gather_rows({}, {}, {}, {}, {}, {});", name, a.pointer, idx.code,
                       a.gather_stride, a.col_stride, a.cols));
    } else {
      line(fmt::format("tilecc::dev::load({}, {}, {}, {}, {}, {});", name, a.pointer, a.row_stride, a.col_stride,
                       a.rows, a.cols));
    }
    return make_frag(name, e.dtype, rc);
  }

  // ---- statements ------------------------------------------------------------------------

  void emit_block(const std::vector<ir::StmtPtr>& body) {
    for (const ir::StmtPtr& s : body) emit_stmt(*s);
  }

  void emit_stmt(const Stmt& s) {
    switch (s.kind) {
      case Stmt::Kind::Let: {
        line(source_comment(s.loc));
        Val v = emit(s.expr);
        line(fmt::format("auto {} = {};", s.name, v.code));
        v.code = s.name;
        values_[s.name] = v;
        return;
      }
      case Stmt::Kind::Assign: {
        line(source_comment(s.loc));
        const Val& target = values_.at(s.name);
        Val v = emit(s.expr);
        std::string code = v.code;
        if (v.dtype != target.dtype || v.rows != target.rows || v.cols != target.cols)
          code = broadcast_to(v, target.dtype, target.rows, target.cols, runtime_extents(s.expr->shape));
        line(fmt::format("{} = {};", s.name, code));
        return;
      }
      case Stmt::Kind::Store:
      case Stmt::Kind::AtomicAdd: {
        line(source_comment(s.loc));
        const ir::Param& p = param(s.name);
        std::vector<Dim> shape;
        for (std::size_t d = 0; d < s.indices.size(); ++d) {
          const Index& i = s.indices[d];
          if (i.kind == Index::Kind::Tile) shape.push_back({Dim::Kind::Tile, i.var, 0, nullptr});
          else if (i.kind == Index::Kind::All) shape.push_back({Dim::Kind::Full, s.name, static_cast<int>(d), nullptr});
          else if (i.kind == Index::Kind::Gather) fail(s.loc, "storing through gathered indices is not supported yet");
        }
        const Access a = access(s.name, s.indices, shape, s.loc);
        Val v = emit(s.expr);
        const bool atomic = s.kind == Stmt::Kind::AtomicAdd;
        if (shape.empty()) {
          const std::string value = v.frag ? v.code + ".v[0][0]" : v.code;
          const std::string target = fmt::format("{}[0]", a.pointer);
          line(fmt::format("if (threadIdx.x == 0) {};",
                           atomic ? fmt::format("atomicAdd(&{}, tilecc::dev::convert<{}>({}))", target,
                                                cuda_type(p.dtype), value)
                                  : fmt::format("{} = tilecc::dev::convert<{}>({})", target, cuda_type(p.dtype), value)));
          return;
        }
        const auto rc = physical(shape, s.loc);
        std::string value = v.code;
        if (!v.frag || v.rows != rc.first || v.cols != rc.second)
          value = broadcast_to(v, v.dtype, rc.first, rc.second, runtime_extents(shape));
        line(fmt::format("tilecc::dev::{}({}, {}, {}, {});", atomic ? "atomic_add" : "store", a.pointer, value,
                         a.row_stride, a.col_stride));
        return;
      }
      case Stmt::Kind::Check: fail(s.loc, "TILECC_CHECK inside a tile loop", "check shapes before the tile loop");
      case Stmt::Kind::Loop: emit_device_loop(s); return;
    }
  }

  std::string broadcast_to(const Val& v, DType t, std::int64_t r, std::int64_t c,
                           const std::pair<std::string, std::string>& extents) {
    return fmt::format("tilecc::dev::add<{}>(tilecc::dev::full<{}, {}, {}, L>({}(0), {}, {}), {})", cuda_type(t),
                       cuda_type(t), r, c, cuda_type(t), extents.first, extents.second, v.code);
  }

  /// `for (tk : tile(k)) acc = dot(a[.., tk], b[tk, ..], acc)` becomes one
  /// call of the library's pipelined k-loop (tensor cores where it can).
  bool emit_dot_loop(const Stmt& s) {
    if (s.is_grid || s.dims.size() != 1 || s.body.size() != 1) return false;
    const Stmt& st = *s.body[0];
    const std::string& k = s.dims[0].var;
    if (st.kind != Stmt::Kind::Assign || st.expr->kind != Expr::Kind::Dot || st.expr->args.size() != 3) return false;
    const Expr& dot = *st.expr;
    const Expr& a = *dot.args[0];
    const Expr& b = *dot.args[1];
    const Expr& acc = *dot.args[2];
    if (a.kind != Expr::Kind::Load || b.kind != Expr::Kind::Load || acc.kind != Expr::Kind::Var || acc.name != st.name)
      return false;
    // The loop variable must index the contraction dimension of both operands.
    auto k_position = [&](const Expr& load) {
      int pos = -1, tiles = 0;
      for (std::size_t i = 0; i < load.indices.size(); ++i) {
        const Index& idx = load.indices[i];
        if (idx.kind == Index::Kind::Gather) return -2;
        if (idx.kind == Index::Kind::Tile || idx.kind == Index::Kind::All) {
          if (idx.kind == Index::Kind::Tile && idx.var == k) pos = tiles;
          ++tiles;
        }
      }
      return pos;
    };
    if (k_position(a) != 1 || k_position(b) != 0) return false;
    line(source_comment(s.loc));
    auto operand = [&](const Expr& load) {
      std::vector<Index> idx = load.indices;
      for (Index& i : idx)
        if (i.kind == Index::Kind::Tile && i.var == k) i = Index{Index::Kind::All, "", nullptr};
      std::vector<Dim> shape = load.shape;
      return access(load.name, idx, shape, load.loc);
    };
    const Access pa = operand(a), pb = operand(b);
    const std::string begin = scalar(s.dims[0].begin), end = scalar(s.dims[0].end);
    line(fmt::format("tilecc::dev::dot_loop<{}>({}, {}, {}, {}, {}, {}, {}, {}, {}, {});", blocks_.at(k), st.name,
                     pa.pointer, pa.row_stride, pa.col_stride, pb.pointer, pb.row_stride, pb.col_stride, begin, end,
                     runtime_extent(a.shape[0]) + ", " + runtime_extent(b.shape[1])));
    return true;
  }

  void emit_device_loop(const Stmt& s) {
    if (emit_dot_loop(s)) return;
    line(source_comment(s.loc));
    int opened = 0;
    for (const ir::LoopDim& d : s.dims) {
      const std::string begin = scalar(d.begin), end = scalar(d.end);
      if (s.is_grid) {
        line(fmt::format("for (long long {0} = {1}; {0} < {2}; ++{0}) {{", d.var, begin, end));
      } else {
        const std::int64_t b = blocks_.at(d.var);
        line(fmt::format("for (long long {0}_begin = {1}, {0}_id = 0; {0}_begin < {2}; {0}_begin += {3}, ++{0}_id) {{",
                         d.var, begin, end, b));
        ++indent_;
        line(fmt::format("const int {0}_size = int(min({1}LL, ({2}) - {0}_begin));", d.var, b, end));
        line(fmt::format("(void){}_id;", d.var));
        --indent_;
      }
      ++indent_;
      ++opened;
    }
    emit_block(s.body);
    for (int i = 0; i < opened; ++i) {
      --indent_;
      line("}");
    }
  }

  // ---- the kernel and its launcher ---------------------------------------------------------

  std::string param_list(bool device) const {
    std::string out;
    for (std::size_t i = 0; i < k_.params.size(); ++i) {
      const ir::Param& p = k_.params[i];
      out += i ? ", " : "";
      if (p.is_tensor && device)
        out += fmt::format("tilecc::dev::TensorArg<{}{}, {}> {}", p.is_const ? "const " : "", cuda_type(p.dtype), p.rank,
                           p.name);
      else if (p.is_tensor || !p.cpp_type.empty())
        out += fmt::format("{} {}", p.cpp_type.empty() ? "auto" : p.cpp_type, p.name);
      else
        out += fmt::format("{} {}", cuda_type(p.dtype), p.name);
    }
    return out;
  }

  /// All launch dims, outermost first.
  std::vector<std::pair<const ir::LoopDim*, bool>> launch_dims() const {
    std::vector<std::pair<const ir::LoopDim*, bool>> dims;
    const std::vector<ir::StmtPtr>* body = &k_.body;
    while (!body->empty() && (*body)[0]->kind == Stmt::Kind::Loop && (*body)[0]->is_launch) {
      for (const ir::LoopDim& d : (*body)[0]->dims) dims.push_back({&d, (*body)[0]->is_grid});
      body = &(*body)[0]->body;
    }
    return dims;
  }

  const std::vector<ir::StmtPtr>& launch_body() const {
    const std::vector<ir::StmtPtr>* body = &k_.body;
    while (!body->empty() && (*body)[0]->kind == Stmt::Kind::Loop && (*body)[0]->is_launch) body = &(*body)[0]->body;
    return *body;
  }

  void emit_host_lets() {
    for (const ir::StmtPtr& s : k_.host)
      if (s->kind == Stmt::Kind::Let) line(fmt::format("const {} {} = {};", cuda_type(s->expr->dtype), s->name, scalar(s->expr)));
  }

  std::string emit_global(const std::string& symbol) {
    out_.clear();
    indent_ = 0;
    const std::string bounds = c_.min_blocks_per_sm ? fmt::format("{}, {}", threads_, c_.min_blocks_per_sm)
                                                    : std::to_string(threads_);
    line(fmt::format("__global__ void __launch_bounds__({}) {}({}) {{", bounds, symbol, param_list(true)));
    ++indent_;
    line(fmt::format("using L = tilecc::dev::Layout<{}, {}>;  // {} threads as {} rows x {} columns", threads_, tc_,
                     threads_, threads_ / tc_, tc_));
    emit_host_lets();
    line(source_comment(k_.body.empty() ? ir::SourceLoc{} : k_.body[0]->loc));
    if (!c_.persistent) {
      line("long long pid = tilecc::dev::program_id(0);");
      emit_program_tiles();
      emit_block(launch_body());
    } else {
      emit_persistent_programs();
    }
    --indent_;
    line("}");
    return out_;
  }

  /// Decomposes `pid` into the launch loops' tile indices (last dim fastest).
  void emit_program_tiles() {
    const auto dims = launch_dims();
    for (auto it = dims.rbegin(); it != dims.rend(); ++it) {
      const ir::LoopDim& d = *it->first;
      const std::string begin = scalar(d.begin), end = scalar(d.end);
      const std::int64_t b = blocks_.at(d.var);
      line(fmt::format("const long long {0}_tiles = (({1}) - ({2}) + {3} - 1) / {3};", d.var, end, begin, b));
      line(fmt::format("const long long {0}_id = pid % {0}_tiles;", d.var));
      line(fmt::format("pid /= {}_tiles;", d.var));
      if (it->second) {
        line(fmt::format("const long long {0} = ({1}) + {0}_id;", d.var, begin));
      } else {
        line(fmt::format("const long long {0}_begin = ({1}) + {0}_id * {2};", d.var, begin, b));
        line(fmt::format("const int {0}_size = int(min({1}LL, ({2}) - {0}_begin));", d.var, b, end));
      }
    }
  }

  std::string programs_expr() {
    std::string tiles;
    for (const auto& [d, grid] : launch_dims())
      tiles += fmt::format("{}tilecc::dev::ceil_div(({}) - ({}), {}LL)", tiles.empty() ? "" : " * ", scalar(d->end),
                           scalar(d->begin), blocks_.at(d->var));
    return tiles.empty() ? "1LL" : tiles;
  }

  /// Loads at the top of the launch body that read const tensors at launch
  /// tiles only: safe to issue one program ahead.
  std::vector<const Expr*> prefetchable_loads() const {
    std::set<std::string> launch_vars;
    for (const auto& [d, grid] : launch_dims())
      if (!grid) launch_vars.insert(d->var);
    std::vector<const Expr*> out;
    std::function<void(const ExprPtr&)> visit = [&](const ExprPtr& e) {
      if (!e) return;
      if (e->kind == Expr::Kind::Load && !e->shape.empty()) {
        bool ok = param(e->name).is_const;
        for (const Index& i : e->indices)
          ok = ok && (i.kind == Index::Kind::All || (i.kind == Index::Kind::Tile && launch_vars.count(i.var)));
        if (ok) out.push_back(e.get());
        return;
      }
      if (e->kind == Expr::Kind::Dot) return;
      for (const ExprPtr& a : e->args) visit(a);
    };
    for (const ir::StmtPtr& st : launch_body())
      if (st->kind == Stmt::Kind::Let || st->kind == Stmt::Kind::Store) visit(st->expr);
    return out;
  }

  /// Persistent programs: a grid of SMs x programs_per_sm blocks walks the
  /// programs; with prefetch, the next program's loads are in flight while
  /// this one computes (double-buffered registers).
  void emit_persistent_programs() {
    const std::vector<const Expr*> loads = c_.prefetch ? prefetchable_loads() : std::vector<const Expr*>{};
    line(fmt::format("const long long programs = {};", programs_expr()));
    auto issue = [&](const std::string& pid) {
      line("{");
      ++indent_;
      line(fmt::format("long long pid = {};", pid));
      emit_program_tiles();
      for (std::size_t i = 0; i < loads.size(); ++i) {
        const Access a = access(loads[i]->name, loads[i]->indices, loads[i]->shape, loads[i]->loc);
        line(fmt::format("tilecc::dev::load(next_{}, {}, {}, {}, {}, {});", i, a.pointer, a.row_stride, a.col_stride,
                         a.rows, a.cols));
      }
      --indent_;
      line("}");
    };
    for (std::size_t i = 0; i < loads.size(); ++i) {
      const auto rc = physical(loads[i]->shape, loads[i]->loc);
      line(fmt::format("{} next_{};  // prefetched: {} of the next program", frag_type(loads[i]->dtype, rc.first,
                                                                                         rc.second),
                       i, loads[i]->name));
    }
    if (!loads.empty()) {
      line("if (blockIdx.x < programs)");
      issue("blockIdx.x");
    }
    line("for (long long program = blockIdx.x; program < programs; program += gridDim.x) {");
    ++indent_;
    line("long long pid = program;");
    emit_program_tiles();
    for (std::size_t i = 0; i < loads.size(); ++i) {
      const std::string name = fresh(loads[i]->name);
      line(fmt::format("const auto {} = next_{};", name, i));
      const auto rc = physical(loads[i]->shape, loads[i]->loc);
      prefetched_[loads[i]] = make_frag(name, loads[i]->dtype, rc);
    }
    if (!loads.empty()) {
      line("if (program + gridDim.x < programs)");
      issue("program + gridDim.x");
    }
    emit_block(launch_body());
    --indent_;
    line("}");
  }

  std::string emit_launcher(const std::string& symbol) {
    out_.clear();
    indent_ = 0;
    const std::string params = param_list(false);
    if (k_.instance.empty())
      line(fmt::format("cudaError_t {}({}{}cudaStream_t stream) {{", k_.name, params, params.empty() ? "" : ", "));
    else
      line(fmt::format("template <>\ncudaError_t {}<{}>({}{}cudaStream_t stream) {{", k_.name, k_.instance, params,
                       params.empty() ? "" : ", "));
    ++indent_;
    emit_host_lets();
    for (const ir::StmtPtr& s : k_.host)
      if (s->kind == Stmt::Kind::Check)
        line(fmt::format("if (!({})) return tilecc::launch_check_failed(\"{}\", \"{}\");", scalar(s->expr), k_.name,
                         escape(s->text)));
    for (const std::string& full : whole_dims_)
      line(fmt::format("if ({} > {}) return tilecc::launch_config_error(\"{}\", \"{} exceeds the config's full_extent "
                       "{}: translate with a larger full_extent\");",
                       full, c_.full_extent, k_.name, full, c_.full_extent));
    line(fmt::format("const long long programs = {};", programs_expr()));
    line("if (programs <= 0) return cudaSuccess;");
    line("if (programs > 2147483647LL) return cudaErrorInvalidConfiguration;");
    std::string args;
    for (std::size_t i = 0; i < k_.params.size(); ++i) {
      const ir::Param& p = k_.params[i];
      args += (i ? ", " : "") + (p.is_tensor ? fmt::format("tilecc::to_arg({})", p.name) : p.name);
    }
    if (c_.persistent)
      line(fmt::format("const long long blocks = std::min<long long>(programs, tilecc::sm_count() * {}LL);",
                       c_.programs_per_sm));
    line(fmt::format("{}<<<dim3(unsigned({})), {}, 0, stream>>>({});", symbol, c_.persistent ? "blocks" : "programs",
                     threads_, args));
    line("return cudaGetLastError();");
    --indent_;
    line("}");
    return out_;
  }

  static std::string escape(const std::string& s) {
    std::string out;
    for (char ch : s) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    return out;
  }

  /// Every whole-dimension extent the kernel holds in registers ("x.size(1)").
  void find_whole_dims(const std::vector<ir::StmtPtr>& body) {
    for (const ir::StmtPtr& s : body) {
      find_whole_dims_expr(s->expr);
      for (std::size_t d = 0; d < s->indices.size(); ++d)
        if (s->indices[d].kind == Index::Kind::All) whole_dims_.insert(fmt::format("{}.size({})", s->name, d));
      find_whole_dims(s->body);
    }
  }

  void find_whole_dims_expr(const ExprPtr& e) {
    if (!e) return;
    for (const Dim& d : e->shape)
      if (d.kind == Dim::Kind::Full) whole_dims_.insert(fmt::format("{}.size({})", d.var, d.index));
    for (const ExprPtr& a : e->args) find_whole_dims_expr(a);
  }

  const ir::Kernel& k_;
  const Config& c_;
  const EmitOptions& o_;
  std::map<std::string, Axis> axes_;
  std::map<std::string, std::int64_t> blocks_;
  std::map<std::string, Val> values_;
  std::map<const Expr*, Val> prefetched_;
  std::set<std::string> whole_dims_;
  std::int64_t threads_ = 128, tc_ = 32;
  std::string out_;
  int indent_ = 0;
  int counter_ = 0;
};

}  // namespace

std::string instance_suffix(const ir::Kernel& k) {
  std::string s = k.instance;
  for (const char* drop : {"tilecc::", "tl::", "std::"})
    for (std::size_t p; (p = s.find(drop)) != std::string::npos;) s.erase(p, std::string(drop).size());
  std::string out;
  for (char ch : s) out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  if (out == "float") out = "f32";
  if (out == "double") out = "f64";
  return out;
}

KernelCode emit_kernel(const ir::Kernel& kernel, const Config& config, const EmitOptions& options) {
  validate(config, kernel);
  return Emitter(kernel, config, options).run();
}

}  // namespace tilecc::codegen
