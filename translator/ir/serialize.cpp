#include "serialize.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

namespace tilecc::ir {

using nlohmann::json;

namespace {

// Kind names double as the on-disk spelling: keep them stable.
constexpr const char* kExprKinds[] = {"const",  "param", "var",    "size",   "stride",    "tile_attr",
                                      "tile_index", "unary", "binary", "compare", "select", "cast",
                                      "load",   "full",  "arange", "reduce", "dot",       "unsqueeze"};
constexpr const char* kStmtKinds[] = {"let", "assign", "store", "atomic_add", "check", "loop", "dot_loop_store", "chunk_reduce", "chunk_loop"};
constexpr const char* kDimKinds[] = {"tile", "full", "one", "expr"};
constexpr const char* kIndexKinds[] = {"tile", "scalar", "all", "gather"};
constexpr const char* kBlockKinds[] = {"tunable", "fixed", "one"};

template <class E, std::size_t N>
const char* kind_name(E k, const char* const (&names)[N]) {
  return names[static_cast<std::size_t>(k)];
}

template <class E, std::size_t N>
E kind_from(const json& j, const char* field, const char* const (&names)[N]) {
  const std::string s = j.at(field).get<std::string>();
  for (std::size_t i = 0; i < N; ++i)
    if (s == names[i]) return static_cast<E>(i);
  throw SerializeError(std::string("tile IR: unknown ") + field + " '" + s + "'");
}

DType dtype_from(const json& j, const char* field) {
  const std::string s = j.at(field).get<std::string>();
  if (auto d = parse_dtype(s)) return *d;
  throw SerializeError("tile IR: unknown dtype '" + s + "'");
}

json to_json(const ExprPtr& e);
ExprPtr expr_from(const json& j);

// JSON has no infinities or NaN: those are written as strings.
json float_json(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}
double float_from(const json& j) {
  if (j.is_number()) return j.get<double>();
  const std::string s = j.get<std::string>();
  if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (s == "inf") return std::numeric_limits<double>::infinity();
  if (s == "-inf") return -std::numeric_limits<double>::infinity();
  throw SerializeError("tile IR: bad number '" + s + "'");
}

json to_json(const Dim& d) {
  json j{{"kind", kind_name(d.kind, kDimKinds)}};
  if (!d.var.empty()) j["var"] = d.var;
  if (d.kind == Dim::Kind::Full) j["index"] = d.index;
  if (d.extent) j["extent"] = to_json(d.extent);
  return j;
}
Dim dim_from(const json& j) {
  Dim d;
  d.kind = kind_from<Dim::Kind>(j, "kind", kDimKinds);
  d.var = j.value("var", "");
  d.index = j.value("index", 0);
  if (j.contains("extent")) d.extent = expr_from(j["extent"]);
  return d;
}

json to_json(const Index& i) {
  json j{{"kind", kind_name(i.kind, kIndexKinds)}};
  if (!i.var.empty()) j["var"] = i.var;
  if (i.expr) j["expr"] = to_json(i.expr);
  return j;
}
Index index_from(const json& j) {
  Index i;
  i.kind = kind_from<Index::Kind>(j, "kind", kIndexKinds);
  i.var = j.value("var", "");
  if (j.contains("expr")) i.expr = expr_from(j["expr"]);
  return i;
}

json loc_json(SourceLoc l) { return json::array({l.line, l.column}); }
SourceLoc loc_from(const json& j) {
  if (!j.contains("loc")) return {};
  return {j["loc"].at(0).get<int>(), j["loc"].at(1).get<int>()};
}

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

ExprPtr expr_from(const json& j) {
  auto e = std::make_shared<Expr>();
  e->kind = kind_from<Expr::Kind>(j, "kind", kExprKinds);
  e->dtype = dtype_from(j, "dtype");
  if (j.contains("shape"))
    for (const json& d : j["shape"]) e->shape.push_back(dim_from(d));
  e->name = j.value("name", "");
  if (j.contains("op")) {
    const std::string op = j["op"].is_string() ? j["op"].get<std::string>() : j["op"].dump();
    const std::optional<Op> parsed = parse_op(op);
    if (!parsed) throw SerializeError("tile IR: unknown op '" + op + "'");
    e->op = *parsed;
  }
  e->ival = j.value("ival", std::int64_t{0});
  e->fval = j.contains("fval") ? float_from(j["fval"]) : 0.0;
  e->keepdim = j.value("keepdim", false);
  if (j.contains("args"))
    for (const json& a : j["args"]) e->args.push_back(expr_from(a));
  if (j.contains("indices"))
    for (const json& i : j["indices"]) e->indices.push_back(index_from(i));
  e->loc = loc_from(j);
  return e;
}

json to_json(const StmtPtr& s);
StmtPtr stmt_from(const json& j);

json block_json(const std::vector<StmtPtr>& body) {
  json a = json::array();
  for (const StmtPtr& s : body) a.push_back(to_json(s));
  return a;
}
std::vector<StmtPtr> block_from(const json& j, const char* field) {
  std::vector<StmtPtr> out;
  if (j.contains(field))
    for (const json& s : j[field]) out.push_back(stmt_from(s));
  return out;
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

StmtPtr stmt_from(const json& j) {
  auto s = std::make_shared<Stmt>();
  s->kind = kind_from<Stmt::Kind>(j, "kind", kStmtKinds);
  s->name = j.value("name", "");
  if (j.contains("indices"))
    for (const json& i : j["indices"]) s->indices.push_back(index_from(i));
  if (j.contains("expr")) s->expr = expr_from(j["expr"]);
  s->text = j.value("text", "");
  if (s->kind == Stmt::Kind::Loop) {
    s->is_grid = j.at("grid").get<bool>();
    s->is_launch = j.at("launch").get<bool>();
    for (const json& d : j.at("dims")) {
      LoopDim ld;
      ld.var = d.at("var").get<std::string>();
      ld.begin = expr_from(d.at("begin"));
      ld.end = expr_from(d.at("end"));
      ld.block.kind = kind_from<BlockSpec::Kind>(d, "block", kBlockKinds);
      ld.block.slot = d.at("slot").get<int>();
      ld.block.value = d.at("value").get<std::int64_t>();
      s->dims.push_back(std::move(ld));
    }
    s->body = block_from(j, "body");
  }
  s->loc = loc_from(j);
  return s;
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
  for (const BlockSlot& b : k.block_slots) slots.push_back({{"name", b.name}, {"min", b.min}, {"max", b.max}});
  return {{"name", k.name},       {"instance", k.instance}, {"source_file", k.source_file},
          {"loc", loc_json(k.loc)}, {"params", params},     {"block_slots", slots},
          {"host", block_json(k.host)}, {"body", block_json(k.body)}};
}

Kernel kernel_from(const json& j) {
  Kernel k;
  k.name = j.at("name").get<std::string>();
  k.instance = j.value("instance", "");
  k.source_file = j.value("source_file", "");
  k.loc = loc_from(j);
  for (const json& p : j.at("params")) {
    Param q;
    q.name = p.at("name").get<std::string>();
    q.is_tensor = p.at("tensor").get<bool>();
    q.dtype = dtype_from(p, "dtype");
    q.rank = p.at("rank").get<int>();
    q.is_const = p.at("const").get<bool>();
    q.cpp_type = p.value("cpp_type", "");
    k.params.push_back(q);
  }
  for (const json& b : j.at("block_slots"))
    k.block_slots.push_back({b.at("name").get<std::string>(), b.at("min").get<std::int64_t>(),
                             b.at("max").get<std::int64_t>()});
  k.host = block_from(j, "host");
  k.body = block_from(j, "body");
  return k;
}

}  // namespace

std::string serialize(const Module& m) {
  json kernels = json::array();
  for (const Kernel& k : m.kernels) kernels.push_back(to_json(k));
  const json j{{"format", "tilecc-ir"}, {"version", kSerializedVersion}, {"source_file", m.source_file},
               {"kernels", kernels}};
  return j.dump(1) + "\n";
}

Module deserialize(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw SerializeError(std::string("tile IR: not valid JSON: ") + e.what());
  }
  try {
    if (j.value("format", "") != "tilecc-ir")
      throw SerializeError("tile IR: missing \"format\": \"tilecc-ir\" (is this a tilecc IR file?)");
    if (j.value("version", 0) != kSerializedVersion)
      throw SerializeError("tile IR: version " + std::to_string(j.value("version", 0)) +
                           " is not supported (this tilecc reads version " +
                           std::to_string(kSerializedVersion) + ")");
    Module m;
    m.source_file = j.value("source_file", "");
    for (const json& k : j.at("kernels")) m.kernels.push_back(kernel_from(k));
    return m;
  } catch (const json::exception& e) {
    throw SerializeError(std::string("tile IR: malformed: ") + e.what());
  }
}

}  // namespace tilecc::ir
