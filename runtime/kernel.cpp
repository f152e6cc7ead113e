#include "kernel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "cache.hpp"
#include "include/tilecc/tma_map.hpp"
#include "module.hpp"
#include "nvrtc.hpp"
#include "runtime/shipped.hpp"
#include "runtime/variant_source.hpp"
#include "tilecc/version.hpp"
#include "translator/codegen/emit_cuda.hpp"
#include "translator/ir/serialize.hpp"
#include "translator/ir/verifier.hpp"
#include "translator/launch/arg_pack.hpp"
#include "translator/launch/grid.hpp"
#include "translator/launch/host_eval.hpp"
#include "translator/launch/default_dispatch.hpp"
#include "translator/launch/launch_plan.hpp"

namespace tilecc::runtime {

namespace cg = codegen;

TensorRef TensorRef::contiguous(void* data, ir::DType dtype, std::initializer_list<std::int64_t> sizes) {
  TensorRef t;
  t.data = data;
  t.dtype = dtype;
  t.rank = static_cast<int>(sizes.size());
  if (t.rank > kMaxRank) throw LaunchError(fmt::format("tilecc runtime: rank {} exceeds {}", t.rank, kMaxRank));
  std::copy(sizes.begin(), sizes.end(), t.sizes);
  std::int64_t s = 1;
  for (int d = t.rank - 1; d >= 0; --d) {
    t.strides[d] = s;
    s *= t.sizes[d];
  }
  return t;
}

TensorRef TensorRef::strided(void* data, ir::DType dtype, std::initializer_list<std::int64_t> sizes,
                             std::initializer_list<std::int64_t> strides) {
  if (sizes.size() != strides.size())
    throw LaunchError("tilecc runtime: a strided tensor needs as many strides as sizes");
  TensorRef t = contiguous(data, dtype, sizes);
  std::copy(strides.begin(), strides.end(), t.strides);
  return t;
}

namespace {
std::string& installed_templates_dir() {
  static std::string dir;
  return dir;
}
}  // namespace

void set_installed_templates_dir(std::string dir) { installed_templates_dir() = std::move(dir); }

std::string templates_dir() {
  if (const char* env = std::getenv("TILECC_TEMPLATES_DIR"); env && *env) return env;
  if (!installed_templates_dir().empty()) return installed_templates_dir();
#ifdef TILECC_TEMPLATES_DIR
  return TILECC_TEMPLATES_DIR;
#else
  return "templates";
#endif
}

namespace {

using launch::kMaxLaunchDims;
using launch::kMaxParams;

/// A hash of every header of the device library: cached cubins depend on what the generated
/// source includes, not only on its text. Read once per process.
const std::string& templates_fingerprint() {
  static const std::string fingerprint = folder_fingerprint(templates_dir());
  return fingerprint;
}

/// What computing the key needs of one slot, worked out when the kernel loads (and the
/// rules when the arch is known), so that a launch scans no table and looks nothing up.
struct SlotPlan {
  static constexpr int kMaxRules = 8;
  bool tensor = false;     // a slot of a tensor parameter
  int element_bytes = 0;   // tensor: its dtype's size (bind() checked the argument's)
  int launch_dim = -1;     // LoopExtent of a launch loop: its index in the launch extents
  int rule_count = 0;      // the backend's rules for the slot's kind; none when opted out
  const config::FactRule* rules[kMaxRules] = {};
};

}  // namespace

/// What the memory table is keyed by: the specialization key and, with a config provider,
/// the power-of-two class of the longest whole row (ConfigProvider says why); 0 otherwise.
struct VariantKey {
  config::SpecKey key;
  std::int64_t extent_class = 0;
  bool looped = false;  // the config's looped fallback (whole extents beyond its full_extent)
  bool operator==(const VariantKey& o) const {
    return extent_class == o.extent_class && looped == o.looped && key == o.key;
  }
};

/// One compiled variant: a key's kernel, loaded, with the config it was emitted for.
struct Variant {
  VariantKey key;
  config::Config config;
  Module module;
  Function function;
  launch::LaunchPlan plan;  // grid, guards, packing; dynamic_shared_bytes from codegen
};

struct Kernel::Impl {
  ir::Kernel kernel;
  KernelOptions options;
  config::Config base;  // the given config, else the default one: the key's block sizes
  std::vector<config::Slot> slots;
  std::vector<SlotPlan> slot_plans;                    // per slot
  std::vector<launch::HostExpr> slot_begin, slot_end;  // per slot (LoopExtent only)
  std::unique_ptr<launch::HostProgram> host;           // the prologue and the launch extents
  std::vector<launch::WholeDim> whole_dims;            // held whole in registers (tensor parameters)
  std::string arch;                                    // resolved on first use
  std::span<const config::FactRule> table;
  DiskCache cache;
  std::shared_ptr<const ShippedCubins> shipped;  // KernelOptions::cubin_dir, $TILECC_CUBIN_DIR

  struct KeyHash {
    std::size_t operator()(const VariantKey& k) const {
      return static_cast<std::size_t>(k.key.hash() ^
                                      (static_cast<std::uint64_t>(k.extent_class) * 0x9e3779b97f4a7c15ull) ^
                                      static_cast<std::uint64_t>(k.looped));
    }
  };
  std::mutex mutex;
  std::unordered_map<VariantKey, std::unique_ptr<Variant>, KeyHash> variants;
  Variant* last = nullptr;
  KernelStats stats;

  Impl(ir::Kernel k, KernelOptions o) : kernel(std::move(k)), options(std::move(o)), cache(options.cache_dir) {
    if (kernel.params.size() > static_cast<std::size_t>(kMaxParams))
      throw LaunchError(
          fmt::format("tilecc runtime: kernel '{}' has more than {} parameters", kernel.name, kMaxParams));
    base = options.config ? *options.config : config::default_config(kernel);
    config::validate(base, kernel);
    slots = config::specialization_slots(kernel, base, options.no_specialize);
    try {
      host = std::make_unique<launch::HostProgram>(kernel);
      for (const config::Slot& s : slots) {
        slot_begin.push_back(s.loop ? host->compile(s.loop->begin) : launch::HostExpr{});
        slot_end.push_back(s.loop ? host->compile(s.loop->end) : launch::HostExpr{});
      }
    } catch (const launch::EvalError& e) {
      throw LaunchError(e.what());
    }
    if (host->launch_dim_count() > kMaxLaunchDims)
      throw LaunchError(fmt::format("tilecc runtime: kernel '{}' has more than {} launch loop dimensions", kernel.name,
                                    kMaxLaunchDims));
    plan_slots();
    for (launch::WholeDim& w : launch::whole_dims(kernel))
      if (w.param >= 0) whole_dims.push_back(std::move(w));
    if (!options.arch.empty()) set_arch(options.arch);
    try {
      shipped = ShippedCubins::from_options(options.cubin_dir);
    } catch (const std::runtime_error& e) {
      throw LaunchError(e.what());
    }
  }

  void plan_slots() {
    slot_plans.resize(slots.size());
    for (std::size_t i = 0; i < slots.size(); ++i) {
      const config::Slot& s = slots[i];
      SlotPlan& plan = slot_plans[i];
      if (s.param >= 0 && kernel.params[static_cast<std::size_t>(s.param)].is_tensor) {
        plan.tensor = true;
        plan.element_bytes = ir::size_bytes(kernel.params[static_cast<std::size_t>(s.param)].dtype);
      }
      const std::vector<launch::KernelLaunchDim>& dims = host->launch_dims();
      for (std::size_t d = 0; d < dims.size(); ++d)
        if (s.kind == config::SlotKind::LoopExtent && s.loop == dims[d].dim) plan.launch_dim = static_cast<int>(d);
    }
  }

  void set_arch(const std::string& a) {
    arch = a;
    table = config::fact_table(config::backend_of(arch));
    for (std::size_t i = 0; i < slots.size(); ++i) {
      SlotPlan& plan = slot_plans[i];
      plan.rule_count = 0;
      if (!options.specialize || slots[i].opted_out) continue;
      for (const config::FactRule& r : table) {
        if (r.kind != slots[i].kind) continue;
        if (plan.rule_count == SlotPlan::kMaxRules)
          throw std::logic_error("tilecc runtime: a fact table has more rules for one slot kind than SlotPlan holds");
        plan.rules[plan.rule_count++] = &r;
      }
    }
  }
  /// The arch without starting the GPU where none is needed (key(), source_for()).
  void resolve_arch(bool need_gpu) {
    if (!arch.empty()) return;
    if (need_gpu || Driver::available())
      set_arch(Driver::get().arch());
    else
      set_arch("sm_90a");
  }

  /// The arguments of one launch, checked, what host expressions read, and the extent
  /// (end - begin) of each launch dim, which both the key and the grid take.
  struct Bound {
    // Not zeroed (launch cost): bind() writes each parameter's and launch dim's entries.
    launch::HostValue scalars[kMaxParams];
    const std::int64_t* sizes[kMaxParams];
    const std::int64_t* strides[kMaxParams];
    std::uint64_t data[kMaxParams];  // tensors' device addresses (packed as TensorArg::data)
    std::int64_t extents[kMaxLaunchDims];
    launch::HostEnv env;
  };

  void bind(std::span<const Arg> args, Bound& b) const {
    if (args.size() != kernel.params.size())
      throw LaunchError(fmt::format("tilecc runtime: kernel '{}' takes {} arguments, got {}", kernel.name,
                                    kernel.params.size(), args.size()));
    static const std::int64_t kNone[1] = {0};
    for (std::size_t i = 0; i < args.size(); ++i) {
      const ir::Param& p = kernel.params[i];
      const Arg& a = args[i];
      b.sizes[i] = b.strides[i] = kNone;
      b.scalars[i] = launch::HostValue{};
      b.data[i] = 0;
      if (p.is_tensor) {
        if (a.kind != Arg::Kind::Tensor)
          throw LaunchError(fmt::format("tilecc runtime: {}: argument '{}' must be a tensor", kernel.name, p.name));
        if (a.tensor.dtype != p.dtype || a.tensor.rank != p.rank)
          throw LaunchError(fmt::format("tilecc runtime: {}: argument '{}' must be a rank-{} {} tensor, got rank-{} {}",
                                        kernel.name, p.name, p.rank, ir::name(p.dtype), a.tensor.rank,
                                        ir::name(a.tensor.dtype)));
        b.sizes[i] = a.tensor.sizes;
        b.strides[i] = a.tensor.strides;
        b.data[i] = reinterpret_cast<std::uintptr_t>(a.tensor.data);
      } else {
        if (a.kind == Arg::Kind::Tensor)
          throw LaunchError(fmt::format("tilecc runtime: {}: argument '{}' must be a scalar", kernel.name, p.name));
        launch::HostValue v{};
        if (ir::is_floating(p.dtype)) {
          v.is_float = true;
          v.f = a.kind == Arg::Kind::Float ? a.f : static_cast<double>(a.i);
        } else {
          v.i = a.kind == Arg::Kind::Int ? a.i : static_cast<std::int64_t>(a.f);
        }
        b.scalars[i] = v;
      }
    }
    b.env.scalars = b.scalars;
    b.env.sizes = b.sizes;
    b.env.strides = b.strides;
    if (const char* failed = host->run(b.env, b.extents))
      throw LaunchError(
          fmt::format("tilecc runtime: {}: TILECC_CHECK({}) failed; kernel not launched", kernel.name, failed));
  }

  /// The key of bound arguments: fact bits per slot, values for static shapes. No allocation.
  void compute_key(std::span<const Arg> args, const Bound& b, config::SpecKey& key) const {
    config::SpecKeyBuilder builder(options.shapes);
    for (std::size_t i = 0; i < slots.size(); ++i) {
      const config::Slot& s = slots[i];
      const SlotPlan& plan = slot_plans[i];
      config::SlotValue v;
      if (plan.tensor) {
        const TensorRef& t = args[static_cast<std::size_t>(s.param)].tensor;
        v.address = reinterpret_cast<std::uintptr_t>(t.data);
        v.element_bytes = plan.element_bytes;
        v.rank = t.rank;
        v.strides = t.strides;
        if (s.kind == config::SlotKind::Size) v.value = t.sizes[s.dim];
        if (s.kind == config::SlotKind::Stride) v.value = t.strides[s.dim];
      } else if (s.kind == config::SlotKind::Scalar) {
        v.value = b.scalars[s.param].i;
      } else if (s.kind == config::SlotKind::LoopExtent) {
        v.value = plan.launch_dim >= 0 ? b.extents[plan.launch_dim]
                                       : slot_end[i].eval_int(b.env) - slot_begin[i].eval_int(b.env);
        v.block = s.block;
      }
      // As config::facts_of(table, s.kind, v), over the slot's own rules only.
      std::uint8_t facts = 0;
      for (int r = 0; r < plan.rule_count; ++r)
        if (plan.rules[r]->holds(v)) facts = static_cast<std::uint8_t>(facts | plan.rules[r]->bit);
      builder.add_facts(facts);
      if (config::keyed_value(s, options.shapes)) builder.add_value(v.value);
    }
    if (!builder.finish(key))
      throw LaunchError(fmt::format(
          "tilecc runtime: kernel '{}': the static-shape key does not fit; use dynamic shapes", kernel.name));
  }

  /// The power-of-two class of the longest whole row unless a config is given, else 0
  /// (VariantKey): a provider or the default's row-length table picks by it. No allocation.
  std::int64_t extent_class(const Bound& b) const {
    if (options.config) return 0;
    std::int64_t longest = 0;
    for (const launch::WholeDim& w : whole_dims) longest = std::max(longest, b.sizes[w.param][w.dim]);
    if (longest == 0) return 0;
    std::int64_t cls = 1;
    while (cls < longest) cls *= 2;
    return cls;
  }

  /// The config and specialization a key compiles with (`args`: the launch that first gave it).
  std::pair<config::Config, config::Specialization> plan(const config::SpecKey& key, std::int64_t extent_class,
                                                         std::span<const Arg> args) {
    // No config given: this architecture's defaults (sm_90a: wgmma tiles for f16/bf16 dots),
    // for a row kernel the one the default translation's launcher takes for these rows.
    config::Config config = options.config ? base : launch::default_config_for_extents(kernel, arch, {extent_class});
    if (!options.config && options.configs) {
      if (std::optional<config::Config> c = options.configs->config_for({kernel, key.to_string(), arch, args})) {
        config::validate(*c, kernel);
        config = *c;
      }
    }
    config::Specialization spec = config::specialization_from_key(kernel, slots, table, key);
    // The key's divisibility facts were computed with the base block sizes.
    if (config.block_sizes != base.block_sizes) spec.divisible_loops.clear();
    return {config, spec};
  }

  /// The CUDA source of a variant; `symbol` and `dynamic_shared` (bytes) when asked.
  std::string source(const config::SpecKey& key, const config::Config& config, const config::Specialization& spec,
                     std::string* symbol, int* dynamic_shared = nullptr) const {
    VariantSource v = variant_source(kernel, config, spec, arch, key.to_string());
    if (symbol) *symbol = v.symbol;
    if (dynamic_shared) *dynamic_shared = v.dynamic_shared;
    return std::move(v.source);
  }

  /// The shipped cubin of a variant: its own, else (a specialized variant not shipped) the
  /// generic one of its config, which accepts every input; `v` becomes the code it holds.
  const ShippedEntry* find_shipped(const config::Config& config, const config::Specialization& spec,
                                   VariantSource& v) const {
    if (!shipped) return nullptr;
    if (const ShippedEntry* e = shipped->find(shipped_key(v.global_function, arch, v.symbol))) return e;
    if (spec.facts.empty()) return nullptr;
    VariantSource generic = variant_source(kernel, config, {}, arch, "generic");
    const ShippedEntry* e = shipped->find(shipped_key(generic.global_function, arch, generic.symbol));
    if (e) v = std::move(generic);
    return e;
  }

  Variant* compile(const VariantKey& vkey, std::span<const Arg> args) {
    const auto start = std::chrono::steady_clock::now();
    const config::SpecKey& key = vkey.key;
    auto [config, spec] = plan(key, vkey.extent_class, args);
    if (vkey.looped) {
      const std::optional<config::Config> looped = config::looped_fallback(kernel, config);
      if (!looped) throw std::logic_error("tilecc runtime: a looped variant of a config that has none");
      config = *looped;
    }
    launch::LaunchPlan launch_plan;  // before compiling: a config the grid cannot take compiles nothing
    try {
      launch_plan = launch::plan_launch(kernel, config);
    } catch (const launch::PlanError& e) {
      throw LaunchError(fmt::format("tilecc runtime: {}", e.what()));
    }
    VariantSource vs = variant_source(kernel, config, spec, arch, key.to_string());
    std::string cubin, lowered;
    if (const ShippedEntry* e = find_shipped(config, spec, vs)) {
      cubin = shipped->read(*e);
      lowered = e->symbol;
      ++stats.shipped;
    } else {
      CompileOptions co;
      co.arch = arch;
      co.include_dirs = {templates_dir()};
      co.extra = options.nvrtc_extra;
      co.name_expressions = {"&" + vs.symbol};
      CachedCompile c =
          compile_cached(vs.source, co, cache, {key.to_string(), config.to_json(), templates_fingerprint()});
      cubin = std::move(c.cubin);
      lowered = c.lowered_names.at(0);
      (c.from_cache ? stats.disk_hits : stats.compiles)++;
    }
    const int dynamic_shared = vs.dynamic_shared;
    auto v = std::make_unique<Variant>();
    v->key = vkey;
    v->config = config;
    v->module = Module::load(cubin);
    v->function = v->module.function(lowered);
    v->plan = std::move(launch_plan);
    v->plan.tensor_maps = vs.tensor_maps;  // the plan of the unlowered kernel has none
    if (dynamic_shared > 0) {
      // Deep dot pipelines: the kernel's shared buffer is dynamic, beyond the default 48 KB.
      Driver::get().allow_dynamic_shared(v->function.handle(), dynamic_shared);
      v->plan.dynamic_shared_bytes = dynamic_shared;
    }
    stats.compile_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    Variant* out = v.get();
    variants.emplace(vkey, std::move(v));
    return out;
  }

  Variant* find_or_compile(const config::SpecKey& key, std::int64_t extent_class, std::span<const Arg> args,
                           bool looped = false, bool count = true) {
    std::lock_guard<std::mutex> lock(mutex);
    if (count) ++stats.launches;
    if (last && last->key.extent_class == extent_class && last->key.looped == looped &&
        last->key.key == key) {  // no copy of the key
      if (count) ++stats.memory_hits;
      return last;
    }
    const VariantKey full{key, extent_class, looped};
    auto it = variants.find(full);
    if (it != variants.end()) {
      if (count) ++stats.memory_hits;
      return last = it->second.get();
    }
    return last = compile(full, args);
  }
};

Kernel::Kernel(ir::Kernel kernel, KernelOptions options)
    : impl_(std::make_unique<Impl>(std::move(kernel), std::move(options))) {}
Kernel::Kernel(Kernel&&) noexcept = default;
Kernel& Kernel::operator=(Kernel&&) noexcept = default;
Kernel::~Kernel() = default;

Kernel Kernel::from_ir(const std::string& json, const std::string& name, KernelOptions options) {
  ir::Module m;
  try {
    m = ir::deserialize(json);
    ir::verify(m);
  } catch (const std::exception& e) {
    throw LaunchError(fmt::format("tilecc runtime: invalid tile IR: {}", e.what()));
  }
  const ir::Kernel* found = nullptr;
  int named = 0;
  std::string known;
  for (const ir::Kernel& k : m.kernels) {
    const std::string suffix = cg::instance_suffix(k);
    const std::string full = suffix.empty() ? k.name : k.name + "_" + suffix;
    known += (known.empty() ? "" : ", ") + full;
    if (full == name) {
      found = &k;
      named = 1;
      break;
    }
    if (k.name == name) {
      found = &k;
      ++named;
    }
  }
  if (!found) throw LaunchError(fmt::format("tilecc runtime: no kernel '{}' in the IR (it has: {})", name, known));
  if (named > 1)
    throw LaunchError(fmt::format("tilecc runtime: '{}' names several instances; pick one of: {}", name, known));
  return Kernel(*found, std::move(options));
}

Kernel Kernel::from_ir_file(const std::filesystem::path& path, const std::string& name, KernelOptions options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LaunchError(fmt::format("tilecc runtime: cannot read {}", path.string()));
  std::ostringstream ss;
  ss << in.rdbuf();
  return from_ir(ss.str(), name, std::move(options));
}

void Kernel::launch(std::span<const Arg> args, Stream stream) {
  Impl& m = *impl_;
  m.resolve_arch(true);
  Impl::Bound b;
  m.bind(args, b);
  config::SpecKey key;
  m.compute_key(args, b, key);
  Variant* v = m.find_or_compile(key, m.extent_class(b), args);
  if (const launch::WholeDim* w = launch::exceeded_guard(v->plan, b.sizes)) {
    // Rows longer than the config holds run its looped variant, as the emitted launcher does.
    if (v->plan.beyond_guards != launch::BeyondGuards::RunLooped)
      throw LaunchError(fmt::format("tilecc runtime: {}: {}", m.kernel.name,
                                    launch::guard_error(v->plan, *w, b.sizes[w->param][w->dim])));
    v = m.find_or_compile(key, m.extent_class(b), args, /*looped=*/true, /*count=*/false);
  }

  const launch::LaunchPlan& plan = v->plan;
  const std::span<const std::int64_t> extents(b.extents, static_cast<std::size_t>(m.host->launch_dim_count()));
  const std::int64_t sms = plan.grid == launch::GridKind::Persistent ? Driver::get().multiprocessors() : 0;
  const launch::Grid grid = launch::compute_grid(plan, extents, sms);
  if (grid.status == launch::Grid::Status::Empty) return;
  if (!grid.launches()) throw LaunchError(fmt::format("tilecc runtime: {}: {}", m.kernel.name, grid.error()));
  launch::ArgPack pack;
  launch::pack_args(plan.params, b.env, b.data, pack);
  if (!plan.tensor_maps.empty()) {
    static tma_map::Cache maps;
    launch::pack_tensor_maps(plan.tensor_maps, b.env, b.data,
                             reinterpret_cast<tma_map::EncodeTiled>(Driver::get().tensor_map_encoder()), maps, pack);
  }
  v->function.launch({grid.x, grid.y, grid.z}, grid.threads, grid.dynamic_shared_bytes, stream, pack);
}

config::SpecKey Kernel::key(std::span<const Arg> args) const {
  impl_->resolve_arch(false);
  Impl::Bound b;
  impl_->bind(args, b);
  config::SpecKey key;
  impl_->compute_key(args, b, key);
  return key;
}

std::string Kernel::source_for(std::span<const Arg> args) const {
  impl_->resolve_arch(false);
  Impl::Bound b;
  impl_->bind(args, b);
  config::SpecKey k;
  impl_->compute_key(args, b, k);
  auto [config, spec] = impl_->plan(k, impl_->extent_class(b), args);
  return impl_->source(k, config, spec, nullptr);
}

std::optional<std::filesystem::path> Kernel::shipped_cubin_for(std::span<const Arg> args) const {
  Impl& m = *impl_;
  if (!m.shipped) return std::nullopt;
  m.resolve_arch(false);
  Impl::Bound b;
  m.bind(args, b);
  config::SpecKey key;
  m.compute_key(args, b, key);
  auto [config, spec] = m.plan(key, m.extent_class(b), args);
  try {
    const launch::LaunchPlan plan = launch::plan_launch(m.kernel, config);
    if (launch::exceeded_guard(plan, b.sizes) && plan.beyond_guards == launch::BeyondGuards::RunLooped)
      config = config::looped_fallback(m.kernel, config).value();
  } catch (const launch::PlanError& e) {
    throw LaunchError(fmt::format("tilecc runtime: {}", e.what()));
  }
  VariantSource v = variant_source(m.kernel, config, spec, m.arch, key.to_string());
  const ShippedEntry* e = m.find_shipped(config, spec, v);
  if (!e) return std::nullopt;
  return m.shipped->dir() / e->file;
}

const std::vector<config::Slot>& Kernel::slots() const { return impl_->slots; }
const ir::Kernel& Kernel::ir() const { return impl_->kernel; }
KernelStats Kernel::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->stats;
}

}  // namespace tilecc::runtime
