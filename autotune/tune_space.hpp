// The search view of a kernel's config space: codegen's typed fragments
// (autotune/config_space.hpp) as the index axes search.hpp works on.
//
// A fragment becomes one axis: powers of two and integer ranges are ordered
// axes (index i is the i-th value, "auto" first where the fragment has it);
// enums, bools and permutations (by lexicographic rank) are unordered.
// A genome is valid when ConfigSpace::check accepts its config for the arch;
// the answer is memoized, since check() runs part of codegen.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "autotune/search.hpp"
#include "autotune/config_space.hpp"

namespace tilecc::autotune {

class TuneSpace {
 public:
  /// `space` must outlive this object.
  TuneSpace(const autotune::ConfigSpace& space, std::string arch);
  TuneSpace(const TuneSpace&) = delete;  // search_space().valid points at this object
  TuneSpace& operator=(const TuneSpace&) = delete;

  const SearchSpace& search_space() const { return search_; }
  const autotune::ConfigSpace& config_space() const { return *space_; }

  autotune::Point to_point(const Genome& g) const;
  Genome to_genome(const autotune::Point& p) const;
  config::Config config(const Genome& g) const { return space_->decode(to_point(g)); }
  /// nullopt when check() accepts the genome's config, else the reason (memoized).
  std::optional<std::string> why_invalid(const Genome& g) const;

  /// The valid genomes of the grid around `center` on the axes that shape the work of a
  /// program (every block size and num_warps): each at its value, one step down and one
  /// up, in every combination (the coupled moves a one-axis-at-a-time search cannot make:
  /// a 128 x 256 tile needs 8 warps where 128 x 128 takes 4). `center` first when valid.
  std::vector<Genome> shape_grid(const Genome& center) const;

 private:
  const autotune::ConfigSpace* space_;
  std::string arch_;
  SearchSpace search_;
  std::shared_ptr<std::map<Genome, std::optional<std::string>>> checked_;
};

}  // namespace tilecc::autotune
