#include "passes.hpp"

namespace tilecc::passes {

ir::Kernel chunk_reductions(const ir::Kernel& k, const PassContext&) { return k; }

}  // namespace tilecc::passes
