// Argument specialization: facts about the values a kernel is launched with
// (a pointer aligned to 16 bytes, a stride of 1, a size divisible by 16 or by
// its loop's block size, ...), the one table per backend that declares them,
// the key they form, and what codegen may assume from them.
//
// A kernel's *slots* are the things facts are about: each scalar integer
// parameter, each tensor's base pointer, sizes and strides, each tensor as a
// whole (backend facts such as TMA eligibility) and each tile loop whose
// extent the host can compute (divisibility by the block size). A *fact rule*
// says which slot kind it applies to, how to test it on a value at launch,
// and how to write the same test as a C++ condition for a generated launcher.
// The key is one byte of fact bits per slot (plus, for static shapes, every
// size and stride value) in a fixed-size array: computing it allocates
// nothing and takes time linear in the number of slots.
//
// Used by the CUDA emitter (`Specialization` in EmitOptions), by
// `tilecc translate --specialize=auto` and by the runtime (runtime/kernel.hpp).
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "config.hpp"
#include "translator/ir/ir.hpp"

namespace tilecc::config {

/// What a fact is about.
enum class SlotKind : std::uint8_t {
  Scalar,      // an integer scalar parameter
  Pointer,     // a tensor's base pointer
  Size,        // tensor.size(d)
  Stride,      // tensor.stride(d)
  Tensor,      // a tensor as a whole (pointer + every stride)
  LoopExtent,  // end - begin of a tile loop, against its block size
};

/// A slot's value at launch. Which fields matter depends on the kind.
struct SlotValue {
  std::int64_t value = 0;              // Scalar, Size, Stride, LoopExtent
  std::uintptr_t address = 0;          // Pointer, Tensor
  int element_bytes = 0;               // Pointer, Stride, Tensor
  int rank = 0;                        // Tensor
  const std::int64_t* strides = nullptr;  // Tensor: `rank` strides (elements)
  std::int64_t block = 1;              // LoopExtent: the loop's block size
};

/// One fact of one backend's table.
struct FactRule {
  const char* name;  // "div16", "one", "aligned16", "unit", "div_block", "tma"
  SlotKind kind;
  std::uint8_t bit;  // bit in the slot's fact byte
  bool (*holds)(const SlotValue&);
  /// The same test as a C++ condition over `expr` (a host expression of the
  /// slot: "x.stride(1)", "x.data()", "x" for a whole tensor, "(m - 0LL)" for
  /// a loop extent); `block` is the loop's block size.
  std::string (*condition)(const std::string& expr, std::int64_t block, int element_bytes, int rank);
};

/// GPU generations with their own fact tables.
enum class Backend { sm80, sm90 };
/// "sm_90a", "sm_90", "sm_100" -> sm90; anything older -> sm80.
Backend backend_of(const std::string& arch);
/// The backend's facts. sm80: div16, one (integers), aligned16 (pointers),
/// unit (strides), div_block (loop extents). sm90 adds tma (a tensor whose base
/// is 16-byte aligned and whose strides other than a unit one are multiples
/// of 16 bytes).
std::span<const FactRule> fact_table(Backend backend);

/// One slot of a kernel.
struct Slot {
  SlotKind kind = SlotKind::Scalar;
  int param = -1;          // index into Kernel::params (-1 for loops)
  int dim = 0;             // Size / Stride
  std::string text;        // "x.stride(1)", "x.data", "x", "n", "loop tm"
  const ir::LoopDim* loop = nullptr;  // LoopExtent (points into the kernel)
  bool launch_loop = false;           // LoopExtent: one of the launch-grid loops
  std::int64_t block = 1;  // LoopExtent
  bool opted_out = false;  // no facts are computed (always 0 bits)
};

/// Shapes: a kernel-level choice. Dynamic: sizes and strides are passed and
/// one variant serves every shape. Static: they are baked into the code as
/// constants (one variant per shape) and their values are part of the key.
enum class Shapes : std::uint8_t { Dynamic, Static };

/// A kernel's slots, in a fixed order: for each parameter in order, a scalar
/// integer's slot, or a tensor's pointer, sizes, strides and whole-tensor slot;
/// then each host-computable tile loop (launch loops first). `no_specialize`
/// names parameters (or single slots, "x.stride(0)") opted out; a name that
/// matches nothing throws ConfigError naming it.
std::vector<Slot> specialization_slots(const ir::Kernel& kernel, const Config& config,
                                       const std::vector<std::string>& no_specialize = {});

/// The specialization key: fact bytes of every slot, then (static shapes) the
/// value of every size and stride slot. Fixed capacity, no heap.
struct SpecKey {
  static constexpr int kMaxWords = 64;
  std::uint64_t words[kMaxWords] = {};
  std::uint16_t count = 0;       // words used
  std::uint16_t fact_slots = 0;  // number of fact bytes (packed 8 per word)
  Shapes shapes = Shapes::Dynamic;

  std::uint8_t facts(int slot) const { return static_cast<std::uint8_t>(words[slot / 8] >> (8 * (slot % 8))); }
  std::uint64_t hash() const;
  bool operator==(const SpecKey& o) const {
    return count == o.count && fact_slots == o.fact_slots && shapes == o.shapes &&
           std::memcmp(words, o.words, sizeof(std::uint64_t) * count) == 0;
  }
  /// Stable text, for cache keys and logs: "d:0f01..." / "s:...:4096,1,...".
  std::string to_string() const;
};

/// The most slots a key holds: SpecKey::kMaxWords * 8 (static shapes: fewer).
/// A kernel with more slots is refused when it is loaded.
constexpr int kMaxSlots = SpecKey::kMaxWords * 8;

/// Bits of every rule of `table` that holds for `v` of `kind` (no allocation).
std::uint8_t facts_of(std::span<const FactRule> table, SlotKind kind, const SlotValue& v);

/// Builds a key slot by slot without allocating: add_facts once per slot in
/// slot order, add_value once per slot for which keyed_value() holds.
class SpecKeyBuilder {
 public:
  explicit SpecKeyBuilder(Shapes shapes) : shapes_(shapes) {}
  void add_facts(std::uint8_t bits) {
    if (fact_count_ < kMaxSlots) facts_[fact_count_] = bits;
    ++fact_count_;
  }
  void add_value(std::int64_t v) {
    if (value_count_ < SpecKey::kMaxWords) values_[value_count_] = v;
    ++value_count_;
  }
  /// Writes the key; false when it does not fit in SpecKey.
  bool finish(SpecKey& out) const;

 private:
  Shapes shapes_;
  // Not zeroed (1 KB per launch): finish() reads only what was added.
  std::uint8_t facts_[kMaxSlots];
  std::int64_t values_[SpecKey::kMaxWords];
  int fact_count_ = 0, value_count_ = 0;
};

/// One size or stride of a tensor parameter: x.size(0) is {"x", false, 0}.
struct ShapeSlot {
  std::string tensor;
  bool stride = false;
  int dim = 0;
  auto operator<=>(const ShapeSlot&) const = default;
};

/// What the lowering may assume (the specialize pass folds it into the IR); loops by variable.
struct Specialization {
  std::set<ShapeSlot> unit_strides;       // stride == 1: folded to the constant 1
  std::set<std::string> divisible_loops;  // extent % block == 0: tile sizes are the block (no masks)
  std::map<ShapeSlot, std::int64_t> constants;  // static shapes: x.size(0) -> 4096
  std::set<std::string> aligned_tensors;  // base pointer % 16 bytes == 0: told to the compiler
  std::set<ShapeSlot> div16_strides;      // stride % 16 == 0: told to the compiler (aligned row vectors)
  std::vector<std::string> facts;         // readable, for the "specialized for:" comment

  bool empty() const {
    return unit_strides.empty() && divisible_loops.empty() && constants.empty() && aligned_tensors.empty() &&
           div16_strides.empty();
  }
};

/// The ShapeSlot of a Size or Stride slot.
ShapeSlot shape_slot(const ir::Kernel& kernel, const Slot& s);

/// What a key's facts let codegen assume (facts codegen has no use for, such
/// as tma, are kept in the key and in `facts` only).
Specialization specialization_from_key(const ir::Kernel& kernel, const std::vector<Slot>& slots,
                                       std::span<const FactRule> table, const SpecKey& key);

/// A specialized variant of `translate --specialize=auto`: emitted next to the
/// generic kernel and chosen by the launcher when every requirement holds.
struct Requirement {
  Slot slot;
  const FactRule* rule = nullptr;
};
struct SpecializedVariant {
  std::string suffix;  // kernel symbol suffix: "unit", "unit_div"
  Specialization specialization;
  std::vector<Requirement> requires_;  // all must hold
};

/// The variants `--specialize=auto` emits, most specialized first: "unit_div"
/// (every tensor's last stride is 1 and every host-computable tile loop's
/// extent divides its block size) and "unit" (unit last strides only); a
/// variant that would add nothing is left out. Opted-out slots are never
/// required.
std::vector<SpecializedVariant> auto_variants(const ir::Kernel& kernel, const std::vector<Slot>& slots,
                                              std::span<const FactRule> table);

/// The C++ condition under which `rule` holds for `slot`, written over a
/// generated launcher's host parameters: `expr` is the slot's host expression
/// ("x.stride(1)", "x.data()", or a loop's extent "(m) - (0LL)").
std::string launcher_condition(const ir::Kernel& kernel, const Requirement& r, const std::string& expr);

/// A specialized kernel a generated launcher may call instead of the generic
/// one: `symbol` is its __global__ function, taken when every requirement holds
/// (EmitOptions::dispatch, tried in order).
struct DispatchVariant {
  std::string symbol;
  std::vector<Requirement> requires_;
};

/// Whether the key's slot values hold (for SpecKeyBuilder::add_value): a Size or
/// Stride slot that is not opted out, under static shapes.
inline bool keyed_value(const Slot& s, Shapes shapes) {
  return shapes == Shapes::Static && !s.opted_out && (s.kind == SlotKind::Size || s.kind == SlotKind::Stride);
}

}  // namespace tilecc::config
