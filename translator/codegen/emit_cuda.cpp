#include "emit_cuda.hpp"

#include "translator/codegen/line_directives.hpp"
#include "translator/ir/layout.hpp"
#include "translator/ir/visitor.hpp"
#include "translator/launch/launch_plan.hpp"
#include "translator/passes/dot_epilogue.hpp"
#include "translator/passes/dot_rules.hpp"
#include "translator/passes/pipeline.hpp"
#include "translator/passes/resources.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string_view>

namespace tilecc::codegen {

using namespace tilecc::config;

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
    case DType::u8: return "unsigned char";
    case DType::fp8e4m3: return "__nv_fp8_e4m3";
    case DType::fp8e5m2: return "__nv_fp8_e5m2";
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

using ir::Axis;

class Emitter {
 public:
  /// source: the kernel before lowering (the launch plan's guards and looped fallback are its).
  Emitter(const ir::Kernel& source, const ir::Kernel& k, const passes::Resources& r, const Config& c,
          const EmitOptions& o)
      : source_(source), k_(k), resources_(r), c_(c), o_(o) {}

  KernelCode run() {
    plan_ = launch::plan_lowered_launch(source_, k_, c_);
    if (o_.refuse_beyond_full_extent) plan_.beyond_guards = launch::BeyondGuards::Refuse;
    plan_.dynamic_shared_bytes = resources_.dynamic_shared_bytes;
    plan_.looped_dynamic_shared_bytes = o_.looped_dynamic_shared;
    threads_ = k_.layout.threads;
    tc_ = k_.layout.threads_per_row;
    find_device_loops(k_.body);
    KernelCode code;
    code.kernel_symbol = kernel_symbol(k_, o_.symbol_suffix);
    code.global_function = emit_global(code.kernel_symbol);
    code.launcher = emit_launcher(code.kernel_symbol);
    code.launcher_params = param_list(false);
    code.resources = resources_;
    return code;
  }

 private:
  // ---- errors and comments ----------------------------------------------------------

  /// The lowered IR breaks an invariant the passes guarantee: a tilecc bug, not the user's.
  [[noreturn]] void internal(ir::SourceLoc at, const std::string& what) const {
    throw std::logic_error(fmt::format("{}:{}:{}: internal error: {}", k_.source_file, at.line, at.column, what));
  }

  /// The comment naming the source line a statement comes from; the lines printed after it are
  /// that line's (the #line directives of --line-directives).
  std::string source_comment(ir::SourceLoc at) {
    at_ = at;
    std::string file = k_.source_file;
    if (auto slash = file.rfind('/'); slash != std::string::npos) file = file.substr(slash + 1);
    std::string text;
    if (at.line >= 1 && static_cast<std::size_t>(at.line) <= o_.source_lines.size()) {
      text = o_.source_lines[static_cast<std::size_t>(at.line) - 1];
      text.erase(0, text.find_first_not_of(" \t"));
    }
    return fmt::format("// {}:{}{}{}", file, at.line, text.empty() ? "" : "  ", text);
  }

  void line(const std::string& s) {
    if (!o_.line_file.empty()) place_line_directive(s);
    out_ += std::string(static_cast<std::size_t>(indent_) * 2, ' ') + s + "\n";
  }

  /// Before a line of code: `#line N` when the line count since the last directive does not
  /// already give it the current statement's source line N, the generated marker when it is
  /// tilecc's own and the last directive named the source. Comments, pragmas and lone braces
  /// take none.
  void place_line_directive(const std::string& s) {
    const bool code = !(s.rfind("//", 0) == 0 || s.rfind("#", 0) == 0 || s == "{" || s == "}");
    if (code && at_.line > 0 && next_line_ != at_.line) {
      out_ += line_directive(at_.line, o_.line_file) + "\n";
      next_line_ = at_.line;
    } else if (code && at_.line <= 0 && next_line_ != kGeneratedLines) {
      out_ += std::string(line_generated_marker) + "\n";
      next_line_ = kGeneratedLines;
    }
    if (next_line_ > 0) next_line_ += 1 + static_cast<int>(std::count(s.begin(), s.end(), '\n'));
  }

  /// Each function printed starts with nothing known of the lines before it.
  void start_function() {
    out_.clear();
    indent_ = 0;
    at_ = {};
    next_line_ = kUnknownLines;
  }

  // ---- shapes: the layout assign_layout chose ----------------------------------------------

  Axis axis(const Dim& d) const { return ir::axis_of(k_.layout, d); }
  std::int64_t block(const std::string& var) const { return k_.layout.blocks.at(var); }

  /// A tensor's size or stride as the kernel reads it: a constant specialize folded, else the
  /// argument's field.
  std::string shape_value(const std::string& tensor, const char* what, std::int64_t d) const {
    const bool stride = what[1] == 't';
    const auto& folded = stride ? k_.assumptions.strides : k_.assumptions.sizes;
    if (auto it = folded.find({tensor, static_cast<int>(d)}); it != folded.end())
      return fmt::format("{}LL", it->second);
    return fmt::format("{}.{}({})", tensor, what, d);
  }

  /// `{var}_size`: the tile's extent, a constant when the loop's extent divides its block size.
  static std::string tile_size_line(const std::string& var, std::int64_t block, bool divisible,
                                    const std::string& end) {
    if (divisible)
      return fmt::format("constexpr int {}_size = {};  // specialized: the extent divides {}", var, block, block);
    return fmt::format("const int {0}_size = int(min({1}LL, ({2}) - {0}_begin));", var, block, end);
  }
  static std::string tile_size_line(const ir::LoopDim& d, const std::string& end) {
    return tile_size_line(d.var, d.block.value, d.divisible, end);
  }

  std::string runtime_extent(const Dim& d) {
    if (in_chunk_ && (d.kind == Dim::Kind::Full || d.kind == Dim::Kind::Expr)) return "rc_size";
    switch (d.kind) {
      case Dim::Kind::Tile:  // outside its loop: a whole block (a partial accumulator, defer_loop_reductions)
        return closed_loops_.count(d.var) ? std::to_string(block(d.var)) : d.var + "_size";
      case Dim::Kind::Full: return fmt::format("int({})", shape_value(d.var, "size", d.index));
      case Dim::Kind::Expr: return "int(" + scalar(d.extent) + ")";
      case Dim::Kind::One: return "1";
    }
    return "1";
  }

  /// Physical (rows, cols) of a logical shape.
  std::pair<std::int64_t, std::int64_t> physical(const std::vector<Dim>& s, ir::SourceLoc) const {
    return ir::physical(k_.layout, s);
  }

  std::string frag_type(DType t, std::int64_t r, std::int64_t c) {
    return fmt::format("tilecc::dev::Frag<{}, {}, {}, L>", cuda_type(t), r, c);
  }

  // ---- expressions ---------------------------------------------------------------------

  std::string scalar(const ExprPtr& e) {
    Val v = emit(e);
    if (v.frag) internal(e->loc, "a tile where a scalar is needed (check_supported lets none through)");
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
      case DType::bf16:
      case DType::fp8e4m3:
      case DType::fp8e5m2: return fmt::format("tilecc::dev::convert<{}>({:#}f)", cuda_type(e.dtype), e.fval);
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
        if (auto d = deferred_.find(e->name); d != deferred_.end()) {
          if (!in_chunk_) throw CodegenError("internal: a looped row value used outside its chunk loop");
          auto [it, fresh_value] = chunk_values_.try_emplace(e->name);
          if (fresh_value) {
            const Val v = emit(d->second);
            const std::string name = fresh(e->name);
            line(fmt::format("const auto {} = {};", name, v.code));
            it->second = v;
            it->second.code = name;
          }
          return it->second;
        }
        auto it = values_.find(e->name);
        if (it == values_.end()) return {e->name, t};  // host let or grid index: a scalar
        return it->second;
      }
      case K::TensorSize: return {fmt::format("{}.size({})", e->name, e->ival), DType::i64};
      case K::TensorStride: return {fmt::format("{}.stride({})", e->name, e->ival), DType::i64};
      case K::TileAttr: {
        const std::string& v = e->name;
        if (e->op == ir::Op::Begin) return {v + "_begin", DType::i64};
        if (e->op == ir::Op::Size) return {"(long long)" + v + "_size", DType::i64};
        if (e->op == ir::Op::End) return {fmt::format("({0}_begin + {0}_size)", v), DType::i64};
        if (e->op == ir::Op::Id) return {v + "_id", DType::i64};
        return {std::to_string(block(v)) + "LL", DType::i64};
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
        return make_frag(fmt::format("tilecc::dev::arange_{}<{}, {}, {}, L>({}, {})", row ? "rows" : "cols",
                                     cuda_type(t), rc.first, rc.second, in_chunk_ ? "rc_begin" : "0",
                                     runtime_extent(e->shape[0])),
                         t, rc);
      }
      case K::Unary: return emit_unary(*e);
      case K::Binary:
      case K::Compare: return emit_binary(*e);
      case K::Select: {
        if (const ir::Expr& cond = *e->args[0]; cond.kind == K::Compare && cond.index_compare.op != ir::Op::None)
          return emit_where_index(*e);
        Val c = emit(e->args[0]), a = emit(e->args[1]), b = emit(e->args[2]);
        if (!c.frag && !a.frag && !b.frag) return {fmt::format("({} ? {} : {})", c.code, a.code, b.code), t};
        return make_frag(fmt::format("tilecc::dev::where<{}>({}, {}, {})", cuda_type(t), c.code, a.code, b.code), t,
                         physical(e->shape, e->loc));
      }
      case K::Cast: {
        // Widening a loaded bf16 tile to f32: keep it packed as loaded and widen at each use
        // (half the registers of a Frag<bf16>, one instruction per element).
        if (auto it = packed_.find(e->args[0].get()); it != packed_.end()) return it->second;
        if (e->packed_widen) return emit_packed_load(*e->args[0]);
        if (e->narrow_at_dot) {  // select_accesses: rounded as the dot reads it
          const Val x = emit(e->args[0]);
          return {fmt::format("tilecc::dev::narrowed<{}>({})", cuda_type(t), x.code), t, true, x.rows, x.cols};
        }
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
        before_shared_dot(*e);
        line(fmt::format("tilecc::dev::dot({}, {}, {});", acc, a.code, b.code));
        return make_frag(acc, t, rc);
      }
      case K::Unsqueeze: return emit(e->args[0]);  // the same fragment (assign_layout checked)
      case K::Transpose: {  // a dot operand (check_supported): dot stages it transposed
        const Val a = emit(e->args[0]);
        return {fmt::format("tilecc::dev::trans({})", a.code), a.dtype, true, a.cols, a.rows};
      }
    }
    internal(e->loc, "an expression kind the printer does not know");
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
      if (e.op == ir::Op::Neg) return {"(-" + a.code + ")", e.dtype};
      if (e.op == ir::Op::Not) return {"(!" + a.code + ")", e.dtype};
      if (e.op == ir::Op::BitNot) return {fmt::format("{}(~{})", t, a.code), e.dtype};
      return {fmt::format("tilecc::dev::scalar_{}<{}>({})", ir::name(e.op), t, a.code), e.dtype};
    }
    if (e.op == ir::Op::Not) return make_frag("tilecc::dev::logical_not(" + a.code + ")", e.dtype, {a.rows, a.cols});
    return make_frag(fmt::format("tilecc::dev::{}<{}>({})", ir::name(e.op), t, a.code), e.dtype, {a.rows, a.cols});
  }

  Val emit_binary(const Expr& e) {
    if (e.op == ir::Op::Fma) return emit_fma(e);
    if (e.kind == Expr::Kind::Compare && e.index_compare.op != ir::Op::None)
      return emit_index_compare(e, physical(e.shape, e.loc));
    Val a = emit(e.args[0]), b = emit(e.args[1]);
    static const std::map<std::string, std::string> infix = {
        {"add", "+"}, {"sub", "-"},     {"mul", "*"},    {"div", "/"},     {"rem", "%"},  {"lt", "<"},
        {"le", "<="}, {"gt", ">"},      {"ge", ">="},    {"eq", "=="},     {"ne", "!="},  {"and", "&&"},
        {"or", "||"}, {"bit_and", "&"}, {"bit_or", "|"}, {"bit_xor", "^"}, {"shl", "<<"}, {"shr", ">>"}};
    // A floating scalar % is fmod (as the host evaluator computes it), not C's integer %.
    if (!a.frag && !b.frag && e.op == ir::Op::Rem && ir::is_floating(e.dtype))
      return {fmt::format("tilecc::dev::scalar_rem<{}>({}, {})", cuda_type(e.dtype), a.code, b.code), e.dtype};
    if (!a.frag && !b.frag) {
      if (auto it = infix.find(ir::name(e.op)); it != infix.end())
        return {fmt::format("({} {} {})", a.code, it->second, b.code), e.dtype};
      return {fmt::format("tilecc::dev::scalar_{}<{}>({}, {})", ir::name(e.op), cuda_type(e.dtype), a.code, b.code),
              e.dtype};
    }
    const auto rc = physical(e.shape, e.loc);
    if (e.accumulate)  // defer_loop_reductions: only b's valid elements combine into a
      return make_frag(fmt::format("tilecc::dev::accumulate_{}<{}>({}, {})", ir::name(e.op), cuda_type(e.dtype), a.code,
                                   b.code),
                       e.dtype, rc);
    if (e.kind == Expr::Kind::Compare)
      return make_frag(fmt::format("tilecc::dev::{}({}, {})", ir::name(e.op), a.code, b.code), e.dtype, rc);
    if (e.op == ir::Op::And || e.op == ir::Op::Or)
      return make_frag(fmt::format("tilecc::dev::logical_{}({}, {})", ir::name(e.op), a.code, b.code), e.dtype, rc);
    return make_frag(fmt::format("tilecc::dev::{}<{}>({}, {})", ir::name(e.op), cuda_type(e.dtype), a.code, b.code),
                     e.dtype, rc);
  }

  /// The arguments of a compare select_index_compares marked: "Op, R, C, L>(row begin,
  /// column begin, rows, cols" (the device library's index_compare and where_index).
  std::string index_compare_args(const Expr& e, std::pair<std::int64_t, std::int64_t> rc) {
    auto offset = [&](const std::vector<ir::IndexCompare::Term>& terms) {
      std::string out;
      for (const auto& t : terms) out += fmt::format(" {} ({})", t.minus ? '-' : '+', emit(t.value).code);
      return out;
    };
    const auto [rows, cols] = runtime_extents(e.shape);
    return fmt::format("tilecc::dev::IndexCmp::{}, {}, {}, L>({}_begin{}, {}_begin{}, {}, {}",
                       ir::name(e.index_compare.op), rc.first, rc.second, e.shape[0].var,
                       offset(e.index_compare.row_offset), e.shape[1].var, offset(e.index_compare.column_offset), rows,
                       cols);
  }

  Val emit_index_compare(const Expr& e, std::pair<std::int64_t, std::int64_t> rc) {
    return make_frag(fmt::format("tilecc::dev::index_compare<{})", index_compare_args(e, rc)), e.dtype, rc);
  }

  /// where() on a marked compare: where_index, which skips the compares on tiles wholly on
  /// one side (a causal mask off the diagonal).
  Val emit_where_index(const Expr& e) {
    const Expr& cond = *e.args[0];
    const auto rc = physical(e.shape, e.loc);
    const std::string args = index_compare_args(cond, physical(cond.shape, cond.loc));
    Val a = emit(e.args[1]), b = emit(e.args[2]);
    return make_frag(fmt::format("tilecc::dev::where_index<{}, {}, {}, {})", cuda_type(e.dtype), args, a.code, b.code),
                     e.dtype, rc);
  }

  Val emit_fma(const Expr& e) {
    Val a = emit(e.args[0]), b = emit(e.args[1]), c = emit(e.args[2]);
    const char* t = cuda_type(e.dtype);
    if (!a.frag && !b.frag && !c.frag)
      return {fmt::format("tilecc::dev::scalar_fma<{}>({}, {}, {})", t, a.code, b.code, c.code), e.dtype};
    return make_frag(fmt::format("tilecc::dev::fma<{}>({}, {}, {})", t, a.code, b.code, c.code), e.dtype,
                     physical(e.shape, e.loc));
  }

  Val emit_reduce(const Expr& e) {
    if (e.chunked >= 0) return chunked_.at(e.chunked);
    if (ir::is_scan(e.op)) return emit_scan(e);
    Val a = emit(e.args[0]);
    const Dim& d = e.args[0]->shape[static_cast<std::size_t>(e.ival)];
    // The physical axis reduced: a rank-1 tile lies along its own axis.
    const bool cols = e.args[0]->shape.size() == 2 ? e.ival == 1 : axis(d) == Axis::Col;
    const auto rc = cols ? std::pair{a.rows, std::int64_t{1}} : std::pair{std::int64_t{1}, a.cols};
    const bool arg = e.op == ir::Op::Argmax || e.op == ir::Op::Argmin;
    const std::string call =
        arg ? fmt::format("tilecc::dev::reduce_{}_{}({})", ir::name(e.op), cols ? "cols" : "rows", a.code)
            : fmt::format("tilecc::dev::reduce_{}_{}<{}{}>({})", ir::name(e.op), cols ? "cols" : "rows",
                          cuda_type(e.dtype), scratch_args(e.scratch), a.code);
    const std::string name = fresh(ir::name(e.op));
    line(fmt::format("const auto {} = {};", name, call));
    return make_frag(name, e.dtype, rc);
  }

  /// An inclusive scan (cumsum, cummax) along the physical axis its dimension lies on.
  Val emit_scan(const Expr& e) {
    Val a = emit(e.args[0]);
    const Dim& d = e.args[0]->shape[static_cast<std::size_t>(e.ival)];
    const bool cols = e.args[0]->shape.size() == 2 ? e.ival == 1 : axis(d) == Axis::Col;
    const std::string name = fresh(ir::name(e.op));
    line(fmt::format("const auto {} = tilecc::dev::scan_{}<tilecc::dev::ScanOp::{}>({});", name, cols ? "cols" : "rows",
                     e.op == ir::Op::Cumsum ? "sum" : "max", a.code));
    return make_frag(name, e.dtype, physical(e.shape, e.loc));
  }

  /// Pointer to a region's first element, and the strides of its rows/columns.
  struct Access {
    std::string pointer, row_stride = "0", col_stride = "0";
    bool offset = false;  // pointer is `x.data + (...)`, not `x.data`
    std::string rows = "1", cols = "1";
    const Index* gather = nullptr;
    std::string gather_stride;
  };

  /// transposed: a load of the transposed view (fold_transposes): its rows run along the
  /// second tile index, its columns along the first.
  Access access(const std::string& tensor, const std::vector<Index>& indices, const std::vector<Dim>& shape,
                ir::SourceLoc, bool transposed = false) {
    Access a;
    std::vector<std::string> offsets;
    std::vector<std::pair<int, const Index*>> dims;  // tensor dim -> index producing a tile dim
    for (std::size_t d = 0; d < indices.size(); ++d) {
      const Index& i = indices[d];
      const std::string stride = shape_value(tensor, "stride", static_cast<std::int64_t>(d));
      switch (i.kind) {
        case Index::Kind::Tile: {
          const std::string begin = i.expr ? fmt::format("({}_begin + ({}))", i.var, scalar(i.expr)) : i.var + "_begin";
          offsets.push_back(stride == "1LL" ? begin : fmt::format("{} * {}", begin, stride));
          break;
        }
        case Index::Kind::Scalar: offsets.push_back(fmt::format("({}) * {}", scalar(i.expr), stride)); break;
        case Index::Kind::All:
          if (in_chunk_) offsets.push_back(fmt::format("rc_begin * {}", stride));
          break;
        case Index::Kind::Gather: break;
      }
      if (i.kind != Index::Kind::Scalar) dims.push_back({static_cast<int>(d), &i});
    }
    std::string off = offsets.empty() ? "0" : offsets[0];
    for (std::size_t i = 1; i < offsets.size(); ++i) off += " + " + offsets[i];
    a.pointer = offsets.empty() ? tensor + ".data" : fmt::format("{}.data + ({})", tensor, off);
    a.offset = !offsets.empty();
    const auto [rows, cols] = runtime_extents(shape);
    a.rows = rows;
    a.cols = cols;
    auto stride_of = [&](int d) { return shape_value(tensor, "stride", d); };
    if (dims.size() == 2) {
      a.row_stride = stride_of(dims[transposed ? 1 : 0].first);
      a.col_stride = stride_of(dims[transposed ? 0 : 1].first);
    } else if (dims.size() == 1) {
      (axis(shape[0]) == Axis::Row ? a.row_stride : a.col_stride) = stride_of(dims[0].first);
    }
    for (std::size_t i = 0; i < dims.size(); ++i)
      if (dims[i].second->kind == Index::Kind::Gather) {  // rows only (assign_layout checked)
        a.gather = dims[i].second;
        a.gather_stride = stride_of(dims[i].first);
      }
    return a;
  }

  /// The element an access's pointer points at: `x.data[0]`, `(x.data + (i) * x.stride(0))[0]`.
  static std::string element(const Access& a) { return a.offset ? "(" + a.pointer + ")[0]" : a.pointer + "[0]"; }

  const ir::Param& param(const std::string& name) const {
    for (const ir::Param& p : k_.params)
      if (p.name == name) return p;
    throw CodegenError("unknown tensor " + name);
  }

  /// `PackedBf16 name; load_packed(name, …)`; the value is its widening to f32.
  Val emit_packed_load(const Expr& e) {
    const auto rc = physical(e.shape, e.loc);
    const std::string name = fresh(e.name);
    line(fmt::format("{} {};", packed_type(rc), name));
    line(packed_load_call(e, name));
    return widened(name, rc);
  }
  static std::string packed_type(std::pair<std::int64_t, std::int64_t> rc) {
    return fmt::format("tilecc::dev::PackedBf16<{}, {}, L>", rc.first, rc.second);
  }
  std::string packed_load_call(const Expr& e, const std::string& packed) {
    const Access a = access(e.name, e.indices, e.shape, e.loc, e.transposed);
    return fmt::format("{}({}, {}, {}, {}, {}, {});", load_function(e, "load_packed"), packed, a.pointer, a.row_stride,
                       a.col_stride, a.rows, a.cols);
  }
  Val widened(const std::string& packed, std::pair<std::int64_t, std::int64_t> rc) {
    return make_frag(fmt::format("tilecc::dev::cast<float>({})", packed), DType::f32, rc);
  }

  std::string shared_type(const Expr& e) {
    const auto rc = physical(e.shape, e.loc);
    const std::string offset = e.access.shared_offset >= 0 ? fmt::format(", {}", e.access.shared_offset) : "";
    return fmt::format("tilecc::dev::SharedTile<{}, {}, {}, L, {}{}>", cuda_type(e.dtype), rc.first, rc.second,
                       e.access.site, offset);
  }
  /// `load_shared<Tile>(…);`: the copy of a shared operand tile, in the current scope's tile.
  std::string shared_copy(const Expr& e) {
    const Access a = access(e.name, e.indices, e.shape, e.loc, e.transposed);
    return fmt::format("tilecc::dev::load_shared<{}>({}, {}, {}, {}, {});", shared_type(e), a.pointer, a.row_stride,
                       a.col_stride, a.rows, a.cols);
  }
  bool scheduled(const Expr& e) const {
    for (const SharedCycle& c : cycles_)
      if (c.index.count(&e)) return true;
    return false;
  }
  /// The copy of `e` for the loop's tile starting at `begin` (the first, or the next one), when
  /// that tile exists: the loop variable's begin and size are redeclared in a block of their own.
  void shared_copy_at(const Expr& e, const ir::LoopDim& d, const std::string& begin) {
    const std::string end = scalar(d.end);
    line("{");
    ++indent_;
    line(fmt::format("const long long {}_copy = {};", d.var, begin));
    line(fmt::format("if ({}_copy < {}) {{", d.var, end));
    ++indent_;
    line(fmt::format("const long long {0}_begin = {0}_copy;", d.var));
    line(tile_size_line(d, end));
    const bool closed = closed_loops_.erase(d.var) > 0;
    line(shared_copy(e));
    if (closed) closed_loops_.insert(d.var);
    --indent_;
    line("}");
    --indent_;
    line("}");
  }
  /// The shared B operand a dot reads (its let or its load), or null.
  const Expr* shared_operand(const Expr& dot) const {
    const Expr* b = dot.args[1].get();
    if (b->kind == Expr::Kind::Transpose) b = b->args[0].get();
    if (b->kind == Expr::Kind::Var) {
      auto it = shared_lets_.find(b->name);
      return it == shared_lets_.end() ? nullptr : it->second;
    }
    return b->kind == Expr::Kind::Load && b->access.shared ? b : nullptr;
  }
  /// Before a dot on a shared operand: wait for the copies and the barrier, then issue the next
  /// copy of the loop's schedule (the buffer it fills was last read before this barrier).
  void before_shared_dot(const Expr& dot) {
    const Expr* b = shared_operand(dot);
    if (!b) return;
    line("tilecc::dev::shared_tiles_ready();");
    for (const SharedCycle& c : cycles_) {
      auto it = c.index.find(b);
      if (it == c.index.end()) continue;
      const std::size_t j = it->second;
      if (j + 1 < c.loads.size())
        line(shared_copy(*c.loads[j + 1]));
      else
        shared_copy_at(*c.loads[0], *c.dim, fmt::format("{}_begin + {}", c.dim->var, block(c.dim->var)));
    }
  }
  /// The shared operand loads of loop s's schedule (schedule_shared_copies), in its order.
  static std::vector<const Expr*> scheduled_loads(const Stmt& s) {
    std::map<int, const Expr*> by_site;
    std::function<void(const Expr&)> walk = [&](const Expr& e) {
      for (const ExprPtr& a : e.args) walk(*a);
      if (e.kind == Expr::Kind::Load && e.access.shared) by_site[e.access.site] = &e;
    };
    std::function<void(const std::vector<ir::StmtPtr>&)> walk_body = [&](const std::vector<ir::StmtPtr>& body) {
      for (const ir::StmtPtr& st : body) {
        if (st->expr) walk(*st->expr);
        walk_body(st->body);
      }
    };
    walk_body(s.body);
    std::vector<const Expr*> loads;
    for (int site : s.copy_schedule) loads.push_back(by_site.at(site));
    return loads;
  }

  Val emit_load(const Expr& e) {
    if (auto it = prefetched_.find(&e); it != prefetched_.end()) return it->second;
    const Access a = access(e.name, e.indices, e.shape, e.loc, e.transposed);
    if (e.shape.empty()) return {fmt::format("tilecc::dev::convert<{}>({})", cuda_type(e.dtype), element(a)), e.dtype};
    const auto rc = physical(e.shape, e.loc);
    const std::string name = fresh(e.name);
    if (e.access.shared) {
      // A dot's B operand, copied to shared memory asynchronously: here when no loop schedules
      // the copy (after a barrier: earlier readers of the buffer are done), read by the dot.
      if (!scheduled(e)) {
        line("__syncthreads();");
        line(shared_copy(e));
      }
      line(fmt::format("{} {}{{{}, {}}};", shared_type(e), name, a.rows, a.cols));
      return make_frag(name, e.dtype, rc);
    }
    line(fmt::format("{} {};", frag_type(e.dtype, rc.first, rc.second), name));
    if (a.gather) {
      const Val idx = emit(a.gather->expr);
      line(fmt::format("{}({}, {}, {}, {}, {}, {});", load_function(e, "load_gather_rows"), name, a.pointer, idx.code,
                       a.gather_stride, a.col_stride, a.cols));
    } else {
      line(load_call(e, name, a));
    }
    // A dot's A operand reused across a loop: packed once, where the value is bound.
    if (e.access.mma_a) return make_frag(fmt::format("tilecc::dev::mma_a({})", name), e.dtype, rc);
    return make_frag(name, e.dtype, rc);
  }

  // ---- looped reductions (reduction_loops) ----------------------------------------------------
  //
  // With reduction_loops[0] = C the launch body never holds a whole row: values with a whole
  // extent (lets of row tiles) are not materialized but recomputed inside each loop over the
  // row's chunks of C columns (`rc_begin`, `rc_size`); each reduction over the row is one such
  // loop, emitted before the statement that needs it, combining the chunks' partial results;
  // each store of a row tile is one more. KernelStructure::reductions_loopable says where this
  // is valid (lets and stores of elementwise work on rows; sum, mean, max, min).

  /// A whole dimension's extent as a host expression.
  std::string whole_text(const Dim& d) {
    if (d.kind == Dim::Kind::Full) return fmt::format("{}.size({})", d.var, d.index);
    return "(" + scalar(d.extent) + ")";
  }

  /// `for (rc_begin = 0; rc_begin < n; rc_begin += C) { rc_size; body }`.
  template <class Body> void chunk_loop(const std::string& n, std::int64_t c, Body body) {
    line(fmt::format("for (long long rc_begin = 0; rc_begin < {}; rc_begin += {}) {{", n, c));
    ++indent_;
    line(fmt::format("const int rc_size = int(min({}LL, {} - rc_begin));", c, n));
    in_chunk_ = true;
    chunk_values_.clear();
    body();
    in_chunk_ = false;
    chunk_values_.clear();
    --indent_;
    line("}");
  }

  /// A row reduction chunk_reductions moved before its statement: partial reductions of each
  /// chunk combined (in float for f16 / bf16 results, as one reduction accumulates).
  void emit_chunk_reduce(const Stmt& s) {
    const Expr* r = s.expr.get();
    const std::string n = whole_text(s.whole);
    const std::string t = cuda_type(r->dtype);
    const bool narrow = r->dtype == DType::f16 || r->dtype == DType::bf16;
    const std::string acc_t = narrow ? "float" : t;
    const bool mean = r->op == ir::Op::Mean;
    const std::string op = r->op == ir::Op::Max ? "maximum" : r->op == ir::Op::Min ? "minimum" : "add";
    const std::string part = mean ? "sum" : ir::name(r->op);
    const std::string init = r->op == ir::Op::Max   ? fmt::format("tilecc::dev::lowest<{}>()", acc_t)
                             : r->op == ir::Op::Min ? fmt::format("tilecc::dev::highest<{}>()", acc_t)
                                                    : fmt::format("tilecc::dev::convert<{}>(0)", acc_t);
    const auto rc = physical(r->shape, r->loc);
    const auto [rows, cols] = runtime_extents(r->shape);
    const std::string name = fresh(ir::name(r->op)), acc = narrow ? name + "_acc" : name;
    line(fmt::format("// {} over {} in chunks of {} (reduction_loops)", ir::name(r->op), n, s.chunk));
    line(fmt::format("auto {} = tilecc::dev::full<{}, {}, {}, L>({}, {}, {});", acc, acc_t, rc.first, rc.second, init,
                     rows, cols));
    chunk_loop(n, s.chunk, [&] {
      const Val v = emit(r->args[0]);
      line(fmt::format("{0} = tilecc::dev::{1}<{2}>({0}, {5}tilecc::dev::reduce_{3}_cols<{2}>({4}));", acc, op, acc_t,
                       part, v.code, ""));
    });
    if (mean) line(fmt::format("{0} = tilecc::dev::div<{1}>({0}, tilecc::dev::convert<{1}>({2}));", acc, acc_t, n));
    if (narrow) line(fmt::format("const auto {} = tilecc::dev::cast<{}>({});", name, t, acc));
    chunked_[r->chunked] = make_frag(name, r->dtype, rc);
  }

  /// Elements of an r x c fragment one thread holds contiguously along a row (Frag::vec).
  std::int64_t frag_vec(std::int64_t c) const { return c >= tc_ ? std::min<std::int64_t>(8, c / tc_) : 1; }

  /// Whether n adjacent elements of t move as one 4/8/16-byte access (vector_unit in memory.cuh).
  static bool vector_access(DType t, std::int64_t n) {
    const std::int64_t bytes = n * ir::size_bytes(t);
    return n >= 2 && (bytes % 16 == 0 || bytes == 8 || bytes == 4);
  }

  /// The library function of a tile load or store: `base` ("load", "store", …) when the config
  /// keeps the default (vector accesses, no hint), else its _hinted form with the config's
  /// width and hint (access.cuh).
  std::string load_function(const Expr& e, const std::string& base) {
    if (e.access.site < 0) return "tilecc::dev::" + base;
    const bool vec = e.access.vector;
    if (vec && e.access.hint == ir::CacheHint::Default) return "tilecc::dev::" + base;
    return fmt::format("tilecc::dev::{}_hinted<tilecc::dev::LoadHint::{}, {}>", base, hint_name(e.access.hint),
                       vec ? "true" : "false");
  }

  /// The device library's spelling of a cache hint.
  static const char* hint_name(ir::CacheHint h) { return h == ir::CacheHint::Default ? "none" : ir::name(h); }

  /// `load(frag, pointer, strides, extents);` of a tile load: load / load_hinted, or load_tma
  /// through the site's stage when the config asks for TMA (load_tma).
  std::string load_call(const Expr& e, const std::string& frag, const Access& a) {
    const std::string function = load_function(e, "load");
    if (!e.access.tma_skipped.empty()) line("// " + e.access.tma_skipped);
    if (e.access.tma_stage < 0)
      return fmt::format("{}({}, {}, {}, {}, {}, {});", function, frag, a.pointer, a.row_stride, a.col_stride, a.rows,
                         a.cols);
    const std::string& stage = k_.tma_stages[static_cast<std::size_t>(e.access.tma_stage)].name;
    return fmt::format("tilecc::dev::load_tma<tilecc::dev::LoadHint::{}, {}>({}, {}, {}_phase, {}, {}, {}, {}, {});",
                       hint_name(e.access.hint), e.access.vector ? "true" : "false", frag, stage, stage, a.pointer,
                       a.row_stride, a.col_stride, a.rows, a.cols);
  }

  /// `store(pointer, value, strides);` of a tile store: store / store_hinted, or store_tma
  /// through the site's stage.
  std::string store_call(const Stmt& s, const Access& a, const std::string& value) {
    const std::string function = store_function(s);
    if (!s.access.tma_skipped.empty()) line("// " + s.access.tma_skipped);
    if (s.access.tma_stage < 0)
      return fmt::format("{}({}, {}, {}, {});", function, a.pointer, value, a.row_stride, a.col_stride);
    const std::string& stage = k_.tma_stages[static_cast<std::size_t>(s.access.tma_stage)].name;
    return fmt::format("tilecc::dev::store_tma<tilecc::dev::StoreHint::{}, {}>({}, {}, {}, {}, {});",
                       hint_name(s.access.hint), s.access.vector ? "true" : "false", stage, a.pointer, value,
                       a.row_stride, a.col_stride);
  }

  /// The shared stages of the TMA sites (select_accesses), declared at kernel scope.
  void declare_tma_stages() {
    for (const ir::TmaStage& t : k_.tma_stages) {
      const char* field = t.load ? "load_tma" : "store_tma";
      const std::string type = fmt::format("tilecc::dev::TmaStage<{}, {}, {}>", cuda_type(t.dtype), t.rows, t.cols);
      tma_decls_.push_back(fmt::format("__shared__ {} {};  // {}[{}]: the {}", type, t.name, field, t.site, t.what));
      if (t.load) tma_decls_.push_back(fmt::format("unsigned {}_phase = 0;", t.name));
      tma_decls_.push_back(fmt::format("tilecc::dev::tma_init<L>({});", t.name));
    }
  }

  std::string store_function(const Stmt& s) {
    if (s.access.site < 0) return "tilecc::dev::store";
    const bool vec = s.access.vector;
    if (vec && s.access.hint == ir::CacheHint::Default) return "tilecc::dev::store";
    return fmt::format("tilecc::dev::store_hinted<tilecc::dev::StoreHint::{}, {}>", hint_name(s.access.hint),
                       vec ? "true" : "false");
  }

  // ---- statements ------------------------------------------------------------------------

  void emit_block(const std::vector<ir::StmtPtr>& body) {
    for (const ir::StmtPtr& s : body) emit_stmt(*s);
  }

  /// One dot_loop_store (match_dot_loops): the products go from the tensor cores' registers
  /// straight to `out`, and no acc fragment is kept beside them.
  void emit_dot_loop_store(const Stmt& s) {
    const Stmt& init = *s.body[0];
    const Stmt& loop = *s.body[1];
    const Stmt& store = *s.body[2];
    const Expr* product = dot_loop_product(loop, true);
    line(source_comment(init.loc));
    line(source_comment(loop.loc));
    line(source_comment(store.loc));
    const bool atomic = store.kind == Stmt::Kind::AtomicAdd;
    const bool plain = passes::plain_dot_epilogue(*store.expr, init.name);
    line(fmt::format("// {} stays in the products' registers: the k-loop {} {}{}.", init.name,
                     atomic ? "adds it atomically to" : "stores it to", store.name,
                     plain ? "" : ", through the epilogue"));
    for (const std::string& note : s.notes) line("// " + note);
    const Expr& a = *product->args[0];
    const Expr& b = *product->args[1];
    const std::string& row = a.shape[0].var;  // the product's row tile (the store's, or its scatter's)
    const Index& ci = store.indices.back();
    const std::string& k = loop.dims[0].var;
    // A gathered or scattered row index leaves the pointer at row 0 (access()); the row maps
    // say where each row lies.
    const Access pa = dot_operand(a, k), pb = dot_operand(b, k);
    const std::vector<Dim> out_shape{{Dim::Kind::Tile, row, 0, nullptr}, {Dim::Kind::Tile, ci.var, 0, nullptr}};
    const Access po = access(store.name, store.indices, out_shape, store.loc);
    const auto rc = physical(init.expr->shape, init.loc);
    const std::int64_t bk = block(k);
    const ir::DotPlan& plan = s.dot;
    std::string epi = dot_epilogue(store, init.name, row, ci.var);
    if (plan.out_rows)
      epi = fmt::format("tilecc::dev::scattered({}, {})", epi.empty() ? "tilecc::dev::epilogue<false>()" : epi,
                        row_map(*plan.out_rows));
    if (plan.a_rows)
      epi = fmt::format("{}, {}", epi.empty() ? "tilecc::dev::store_products{}" : epi, row_map(*plan.a_rows));
    if (!epi.empty()) epi = ", " + epi;
    if (plan.tma) {
      const auto& maps = k_.tensor_maps;
      line(
          fmt::format("tilecc::dev::dot_loop_store_{}<{}, {}, {}, {}, L, {}{}>({}, {}, {}, {}, {}, {}, {}, {}_begin, "
                      "{}, {}, {}, {}, "
                      "{}_begin, {}, {}, {}, {}{});",
                      plan.warp_specialized ? "ws" : "tma", bk, plan.stages, rc.first, rc.second, plan.dynamic_bytes,
                      plan.in_loop ? ", tilecc::dev::dot_in_loop" : "", po.pointer, po.row_stride, po.col_stride,
                      pa.pointer, pa.row_stride, pa.col_stride, maps.at(static_cast<std::size_t>(plan.a_map)).name, row,
                      pb.pointer, pb.row_stride, pb.col_stride, maps.at(static_cast<std::size_t>(plan.b_map)).name,
                      ci.var, scalar(loop.dims[0].begin), scalar(loop.dims[0].end), runtime_extent(a.shape[0]),
                      runtime_extent(b.shape[1]), epi));
      return;
    }
    // The instruction and whether the call sits in a device loop (dot.cuh's INSTR).
    std::string instr = plan.wgmma ? "tilecc::dev::dot_wgmma" : "";
    if (plan.in_loop) instr += instr.empty() ? "tilecc::dev::dot_in_loop" : " | tilecc::dev::dot_in_loop";
    line(
        fmt::format("tilecc::dev::dot_loop_store<{}, {}, {}, {}, L{}{}>({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, "
                    "{}, {}{});",
                    bk, plan.stages, rc.first, rc.second,
                    instr.empty() && !plan.dynamic_bytes ? "" : fmt::format(", {}", plan.dynamic_bytes),
                    instr.empty() ? "" : ", " + instr, po.pointer, po.row_stride, po.col_stride, pa.pointer,
                    pa.row_stride, pa.col_stride, pb.pointer, pb.row_stride, pb.col_stride, scalar(loop.dims[0].begin),
                    scalar(loop.dims[0].end), runtime_extent(a.shape[0]), runtime_extent(b.shape[1]), epi));
  }

  /// The epilogue argument of a dot_loop_store ("tilecc::dev::epilogue<atomic>(f)"; "" for
  /// products stored as they are): f(acc, r, c) is the stored value at row r, column c of the
  /// output tile, spelled element by element (match_dot_loops checked it is elementwise).
  std::string dot_epilogue(const Stmt& store, const std::string& acc, const std::string& row, const std::string& col) {
    const bool atomic = store.kind == Stmt::Kind::AtomicAdd;
    if (passes::plain_dot_epilogue(*store.expr, acc)) return atomic ? "tilecc::dev::epilogue<true>()" : "";
    return fmt::format("tilecc::dev::epilogue<{}>([&](float {}, int tilecc_r, int tilecc_c) {{ return {}; }})", atomic,
                       acc, epilogue_element(*store.expr, acc, row, col));
  }

  /// The row map of a dot_loop_store's gathered or scattered rows: the index tensor's elements
  /// over the row tile (match_dot_loops: idx[row], rank 1).
  std::string row_map(const Expr& index) {
    const Access at = access(index.name, index.indices, index.shape, index.loc);
    return fmt::format("tilecc::dev::gathered_rows({}, {})", at.pointer, shape_value(index.name, "stride", 0));
  }

  /// One element of an epilogue expression: acc is the product, tile loads read the element at
  /// (tilecc_r, tilecc_c) of the output tile, scalars are themselves.
  std::string epilogue_element(const Expr& e, const std::string& acc, const std::string& row, const std::string& col) {
    using K = Expr::Kind;
    auto arg = [&](std::size_t i) { return epilogue_element(*e.args[i], acc, row, col); };
    const char* t = cuda_type(e.dtype);
    if (e.kind == K::Var && e.name == acc) return acc;
    if (e.is_scalar()) return emit(std::make_shared<Expr>(e)).code;
    switch (e.kind) {
      case K::Load: {
        std::string offset;
        for (std::size_t d = 0; d < e.indices.size(); ++d) {
          const Index& i = e.indices[d];
          const std::string at = i.kind == Index::Kind::Scalar
                                     ? scalar(i.expr)
                                     : fmt::format("{}_begin + {}", i.var, i.var == row ? "tilecc_r" : "tilecc_c");
          offset += fmt::format("{}({}) * {}", offset.empty() ? "" : " + ", at,
                                shape_value(e.name, "stride", static_cast<std::int64_t>(d)));
        }
        return fmt::format("{}.data[{}]", e.name, offset.empty() ? "0" : offset);
      }
      case K::Unary:
        if (e.op == ir::Op::Not) return fmt::format("tilecc::dev::logical_not({})", arg(0));
        return fmt::format("tilecc::dev::{}<{}>({})", ir::name(e.op), t, arg(0));
      case K::Binary:
        if (e.op == ir::Op::And || e.op == ir::Op::Or)
          return fmt::format("tilecc::dev::logical_{}({}, {})", ir::name(e.op), arg(0), arg(1));
        if (e.op == ir::Op::Fma) return fmt::format("tilecc::dev::fma<{}>({}, {}, {})", t, arg(0), arg(1), arg(2));
        return fmt::format("tilecc::dev::{}<{}>({}, {})", ir::name(e.op), t, arg(0), arg(1));
      case K::Compare: return fmt::format("tilecc::dev::{}({}, {})", ir::name(e.op), arg(0), arg(1));
      case K::Select: return fmt::format("tilecc::dev::where<{}>({}, {}, {})", t, arg(0), arg(1), arg(2));
      case K::Cast: return fmt::format("tilecc::dev::convert<{}>({})", t, arg(0));
      case K::Unsqueeze: return arg(0);
      default: internal(e.loc, "an epilogue expression match_dot_loops does not fuse");
    }
  }

  /// A dot operand of a k-loop as the library walks it: the tile at k's start becomes the
  /// whole k extent (the library steps through it).
  Access dot_operand(const Expr& load, const std::string& k) {
    std::vector<Index> idx = load.indices;
    for (Index& i : idx)
      if (i.kind == Index::Kind::Tile && i.var == k) i = Index{Index::Kind::All, "", nullptr};
    return access(load.name, idx, load.shape, load.loc, load.transposed);
  }

  void emit_stmt(const Stmt& s) {
    switch (s.kind) {
      case Stmt::Kind::Let: {
        line(source_comment(s.loc));
        if (s.deferred) {
          // A whole row (chunk_reductions): the reductions it needs first, the value per chunk.
          emit_block(s.body);
          line(fmt::format("// {}: a whole row, recomputed in each chunk loop below", s.name));
          deferred_[s.name] = s.expr;
          return;
        }
        if (s.expr->kind == Expr::Kind::Load && s.expr->access.shared) shared_lets_[s.name] = s.expr.get();
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
          if (i.kind == Index::Kind::Tile)
            shape.push_back({Dim::Kind::Tile, i.var, 0, nullptr});
          else if (i.kind == Index::Kind::All)
            shape.push_back({Dim::Kind::Full, s.name, static_cast<int>(d), nullptr});
          else if (i.kind == Index::Kind::Gather)
            shape.push_back(i.expr->shape.at(0));
        }
        const Access a = access(s.name, s.indices, shape, s.loc);
        Val v = emit(s.expr);
        const bool atomic = s.kind == Stmt::Kind::AtomicAdd;
        const std::string atomic_op = s.op == ir::Op::Maximum ? "max" : s.op == ir::Op::Minimum ? "min" : "add";
        if (shape.empty()) {
          const std::string value = v.frag ? v.code + ".v[0][0]" : v.code;
          const std::string target = element(a);
          const std::string converted = fmt::format("tilecc::dev::convert<{}>({})", cuda_type(p.dtype), value);
          line(fmt::format("if (threadIdx.x == 0) {};",
                           !atomic ? fmt::format("{} = {}", target, converted)
                           : s.op == ir::Op::Add
                               ? fmt::format("atomicAdd(&{}, {})", target, converted)
                               : fmt::format("tilecc::dev::atomic_update_element<tilecc::dev::AtomicOp::{}>(&{}, {})",
                                             atomic_op, target, converted)));
          return;
        }
        const auto rc = physical(shape, s.loc);
        std::string value = v.code;
        if (!v.frag || v.rows != rc.first || v.cols != rc.second)
          value = broadcast_to(v, v.dtype, rc.first, rc.second, runtime_extents(shape));
        if (a.gather) {
          emit_scatter(s, a, shape, rc, value,
                       atomic ? "tilecc::dev::scatter_atomic<tilecc::dev::AtomicOp::" + atomic_op + ">"
                              : fmt::format("tilecc::dev::scatter_store<tilecc::dev::StoreHint::{}>",
                                            hint_name(s.access.hint)));
          return;
        }
        if (atomic && s.op == ir::Op::Add)
          line(fmt::format("tilecc::dev::atomic_add({}, {}, {}, {});", a.pointer, value, a.row_stride, a.col_stride));
        else if (atomic)
          line(fmt::format("tilecc::dev::atomic_update<tilecc::dev::AtomicOp::{}>({}, {}, {}, {});", atomic_op,
                           a.pointer, value, a.row_stride, a.col_stride));
        else
          line(store_call(s, a, value));
        return;
      }
      case Stmt::Kind::Check: internal(s.loc, "a check inside the kernel body (check_supported refuses it)");
      case Stmt::Kind::Loop: emit_device_loop(s); return;
      case Stmt::Kind::DotLoopStore: emit_dot_loop_store(s); return;
      case Stmt::Kind::ChunkReduce: emit_chunk_reduce(s); return;
      case Stmt::Kind::ChunkLoop: chunk_loop(whole_text(s.whole), s.chunk, [&] { emit_block(s.body); }); return;
    }
  }

  /// A store or atomic update through a gathered index: each element goes to the row (column)
  /// its index names. check_supported allows one gathered index; the index's fragment lies
  /// along the value's rows (R x 1) or columns (1 x C), as its tile dimension does.
  void emit_scatter(const Stmt& s, const Access& a, const std::vector<Dim>& shape,
                    std::pair<std::int64_t, std::int64_t> rc, const std::string& value, const std::string& what) {
    std::size_t tile_dim = 0, gathered = 0;
    for (const Index& i : s.indices) {
      if (i.kind == Index::Kind::Scalar) continue;
      if (&i == a.gather) gathered = tile_dim;
      ++tile_dim;
    }
    const bool rows = shape.size() == 2 ? gathered == 0 : axis(shape[0]) == Axis::Row;
    const Val idx = emit(a.gather->expr);
    const auto want = rows ? std::pair{rc.first, std::int64_t{1}} : std::pair{std::int64_t{1}, rc.second};
    if (!idx.frag || idx.rows != want.first || idx.cols != want.second)
      internal(s.loc, "a scatter's index fragment does not lie along the value's scattered dimension");
    line(fmt::format("tilecc::dev::scatter_{}<{}>({}, {}, {}, {}, {});", rows ? "rows" : "cols", what, a.pointer, value,
                     idx.code, a.row_stride, a.col_stride));
  }

  std::string broadcast_to(const Val& v, DType t, std::int64_t r, std::int64_t c,
                           const std::pair<std::string, std::string>& extents) {
    return fmt::format("tilecc::dev::add<{}>(tilecc::dev::full<{}, {}, {}, L>({}(0), {}, {}), {})", cuda_type(t),
                       cuda_type(t), r, c, cuda_type(t), extents.first, extents.second, v.code);
  }

  /// `for (tk : tile(k)) acc = dot(a[.., tk], b[tk, ..], acc)` becomes one
  /// call of the library's pipelined k-loop (tensor cores where it can).
  void emit_dot_loop(const Stmt& s) {
    const Expr* product = dot_loop_product(s);
    const Stmt& st = *s.body[0];
    const std::string& k = s.dims[0].var;
    const Expr& a = *product->args[0];
    const Expr& b = *product->args[1];
    line(source_comment(s.loc));
    for (const std::string& note : s.notes) line("// " + note);
    const Access pa = dot_operand(a, k), pb = dot_operand(b, k);
    const std::string begin = scalar(s.dims[0].begin), end = scalar(s.dims[0].end);
    const int stages = s.dot.stages;
    line(fmt::format("tilecc::dev::dot_loop<{}{}>({}, {}, {}, {}, {}, {}, {}, {}, {}, {});", block(k),
                     stages ? fmt::format(", {}", stages) : "", st.name, pa.pointer, pa.row_stride, pa.col_stride,
                     pb.pointer, pb.row_stride, pb.col_stride, begin, end,
                     runtime_extent(a.shape[0]) + ", " + runtime_extent(b.shape[1])));
  }

  /// `#pragma unroll` of a device loop (tile_loops), or nothing.
  void unroll_pragma(const Stmt& loop) {
    if (loop.unroll) line(fmt::format("#pragma unroll {}", loop.unroll));
  }

  void emit_device_loop(const Stmt& s) {
    if (s.is_dot) return emit_dot_loop(s);
    line(source_comment(s.loc));
    const std::vector<const ir::LoopDim*> dims = ordered_dims(s);
    int opened = 0, cycles_opened = 0;
    if (flattened(s)) {
      // One linear loop over every tile of the nest; the last dim varies fastest.
      std::string flat, total;
      line("{");
      ++indent_;
      ++opened;
      for (const ir::LoopDim* d : dims) {
        flat += (flat.empty() ? "" : "_") + d->var;
        const std::int64_t b = s.is_grid ? 1 : block(d->var);
        line(fmt::format("const long long {0}_tiles = tilecc::dev::ceil_div(({1}) - ({2}), {3}LL);", d->var,
                         scalar(d->end), scalar(d->begin), b));
        total += (total.empty() ? "" : " * ") + d->var + "_tiles";
      }
      flat += "_flat";
      unroll_pragma(s);
      line(fmt::format("for (long long {0} = 0; {0} < {1}; ++{0}) {{", flat, total));
      ++indent_;
      ++opened;
      line(fmt::format("long long {0}_rest = {0};", flat));
      for (auto it = dims.rbegin(); it != dims.rend(); ++it) {
        const ir::LoopDim& d = **it;
        line(fmt::format("const long long {0}_id = {1}_rest % {0}_tiles;", d.var, flat));
        line(fmt::format("{0}_rest /= {1}_tiles;", flat, d.var));
      }
      line(fmt::format("(void){}_rest;", flat));
      for (const ir::LoopDim* d : dims) {
        if (s.is_grid) {
          line(fmt::format("const long long {0} = ({1}) + {0}_id;", d->var, scalar(d->begin)));
        } else {
          const std::int64_t b = block(d->var);
          line(fmt::format("const long long {0}_begin = ({1}) + {0}_id * {2};", d->var, scalar(d->begin), b));
          line(tile_size_line(*d, scalar(d->end)));
        }
      }
    } else {
      // Shared dot operands: the first one's copy for the first tile before the loop; the
      // others as the dots of the loop reach them (before_shared_dot).
      SharedCycle cycle;
      cycle.loads = scheduled_loads(s);
      if (!cycle.loads.empty()) {
        cycle.dim = dims[0];
        for (std::size_t j = 0; j < cycle.loads.size(); ++j) cycle.index[cycle.loads[j]] = j;
        line("__syncthreads();  // shared operand tiles: earlier readers are done");
        shared_copy_at(*cycle.loads[0], *cycle.dim, scalar(cycle.dim->begin));
        cycles_.push_back(cycle);
        ++cycles_opened;
      }
      for (std::size_t i = 0; i < dims.size(); ++i) {
        const ir::LoopDim& d = *dims[i];
        const std::string begin = scalar(d.begin), end = scalar(d.end);
        if (i + 1 == dims.size()) unroll_pragma(s);
        if (s.is_grid) {
          line(fmt::format("for (long long {0} = {1}; {0} < {2}; ++{0}) {{", d.var, begin, end));
        } else {
          const std::int64_t b = block(d.var);
          line(
              fmt::format("for (long long {0}_begin = {1}, {0}_id = 0; {0}_begin < {2}; {0}_begin += {3}, ++{0}_id) {{",
                          d.var, begin, end, b));
          ++indent_;
          line(tile_size_line(d, end));
          line(fmt::format("(void){}_id;", d.var));
          --indent_;
        }
        ++indent_;
        ++opened;
      }
    }
    if (!s.is_grid)
      for (const ir::LoopDim* d : dims) closed_loops_.erase(d->var);
    emit_block(s.body);
    if (!s.is_grid)
      for (const ir::LoopDim* d : dims) closed_loops_.insert(d->var);
    for (int i = 0; i < opened; ++i) {
      --indent_;
      line("}");
    }
    for (; cycles_opened > 0; --cycles_opened) cycles_.pop_back();
  }

  /// The dims of loop s in the config's order (loop_orders), outermost first.
  std::vector<const ir::LoopDim*> ordered_dims(const Stmt& s) const {
    std::vector<const ir::LoopDim*> out;
    if (s.order.empty()) {
      for (const ir::LoopDim& d : s.dims) out.push_back(&d);
      return out;
    }
    for (int i : s.order) out.push_back(&s.dims.at(static_cast<std::size_t>(i)));
    return out;
  }

  bool flattened(const Stmt& s) const { return s.flatten; }

  /// Every device tile loop's variable starts closed (runtime_extent).
  void find_device_loops(const std::vector<ir::StmtPtr>& body) {
    for (const ir::StmtPtr& s : body) {
      if (s->kind == Stmt::Kind::Loop && !s->is_launch && !s->is_grid)
        for (const ir::LoopDim& d : s->dims) closed_loops_.insert(d.var);
      find_device_loops(s->body);
    }
  }

  // ---- the kernel and its launcher ---------------------------------------------------------

  std::string param_list(bool device) const {
    std::string out;
    for (std::size_t i = 0; i < k_.params.size(); ++i) {
      const ir::Param& p = k_.params[i];
      out += i ? ", " : "";
      if (p.is_tensor && device)
        out += fmt::format("tilecc::dev::TensorArg<{}{}, {}> {}", p.is_const ? "const " : "", cuda_type(p.dtype),
                           p.rank, p.name);
      else if (p.is_tensor || (!p.cpp_type.empty() && !device))
        out += fmt::format("{} {}", launcher_param_type(p), p.name);
      else  // a __global__ function's scalars take device types: NVRTC compiles it without the host's aliases
        out += fmt::format("{} {}", cuda_type(p.dtype), p.name);
    }
    if (device)
      for (const ir::TensorMapUse& t : k_.tensor_maps)
        out += fmt::format(", const __grid_constant__ tilecc::dev::TensorMap {}", t.name);
    return out;
  }

  /// All launch dims in the config's loop order, outermost (slowest over program ids) first;
  /// `second`: a tl::grid dim. `group` numbers the grid axes of pid xyz, outermost first: one
  /// per dim, one per flattened loop.
  using LaunchDim = ir::Programs::Dim;
  const std::vector<LaunchDim>& launch_dims() const { return k_.programs.dims; }
  int grid_axes() const { return k_.programs.axes(); }

  static std::string tile_size_line(const LaunchDim& d, const std::string& end) {
    return tile_size_line(d.var, d.block, d.divisible, end);
  }

  const std::vector<ir::StmtPtr>& launch_body() const {
    const std::vector<ir::StmtPtr>* body = &k_.body;
    while (!body->empty() && (*body)[0]->kind == Stmt::Kind::Loop && (*body)[0]->is_launch) body = &(*body)[0]->body;
    return *body;
  }

  void emit_host_lets() {
    for (const ir::StmtPtr& s : k_.host)
      if (s->kind == Stmt::Kind::Let)
        line(fmt::format("const {} {} = {};", cuda_type(s->expr->dtype), s->name, scalar(s->expr)));
  }

  std::string emit_global(const std::string& symbol) {
    start_function();
    const std::string bounds =
        k_.min_blocks_per_sm ? fmt::format("{}, {}", threads_, k_.min_blocks_per_sm) : std::to_string(threads_);
    line(fmt::format("__global__ void __launch_bounds__({}) {}({}) {{", bounds, symbol, param_list(true)));
    ++indent_;
    if (k_.layout.mma_rows)
      line(fmt::format("using L = tilecc::dev::MmaRows<{}>;  // {} threads, each warp owning rows in mma.sync's layout",
                       threads_, threads_));
    else
      line(fmt::format("using L = tilecc::dev::Layout<{}, {}>;  // {} threads as {} rows x {} columns", threads_, tc_,
                       threads_, threads_ / tc_, tc_));
    const std::size_t stages_at = out_.size();  // TMA stages go here, once the body has named them
    declare_tma_stages();
    emit_assumptions();
    emit_host_lets();
    line(source_comment(k_.body.empty() ? ir::SourceLoc{} : k_.body[0]->loc));
    if (k_.programs.persistent()) {
      emit_persistent_programs();
    } else if (k_.programs.kind == ir::Programs::Kind::Xyz) {
      // One grid axis per launch dim (per flattened loop); the innermost on x.
      const auto dims = launch_dims();
      const int axes = grid_axes();
      for (int g = 0; g < axes; ++g) {
        std::vector<LaunchDim> group;
        for (const LaunchDim& d : dims)
          if (d.group == g) group.push_back(d);
        const int axis = axes - 1 - g;
        const std::string pid = fmt::format("pid_{}", "xyz"[axis]);
        line(fmt::format("long long {} = tilecc::dev::program_id({});", pid, axis));
        emit_program_tiles(group, pid);
      }
      emit_block(launch_body());
    } else {
      line("long long pid = tilecc::dev::program_id(0);");
      emit_program_tiles();
      emit_block(launch_body());
    }
    --indent_;
    line("}");
    std::string stages;
    for (const std::string& d : tma_decls_) stages += "  " + d + "\n";
    out_.insert(stages_at, stages);
    return out_;
  }

  /// A reduction's scratch arguments as plan_reduction_scratch chose them ("" for the default:
  /// buffer 0, closing barrier).
  static std::string scratch_args(const ir::Scratch& s) {
    if (!s.planned || (s.buffer == 0 && s.barrier)) return "";
    return fmt::format(", {}, tilecc::dev::{}_barrier", s.buffer, s.barrier ? "keep" : "skip");
  }

  /// Decomposes `pid` into the launch loops' tile indices (last dim fastest).
  void emit_program_tiles() { emit_program_tiles(launch_dims(), "pid"); }

  void emit_program_tiles(const std::vector<LaunchDim>& dims, const std::string& pid) {
    std::size_t n = dims.size();
    // L2 grouping: the two innermost dims of a 2-D tile loop, walked in bands of G rows of
    // tiles, column by column within a band (so a band's operand rows stay in L2).
    const int l2 = k_.programs.l2_grouping;
    const bool grouped = l2 > 1 && n >= 2 && dims[n - 1].l2 && dims[n - 2].l2;
    // The outermost dim's tile count is read only by L2 grouping (its index is what is left of
    // pid); printed unread, nvcc warns (#177-D) and -Werror all-warnings fails.
    for (std::size_t i = 0; i < n; ++i)
      if (i > 0 || (grouped && n == 2))
        line(fmt::format("const long long {0}_tiles = (({1}) - ({2}) + {3} - 1) / {3};", dims[i].var,
                         scalar(dims[i].end), scalar(dims[i].begin), dims[i].block));
    if (grouped) {
      const std::string a = dims[n - 2].var, b = dims[n - 1].var;
      line(fmt::format("// L2 grouping: bands of {} rows of {} tiles (fewer when there are fewer), walked {} first", l2,
                       a, a));
      line(fmt::format("const long long l2_band_rows = min({}LL, {}_tiles);", l2, a));
      line(fmt::format("const long long l2_band_pids = l2_band_rows * {}_tiles;", b));
      line(fmt::format("const long long l2_pid = {} % ({}_tiles * {}_tiles);", pid, a, b));
      line(fmt::format("{} /= {}_tiles * {}_tiles;", pid, a, b));
      line("const long long l2_first_row = l2_pid / l2_band_pids * l2_band_rows;");
      line(fmt::format("const long long l2_rows = min({}_tiles - l2_first_row, l2_band_rows);", a));
      line(fmt::format("const long long {}_id = l2_first_row + l2_pid % l2_band_pids % l2_rows;", a));
      line(fmt::format("const long long {}_id = l2_pid % l2_band_pids / l2_rows;", b));
      n -= 2;
    }
    // The launch has exactly the programs its tiles need (fewer than 2^31, the launcher checks),
    // so 32-bit division suffices and the outermost index is what is left of pid.
    for (std::size_t i = n; i-- > 1;) {
      const std::string& v = dims[i].var;
      line(fmt::format("const long long {0}_id = unsigned({1}) % unsigned({0}_tiles);", v, pid));
      line(fmt::format("{0} = unsigned({0}) / unsigned({1}_tiles);", pid, v));
    }
    if (n > 0) line(fmt::format("const long long {}_id = {};", dims[0].var, pid));
    for (const LaunchDim& d : dims) {
      const std::string begin = scalar(d.begin), end = scalar(d.end);
      const std::int64_t b = d.block;
      if (d.grid) {
        line(fmt::format("const long long {0} = ({1}) + {0}_id;", d.var, begin));
      } else {
        line(fmt::format("const long long {0}_begin = ({1}) + {0}_id * {2};", d.var, begin, b));
        line(tile_size_line(d, end));
      }
    }
  }

  /// Number of programs (tiles of the launch grid) of the plan's dims, or of one xyz group's.
  std::string programs_expr(int group = -1) {
    std::string tiles;
    for (const launch::LaunchDim& d : plan_.dims) {
      if (group >= 0 && d.group != group) continue;
      tiles += fmt::format("{}tilecc::dev::ceil_div(({}) - ({}), {}LL)", tiles.empty() ? "" : " * ", scalar(d.dim->end),
                           scalar(d.dim->begin), d.block);
    }
    return tiles.empty() ? "1LL" : tiles;
  }

  /// The loads map_programs marked to issue early, in the launch body's order.
  std::vector<const Expr*> early_loads(ir::Prefetch which) const {
    struct Marked : ir::Visitor {
      ir::Prefetch which;
      std::vector<const Expr*> out;
      void visit_load(const Expr& e) override {
        if (e.access.prefetch == which) out.push_back(&e);
        visit_children(e);
      }
    } marked;
    marked.which = which;
    marked.visit(launch_body());
    return marked.out;
  }

  /// Persistent programs: a grid of SMs x programs_per_sm blocks walks the
  /// programs, each block a contiguous run (blocked) or every grid-th program
  /// (interleaved); with prefetch, the next program's loads are in flight while
  /// this one computes (double-buffered registers).
  void emit_persistent_programs() {
    // Tiles every program reads whole (a norm's weight) are loaded once, before the programs;
    // the rest are prefetched for the next program when the config asks.
    const std::vector<const Expr*> invariant = early_loads(ir::Prefetch::Invariant),
                                   loads = early_loads(ir::Prefetch::Next);
    // A bf16 tile used only widened to f32 stays packed (as in emit_packed_load).
    std::vector<bool> packed;
    for (const Expr* e : loads) packed.push_back(e->access.packed);
    line(fmt::format("const long long programs = {};", programs_expr()));
    for (const Expr* e : invariant) {
      line(fmt::format("// {} (line {}) is the same tile in every program: loaded once", e->name, e->loc.line));
      if (e->access.packed)
        packed_[e] = emit_packed_load(*e);
      else
        prefetched_[e] = emit_load(*e);
    }
    const bool blocked = k_.programs.kind == ir::Programs::Kind::PersistentBlocked;
    if (blocked) {
      line("const long long programs_per_block = tilecc::dev::ceil_div(programs, (long long)gridDim.x);");
      line("const long long first_program = (long long)blockIdx.x * programs_per_block;");
      line("const long long end_program = min(programs, first_program + programs_per_block);");
    }
    const std::string first = blocked ? "first_program" : "(long long)blockIdx.x";
    const std::string end = blocked ? "end_program" : "programs";
    const std::string next = blocked ? "program + 1" : "program + gridDim.x";
    auto issue = [&](const std::string& pid) {
      line("{");
      ++indent_;
      line(fmt::format("long long pid = {};", pid));
      emit_program_tiles();
      for (std::size_t i = 0; i < loads.size(); ++i) {
        const std::string next = fmt::format("next_{}", i);
        if (packed[i])
          line(packed_load_call(*loads[i], next));
        else
          line(load_call(*loads[i], next,
                         access(loads[i]->name, loads[i]->indices, loads[i]->shape, loads[i]->loc,
                                loads[i]->transposed)));
      }
      --indent_;
      line("}");
    };
    for (std::size_t i = 0; i < loads.size(); ++i) {
      const auto rc = physical(loads[i]->shape, loads[i]->loc);
      const std::string type = packed[i] ? packed_type(rc) : frag_type(loads[i]->dtype, rc.first, rc.second);
      line(fmt::format("{} next_{};  // prefetched: {} of the next program", type, i, loads[i]->name));
    }
    if (!loads.empty()) {
      line(fmt::format("if ({} < {})", first, end));
      issue(first);
    }
    if (!k_.programs.before.empty()) {
      line("// hoist_program_atomics: each atomic update every tile makes to the same elements, summed over");
      line("// this block's programs in registers and made once after its last");
      emit_block(k_.programs.before);
    }
    line(fmt::format("for (long long program = {}; program < {}; {}) {{", first, end,
                     blocked ? "++program" : "program += gridDim.x"));
    ++indent_;
    line("long long pid = program;");
    emit_program_tiles();
    for (std::size_t i = 0; i < loads.size(); ++i) {
      const std::string name = fresh(loads[i]->name);
      line(fmt::format("const auto {} = next_{};", name, i));
      const auto rc = physical(loads[i]->shape, loads[i]->loc);
      if (packed[i])
        packed_[loads[i]] = widened(name, rc);
      else
        prefetched_[loads[i]] = make_frag(name, loads[i]->dtype, rc);
    }
    if (!loads.empty()) {
      line(fmt::format("if ({} < {})", next, end));
      issue(next);
    }
    emit_block(launch_body());
    --indent_;
    line("}");
    emit_block(k_.programs.after);
  }

  /// The launcher prints the launch plan (translator/launch/launch_plan.hpp says which field
  /// gives which line).
  std::string emit_launcher(const std::string& symbol) {
    const launch::LaunchPlan& plan = plan_;
    start_function();
    const std::string params = param_list(false);
    if (!o_.launcher_name.empty())
      line(fmt::format("static cudaError_t {}({}{}cudaStream_t stream) {{", o_.launcher_name, params,
                       params.empty() ? "" : ", "));
    else if (k_.instance.empty())
      line(fmt::format("cudaError_t {}({}{}cudaStream_t stream) {{", k_.name, params, params.empty() ? "" : ", "));
    else
      line(fmt::format("template <>\ncudaError_t {}<{}>({}{}cudaStream_t stream) {{", k_.name, k_.instance, params,
                       params.empty() ? "" : ", "));
    ++indent_;
    for (const Stmt* s : plan.lets)
      line(fmt::format("const {} {} = {};", cuda_type(s->expr->dtype), s->name, scalar(s->expr)));
    for (const Stmt* s : plan.checks)
      line(fmt::format("if (!({})) return tilecc::launch_check_failed(\"{}\", \"{}\");", scalar(s->expr), k_.name,
                       escape(s->text)));
    const bool looped = plan.beyond_guards == launch::BeyondGuards::RunLooped;
    const std::string looped_symbol = kernel_symbol(k_, joined_suffix(o_.symbol_suffix, kLoopedSuffix));
    if (looped) {
      std::string longer;
      for (const launch::WholeDim& g : plan.guards)
        longer += fmt::format("{}{} > {}", longer.empty() ? "" : " || ", g.text, plan.full_extent);
      line(fmt::format("// Whole extents beyond full_extent ({}) run the looped variant, which walks them in chunks.",
                       plan.full_extent));
      line(fmt::format("const bool looped = {};", longer));
    } else {
      for (const launch::WholeDim& g : plan.guards)
        line(
            fmt::format("if ({} > {}) return tilecc::launch_config_error(\"{}\", \"{} exceeds the config's "
                        "full_extent {}: translate with a larger full_extent\");",
                        g.text, plan.full_extent, k_.name, g.text, plan.full_extent));
    }
    std::string grid;
    if (plan.grid == launch::GridKind::Xyz) {
      // One grid axis per launch dim (per flattened loop), the innermost on x.
      std::string dim3_args;
      for (int axis = 0; axis < 3; ++axis) {
        const char xyz = "xyz"[axis];
        line(fmt::format("const long long grid_{} = {};", xyz,
                         axis < plan.axes ? programs_expr(plan.group_on_axis(axis)) : "1LL"));
        dim3_args += fmt::format("{}unsigned(grid_{})", axis ? ", " : "", xyz);
      }
      line("if (grid_x <= 0 || grid_y <= 0 || grid_z <= 0) return cudaSuccess;");
      line(fmt::format(
          "if (grid_x > 2147483647LL || grid_y > 65535 || grid_z > 65535) return "
          "tilecc::launch_config_error(\"{}\", \"the grid exceeds CUDA's y/z limit of 65535 blocks with pid "
          "xyz: translate with pid flat\");",
          k_.name));
      grid = "dim3(" + dim3_args + ")";
    } else {
      line(fmt::format("const long long programs = {};", programs_expr()));
      line("if (programs <= 0) return cudaSuccess;");
      line("if (programs > 2147483647LL) return cudaErrorInvalidConfiguration;");
      grid = plan.grid == launch::GridKind::Persistent ? "dim3(unsigned(blocks))" : "dim3(unsigned(programs))";
    }
    std::string args;
    for (std::size_t i = 0; i < k_.params.size(); ++i) {
      const std::string& name = k_.params[i].name;
      args +=
          (i ? ", " : "") +
          (plan.params[i].kind == launch::ParamPacking::Kind::Tensor ? fmt::format("tilecc::to_arg({})", name) : name);
    }
    for (const ir::TensorMapUse& t : k_.tensor_maps)
      args += fmt::format(", tilecc::tensor_map({}, {}, {})", t.param, t.box_rows, t.box_cols);
    if (plan.grid == launch::GridKind::Persistent)
      line(fmt::format("const long long blocks = std::min<long long>(programs, tilecc::sm_count() * {}LL);",
                       plan.programs_per_sm));
    const int dynamic_shared = plan.dynamic_shared_bytes;
    if (dynamic_shared) {
      for (const DispatchVariant& v : o_.dispatch)
        line(fmt::format("if (cudaError_t e = tilecc::allow_dynamic_shared<{}>({}); e != cudaSuccess) return e;",
                         v.symbol, dynamic_shared));
      line(fmt::format("if (cudaError_t e = tilecc::allow_dynamic_shared<{}>({}); e != cudaSuccess) return e;", symbol,
                       dynamic_shared));
    }
    if (looped && plan.looped_dynamic_shared_bytes)
      line(fmt::format("if (cudaError_t e = tilecc::allow_dynamic_shared<{}>({}); e != cudaSuccess) return e;",
                       looped_symbol, plan.looped_dynamic_shared_bytes));
    // The looped variant for long rows; --specialize=auto: the first specialized kernel whose
    // facts hold; else the generic one.
    if (looped) {
      line("if (looped)");
      line(fmt::format("  {}<<<{}, {}, {}, stream>>>({});", looped_symbol, grid, plan.threads,
                       plan.looped_dynamic_shared_bytes, args));
    }
    for (std::size_t i = 0; i < o_.dispatch.size(); ++i) {
      const DispatchVariant& v = o_.dispatch[i];
      const bool chained = i || looped;
      std::string condition;
      for (const Requirement& r : v.requires_)
        condition += (condition.empty() ? "" : fmt::format(" &&\n{}", std::string(chained ? 11 : 6, ' '))) +
                     launcher_condition(k_, r, slot_expr(r.slot));
      line(fmt::format("{}if ({})", chained ? "else " : "", condition.empty() ? "true" : condition));
      line(fmt::format("  {}<<<{}, {}, {}, stream>>>({});", v.symbol, grid, plan.threads, dynamic_shared, args));
    }
    const bool chosen = looped || !o_.dispatch.empty();
    if (chosen) line("else");
    line(fmt::format("{}{}<<<{}, {}, {}, stream>>>({});", chosen ? "  " : "", symbol, grid, plan.threads,
                     dynamic_shared, args));
    line("return cudaGetLastError();");
    --indent_;
    line("}");
    return out_;
  }

  /// A specialization slot as a launcher's host expression (Tensor: the host view).
  std::string slot_expr(const Slot& slot) {
    const std::string name = slot.param >= 0 ? k_.params[static_cast<std::size_t>(slot.param)].name : "";
    switch (slot.kind) {
      case SlotKind::Scalar:
      case SlotKind::Tensor: return name;
      case SlotKind::Pointer: return name + ".data()";
      case SlotKind::Size: return fmt::format("{}.size({})", name, slot.dim);
      case SlotKind::Stride: return fmt::format("{}.stride({})", name, slot.dim);
      case SlotKind::LoopExtent: return fmt::format("({}) - ({})", scalar(slot.loop->end), scalar(slot.loop->begin));
    }
    return name;
  }

  /// Facts the compiler cannot see but may use (aligned vector accesses): 16-byte aligned base
  /// pointers and strides that are multiples of 16 elements.
  void emit_assumptions() {
    for (const std::string& t : k_.assumptions.aligned_tensors)
      line(fmt::format("{0}.data = static_cast<decltype({0}.data)>(__builtin_assume_aligned({0}.data, 16));", t));
    for (const auto& [tensor, dim] : k_.assumptions.div16_strides)
      line(fmt::format("__builtin_assume({}.strides[{}] % 16 == 0);", tensor, dim));
  }

  static std::string escape(const std::string& s) {
    std::string out;
    for (char ch : s) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    return out;
  }

  const ir::Kernel& source_;
  const ir::Kernel& k_;
  const passes::Resources& resources_;  // of the lowered kernel, analyzed once by emit_kernel
  const Config& c_;
  const EmitOptions& o_;
  std::map<std::string, Val> values_;
  std::map<const Expr*, Val> prefetched_;
  // Dot B operands in shared memory (select_accesses): the let that binds each, and the copy
  // schedule of the loop being printed (SharedCycle).
  std::map<std::string, const Expr*> shared_lets_;
  struct SharedCycle {
    const ir::LoopDim* dim = nullptr;   // the loop over key tiles
    std::vector<const Expr*> loads;     // in the order of the dots that read them
    std::map<const Expr*, std::size_t> index;
  };
  std::vector<SharedCycle> cycles_;
  std::map<const Expr*, Val> packed_;  // persistent: bf16 tiles kept packed (invariant or prefetched), widened
  launch::LaunchPlan plan_;
  std::map<std::string, ExprPtr> deferred_;   // looped: lets of whole rows, recomputed per chunk
  std::map<std::string, Val> chunk_values_;   // looped: those already computed in this chunk loop
  std::map<int, Val> chunked_;                // reductions computed by a ChunkReduce, by id
  std::vector<std::string> tma_decls_;             // their declarations, at kernel scope
  bool in_chunk_ = false;
  std::set<std::string> closed_loops_;  // device tile loops not open where the printer is
  std::string grid_;
  std::int64_t threads_ = 128, tc_ = 32;
  std::string out_;
  int indent_ = 0;
  int counter_ = 0;
  // --line-directives: the statement being printed, and the source line the next output line
  // has under the last directive (or one of these).
  static constexpr int kUnknownLines = 0, kGeneratedLines = -1;
  ir::SourceLoc at_;
  int next_line_ = kUnknownLines;
};

}  // namespace

KernelCode emit_kernel(const ir::Kernel& kernel, const Config& config, const EmitOptions& options) {
  passes::LowerOptions lo;
  lo.specialization = options.specialization;
  const ir::Kernel lowered = passes::lower(kernel, config, passes::Target{options.arch}, lo);
  // A translation that succeeds compiles: a config over the arch's limits is refused here.
  const passes::Resources resources = passes::analyze_resources(lowered);
  if (auto why = passes::over_limits(lowered, resources, config::arch_limits(options.arch))) throw ConfigError(*why);
  KernelCode code = Emitter(kernel, lowered, resources, config, options).run();
  code.tensor_maps = launch::tensor_map_packing(lowered);
  return code;
}

}  // namespace tilecc::codegen
