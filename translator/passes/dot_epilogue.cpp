#include "dot_epilogue.hpp"

namespace tilecc::passes {

namespace {

using ir::Dim;
using ir::Expr;
using ir::Index;

/// A scalar computed from host values and scalars only: the printer spells it as it is, inside
/// the epilogue (no statements of its own, nothing per element).
bool plain_scalar(const Expr& e) {
  using K = Expr::Kind;
  switch (e.kind) {
    case K::Const:
    case K::Param:
    case K::Var:
    case K::TensorSize:
    case K::TensorStride:
    case K::TileAttr: return true;
    case K::Unary:
    case K::Binary:
    case K::Compare:
    case K::Select:
    case K::Cast:
      if (e.op == ir::Op::Rand || e.op == ir::Op::Randn) return false;
      for (const ir::ExprPtr& a : e.args)
        if (!plain_scalar(*a)) return false;
      return true;
    default: return false;
  }
}

class Epilogue {
 public:
  Epilogue(const std::string& acc, const std::string& row, const std::string& col) : acc_(acc), row_(row), col_(col) {}

  bool fusable(const Expr& e) {
    using K = Expr::Kind;
    if (e.is_scalar() && e.kind != K::Var) return plain_scalar(e);
    for (const Dim& d : e.shape)
      if (d.kind != Dim::Kind::One && !(d.kind == Dim::Kind::Tile && (d.var == row_ || d.var == col_))) return false;
    switch (e.kind) {
      case K::Var:
        if (e.name != acc_) return e.is_scalar();
        reads_acc_ = true;
        return true;
      case K::Load: return element_of_place(e);
      case K::Unary:
      case K::Binary:
      case K::Select:
        if (e.op == ir::Op::Rand || e.op == ir::Op::Randn || e.accumulate) return false;
        return all_fusable(e);
      case K::Compare: return e.index_compare.op == ir::Op::None && all_fusable(e);
      case K::Cast: return !e.packed_widen && !e.narrow_at_dot && all_fusable(e);
      case K::Unsqueeze: return all_fusable(e);
      default: return false;
    }
  }

  bool reads_acc() const { return reads_acc_; }

 private:
  bool all_fusable(const Expr& e) {
    for (const ir::ExprPtr& a : e.args)
      if (!fusable(*a)) return false;
    return true;
  }

  /// x[..] whose tile indices are the output tile's own (no offsets) and whose other indices
  /// are scalars: one element per output element, read where the product is.
  bool element_of_place(const Expr& e) const {
    if (e.transposed || e.access.shared || e.access.packed || e.access.mma_a) return false;
    for (const Index& i : e.indices) {
      if (i.kind == Index::Kind::Scalar) {
        if (!i.expr || !plain_scalar(*i.expr)) return false;
        continue;
      }
      if (i.kind != Index::Kind::Tile || i.expr || (i.var != row_ && i.var != col_)) return false;
    }
    return true;
  }

  const std::string &acc_, &row_, &col_;
  bool reads_acc_ = false;
};

}  // namespace

bool fusable_dot_epilogue(const Expr& value, const std::string& acc, const std::string& row, const std::string& col) {
  Epilogue epilogue(acc, row, col);
  return epilogue.fusable(value) && epilogue.reads_acc();
}

bool plain_dot_epilogue(const Expr& value, const std::string& acc) {
  const Expr& v = value.kind == Expr::Kind::Cast ? *value.args[0] : value;
  return v.kind == Expr::Kind::Var && v.name == acc;
}

}  // namespace tilecc::passes
