#include "passes.hpp"

namespace tilecc::passes {

ir::Kernel match_dot_loops(const ir::Kernel& k, const PassContext&) { return k; }

}  // namespace tilecc::passes
