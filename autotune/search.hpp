// Search algorithms over a config space seen as typed axes.
//
// The tuner sees a kernel's config space (autotune/config_space.hpp)
// as a list of axes, one per fragment: a fragment with `size` values is an
// axis of indices 0..size-1. Ordered fragments (powers of two, integer ranges)
// have neighbours at index +-1; unordered ones (enums, bools, permutations by
// rank) can jump to any value. Every algorithm is generic over that view, is
// seeded (same seed + same answers = same proposals), and only proposes
// genomes the space accepts.
//
// Algorithms use an ask/tell interface: ask() gives the next batch to measure
// (compiled in parallel, benchmarked one by one), tell() reports each result.
// Lower objective is better; +inf means failed or rejected.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace tilecc::autotune {

struct Axis {
  std::string name;
  int size = 1;          // number of values (>= 1)
  bool ordered = true;   // neighbours are index +-1 (else any other value)
};

using Genome = std::vector<int>;  // one index per axis
using Rng = std::mt19937_64;

struct SearchSpace {
  std::vector<Axis> axes;
  /// Whether a genome is worth trying (the config space's static check);
  /// empty: every in-range genome is.
  std::function<bool(const Genome&)> valid;

  bool in_range(const Genome& g) const;
  bool accepts(const Genome& g) const { return in_range(g) && (!valid || valid(g)); }
};

/// A uniformly drawn genome the space accepts (rejection sampling), or
/// nothing after `tries` draws.
std::optional<Genome> random_genome(const SearchSpace& space, Rng& rng, int tries = 2000);

/// "[3,0,1]": stable text form, used as a map key and in logs.
std::string to_string(const Genome& g);

class Search {
 public:
  virtual ~Search() = default;
  virtual std::string name() const = 0;
  /// The next batch to measure; empty when the algorithm has nothing left to
  /// propose. Every genome of a batch is told before the next ask().
  virtual std::vector<Genome> ask() = 0;
  virtual void tell(const Genome& g, double objective) = 0;
};

/// Predicts a genome's objective from measured neighbours (k nearest in
/// normalized index space, inverse-distance weighted, on log objective).
/// Used to rank proposals before they are compiled.
class Surrogate {
 public:
  explicit Surrogate(const SearchSpace& space, int k = 5) : space_(&space), k_(k) {}
  void add(const Genome& g, double objective);
  /// Predicted log objective; nothing until enough finite points are known.
  std::optional<double> predict(const Genome& g) const;
  std::size_t size() const { return points_.size(); }

 private:
  double distance(const Genome& a, const Genome& b) const;
  const SearchSpace* space_;
  int k_;
  std::vector<std::pair<Genome, double>> points_;  // finite objectives only, as log
};

struct RandomOptions {
  int batch = 16;
  int total = 0;  // stop after this many proposals (0: never)
};

struct PatternOptions {
  int max_moves = 1000;    // accepted moves before stopping
  int random_unordered = 3;  // values tried per unordered axis with more than this many values
};

struct DeOptions {
  int population = 0;    // 0: 2 x axes, clamped to [8, 32]
  double f = 0.7;        // differential weight
  double cr = 0.6;       // crossover rate
  int generations = 0;   // 0: until stagnation
  int stagnation = 4;    // generations without improvement of the best before stopping
  bool surrogate = false;  // draw 4 trials per member and keep the one the surrogate likes best
};

struct HybridOptions {
  int initial = 24;         // random sample (plus the seeds) before the local phases
  bool evolve = false;      // differential evolution between the sample and pattern search
  DeOptions de;
  PatternOptions pattern;
  int restarts = 1;         // pattern searches from the next best distinct starts
};

std::unique_ptr<Search> make_random_search(const SearchSpace& space, std::uint64_t seed, RandomOptions options = {});
/// Hill-climbs from `start`: measures all neighbours, moves to the best if it
/// improves, stops at a local minimum.
std::unique_ptr<Search> make_pattern_search(const SearchSpace& space, std::uint64_t seed, Genome start,
                                            PatternOptions options = {});
/// Differential evolution (rand/1/bin on indices; unordered axes take a
/// donor's value with probability f). `seeds` join the first population.
std::unique_ptr<Search> make_differential_evolution(const SearchSpace& space, std::uint64_t seed,
                                                    std::vector<Genome> seeds = {}, DeOptions options = {});
/// Random sample (with `seeds`, e.g. the default config), optionally
/// differential evolution, then pattern search from the best.
std::unique_ptr<Search> make_hybrid_search(const SearchSpace& space, std::uint64_t seed, std::vector<Genome> seeds = {},
                                           HybridOptions options = {});

/// By name: "random", "pattern" (from the first seed, or a random start),
/// "de", "hybrid". Throws std::invalid_argument naming the choices.
std::unique_ptr<Search> make_search(std::string_view name, const SearchSpace& space, std::uint64_t seed,
                                    std::vector<Genome> seeds, const HybridOptions& options);

/// Runs a search against a synchronous objective until it stops or `budget`
/// evaluations were spent (repeats are answered from a memo and not counted).
/// Returns the best genome and objective. For tests and simple drivers.
std::pair<Genome, double> minimize(Search& search, const std::function<double(const Genome&)>& objective, int budget);

}  // namespace tilecc::autotune
