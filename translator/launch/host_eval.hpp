// Evaluates a kernel's host prologue (lets and TILECC_CHECKs over tensor
// sizes/strides and scalar parameters) and other host scalar expressions of
// the IR (tile loop bounds) at launch, on the CPU, without allocating. The
// runtime and the tuner both evaluate through it (HostProgram), so a check or
// a launch extent means the same to both.
//
// Why an evaluator rather than the generated launcher: the generated launcher
// is host C++ that calls the CUDA runtime (<<<>>>); NVRTC compiles device code
// only, so a runtime that emits code on the fly cannot compile it. The IR is
// at hand, so each expression is compiled once, when the kernel is loaded,
// into a flat postfix program with names resolved to indices; evaluating it
// at launch is a loop over a fixed-size stack.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "launch_plan.hpp"
#include "translator/ir/ir.hpp"

namespace tilecc::launch {

/// The expression uses something the host evaluator does not support (the
/// message names it and its source line), or evaluation failed (division by zero).
struct EvalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A host scalar: integer or floating (bools are integers 0/1). No default member
/// initializers: the evaluator's stack and HostEnv::lets are written before they are read
/// and zeroing them on every launch showed in its profile; `HostValue{}` is zero.
struct HostValue {
  std::int64_t i;
  double f;
  bool is_float;
};

/// What expressions read at launch: per parameter, a scalar value or a tensor's
/// sizes/strides (pointers into the caller's arrays), plus the lets so far.
struct HostEnv {
  static constexpr int kMaxLets = 64;
  const HostValue* scalars = nullptr;          // indexed by parameter
  const std::int64_t* const* sizes = nullptr;  // [param][dim]
  const std::int64_t* const* strides = nullptr;
  HostValue lets[kMaxLets];                    // written by HostPrologue::run, in order
};

/// One compiled expression.
class HostExpr {
 public:
  struct Op {
    enum class Code : std::uint8_t {
      Const,
      Param,
      Let,
      Size,
      Stride,
      Neg,
      Not,
      Abs,
      Add,
      Sub,
      Mul,
      Div,
      Rem,
      Max,
      Min,
      And,
      Or,
      Lt,
      Le,
      Gt,
      Ge,
      Eq,
      Ne,
      Select,
      ToInt,
      ToFloat,
      ToBool,
      BitAnd,
      BitOr,
      BitXor,
      Shl,
      Shr,
      BitNot,
    } code = Code::Const;
    std::int32_t a = 0, b = 0;  // Param/Let: index; Size/Stride: param, dim
    HostValue value{};          // Const
  };
  /// Compiles `e`; `params` and `lets` resolve names (lets: in order so far).
  static HostExpr compile(const ir::ExprPtr& e, const ir::Kernel& kernel, const std::vector<std::string>& lets);
  HostValue eval(const HostEnv& env) const;
  std::int64_t eval_int(const HostEnv& env) const;

 private:
  std::vector<Op> ops_;
  std::string where_;  // "file:line" for messages
};

/// The prologue of one kernel: its lets in order and its checks.
class HostPrologue {
 public:
  explicit HostPrologue(const ir::Kernel& kernel);
  /// Evaluates the lets into env.lets, then the checks; returns the text of
  /// the first failing check (nullptr when all hold).
  const char* run(HostEnv& env) const;
  /// Compiles another expression against the kernel's lets (loop bounds).
  HostExpr compile(const ir::ExprPtr& e) const;
  int let_count() const { return static_cast<int>(lets_.size()); }

 private:
  const ir::Kernel* kernel_;
  std::vector<std::string> let_names_;
  std::vector<HostExpr> lets_;
  struct Check {
    HostExpr expr;
    std::string text;
  };
  std::vector<Check> checks_;
};

/// A kernel's host side compiled once: its prologue and the bounds of each launch dim
/// (kernel_launch_dims() order, the order compute_grid reads extents in). Keeps a pointer
/// to the kernel, which must outlive it.
class HostProgram {
 public:
  /// Throws EvalError for an expression the evaluator cannot take.
  explicit HostProgram(const ir::Kernel& kernel);
  /// Runs the prologue into env.lets; when every check holds, writes each launch dim's
  /// extent (end - begin) to extents[0 .. launch_dim_count()) and returns nullptr, else
  /// returns the text of the first failing check.
  const char* run(HostEnv& env, std::int64_t* extents) const;
  /// Compiles another expression against the kernel's lets (loop bounds).
  HostExpr compile(const ir::ExprPtr& e) const { return prologue_.compile(e); }
  const std::vector<KernelLaunchDim>& launch_dims() const { return dims_; }
  int launch_dim_count() const { return static_cast<int>(dims_.size()); }

 private:
  HostPrologue prologue_;
  std::vector<KernelLaunchDim> dims_;
  std::vector<HostExpr> begin_, end_;
};

}  // namespace tilecc::launch
