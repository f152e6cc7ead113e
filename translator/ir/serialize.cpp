#include "serialize.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <utility>

namespace tilecc::ir {

using nlohmann::json;

namespace {

// Kind names double as the on-disk spelling: keep them stable.
constexpr const char* kExprKinds[] = {"const",  "param",  "var",     "size",      "stride",   "tile_attr", "tile_index",
                                      "unary",  "binary", "compare", "select",    "cast",     "load",      "full",
                                      "arange", "reduce", "dot",     "unsqueeze", "transpose"};
constexpr const char* kStmtKinds[] = {"let",  "assign",         "store",        "atomic_add", "check",
                                      "loop", "dot_loop_store", "chunk_reduce", "chunk_loop"};
constexpr const char* kDimKinds[] = {"tile", "full", "one", "expr"};
constexpr const char* kIndexKinds[] = {"tile", "scalar", "all", "gather"};
constexpr const char* kBlockKinds[] = {"tunable", "fixed", "one"};

template <class E, std::size_t N> const char* kind_name(E k, const char* const (&names)[N]) {
  return names[static_cast<std::size_t>(k)];
}

json to_json(const ExprPtr& e);

// JSON has no infinities or NaN: those are written as strings.
json float_json(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}
json to_json(const Dim& d) {
  json j{{"kind", kind_name(d.kind, kDimKinds)}};
  if (!d.var.empty()) j["var"] = d.var;
  if (d.kind == Dim::Kind::Full) j["index"] = d.index;
  if (d.extent) j["extent"] = to_json(d.extent);
  return j;
}
json to_json(const Index& i) {
  json j{{"kind", kind_name(i.kind, kIndexKinds)}};
  if (!i.var.empty()) j["var"] = i.var;
  if (i.expr) j["expr"] = to_json(i.expr);
  return j;
}
json loc_json(SourceLoc l) { return json::array({l.line, l.column}); }
json to_json(const ExprPtr& e) {
  json j{{"kind", kind_name(e->kind, kExprKinds)}, {"dtype", name(e->dtype)}};
  if (!e->shape.empty()) {
    j["shape"] = json::array();
    for (const Dim& d : e->shape) j["shape"].push_back(to_json(d));
  }
  if (!e->name.empty()) j["name"] = e->name;
  if (e->op != Op::None) j["op"] = name(e->op);
  if (e->ival != 0) j["ival"] = e->ival;
  if (e->fval != 0) j["fval"] = float_json(e->fval);
  if (e->keepdim) j["keepdim"] = true;
  if (!e->args.empty()) {
    j["args"] = json::array();
    for (const ExprPtr& a : e->args) j["args"].push_back(to_json(a));
  }
  if (!e->indices.empty()) {
    j["indices"] = json::array();
    for (const Index& i : e->indices) j["indices"].push_back(to_json(i));
  }
  if (e->loc.line) j["loc"] = loc_json(e->loc);
  return j;
}

json to_json(const StmtPtr& s);

json block_json(const std::vector<StmtPtr>& body) {
  json a = json::array();
  for (const StmtPtr& s : body) a.push_back(to_json(s));
  return a;
}
json to_json(const StmtPtr& s) {
  json j{{"kind", kind_name(s->kind, kStmtKinds)}};
  if (!s->name.empty()) j["name"] = s->name;
  if (!s->indices.empty()) {
    j["indices"] = json::array();
    for (const Index& i : s->indices) j["indices"].push_back(to_json(i));
  }
  if (s->expr) j["expr"] = to_json(s->expr);
  if (!s->text.empty()) j["text"] = s->text;
  if (s->op != Op::Add) j["op"] = name(s->op);
  if (s->kind == Stmt::Kind::Loop) {
    j["grid"] = s->is_grid;
    j["launch"] = s->is_launch;
    j["dims"] = json::array();
    for (const LoopDim& d : s->dims)
      j["dims"].push_back({{"var", d.var},
                           {"begin", to_json(d.begin)},
                           {"end", to_json(d.end)},
                           {"block", kind_name(d.block.kind, kBlockKinds)},
                           {"slot", d.block.slot},
                           {"value", d.block.value}});
    j["body"] = block_json(s->body);
  }
  if (s->loc.line) j["loc"] = loc_json(s->loc);
  return j;
}

json to_json(const Kernel& k) {
  json params = json::array();
  for (const Param& p : k.params)
    params.push_back({{"name", p.name},
                      {"tensor", p.is_tensor},
                      {"dtype", name(p.dtype)},
                      {"rank", p.rank},
                      {"const", p.is_const},
                      {"cpp_type", p.cpp_type}});
  json slots = json::array();
  for (const BlockSlot& b : k.block_slots) {
    slots.push_back({{"name", b.name}, {"min", b.min}, {"max", b.max}});
    if (b.loc.line) slots.back()["loc"] = loc_json(b.loc);
  }
  json j = {{"name", k.name},   {"instance", k.instance}, {"source_file", k.source_file}, {"loc", loc_json(k.loc)},
            {"params", params}, {"block_slots", slots},   {"host", block_json(k.host)},   {"body", block_json(k.body)}};
  if (!k.template_decl.empty()) j["template_decl"] = k.template_decl;
  return j;
}

/// Reads the JSON form back. Every value is checked for its type and every error names
/// where it is ("kernels[0].body[1].expr.op: ..."), not the JSON library's wording.
/// Expressions and loops nest at most kMaxDepth deep: lowering and printing recurse over
/// them, and a deeper tree would overflow the stack.
class Reader {
 public:
  static constexpr int kMaxDepth = 256;

  Module module(const json& j) {
    if (!j.is_object()) fail("", "expected a JSON object");
    const std::string format = j.contains("format") && j["format"].is_string() ? j["format"].get<std::string>() : "";
    if (format != "tilecc-ir")
      throw SerializeError("tile IR: missing \"format\": \"tilecc-ir\" (is this a tilecc IR file?)");
    const std::int64_t version = j.contains("version") ? integer(j["version"], "version") : 0;
    if (version != kSerializedVersion)
      throw SerializeError("tile IR: version " + std::to_string(version) +
                           " is not supported (this tilecc reads version " + std::to_string(kSerializedVersion) + ")");
    Module m;
    m.source_file = opt_string(j, "source_file", "");
    const json& ks = array(field(j, "kernels", ""), "kernels");
    for (std::size_t i = 0; i < ks.size(); ++i) m.kernels.push_back(kernel(ks[i], item("kernels", i)));
    return m;
  }

 private:
  [[noreturn]] static void fail(const std::string& at, const std::string& what) {
    throw SerializeError("tile IR: " + (at.empty() ? "" : at + ": ") + what);
  }
  static std::string member(const std::string& at, const char* name) { return at.empty() ? name : at + "." + name; }
  static std::string item(const std::string& at, std::size_t i) { return at + "[" + std::to_string(i) + "]"; }
  static std::string shown(const json& v) {
    std::string s;
    show(v, s);
    return s.size() > 40 ? s.substr(0, 37) + "..." : s;
  }
  // dump()'s text, cut once past 40 characters: every level of nesting adds a character, so the
  // recursion stops there (dump() itself recurses through the whole value, deeper than the stack).
  static void show(const json& v, std::string& out) {
    if (!v.is_structured()) {
      out += v.dump();
      return;
    }
    out += v.is_array() ? '[' : '{';
    bool first = true;
    for (auto it = v.begin(); it != v.end() && out.size() <= 40; ++it, first = false) {
      if (!first) out += ',';
      if (v.is_object()) out += json(it.key()).dump() + ':';
      show(it.value(), out);
    }
    out += v.is_array() ? ']' : '}';
  }

  static const json& object(const json& j, const std::string& at) {
    if (!j.is_object()) fail(at, "expected an object, got " + shown(j));
    return j;
  }
  static const json& array(const json& j, const std::string& at) {
    if (!j.is_array()) fail(at, "expected a list, got " + shown(j));
    return j;
  }
  static const json& field(const json& j, const char* name, const std::string& at) {
    object(j, at);
    if (!j.contains(name)) fail(member(at, name), "missing");
    return j[name];
  }
  static std::string string(const json& j, const std::string& at) {
    if (!j.is_string()) fail(at, "expected a string, got " + shown(j));
    return j.get<std::string>();
  }
  static std::int64_t integer(const json& j, const std::string& at,
                              std::int64_t lo = std::numeric_limits<std::int64_t>::min(),
                              std::int64_t hi = std::numeric_limits<std::int64_t>::max()) {
    if (!j.is_number_integer() || (j.is_number_unsigned() && j.get<std::uint64_t>() > static_cast<std::uint64_t>(hi)))
      fail(at, "expected an integer" +
                   (hi == std::numeric_limits<std::int64_t>::max()
                        ? std::string()
                        : " in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]") +
                   ", got " + shown(j));
    const std::int64_t v = j.get<std::int64_t>();
    if (v < lo || v > hi)
      fail(at, "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + shown(j));
    return v;
  }
  static int int32(const json& j, const std::string& at) {
    return static_cast<int>(integer(j, at, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
  }
  static bool boolean(const json& j, const std::string& at) {
    if (!j.is_boolean()) fail(at, "expected true or false, got " + shown(j));
    return j.get<bool>();
  }
  static std::string opt_string(const json& j, const char* name, const std::string& at) {
    return j.contains(name) ? string(j[name], member(at, name)) : std::string();
  }

  template <class E, std::size_t N>
  static E kind(const json& j, const char* name, const std::string& at, const char* const (&names)[N]) {
    const std::string s = string(field(j, name, at), member(at, name));
    for (std::size_t i = 0; i < N; ++i)
      if (s == names[i]) return static_cast<E>(i);
    std::string known;
    for (const char* n : names) known += std::string(known.empty() ? "" : ", ") + n;
    fail(member(at, name), "unknown " + std::string(name) + " '" + s + "' (known: " + known + ")");
  }
  static DType dtype(const json& j, const std::string& at) {
    const std::string s = string(field(j, "dtype", at), member(at, "dtype"));
    if (auto d = parse_dtype(s)) return *d;
    fail(member(at, "dtype"), "unknown dtype '" + s + "'");
  }
  static double number(const json& j, const std::string& at) {
    if (j.is_number()) return j.get<double>();
    const std::string s = string(j, at);
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    fail(at, "bad number '" + s + "'");
  }
  static SourceLoc loc(const json& j, const std::string& at) {
    if (!j.contains("loc")) return {};
    const json& l = array(j["loc"], member(at, "loc"));
    if (l.size() != 2) fail(member(at, "loc"), "expected [line, column]");
    return {int32(l[0], member(at, "loc") + "[0]"), int32(l[1], member(at, "loc") + "[1]")};
  }

  /// Counts the nesting of expressions and loops while one is read.
  struct Nest {
    Nest(Reader& r, const std::string& at) : r_(r) {
      if (++r_.depth_ > kMaxDepth)
        fail(at, "expressions or loops nest more than " + std::to_string(kMaxDepth) + " deep");
    }
    ~Nest() { --r_.depth_; }
    Reader& r_;
  };

  Dim dim(const json& j, const std::string& at) {
    Dim d;
    d.kind = kind<Dim::Kind>(j, "kind", at, kDimKinds);
    d.var = opt_string(j, "var", at);
    d.index = j.contains("index") ? int32(j["index"], member(at, "index")) : 0;
    if (j.contains("extent")) d.extent = expr(j["extent"], member(at, "extent"));
    return d;
  }

  Index index(const json& j, const std::string& at) {
    Index i;
    i.kind = kind<Index::Kind>(j, "kind", at, kIndexKinds);
    i.var = opt_string(j, "var", at);
    if (j.contains("expr")) i.expr = expr(j["expr"], member(at, "expr"));
    return i;
  }

  std::vector<Index> indices(const json& j, const std::string& at) {
    std::vector<Index> out;
    if (!j.contains("indices")) return out;
    const std::string here = member(at, "indices");
    const json& a = array(j["indices"], here);
    for (std::size_t i = 0; i < a.size(); ++i) out.push_back(index(a[i], item(here, i)));
    return out;
  }

  ExprPtr expr(const json& j, const std::string& at) {
    const Nest nest(*this, at);
    object(j, at);
    auto e = std::make_shared<Expr>();
    e->kind = kind<Expr::Kind>(j, "kind", at, kExprKinds);
    e->dtype = dtype(j, at);
    if (j.contains("shape")) {
      const std::string here = member(at, "shape");
      const json& a = array(j["shape"], here);
      for (std::size_t i = 0; i < a.size(); ++i) e->shape.push_back(dim(a[i], item(here, i)));
    }
    e->name = opt_string(j, "name", at);
    if (j.contains("op")) {
      const std::string op = string(j["op"], member(at, "op"));
      const std::optional<Op> parsed = parse_op(op);
      if (!parsed) fail(member(at, "op"), "unknown op '" + op + "'");
      e->op = *parsed;
    }
    e->ival = j.contains("ival") ? integer(j["ival"], member(at, "ival")) : 0;
    e->fval = j.contains("fval") ? number(j["fval"], member(at, "fval")) : 0.0;
    e->keepdim = j.contains("keepdim") && boolean(j["keepdim"], member(at, "keepdim"));
    if (j.contains("args")) {
      const std::string here = member(at, "args");
      const json& a = array(j["args"], here);
      for (std::size_t i = 0; i < a.size(); ++i) e->args.push_back(expr(a[i], item(here, i)));
    }
    e->indices = indices(j, at);
    e->loc = loc(j, at);
    return e;
  }

  std::vector<StmtPtr> block(const json& j, const char* name, const std::string& at) {
    std::vector<StmtPtr> out;
    if (!j.contains(name)) return out;
    const std::string here = member(at, name);
    const json& a = array(j[name], here);
    for (std::size_t i = 0; i < a.size(); ++i) out.push_back(stmt(a[i], item(here, i)));
    return out;
  }

  StmtPtr stmt(const json& j, const std::string& at) {
    const Nest nest(*this, at);
    object(j, at);
    auto s = std::make_shared<Stmt>();
    s->kind = kind<Stmt::Kind>(j, "kind", at, kStmtKinds);
    s->name = opt_string(j, "name", at);
    s->indices = indices(j, at);
    if (j.contains("expr")) s->expr = expr(j["expr"], member(at, "expr"));
    s->text = opt_string(j, "text", at);
    if (j.contains("op")) {
      const std::string op = string(j["op"], member(at, "op"));
      const std::optional<Op> parsed = parse_op(op);
      if (!parsed) fail(member(at, "op"), "unknown op '" + op + "'");
      s->op = *parsed;
    }
    if (s->kind == Stmt::Kind::Loop) {
      s->is_grid = boolean(field(j, "grid", at), member(at, "grid"));
      s->is_launch = boolean(field(j, "launch", at), member(at, "launch"));
      const std::string here = member(at, "dims");
      const json& dims = array(field(j, "dims", at), here);
      for (std::size_t i = 0; i < dims.size(); ++i) {
        const json& d = object(dims[i], item(here, i));
        const std::string dat = item(here, i);
        LoopDim ld;
        ld.var = string(field(d, "var", dat), member(dat, "var"));
        ld.begin = expr(field(d, "begin", dat), member(dat, "begin"));
        ld.end = expr(field(d, "end", dat), member(dat, "end"));
        ld.block.kind = kind<BlockSpec::Kind>(d, "block", dat, kBlockKinds);
        ld.block.slot = int32(field(d, "slot", dat), member(dat, "slot"));
        ld.block.value = integer(field(d, "value", dat), member(dat, "value"));
        s->dims.push_back(std::move(ld));
      }
      s->body = block(j, "body", at);
    }
    s->loc = loc(j, at);
    return s;
  }

  Kernel kernel(const json& j, const std::string& at) {
    object(j, at);
    Kernel k;
    k.name = string(field(j, "name", at), member(at, "name"));
    k.instance = opt_string(j, "instance", at);
    k.template_decl = opt_string(j, "template_decl", at);
    k.source_file = opt_string(j, "source_file", at);
    k.loc = loc(j, at);
    const std::string pat = member(at, "params");
    const json& ps = array(field(j, "params", at), pat);
    for (std::size_t i = 0; i < ps.size(); ++i) {
      const std::string here = item(pat, i);
      const json& p = object(ps[i], here);
      Param q;
      q.name = string(field(p, "name", here), member(here, "name"));
      q.is_tensor = boolean(field(p, "tensor", here), member(here, "tensor"));
      q.dtype = dtype(p, here);
      q.rank = int32(field(p, "rank", here), member(here, "rank"));
      q.is_const = boolean(field(p, "const", here), member(here, "const"));
      q.cpp_type = opt_string(p, "cpp_type", here);
      k.params.push_back(q);
    }
    const std::string bat = member(at, "block_slots");
    const json& bs = array(field(j, "block_slots", at), bat);
    for (std::size_t i = 0; i < bs.size(); ++i) {
      const std::string here = item(bat, i);
      const json& b = object(bs[i], here);
      k.block_slots.push_back({string(field(b, "name", here), member(here, "name")),
                               integer(field(b, "min", here), member(here, "min")),
                               integer(field(b, "max", here), member(here, "max")), loc(b, here)});
    }
    k.host = block(j, "host", at);
    k.body = block(j, "body", at);
    return k;
  }

  int depth_ = 0;
};

}  // namespace

std::string serialize(const Module& m) {
  json kernels = json::array();
  for (const Kernel& k : m.kernels) kernels.push_back(to_json(k));
  const json j{
      {"format", "tilecc-ir"}, {"version", kSerializedVersion}, {"source_file", m.source_file}, {"kernels", kernels}};
  return j.dump(1) + "\n";
}

Module deserialize(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::out_of_range&) {
    // A number too large for a double (1e400): parse() reports it as out_of_range.
    const auto [key, number] = overflowing_json_number(text);
    throw SerializeError("tile IR: field '" + key + "': " + number + " is out of range");
  } catch (const json::exception& e) {
    throw SerializeError(std::string("tile IR: not valid JSON: ") + e.what());
  }
  return Reader().module(j);
}

std::pair<std::string, std::string> overflowing_json_number(const std::string& text) {
  std::string key, str;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      str.clear();
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
        if (i < text.size()) str += text[i];
      }
      const std::size_t next = text.find_first_not_of(" \t\r\n", i + 1);
      if (next != std::string::npos && text[next] == ':') key = str;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t end = i;
      while (end < text.size() && std::strchr("+-.eE0123456789", text[end]) != nullptr) ++end;
      const std::string number = text.substr(i, end - i);
      if (!std::isfinite(std::strtod(number.c_str(), nullptr))) return {key, number};
      i = end - 1;
    }
  }
  return {key, "?"};
}

}  // namespace tilecc::ir
