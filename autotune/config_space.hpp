// The config space of one kernel: every choice codegen offers for it, as typed fragments.
//
// A space is derived from the kernel's structure (config.hpp's KernelStructure): one block
// size per tunable tile dimension, a loop order and a flatten flag per multi-dim tile loop, an
// unroll factor per device loop, a pipeline depth per dot k-loop, a strategy per reduction
// dimension, a vector and a cache hint (and on sm_90+ TMA) per load and store, plus the
// kernel-wide knobs (warps, register cap, program-id mapping, L2 grouping, …). A fragment's
// name is the JSON path of the config field it sets ("num_warps", "block_sizes[1]",
// "loop_orders[0]"), so a point printed as a config reads like the space.
//
// Search algorithms treat a space generically:
//   ConfigSpace space(kernel);                  // derive
//   std::mt19937_64 rng(seed);
//   Point p = space.random_valid(rng, "sm_90a"); // a config that check() accepts
//   Config c = space.decode(p);                  // -> emit_kernel(kernel, c, …)
//   for (const Point& q : space.neighbors(p)) …  // local search
//   space.check(c, "sm_80")                      // nullopt, or why it cannot work
//   space.fingerprint()                          // part of a results-database key
// Randomness is drawn only through ConfigSpace::draw (no std distributions), so a seed gives
// the same sample on every platform and standard library.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "translator/config/arch.hpp"
#include "translator/config/config.hpp"
#include "translator/ir/ir.hpp"

namespace tilecc::autotune {

using config::ArchLimits;
using config::Config;
using config::ConfigError;

/// A fragment's value. PowerOfTwo / IntRange: `number`; Enum: `number` is the index into
/// Fragment::choices; Bool: `number` is 0 or 1; Permutation: `order`, a permutation of
/// 0..length-1 (`number` unused).
struct Value {
  std::int64_t number = 0;
  std::vector<int> order;
  bool operator==(const Value&) const = default;
};

/// One value per fragment, in ConfigSpace::fragments() order.
using Point = std::vector<Value>;

/// One typed choice.
struct Fragment {
  enum class Kind {
    PowerOfTwo,   // number in {min, 2 min, …, max}; with zero_means_auto also 0
    IntRange,     // number in [min, max]
    Enum,         // one of `choices` (the JSON strings the config field takes)
    Bool,         // false / true
    Permutation,  // an order of `length` items (a loop nest's dims, outermost first)
  };
  Kind kind = Kind::IntRange;
  std::string name;  // JSON path of the config field it sets: "block_sizes[0]", "pid"
  std::string doc;   // what it controls, for people
  std::int64_t min = 0, max = 0;     // PowerOfTwo, IntRange (inclusive)
  bool zero_means_auto = false;      // PowerOfTwo: 0 is also a value ("codegen chooses")
  std::vector<std::string> choices;  // Enum
  int length = 0;                    // Permutation

  /// Number of distinct values (saturates at INT64_MAX for huge permutations).
  std::int64_t cardinality() const;
  /// Every value, in ascending order (0 first where it means auto); throws ConfigError for a
  /// Permutation.
  std::vector<Value> values() const;
  /// Whether v is one of this fragment's values.
  bool contains(const Value& v) const;
  /// The value as it appears in a config's JSON (a number, a string, a bool, an array).
  nlohmann::json to_json(const Value& v) const;
  /// The inverse of to_json; throws ConfigError naming the fragment.
  Value from_json(const nlohmann::json& j) const;
};

class ConfigSpace {
 public:
  /// The space of `kernel` (kept by reference: it must outlive the space). Config fields no fragment sets (full_extent,
  /// …) come from `base` (default: default_config(kernel)) when a point is decoded. Choices only some GPUs have (TMA:
  /// load_tma / store_tma on sm_90 and sm_90a) are fragments of the space of `arch`.
  explicit ConfigSpace(const ir::Kernel& kernel);
  ConfigSpace(const ir::Kernel& kernel, Config base, const std::string& arch = "sm_90a");

  const std::vector<Fragment>& fragments() const { return fragments_; }
  const ir::Kernel& kernel() const { return *kernel_; }
  const Config& base() const { return base_; }

  /// The config a point stands for; throws ConfigError (naming the fragment) if the point
  /// has the wrong length or a value outside its fragment.
  Config decode(const Point& p) const;
  /// The point of a config (fields outside the space are dropped); throws ConfigError if a
  /// field has a value outside its fragment.
  Point encode(const Config& c) const;
  /// encode(base()).
  Point default_point() const;

  /// A point drawn uniformly per fragment; it may fail check().
  Point random_point(std::mt19937_64& rng) const;
  /// A point whose config passes check(…, arch): draws until one does (throws ConfigError
  /// after `attempts` failures, naming the most frequent reason). `fixed`: fragment index ->
  /// value, kept in every draw.
  Point random_valid(std::mt19937_64& rng, const std::string& arch = "sm_90a", int attempts = 2000,
                     const std::map<std::size_t, Value>& fixed = {}) const;
  /// Points differing from p in one fragment by one step (next power of two, next integer,
  /// another enum choice, the flipped bool, a swap of two adjacent items). Unchecked.
  std::vector<Point> neighbors(const Point& p) const;
  /// p with `count` fragments (chosen at random) set to random values. Unchecked.
  Point mutate(const Point& p, std::mt19937_64& rng, int count = 1) const;

  /// Why this config cannot work on `arch`, or nullopt. Catches what validate() catches plus
  /// what only codegen knows: threads per block, static shared memory over the limit, a
  /// register footprint no register file holds, a vector access the layout forbids, …
  std::optional<std::string> check(const Config& c, const std::string& arch) const;

  /// A stable hash of the space (kernel name and instance, fragments with their bounds and
  /// choices): 16 hex digits, the same on every platform and run.
  std::string fingerprint() const;

  /// Machine-readable description: {"kernel", "fingerprint", "fragments": [{name, kind, …}],
  /// "default": config JSON}.
  nlohmann::json to_json() const;
  /// The config of a point as JSON text (decode(p).to_json()).
  std::string point_json(const Point& p) const { return decode(p).to_json(); }

  /// A uniform integer in [0, n) from rng (n >= 1); the only source of randomness here.
  static std::uint64_t draw(std::mt19937_64& rng, std::uint64_t n);

 private:
  const ir::Kernel* kernel_;
  Config base_;
  std::vector<Fragment> fragments_;
};

/// A config valid on `arch` for every space of `spaces` (the template instances of one kernel:
/// the same fragments, different element types): points drawn from the last space until every
/// space's check() accepts the config; throws ConfigError after `attempts` draws.
Config sample_for_all(const std::vector<const ConfigSpace*>& spaces, std::mt19937_64& rng,
                      const std::string& arch = "sm_90a", int attempts = 200,
                      const std::map<std::size_t, Value>& fixed = {});

/// A seeded sample of `count` configs (sample_for_all), as `tilecc config-space --sample`
/// prints it: the first ones take each value of the fragments named in `cover` in turn (so a
/// choice valid only beside particular others, such as pipeline stages, is in the sample
/// whatever the seed), the rest are drawn freely. Throws ConfigError naming an unknown
/// fragment or a value no valid config takes.
std::vector<Config> sample_configs(const std::vector<const ConfigSpace*>& spaces, int count, std::uint64_t seed,
                                   const std::string& arch = "sm_90a", const std::vector<std::string>& cover = {});

}  // namespace tilecc::autotune
