#include "autotune/dispatch_learn.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <tuple>

#include "translator/launch/launch_plan.hpp"

namespace tilecc::autotune {

std::vector<std::pair<std::string, std::int64_t>> shape_features(const ir::Kernel& kernel,
                                                                 const std::vector<ArgSpec>& bound) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (std::size_t i = 0; i < kernel.params.size() && i < bound.size(); ++i) {
    const ir::Param& p = kernel.params[i];
    if (p.is_tensor) {
      for (std::size_t d = 0; d < bound[i].sizes.size(); ++d)
        out.emplace_back(fmt::format("{}.size({})", p.name, d), bound[i].sizes[d]);
    } else if (ir::is_integer(p.dtype)) {
      out.emplace_back(p.name, static_cast<std::int64_t>(bound[i].value));
    }
  }
  return out;
}

TunedShape tuned_shape_of(const ir::Kernel& kernel, const DbEntry& e) {
  TunedShape t;
  const nlohmann::json& d = e.details;
  try {
    std::vector<ArgSpec> specs;
    for (const auto& a : d.at("args")) specs.push_back(parse_arg(a.get<std::string>()));
    t.args = bind_args(kernel, specs);
    t.default_ms = d.value("default_ms", 0.0);
    t.default_config = d.value("default_config", nlohmann::json());
    if (d.contains("measured"))
      for (const auto& m : d.at("measured")) t.measured.emplace_back(m.at("config"), m.at("ms").get<double>());
  } catch (const std::exception& ex) {
    throw std::invalid_argument(
        fmt::format("tuning database entry {} ({}): its details cannot be read as a tuned "
                    "shape: {} (tune the shape again)",
                    e.key.hash(), e.key.spec, ex.what()));
  }
  t.best_config = e.config;
  t.best_ms = e.ms;
  return t;
}

namespace {

struct Shape {
  const TunedShape* tuned = nullptr;
  std::vector<std::int64_t> x;  // kept features
  std::string label;            // "1024x512"
};

std::string ms_text(double ms) { return fmt::format("{:.4f} ms", ms); }

/// The cells of one feature: cut points c_0 < c_1 < ... < c_n for sorted distinct values
/// v_0 < ... < v_{n-1}; value v_i owns [c_i, c_{i+1}).
std::vector<std::int64_t> cuts_of(std::vector<std::int64_t> values, double far) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  std::vector<std::int64_t> cuts;
  cuts.push_back(static_cast<std::int64_t>(std::floor(static_cast<double>(values.front()) / far)));
  for (std::size_t i = 0; i + 1 < values.size(); ++i) {
    const double mid = std::sqrt(static_cast<double>(values[i]) * static_cast<double>(values[i + 1]));
    cuts.push_back(std::clamp(static_cast<std::int64_t>(std::llround(mid)), values[i] + 1, values[i + 1]));
  }
  cuts.push_back(
      std::max(values.back() + 1, static_cast<std::int64_t>(std::ceil(static_cast<double>(values.back()) * far))));
  return cuts;
}

config::ShapeDispatch::Range cell_of(const std::vector<std::int64_t>& cuts, std::int64_t v) {
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i)
    if (v >= cuts[i] && v < cuts[i + 1]) return {cuts[i], cuts[i + 1]};
  return {v, v + 1};  // not reached: every tuned value lies in its own cell
}

}  // namespace

config::ShapeDispatch learn_dispatch(const ir::Kernel& kernel, const std::vector<TunedShape>& tuned,
                                     const DispatchOptions& o) {
  if (tuned.empty()) throw std::invalid_argument("learn_dispatch: no tuned shapes");
  if (o.max_configs < 1) throw std::invalid_argument("learn_dispatch: --dispatch-configs must be at least 1");
  // Features, with columns that repeat an earlier one (out.size(0) == x.size(0) in every
  // shape) left out: the launcher tests each extent once.
  std::vector<std::vector<std::pair<std::string, std::int64_t>>> all;
  for (const TunedShape& t : tuned) {
    try {
      all.push_back(shape_features(kernel, bind_args(kernel, t.args)));
    } catch (const ArgError& e) {
      throw std::invalid_argument(fmt::format("a tuned shape does not fit kernel {}: {}", kernel.name, e.what()));
    }
  }
  std::vector<std::size_t> kept;
  for (std::size_t f = 0; f < all[0].size(); ++f) {
    bool repeats = false;
    for (std::size_t g : kept) {
      bool same = true;
      for (const auto& feats : all) same = same && feats[f].second == feats[g].second;
      repeats = repeats || same;
    }
    if (!repeats) kept.push_back(f);
  }
  config::ShapeDispatch d;
  for (std::size_t f : kept) d.features.push_back(all[0][f].first);

  std::vector<Shape> shapes;
  for (std::size_t i = 0; i < tuned.size(); ++i) {
    Shape s;
    s.tuned = &tuned[i];
    for (std::size_t f : kept) s.x.push_back(all[i][f].second);
    s.label = fmt::format("{}", fmt::join(s.x, "x"));
    shapes.push_back(std::move(s));
  }
  std::stable_sort(shapes.begin(), shapes.end(), [](const Shape& a, const Shape& b) { return a.x < b.x; });

  // The configs that won somewhere, in shape order; the default config is the fallback and
  // takes no slot.
  d.fallback = config::default_config(kernel, o.arch);
  const std::string fallback_key = nlohmann::json::parse(d.fallback.to_json()).dump();
  auto key = [&](const nlohmann::json& c) {
    return nlohmann::json::parse(config::parse_config(c.dump(), kernel).to_json()).dump();
  };
  std::vector<std::string> winners;
  std::map<std::string, nlohmann::json> config_of;
  for (const Shape& s : shapes) {
    const std::string k = key(s.tuned->best_config);
    if (k == fallback_key || config_of.count(k)) continue;
    winners.push_back(k);
    config_of[k] = s.tuned->best_config;
  }
  // A config's time at a shape, where measured.
  auto time = [&](const Shape& s, const std::string& k) -> std::optional<double> {
    if (k == key(s.tuned->best_config) && s.tuned->best_ms > 0) return s.tuned->best_ms;
    if (!s.tuned->default_config.is_null() && s.tuned->default_ms > 0 && k == key(s.tuned->default_config))
      return s.tuned->default_ms;
    for (const auto& [c, ms] : s.tuned->measured)
      if (ms > 0 && key(c) == k) return ms;
    return std::nullopt;
  };
  // The fastest measured among `chosen` and the default at a shape: (time, config key).
  auto pick = [&](const Shape& s, const std::vector<std::string>& chosen) {
    std::pair<double, std::string> best = {std::numeric_limits<double>::infinity(), fallback_key};
    if (const auto t = time(s, fallback_key)) best = {*t, fallback_key};
    for (const std::string& k : chosen)
      if (const auto t = time(s, k); t && *t < best.first) best = {*t, k};
    return best;
  };

  std::vector<std::string> chosen;
  if (static_cast<int>(winners.size()) <= o.max_configs) {
    chosen = winners;
  } else {
    // Greedy: add the config that loses the least time (geometric mean over the shapes; a
    // shape with nothing measured among the choice costs its default's time, else twice its
    // best) until K are chosen.
    auto cost = [&](const std::vector<std::string>& set) {
      double sum = 0;
      for (const Shape& s : shapes) {
        double t = pick(s, set).first;
        if (!std::isfinite(t)) t = 2 * s.tuned->best_ms;
        sum += std::log(std::max(t, 1e-12) / std::max(s.tuned->best_ms, 1e-12));
      }
      return sum;
    };
    while (static_cast<int>(chosen.size()) < o.max_configs) {
      std::string best_k;
      double best_cost = std::numeric_limits<double>::infinity();
      for (const std::string& k : winners) {
        if (std::find(chosen.begin(), chosen.end(), k) != chosen.end()) continue;
        std::vector<std::string> with = chosen;
        with.push_back(k);
        const double c = cost(with);
        if (c < best_cost - 1e-12) best_cost = c, best_k = k;
      }
      chosen.push_back(best_k);
    }
    // In the order they first won, as without a limit.
    std::vector<std::string> ordered;
    for (const std::string& k : winners)
      if (std::find(chosen.begin(), chosen.end(), k) != chosen.end()) ordered.push_back(k);
    chosen = ordered;
  }
  for (const std::string& k : chosen) {
    std::string best_at;
    for (const Shape& s : shapes)
      if (key(s.tuned->best_config) == k)
        best_at += fmt::format("{}{} ({})", best_at.empty() ? "" : ", ", s.label, ms_text(s.tuned->best_ms));
    d.configs.push_back({config::parse_config(config_of[k].dump(), kernel), "best at " + best_at});
  }

  // One box per tuned shape over the cells of its extents. Along a guarded extent (one held
  // whole, up to a config's full_extent) the box is cut where a carried config stops holding
  // the rows whole: a part the shape itself lies in runs the shape's pick; another part runs
  // the config that holds its rows whole with the least room to spare (a larger full_extent
  // wastes lanes, a smaller one runs the looped variant), preferring the one that won
  // nearest. Then neighbours taking the same config merge.
  std::vector<bool> guarded(d.features.size(), false);
  for (const launch::WholeDim& w : launch::whole_dims(kernel)) {
    const auto named = std::find_if(all[0].begin(), all[0].end(), [&](const auto& f) { return f.first == w.text; });
    if (named == all[0].end()) continue;
    const auto col = static_cast<std::size_t>(named - all[0].begin());
    for (std::size_t g = 0; g < kept.size(); ++g) {
      bool same = true;
      for (const auto& feats : all) same = same && feats[col].second == feats[kept[g]].second;
      if (same) {
        guarded[g] = true;
        break;
      }
    }
  }
  // Candidates: the chosen configs (0..) and the default (-1). A config holds rows whole up to
  // its full_extent, or up to the longest rows it won at (where the tuner found looping best).
  std::vector<std::string> picks;  // each shape's pick
  std::vector<bool> measured;      // the pick's time there is known (else it is the default by want of any)
  for (const Shape& s : shapes) {
    const auto [ms, k] = pick(s, chosen);
    picks.push_back(k);
    measured.push_back(std::isfinite(ms));
  }
  auto index_of = [&](const std::string& k) {
    const auto it = std::find(chosen.begin(), chosen.end(), k);
    return it == chosen.end() ? -1 : static_cast<int>(it - chosen.begin());
  };
  std::vector<std::int64_t> holds(chosen.size() + 1);  // [0]: the default, [i + 1]: chosen[i]
  holds[0] = d.fallback.full_extent;
  for (std::size_t c = 0; c < chosen.size(); ++c) holds[c + 1] = d.configs[c].config.full_extent;
  for (std::size_t i = 0; i < shapes.size(); ++i)
    for (std::size_t f = 0; f < d.features.size(); ++f)
      if (guarded[f] && measured[i]) {
        std::int64_t& h = holds[static_cast<std::size_t>(index_of(picks[i]) + 1)];
        h = std::max(h, shapes[i].x[f]);
      }

  std::vector<std::vector<std::int64_t>> cuts;
  for (std::size_t f = 0; f < d.features.size(); ++f) {
    std::vector<std::int64_t> values;
    for (const Shape& s : shapes) values.push_back(s.x[f]);
    cuts.push_back(cuts_of(values, o.far));
  }
  auto log_distance = [&](const Shape& s, const std::vector<config::ShapeDispatch::Range>& box) {
    double sum = 0;
    for (std::size_t f = 0; f < box.size(); ++f) {
      const double centre = std::sqrt(static_cast<double>(std::max<std::int64_t>(box[f].lo, 1)) *
                                      static_cast<double>(std::max<std::int64_t>(box[f].hi - 1, 1)));
      const double x = static_cast<double>(std::max<std::int64_t>(s.x[f], 1));
      sum += std::abs(std::log(x / centre));
    }
    return sum;
  };
  struct Part {
    config::ShapeDispatch::Row row;
    std::string shapes;  // the tuned shape it holds, its times
    std::string reason;  // why it runs its config, when it holds no tuned shape
  };
  auto config_of_index = [&](int c) -> const config::Config& {
    return c < 0 ? d.fallback : d.configs[static_cast<std::size_t>(c)].config;
  };
  std::vector<Part> found;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    const Shape& s = shapes[i];
    std::vector<config::ShapeDispatch::Range> box;
    for (std::size_t f = 0; f < d.features.size(); ++f) box.push_back(cell_of(cuts[f], s.x[f]));
    // The parts: along each guarded extent, the box cut after every config's last whole row
    // and after the last row that leaves half its lanes idle.
    std::vector<std::vector<config::ShapeDispatch::Range>> parts = {box};
    for (std::size_t f = 0; f < d.features.size(); ++f) {
      if (!guarded[f]) continue;
      std::vector<std::int64_t> at = {box[f].lo, box[f].hi};
      for (const std::int64_t h : holds)
        for (const std::int64_t cut : {h + 1, h / 2 + 1})
          if (cut > box[f].lo && cut < box[f].hi) at.push_back(cut);
      std::sort(at.begin(), at.end());
      at.erase(std::unique(at.begin(), at.end()), at.end());
      std::vector<std::vector<config::ShapeDispatch::Range>> split;
      for (const auto& p : parts)
        for (std::size_t a = 0; a + 1 < at.size(); ++a) {
          split.push_back(p);
          split.back()[f] = {at[a], at[a + 1]};
        }
      parts = std::move(split);
    }
    const auto [ms, k] = pick(s, chosen);
    for (const auto& part : parts) {
      Part p;
      p.row.ranges = part;
      bool own = true;
      for (std::size_t f = 0; f < part.size(); ++f) own = own && s.x[f] >= part[f].lo && s.x[f] < part[f].hi;
      if (own) {
        p.row.config = index_of(k);
        p.shapes = fmt::format("{}: {}", s.label, std::isfinite(ms) ? ms_text(ms) : "not measured");
        if (key(s.tuned->best_config) != k) p.shapes += fmt::format(" (its best {})", ms_text(s.tuned->best_ms));
        if (k != fallback_key && s.tuned->default_ms > 0)
          p.shapes += fmt::format(", default {}", ms_text(s.tuned->default_ms));
      } else {
        // The longest rows of this part, against what each candidate holds whole.
        std::int64_t longest = 0;
        for (std::size_t f = 0; f < part.size(); ++f)
          if (guarded[f]) longest = std::max(longest, part[f].hi - 1);
        std::int64_t tightest = std::numeric_limits<std::int64_t>::max();
        for (const std::int64_t h : holds)
          if (h >= longest) tightest = std::min(tightest, h);
        if (tightest == std::numeric_limits<std::int64_t>::max()) {
          p.row.config = index_of(k);  // none holds them: the shape's pick loops like any other
          p.reason = fmt::format("near {}", s.label);
        } else {
          std::vector<int> fits;
          for (int c = -1; c < static_cast<int>(chosen.size()); ++c)
            if (holds[static_cast<std::size_t>(c + 1)] == tightest) fits.push_back(c);
          p.row.config = fits.front();
          double nearest = std::numeric_limits<double>::infinity();
          for (std::size_t j = 0; j < shapes.size(); ++j) {
            const int c = index_of(picks[j]);
            const double dist = log_distance(shapes[j], part);
            if (std::find(fits.begin(), fits.end(), c) != fits.end() && dist < nearest)
              nearest = dist, p.row.config = c;
          }
          p.reason = fmt::format("rows up to {} held whole", tightest);
          // Rows that would leave half the holding config's lanes idle or more: the config with
          // the shortest chunks walks them, reading each row twice, the second time from L2
          // (nearest winner among equals, one that marks no load evict-first preferred: that
          // would drop what the second read needs).
          if (2 * longest <= tightest) {
            std::int64_t shortest_rows = std::numeric_limits<std::int64_t>::max();
            for (std::size_t f = 0; f < part.size(); ++f)
              if (guarded[f]) shortest_rows = std::min(shortest_rows, part[f].lo);
            // Ordered by chunk length, then evict-first loads last, then distance.
            const auto rank = [&](int c, double dist) {
              const auto& hints = config_of_index(c).load_hints;
              const bool evicts = std::find(hints.begin(), hints.end(), config::LoadHint::EvictFirst) != hints.end();
              return std::make_tuple(config_of_index(c).full_extent, evicts, dist);
            };
            int walker = -2;
            double nearest_walker = std::numeric_limits<double>::infinity();
            for (std::size_t j = 0; j < shapes.size(); ++j) {
              const int c = index_of(picks[j]);
              const config::Config& cc = config_of_index(c);
              if (cc.full_extent >= shortest_rows || !config::looped_fallback(kernel, cc)) continue;
              const double dist = log_distance(shapes[j], part);
              if (walker == -2 || rank(c, dist) < rank(walker, nearest_walker)) walker = c, nearest_walker = dist;
            }
            if (walker != -2) {
              p.row.config = walker;
              p.reason = fmt::format(
                  "rows walked in chunks of {} (a config holding them whole would idle half its "
                  "lanes or more)",
                  config_of_index(walker).full_extent);
            }
          }
        }
      }
      // Parts of no tuned shape that run the default need no row: uncovered shapes run it.
      if (!p.shapes.empty() || p.row.config >= 0) found.push_back(std::move(p));
    }
  }
  for (bool merged = true; merged;) {
    merged = false;
    for (std::size_t i = 0; i < found.size() && !merged; ++i)
      for (std::size_t j = i + 1; j < found.size() && !merged; ++j) {
        Part& a = found[i];
        const Part& b = found[j];
        if (a.row.config != b.row.config) continue;
        int differ = -1, count = 0;
        for (std::size_t f = 0; f < a.row.ranges.size(); ++f)
          if (a.row.ranges[f].lo != b.row.ranges[f].lo || a.row.ranges[f].hi != b.row.ranges[f].hi)
            differ = static_cast<int>(f), ++count;
        if (count != 1) continue;
        auto& ra = a.row.ranges[static_cast<std::size_t>(differ)];
        const auto& rb = b.row.ranges[static_cast<std::size_t>(differ)];
        if (ra.hi != rb.lo && rb.hi != ra.lo) continue;
        ra = {std::min(ra.lo, rb.lo), std::max(ra.hi, rb.hi)};
        if (!b.shapes.empty()) a.shapes += (a.shapes.empty() ? "" : "; ") + b.shapes;
        if (b.reason.starts_with("rows") && !a.reason.starts_with("rows"))
          a.reason = b.reason;
        else if (b.reason.starts_with("rows") && a.reason.find(b.reason) == std::string::npos)
          a.reason += "; " + b.reason;
        found.erase(found.begin() + static_cast<std::ptrdiff_t>(j));
        merged = true;
      }
  }
  // A row says the tuned shapes it covers and their times, then why it also covers extents
  // between them (a part merely beyond a tuned shape needs no word).
  for (Part& p : found) {
    p.row.comment = p.shapes;
    if (p.shapes.empty())
      p.row.comment = p.reason;
    else if (p.reason.starts_with("rows"))
      p.row.comment += "; between tuned shapes, " + p.reason;
    d.rows.push_back(std::move(p.row));
  }

  d.header.push_back(fmt::format("shape dispatch of {}{} over ({}), learned from {} tuned shape{}: the first row whose",
                                 kernel.name, kernel.instance.empty() ? "" : "<" + kernel.instance + ">",
                                 fmt::join(d.features, ", "), shapes.size(), shapes.size() == 1 ? "" : "s"));
  d.header.push_back(
      fmt::format("extents all lie in [lo, hi) runs its config; rows reach {}x beyond the tuned extents,", o.far));
  d.header.push_back("and shapes no row covers run the default config. Shapes are written as the extents joined by x;");
  d.header.push_back("times are the tuner's medians at that shape (\"default\": the default config with whole rows");
  d.header.push_back("fitted to the shape, as the tuner measured it).");
  if (std::find(guarded.begin(), guarded.end(), true) != guarded.end()) {
    d.header.push_back(
        "Between tuned shapes, rows a config cannot hold whole go to the config that holds them with the least to "
        "spare,");
    d.header.push_back("unless it would idle half its lanes: then the config with the shortest chunks walks them.");
  }
  return d;
}

}  // namespace tilecc::autotune
