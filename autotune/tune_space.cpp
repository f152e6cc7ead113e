#include "autotune/tune_space.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace tilecc::autotune {

namespace {

using autotune::Fragment;
using autotune::Value;

/// Number of doublings from `from` to `v` (the powers-of-two fragment's values are min, 2 min, ...).
int doublings(std::int64_t from, std::int64_t v) {
  int l = 0;
  for (std::int64_t p = std::max<std::int64_t>(from, 1); p < v; p *= 2) ++l;
  return l;
}

/// An integer range may also take 0 ("auto") below its minimum (config_space.cpp's cardinality).
bool range_has_auto(const Fragment& f) { return f.zero_means_auto && f.min > 0; }

long long factorial(int n) {
  long long f = 1;
  for (int i = 2; i <= n; ++i) f *= i;
  return f;
}

/// Number of values of a fragment as an axis (permutations are capped: a loop nest has few dims).
int axis_size(const Fragment& f) {
  switch (f.kind) {
    case Fragment::Kind::PowerOfTwo:
      return (f.min > 0 && f.max >= f.min ? doublings(f.min, f.max + 1) : 0) + (f.zero_means_auto ? 1 : 0);
    case Fragment::Kind::IntRange: return static_cast<int>(f.max - f.min + 1) + (range_has_auto(f) ? 1 : 0);
    case Fragment::Kind::Enum: return static_cast<int>(f.choices.size());
    case Fragment::Kind::Bool: return 2;
    case Fragment::Kind::Permutation:
      if (f.length > 8) throw std::invalid_argument("tilecc tune: fragment " + f.name + " permutes too many items");
      return static_cast<int>(factorial(f.length));
  }
  return 1;
}

Value value_at(const Fragment& f, int index) {
  Value v;
  switch (f.kind) {
    case Fragment::Kind::PowerOfTwo:
      if (f.zero_means_auto) {
        if (index == 0) return v;  // 0: auto
        --index;
      }
      v.number = f.min << index;
      return v;
    case Fragment::Kind::IntRange:
      if (range_has_auto(f)) {
        if (index == 0) return v;  // 0: auto
        --index;
      }
      v.number = f.min + index;
      return v;
    case Fragment::Kind::Enum:
    case Fragment::Kind::Bool: v.number = index; return v;
    case Fragment::Kind::Permutation: {
      // The index-th permutation of 0..length-1 in lexicographic order (Lehmer code).
      std::vector<int> items(static_cast<std::size_t>(f.length));
      std::iota(items.begin(), items.end(), 0);
      long long rank = index;
      for (int i = f.length; i > 0; --i) {
        const long long block = factorial(i - 1);
        const auto pick = static_cast<std::size_t>(rank / block);
        rank %= block;
        v.order.push_back(items[pick]);
        items.erase(items.begin() + static_cast<std::ptrdiff_t>(pick));
      }
      return v;
    }
  }
  return v;
}

int index_of(const Fragment& f, const Value& v) {
  switch (f.kind) {
    case Fragment::Kind::PowerOfTwo:
      if (v.number == 0) return 0;
      return doublings(f.min, v.number) + (f.zero_means_auto ? 1 : 0);
    case Fragment::Kind::IntRange:
      if (range_has_auto(f)) return v.number == 0 ? 0 : static_cast<int>(v.number - f.min) + 1;
      return static_cast<int>(v.number - f.min);
    case Fragment::Kind::Enum:
    case Fragment::Kind::Bool: return static_cast<int>(v.number);
    case Fragment::Kind::Permutation: {
      long long rank = 0;
      std::vector<int> items(static_cast<std::size_t>(f.length));
      std::iota(items.begin(), items.end(), 0);
      for (std::size_t i = 0; i < v.order.size(); ++i) {
        const auto it = std::find(items.begin(), items.end(), v.order[i]);
        rank += (it - items.begin()) * factorial(f.length - 1 - static_cast<int>(i));
        items.erase(it);
      }
      return static_cast<int>(rank);
    }
  }
  return 0;
}

}  // namespace

TuneSpace::TuneSpace(const autotune::ConfigSpace& space, std::string arch)
    : space_(&space), arch_(std::move(arch)),
      checked_(std::make_shared<std::map<Genome, std::optional<std::string>>>()) {
  for (const Fragment& f : space.fragments()) {
    const bool ordered = f.kind == Fragment::Kind::PowerOfTwo || f.kind == Fragment::Kind::IntRange;
    search_.axes.push_back({f.name, std::max(1, axis_size(f)), ordered});
  }
  search_.valid = [this](const Genome& g) { return !why_invalid(g); };
}

autotune::Point TuneSpace::to_point(const Genome& g) const {
  const auto& fs = space_->fragments();
  autotune::Point p;
  for (std::size_t i = 0; i < fs.size(); ++i) p.push_back(value_at(fs[i], g.at(i)));
  return p;
}

Genome TuneSpace::to_genome(const autotune::Point& p) const {
  const auto& fs = space_->fragments();
  Genome g;
  for (std::size_t i = 0; i < fs.size(); ++i) g.push_back(index_of(fs[i], p.at(i)));
  return g;
}

std::vector<Genome> TuneSpace::shape_grid(const Genome& center) const {
  std::vector<std::size_t> axes;
  for (std::size_t i = 0; i < search_.axes.size(); ++i) {
    const std::string& name = search_.axes[i].name;
    if (search_.axes[i].ordered && (name.rfind("block_sizes[", 0) == 0 || name == "num_warps")) axes.push_back(i);
  }
  std::vector<Genome> out;
  if (!search_.in_range(center)) return out;
  // Odometer over {0, -1, +1} per axis: the first combination is the center itself.
  std::vector<int> step(axes.size(), 0);
  const int offsets[3] = {0, -1, 1};
  for (;;) {
    Genome g = center;
    bool inside = true;
    for (std::size_t k = 0; k < axes.size(); ++k) {
      g[axes[k]] += offsets[step[k]];
      inside = inside && g[axes[k]] >= 0 && g[axes[k]] < search_.axes[axes[k]].size;
    }
    if (inside && !why_invalid(g)) out.push_back(g);
    std::size_t k = 0;
    while (k < axes.size() && ++step[k] == 3) step[k++] = 0;
    if (k == axes.size()) break;
  }
  return out;
}

std::optional<std::string> TuneSpace::why_invalid(const Genome& g) const {
  if (!search_.in_range(g)) return std::string("genome out of range");
  auto it = checked_->find(g);
  if (it != checked_->end()) return it->second;
  std::optional<std::string> why;
  try {
    why = space_->check(space_->decode(to_point(g)), arch_);
  } catch (const std::exception& e) {
    why = e.what();
  }
  checked_->emplace(g, why);
  return why;
}

}  // namespace tilecc::autotune
