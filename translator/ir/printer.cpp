#include "printer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "permutation.hpp"

namespace tilecc::ir {

namespace {

std::string shape_str(const std::vector<Dim>& shape) {
  std::string s;
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + to_string(shape[i]);
  return s;
}

std::string type_str(const Expr& e) {
  if (e.is_scalar()) return name(e.dtype);
  return fmt::format("{}[{}]", name(e.dtype), shape_str(e.shape));
}

std::string index_str(const Index& i) {
  switch (i.kind) {
    case Index::Kind::Tile: return i.var;
    case Index::Kind::Scalar: return to_string(*i.expr);
    case Index::Kind::All: return "all";
    case Index::Kind::Gather: return "gather(" + to_string(*i.expr) + ")";
  }
  return "?";
}

std::string indices_str(const std::vector<Index>& idx) {
  std::string s;
  for (std::size_t i = 0; i < idx.size(); ++i) s += (i ? ", " : "") + index_str(idx[i]);
  return s;
}

std::string args_str(const Expr& e) {
  std::string s;
  for (std::size_t i = 0; i < e.args.size(); ++i) s += (i ? ", " : "") + to_string(*e.args[i]);
  return s;
}

std::string block_str(const BlockSpec& b) {
  switch (b.kind) {
    case BlockSpec::Kind::Tunable: return fmt::format("block_sizes[{}]", b.slot);
    case BlockSpec::Kind::Fixed: return std::to_string(b.value);
    case BlockSpec::Kind::One: return "1";
  }
  return "?";
}

void print_block(std::string& out, const std::vector<StmtPtr>& body, int depth);

/// A load's or store's access decision, once select_accesses made it ("" before).
std::string access_str(const Access& a) {
  if (a.site < 0) return "";
  std::string s = fmt::format(" {{site {}{}", a.site, a.vector ? ", vector" : ", scalar");
  if (a.hint != CacheHint::Default) s += fmt::format(", {}", name(a.hint));
  if (a.tma_stage >= 0) s += fmt::format(", tma stage {}", a.tma_stage);
  if (a.packed) s += ", packed";
  if (a.shared) s += ", shared";
  if (a.shared_offset >= 0) s += fmt::format(" at dynamic byte {}", a.shared_offset);
  if (a.mma_a) s += ", mma A operand";
  if (a.prefetch == Prefetch::Invariant) s += ", loaded once";
  if (a.prefetch == Prefetch::Next) s += ", prefetched";
  return s + "}";
}

std::string dot_str(const Stmt& s) {
  if (!s.is_dot) return "";
  return fmt::format(" dot{{{}{}, stages {}{}}}", s.dot.wgmma ? "wgmma" : "mma",
                     s.dot.warp_specialized ? " + tma, warp-specialized"
                     : s.dot.tma            ? " + tma"
                                            : "",
                     s.dot.stages,
                     s.dot.dynamic_bytes ? fmt::format(", {} dynamic shared bytes", s.dot.dynamic_bytes) : "") +
         (s.dot.a_rows ? fmt::format(" a rows {}", to_string(*s.dot.a_rows)) : "") +
         (s.dot.out_rows ? fmt::format(" out rows {}", to_string(*s.dot.out_rows)) : "") +
         (s.dot.in_loop ? ", in a device loop" : "");
}

void print_stmt(std::string& out, const Stmt& s, int depth) {
  const std::string pad(static_cast<std::size_t>(depth) * 2, ' ');
  const std::string at = fmt::format("  // line {}", s.loc.line);
  for (const std::string& note : s.notes) out += fmt::format("{}// note: {}\n", pad, note);
  switch (s.kind) {
    case Stmt::Kind::Let:
      out += fmt::format("{}let{} {}: {} = {}{}\n", pad, s.deferred ? " per chunk" : "", s.name, type_str(*s.expr),
                         to_string(*s.expr), at);
      break;
    case Stmt::Kind::Assign: out += fmt::format("{}{} = {}{}\n", pad, s.name, to_string(*s.expr), at); break;
    case Stmt::Kind::Store:
      out += fmt::format("{}store{} {}[{}] = {}{}\n", pad, access_str(s.access), s.name, indices_str(s.indices),
                         to_string(*s.expr), at);
      break;
    case Stmt::Kind::AtomicAdd:
      if (s.op == Op::Add)
        out +=
            fmt::format("{}atomic_add {}[{}] += {}{}\n", pad, s.name, indices_str(s.indices), to_string(*s.expr), at);
      else
        out += fmt::format("{}atomic_{} {}[{}] = {}{}\n", pad, s.op == Op::Maximum ? "max" : "min", s.name,
                           indices_str(s.indices), to_string(*s.expr), at);
      break;
    case Stmt::Kind::Check: out += fmt::format("{}check {}  // \"{}\"\n", pad, to_string(*s.expr), s.text); break;
    case Stmt::Kind::Loop: {
      std::string dims;
      for (std::size_t i = 0; i < s.dims.size(); ++i) {
        const LoopDim& d = s.dims[i];
        dims += fmt::format("{}{} in [{}, {}) block {}{}", i ? ", " : "", d.var, to_string(*d.begin), to_string(*d.end),
                            block_str(d.block), d.divisible ? " divisible" : "");
      }
      std::string knobs;
      if (!s.order.empty()) {
        knobs += " order [";
        for (std::size_t i = 0; i < s.order.size(); ++i) knobs += fmt::format("{}{}", i ? ", " : "", s.order[i]);
        knobs += "]";
      }
      if (s.flatten) knobs += " flattened";
      if (s.unroll) knobs += fmt::format(" unroll {}", s.unroll);
      if (!s.copy_schedule.empty()) {
        knobs += " copies ahead [";
        for (std::size_t i = 0; i < s.copy_schedule.size(); ++i)
          knobs += fmt::format("{}site {}", i ? ", " : "", s.copy_schedule[i]);
        knobs += "]";
      }
      out += fmt::format("{}{}{} {}{}{} {{{}\n", pad, s.is_launch ? "launch " : "", s.is_grid ? "grid" : "tile", dims,
                         knobs, dot_str(s), at);
      print_block(out, s.body, depth + 1);
      out += pad + "}\n";
      break;
    }
    case Stmt::Kind::DotLoopStore:
      out += fmt::format("{}dot_loop_store{} {{{}\n", pad, dot_str(s), at);
      print_block(out, s.body, depth + 1);
      out += pad + "}\n";
      break;
    case Stmt::Kind::ChunkReduce:
      out += fmt::format("{}chunk_reduce {} over {} in chunks of {}{}\n", pad, to_string(*s.expr), to_string(s.whole),
                         s.chunk, at);
      break;
    case Stmt::Kind::ChunkLoop:
      out += fmt::format("{}chunks of {} over {} {{{}\n", pad, s.chunk, to_string(s.whole), at);
      print_block(out, s.body, depth + 1);
      out += pad + "}\n";
      break;
  }
}

void print_block(std::string& out, const std::vector<StmtPtr>& body, int depth) {
  for (const StmtPtr& s : body) print_stmt(out, *s, depth);
}

/// The kernel-wide lowering decisions, one line each ("" before lowering).
std::string lowering_str(const Kernel& k) {
  std::string out;
  const Layout& l = k.layout;
  if (l.threads) {
    out += fmt::format("  layout: {} threads, {} x {} (rows x columns), whole extent {}", l.threads,
                       l.threads / l.threads_per_row, l.threads_per_row, l.whole_extent);
    if (l.mma_rows) out += ", mma rows";
    if (k.min_blocks_per_sm) out += fmt::format(", at least {} blocks per SM", k.min_blocks_per_sm);
    std::string axes;
    for (const auto& [var, axis] : l.axes) axes += fmt::format(" {}={}", var, axis == Axis::Row ? "row" : "col");
    out += (axes.empty() ? "" : ";" + axes) + "\n";
  }
  const Programs& p = k.programs;
  if (!p.dims.empty()) {
    static const char* kinds[] = {"flat", "xyz", "persistent_blocked", "persistent_interleaved"};
    out += fmt::format("  programs: {}", kinds[static_cast<int>(p.kind)]);
    if (p.persistent()) out += fmt::format(" ({} per SM)", p.programs_per_sm);
    for (const Programs::Dim& d : p.dims)
      out += fmt::format(" {}{}", d.var, p.kind == Programs::Kind::Xyz ? fmt::format("@{}", d.group) : "");
    if (p.l2_grouping > 1) out += fmt::format(", L2 bands of {}", p.l2_grouping);
    out += "\n";
  }
  for (const TmaStage& t : k.tma_stages)
    out += fmt::format("  tma stage {}: {} x {} {} for the {}\n", t.name, t.rows, t.cols, name(t.dtype), t.what);
  for (const TensorMapUse& t : k.tensor_maps)
    out += fmt::format("  tensor map {}: {} in boxes of {} x {}\n", t.name, t.param, t.box_rows, t.box_cols);
  for (const std::string& f : k.assumptions.facts) out += fmt::format("  assume {}\n", f);
  if (k.second_scratch) out += "  reductions alternate two scratch buffers\n";
  return out;
}

}  // namespace

std::string to_string(const Dim& d) {
  switch (d.kind) {
    case Dim::Kind::Tile: return d.var;
    case Dim::Kind::Full: return fmt::format("{}.size({})", d.var, d.index);
    case Dim::Kind::One: return "1";
    case Dim::Kind::Expr: return to_string(*d.extent);
  }
  return "?";
}

std::string to_string(const Expr& e) {
  using K = Expr::Kind;
  switch (e.kind) {
    case K::Const:
      if (is_floating(e.dtype)) return fmt::format("{}:{}", e.fval, name(e.dtype));
      if (e.dtype == DType::b1) return e.ival ? "true" : "false";
      return e.dtype == DType::i64 ? std::to_string(e.ival) : fmt::format("{}:{}", e.ival, name(e.dtype));
    case K::Param:
    case K::Var: return e.name;
    case K::TensorSize: return fmt::format("{}.size({})", e.name, e.ival);
    case K::TensorStride: return fmt::format("{}.stride({})", e.name, e.ival);
    case K::TileAttr: return fmt::format("{}.{}", e.name, name(e.op));
    case K::TileIndex: return fmt::format("{}.index()", e.name);
    case K::Unary: return fmt::format("{}({})", name(e.op), args_str(e));
    case K::Binary: return fmt::format("{}{}({})", e.accumulate ? "accumulate_" : "", name(e.op), args_str(e));
    case K::Compare:
      if (e.index_compare.op != Op::None) {
        auto side = [](const std::string& loop, const std::vector<IndexCompare::Term>& terms) {
          std::string out = loop + ".index()";
          for (const auto& t : terms) out += fmt::format(" {} {}", t.minus ? '-' : '+', to_string(*t.value));
          return out;
        };
        return fmt::format("index_compare {}(rows {}, columns {})", name(e.index_compare.op),
                           side(e.shape[0].var, e.index_compare.row_offset),
                           side(e.shape[1].var, e.index_compare.column_offset));
      }
      return fmt::format("{}({})", name(e.op), args_str(e));
    case K::Select: return fmt::format("where({})", args_str(e));
    case K::Cast:
      return fmt::format("{}<{}>({})",
                         e.packed_widen    ? "widen"
                         : e.narrow_at_dot ? "narrow_at_dot"
                                           : "cast",
                         name(e.dtype), args_str(e));
    case K::Load:
      return fmt::format("load{}{} {}[{}]", e.transposed ? " transposed" : "", access_str(e.access), e.name,
                         indices_str(e.indices));
    case K::Full: return fmt::format("full<{}>({}; {})", name(e.dtype), args_str(e), shape_str(e.shape));
    case K::Arange: return fmt::format("arange<{}>({})", name(e.dtype), args_str(e));
    case K::Reduce:
      return fmt::format("{}({}, dim={}{}{})", name(e.op), args_str(e), e.ival, e.keepdim ? ", keepdim" : "",
                         !e.scratch.planned
                             ? ""
                             : fmt::format(", scratch {}{}", e.scratch.buffer, e.scratch.barrier ? "" : " no barrier"));
    case K::Dot: return fmt::format("dot({})", args_str(e));
    case K::Unsqueeze: return fmt::format("unsqueeze({}, {})", args_str(e), e.ival);
    case K::Transpose:
      if (e.ival == 0) return fmt::format("trans({})", args_str(e));
      return fmt::format("permute({}, dims=[{}])", args_str(e), fmt::join(permutation(e), ", "));
  }
  return "?";
}

std::string to_string(const Kernel& k) {
  std::string params;
  for (std::size_t i = 0; i < k.params.size(); ++i) {
    const Param& p = k.params[i];
    params += i ? ", " : "";
    if (p.is_tensor)
      params += fmt::format("{}: tensor<{}{}, {}>", p.name, p.is_const ? "const " : "", name(p.dtype), p.rank);
    else
      params += fmt::format("{}: {}", p.name, name(p.dtype));
  }
  std::string out = fmt::format("kernel {}{}({}) {{  // {}:{}\n", k.name,
                                k.instance.empty() ? "" : "<" + k.instance + ">", params, k.source_file, k.loc.line);
  for (std::size_t i = 0; i < k.block_slots.size(); ++i)
    out += fmt::format("  block_sizes[{}]: {} in [{}, {}]\n", i, k.block_slots[i].name, k.block_slots[i].min,
                       k.block_slots[i].max);
  out += lowering_str(k);
  if (!k.host.empty()) {
    out += "  host {\n";
    print_block(out, k.host, 2);
    out += "  }\n";
  }
  if (!k.programs.before.empty()) {
    out += "  before each block's programs {\n";
    print_block(out, k.programs.before, 2);
    out += "  }\n";
  }
  print_block(out, k.body, 1);
  if (!k.programs.after.empty()) {
    out += "  after each block's programs {\n";
    print_block(out, k.programs.after, 2);
    out += "  }\n";
  }
  return out + "}\n";
}

std::string to_string(const Module& m) {
  std::string out;
  for (const Kernel& k : m.kernels) out += to_string(k);
  return out;
}

}  // namespace tilecc::ir
