// Why: config knobs are lists indexed by site in source order; later passes restructure the
// body (dot loops, chunks), so the indices are stamped on the nodes first.
#include <map>

#include "passes.hpp"
#include "translator/ir/visitor.hpp"

namespace tilecc::passes {

namespace {

template <class T> std::map<const T*, int> index_of(const std::vector<const T*>& sites) {
  std::map<const T*, int> out;
  for (std::size_t i = 0; i < sites.size(); ++i) out.emplace(sites[i], static_cast<int>(i));
  return out;
}

class Numbering : public ir::Mutator {
 public:
  explicit Numbering(const config::KernelStructure& st)
      : loads_(index_of(st.loads)), stores_(index_of(st.stores)), device_(index_of(st.device_loops)),
        multi_(index_of(st.multi_dim_loops)) {}

 protected:
  ir::ExprPtr mutate_load(const ir::ExprPtr& e) override {
    ir::ExprPtr m = mutate_children(e);
    const auto it = loads_.find(e.get());
    if (it == loads_.end()) return m;
    auto out = std::make_shared<ir::Expr>(*m);
    out->access.site = it->second;
    return out;
  }
  ir::StmtPtr mutate_store(const ir::StmtPtr& s) override {
    ir::StmtPtr m = mutate_children(s);
    const auto it = stores_.find(s.get());
    if (it == stores_.end()) return m;
    auto out = std::make_shared<ir::Stmt>(*m);
    out->access.site = it->second;
    return out;
  }
  ir::StmtPtr mutate_loop(const ir::StmtPtr& s) override {
    auto out = std::make_shared<ir::Stmt>(*mutate_children(s));
    if (const auto it = device_.find(s.get()); it != device_.end()) out->site = it->second;
    if (const auto it = multi_.find(s.get()); it != multi_.end()) out->multi_site = it->second;
    return out;
  }

 private:
  std::map<const ir::Expr*, int> loads_;
  std::map<const ir::Stmt*, int> stores_, device_, multi_;
};

}  // namespace

ir::Kernel number_sites(const ir::Kernel& k, const PassContext&) {
  const config::KernelStructure st = config::analyze(k);
  ir::Kernel out = Numbering(st).mutate(k);
  out.load_sites = static_cast<int>(st.loads.size());
  out.store_sites = static_cast<int>(st.stores.size());
  return out;
}

}  // namespace tilecc::passes
