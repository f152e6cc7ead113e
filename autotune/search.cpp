#include "search.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>

namespace tilecc::autotune {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Portable draws (std distributions differ between standard libraries, so a seed would
// not give the same search everywhere).
int uniform_int(Rng& rng, int n) {
  const std::uint64_t range = static_cast<std::uint64_t>(n);
  const std::uint64_t limit = Rng::max() - Rng::max() % range;  // reject the biased tail
  for (;;) {
    const std::uint64_t r = rng();
    if (r < limit) return static_cast<int>(r % range);
  }
}
double uniform01(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

/// Genomes measured so far and their objectives.
using Memo = std::map<Genome, double>;

}  // namespace

bool SearchSpace::in_range(const Genome& g) const {
  if (g.size() != axes.size()) return false;
  for (std::size_t i = 0; i < g.size(); ++i)
    if (g[i] < 0 || g[i] >= axes[i].size) return false;
  return true;
}

std::optional<Genome> random_genome(const SearchSpace& space, Rng& rng, int tries) {
  Genome g(space.axes.size());
  for (int t = 0; t < tries; ++t) {
    for (std::size_t i = 0; i < g.size(); ++i) g[i] = uniform_int(rng, std::max(1, space.axes[i].size));
    if (space.accepts(g)) return g;
  }
  return std::nullopt;
}

std::string to_string(const Genome& g) { return fmt::format("[{}]", fmt::join(g, ",")); }

// ---- surrogate ----------------------------------------------------------------------------

void Surrogate::add(const Genome& g, double objective) {
  if (std::isfinite(objective) && objective > 0) points_.emplace_back(g, std::log(objective));
}

double Surrogate::distance(const Genome& a, const Genome& b) const {
  double d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const Axis& axis = space_->axes[i];
    if (axis.ordered)
      d += axis.size > 1 ? std::abs(a[i] - b[i]) / double(axis.size - 1) : 0.0;
    else
      d += a[i] == b[i] ? 0.0 : 1.0;
  }
  return d;
}

std::optional<double> Surrogate::predict(const Genome& g) const {
  if (points_.size() < static_cast<std::size_t>(k_)) return std::nullopt;
  std::vector<std::pair<double, double>> near;  // (distance, log objective)
  near.reserve(points_.size());
  for (const auto& [p, y] : points_) near.emplace_back(distance(g, p), y);
  std::partial_sort(near.begin(), near.begin() + k_, near.end());
  double wsum = 0, ysum = 0;
  for (int i = 0; i < k_; ++i) {
    if (near[static_cast<std::size_t>(i)].first == 0) return near[static_cast<std::size_t>(i)].second;
    const double w = 1.0 / (near[static_cast<std::size_t>(i)].first * near[static_cast<std::size_t>(i)].first);
    wsum += w;
    ysum += w * near[static_cast<std::size_t>(i)].second;
  }
  return ysum / wsum;
}

namespace {

// ---- random -------------------------------------------------------------------------------

class RandomSearch final : public Search {
 public:
  RandomSearch(const SearchSpace& space, std::uint64_t seed, RandomOptions o, std::vector<Genome> first = {})
      : space_(space), rng_(seed), o_(o), first_(std::move(first)) {}
  std::string name() const override { return "random"; }

  std::vector<Genome> ask() override {
    std::vector<Genome> batch;
    while (!first_.empty() && static_cast<int>(batch.size()) < o_.batch) {
      Genome g = first_.front();
      first_.erase(first_.begin());
      if (space_.accepts(g) && proposed_.insert(g).second) batch.push_back(g);
    }
    int misses = 0;
    while (static_cast<int>(batch.size()) < o_.batch &&
           (o_.total == 0 || static_cast<int>(proposed_.size()) < o_.total)) {
      std::optional<Genome> g = random_genome(space_, rng_);
      if (!g) break;
      if (!proposed_.insert(*g).second) {
        if (++misses > 200) break;  // (nearly) exhausted: every draw was seen before
        continue;
      }
      batch.push_back(*g);
    }
    return batch;
  }
  void tell(const Genome&, double) override {}

 private:
  const SearchSpace& space_;
  Rng rng_;
  RandomOptions o_;
  std::vector<Genome> first_;
  std::set<Genome> proposed_;
};

// ---- pattern search -----------------------------------------------------------------------

class PatternSearch final : public Search {
 public:
  PatternSearch(const SearchSpace& space, std::uint64_t seed, Genome start, PatternOptions o)
      : space_(space), rng_(seed), o_(o), center_(std::move(start)) {}
  std::string name() const override { return "pattern"; }

  std::vector<Genome> ask() override {
    if (done_) return {};
    if (!memo_.count(center_)) return {center_};
    if (!batch_.empty()) {
      // The last ring is measured: move to its best member if it improves.
      const Genome* best = nullptr;
      for (const Genome& g : batch_)
        if (memo_.at(g) < memo_.at(center_) && (!best || memo_.at(g) < memo_.at(*best))) best = &g;
      if (best) {
        center_ = *best;
        radius_ = 1;
        if (++moves_ >= o_.max_moves) return finish();
      } else if (radius_ == 1) {
        radius_ = 2;  // nothing better next door: look one step further on ordered axes
      } else {
        return finish();
      }
      batch_.clear();
    }
    for (int tries = 0; tries < 2 && batch_.empty(); ++tries) {
      batch_ = ring(center_, radius_);
      if (batch_.empty() && radius_ == 1) radius_ = 2;
    }
    if (batch_.empty()) return finish();
    return batch_;
  }

  void tell(const Genome& g, double objective) override { memo_[g] = objective; }

 private:
  std::vector<Genome> finish() {
    done_ = true;
    return {};
  }

  /// Neighbours at `radius` that are accepted and not measured yet.
  std::vector<Genome> ring(const Genome& c, int radius) {
    std::vector<Genome> out;
    auto consider = [&](const Genome& g) {
      if (space_.accepts(g) && !memo_.count(g) && std::find(out.begin(), out.end(), g) == out.end()) out.push_back(g);
    };
    for (std::size_t i = 0; i < c.size(); ++i) {
      const Axis& a = space_.axes[i];
      if (a.size <= 1) continue;
      if (a.ordered) {
        for (int d : {-radius, radius}) {
          Genome g = c;
          g[i] += d;
          if (g[i] >= 0 && g[i] < a.size) consider(g);
        }
      } else if (radius == 1) {
        if (a.size - 1 <= o_.random_unordered) {
          for (int v = 0; v < a.size; ++v)
            if (v != c[i]) {
              Genome g = c;
              g[i] = v;
              consider(g);
            }
        } else {
          for (int t = 0; t < o_.random_unordered; ++t) {
            Genome g = c;
            g[i] = (c[i] + 1 + uniform_int(rng_, a.size - 1)) % a.size;
            consider(g);
          }
        }
      }
    }
    return out;
  }

  const SearchSpace& space_;
  Rng rng_;
  PatternOptions o_;
  Genome center_;
  Memo memo_;
  std::vector<Genome> batch_;
  int radius_ = 1;
  int moves_ = 0;
  bool done_ = false;
};

// ---- differential evolution ---------------------------------------------------------------

class DifferentialEvolution final : public Search {
 public:
  DifferentialEvolution(const SearchSpace& space, std::uint64_t seed, std::vector<Genome> seeds, DeOptions o)
      : space_(space), rng_(seed), o_(o), surrogate_(space) {
    if (o_.population <= 0) o_.population = std::clamp(2 * static_cast<int>(space.axes.size()), 8, 32);
    for (Genome& g : seeds)
      if (space_.accepts(g) && std::find(population_.begin(), population_.end(), g) == population_.end() &&
          static_cast<int>(population_.size()) < o_.population)
        population_.push_back(std::move(g));
    for (int misses = 0; static_cast<int>(population_.size()) < o_.population && misses < 200;) {
      std::optional<Genome> g = random_genome(space_, rng_);
      if (!g) break;
      if (std::find(population_.begin(), population_.end(), *g) != population_.end()) {
        ++misses;
        continue;
      }
      population_.push_back(*g);
    }
  }
  std::string name() const override { return "de"; }

  std::vector<Genome> ask() override {
    if (done_ || population_.empty()) return {};
    if (!started_) {  // generation 0: the population itself
      started_ = true;
      trials_ = population_;
      return trials_;
    }
    select();
    if (done_) return {};
    trials_.clear();
    for (std::size_t i = 0; i < population_.size(); ++i) trials_.push_back(make_trial(i));
    return trials_;
  }

  void tell(const Genome& g, double objective) override {
    memo_[g] = objective;
    surrogate_.add(g, objective);
  }

 private:
  double value(const Genome& g) const {
    auto it = memo_.find(g);
    return it == memo_.end() ? kInf : it->second;
  }

  void select() {
    if (fitness_.empty()) {
      for (const Genome& g : population_) fitness_.push_back(value(g));
    } else {
      for (std::size_t i = 0; i < population_.size(); ++i) {
        const double t = value(trials_[i]);
        if (t <= fitness_[i]) {
          population_[i] = trials_[i];
          fitness_[i] = t;
        }
      }
    }
    const double best = *std::min_element(fitness_.begin(), fitness_.end());
    if (best < best_) {
      best_ = best;
      stale_ = 0;
    } else {
      ++stale_;
    }
    ++generation_;
    if ((o_.generations > 0 && generation_ > o_.generations) || stale_ >= o_.stagnation) done_ = true;
  }

  Genome mutate(std::size_t target) {
    const std::size_t n = population_.size();
    auto pick = [&](std::initializer_list<std::size_t> not_these) {
      if (n <= not_these.size()) return static_cast<std::size_t>(uniform_int(rng_, static_cast<int>(n)));
      for (;;) {
        const std::size_t r = static_cast<std::size_t>(uniform_int(rng_, static_cast<int>(n)));
        if (std::find(not_these.begin(), not_these.end(), r) == not_these.end()) return r;
      }
    };
    const std::size_t a = pick({target}), b = pick({target, a}), c = pick({target, a, b});
    const Genome& x = population_[target];
    Genome trial = x;
    const std::size_t forced = static_cast<std::size_t>(uniform_int(rng_, static_cast<int>(x.size())));
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (i != forced && uniform01(rng_) >= o_.cr) continue;
      const Axis& axis = space_.axes[i];
      if (axis.ordered) {
        const double v = population_[a][i] + o_.f * (population_[b][i] - population_[c][i]);
        // Stochastic rounding keeps small differences alive on few-valued axes.
        const double fl = std::floor(v);
        int r = static_cast<int>(fl) + (uniform01(rng_) < v - fl ? 1 : 0);
        trial[i] = std::clamp(r, 0, axis.size - 1);
      } else if (uniform01(rng_) < 0.15) {
        trial[i] = uniform_int(rng_, axis.size);  // keeps choices the population lost reachable
      } else {
        trial[i] =
            population_[b][i] != population_[c][i] && uniform01(rng_) < o_.f ? population_[b][i] : population_[a][i];
      }
    }
    return trial;
  }

  Genome make_trial(std::size_t target) {
    const int draws = o_.surrogate && surrogate_.predict(population_[target]) ? 4 : 1;
    Genome chosen;
    double chosen_score = kInf;
    for (int d = 0; d < draws; ++d) {
      Genome trial;
      for (int t = 0; t < 20; ++t) {
        trial = mutate(target);
        if (space_.accepts(trial)) break;
      }
      if (!space_.accepts(trial)) trial = random_genome(space_, rng_).value_or(population_[target]);
      const double score = draws > 1 ? surrogate_.predict(trial).value_or(kInf) : 0.0;
      if (chosen.empty() || score < chosen_score) {
        chosen = trial;
        chosen_score = score;
      }
    }
    return chosen;
  }

  const SearchSpace& space_;
  Rng rng_;
  DeOptions o_;
  Surrogate surrogate_;
  std::vector<Genome> population_, trials_;
  std::vector<double> fitness_;
  Memo memo_;
  double best_ = kInf;
  int generation_ = 0, stale_ = 0;
  bool started_ = false, done_ = false;
};

// ---- hybrid -------------------------------------------------------------------------------

class HybridSearch final : public Search {
 public:
  HybridSearch(const SearchSpace& space, std::uint64_t seed, std::vector<Genome> seeds, HybridOptions o)
      : space_(space), seed_(seed), o_(o) {
    RandomOptions r;
    r.batch = std::max<int>(o_.initial + static_cast<int>(seeds.size()), 1);
    r.total = r.batch;
    phase_ = std::make_unique<RandomSearch>(space_, seed_, r, std::move(seeds));
    stage_ = Stage::Sample;
  }
  std::string name() const override { return "hybrid"; }

  std::vector<Genome> ask() override {
    for (int guard = 0; guard < 10000 && phase_; ++guard) {
      std::vector<Genome> batch = phase_->ask();
      if (batch.empty()) {
        next_phase();
        continue;
      }
      std::vector<Genome> fresh;
      for (const Genome& g : batch) {
        auto it = memo_.find(g);
        if (it != memo_.end())
          phase_->tell(g, it->second);  // measured in an earlier phase: answer at once
        else if (std::find(fresh.begin(), fresh.end(), g) == fresh.end())
          fresh.push_back(g);
      }
      if (!fresh.empty()) return fresh;
    }
    return {};
  }

  void tell(const Genome& g, double objective) override {
    memo_[g] = objective;
    if (phase_) phase_->tell(g, objective);
  }

 private:
  enum class Stage { Sample, Evolve, Pattern, Done };

  /// Measured genomes, best first (finite only).
  std::vector<Genome> ranked() const {
    std::vector<std::pair<double, Genome>> v;
    for (const auto& [g, y] : memo_)
      if (std::isfinite(y)) v.emplace_back(y, g);
    std::sort(v.begin(), v.end());
    std::vector<Genome> out;
    for (auto& [y, g] : v) out.push_back(g);
    return out;
  }

  void next_phase() {
    const std::vector<Genome> best = ranked();
    if (stage_ == Stage::Sample && o_.evolve && !best.empty()) {
      std::vector<Genome> seeds(best.begin(), best.begin() + std::min<std::size_t>(best.size(), 32));
      phase_ = std::make_unique<DifferentialEvolution>(space_, seed_ + 1, seeds, o_.de);
      stage_ = Stage::Evolve;
      return;
    }
    if ((stage_ == Stage::Sample || stage_ == Stage::Evolve || stage_ == Stage::Pattern) && !best.empty()) {
      // Pattern search from the best start not yet used (restarts from the runners-up).
      for (const Genome& g : best) {
        if (std::find(starts_.begin(), starts_.end(), g) != starts_.end()) continue;
        if (static_cast<int>(starts_.size()) > o_.restarts) break;
        starts_.push_back(g);
        phase_ = std::make_unique<PatternSearch>(space_, seed_ + 2 + starts_.size(), g, o_.pattern);
        stage_ = Stage::Pattern;
        return;
      }
    }
    phase_.reset();
    stage_ = Stage::Done;
  }

  const SearchSpace& space_;
  std::uint64_t seed_;
  HybridOptions o_;
  std::unique_ptr<Search> phase_;
  Stage stage_ = Stage::Sample;
  Memo memo_;
  std::vector<Genome> starts_;
};

}  // namespace

std::unique_ptr<Search> make_random_search(const SearchSpace& space, std::uint64_t seed, RandomOptions options) {
  return std::make_unique<RandomSearch>(space, seed, options);
}

std::unique_ptr<Search> make_pattern_search(const SearchSpace& space, std::uint64_t seed, Genome start,
                                            PatternOptions options) {
  if (!space.accepts(start))
    throw std::invalid_argument("pattern search: the start " + to_string(start) + " is not in the space");
  return std::make_unique<PatternSearch>(space, seed, std::move(start), options);
}

std::unique_ptr<Search> make_differential_evolution(const SearchSpace& space, std::uint64_t seed,
                                                    std::vector<Genome> seeds, DeOptions options) {
  return std::make_unique<DifferentialEvolution>(space, seed, std::move(seeds), options);
}

std::unique_ptr<Search> make_hybrid_search(const SearchSpace& space, std::uint64_t seed, std::vector<Genome> seeds,
                                           HybridOptions options) {
  return std::make_unique<HybridSearch>(space, seed, std::move(seeds), options);
}

std::unique_ptr<Search> make_search(std::string_view name, const SearchSpace& space, std::uint64_t seed,
                                    std::vector<Genome> seeds, const HybridOptions& options) {
  if (name == "random") {
    RandomOptions r;
    r.batch = std::max(options.initial, 1);
    return std::make_unique<RandomSearch>(space, seed, r, std::move(seeds));
  }
  if (name == "pattern") {
    Genome start;
    if (!seeds.empty() && space.accepts(seeds.front())) {
      start = seeds.front();
    } else {
      Rng rng(seed);
      std::optional<Genome> g = random_genome(space, rng);
      if (!g) throw std::invalid_argument("pattern search: no valid start found in the space");
      start = *g;
    }
    return std::make_unique<PatternSearch>(space, seed, std::move(start), options.pattern);
  }
  if (name == "de") return std::make_unique<DifferentialEvolution>(space, seed, std::move(seeds), options.de);
  if (name == "hybrid") return std::make_unique<HybridSearch>(space, seed, std::move(seeds), options);
  throw std::invalid_argument(fmt::format("unknown search '{}' (known: random, pattern, de, hybrid)", name));
}

std::pair<Genome, double> minimize(Search& search, const std::function<double(const Genome&)>& objective, int budget) {
  Memo memo;
  Genome best;
  double best_y = kInf;
  int spent = 0;
  // Repeats cost nothing, but a search that only repeats itself must still end.
  for (long told = 0; spent < budget && told < 20L * budget + 1000;) {
    const std::vector<Genome> batch = search.ask();
    if (batch.empty()) break;
    for (const Genome& g : batch) {
      auto it = memo.find(g);
      double y;
      if (it != memo.end()) {
        y = it->second;
      } else {
        y = spent < budget ? objective(g) : kInf;
        ++spent;
        memo[g] = y;
      }
      if (best.empty() || y < best_y) {
        best = g;
        best_y = y;
      }
      search.tell(g, y);
      ++told;
    }
  }
  return {best, best_y};
}

}  // namespace tilecc::autotune
