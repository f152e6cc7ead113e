// The tilecc runtime: launch a tile kernel from its serialized IR, compiled on
// first use for the GPU and arguments actually seen.
//
//   namespace rt = tilecc::runtime;
//   rt::Kernel softmax = rt::Kernel::from_ir_file("softmax.json", "softmax_bf16");
//   rt::TensorRef x = rt::TensorRef::contiguous(x_ptr, tilecc::ir::DType::bf16, {m, n});
//   softmax.launch({rt::Arg::of(x), rt::Arg::of(out)}, stream);
//
// Each launch: binds the arguments (checking count, kinds, dtypes and ranks),
// evaluates the host prologue (lets, TILECC_CHECKs: a failing check throws
// LaunchError and launches nothing), computes the specialization key (linear
// in the number of arguments, no heap allocation) and looks it up in memory.
// On a miss it picks the config (KernelOptions: the given one, else the
// ConfigProvider's, such as the tuning database's, else codegen's default),
// emits CUDA for the key's specialization with the codegen API, compiles it
// with NVRTC for the current GPU (or loads the cubin from the disk cache,
// runtime/cache.hpp, or one shipped with the application, runtime/shipped.hpp), loads it through the driver API
// (runtime/driver.hpp), allows the dynamic shared memory a deep dot pipeline takes, and remembers it. Then, with the
// variant's launch plan (translator/launch/: the rules the emitted launcher and the tuner follow too), it checks the
// whole-row guards (rows longer than the config holds run its looped variant, config::looped_fallback, compiled the
// same way; a kernel without one throws LaunchError), computes the grid, packs the arguments and calls cuLaunchKernel
// on the caller's stream.
//
// Thread safety: launch() may be called from several threads (the in-memory
// table is guarded by a mutex; a miss compiles, or a provider tunes, under it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "driver.hpp"
#include "translator/config/config.hpp"
#include "translator/config/specialization.hpp"
#include "translator/ir/ir.hpp"

namespace tilecc::runtime {

/// A launch was refused: bad arguments, a failing TILECC_CHECK, an input the
/// config cannot take. Nothing was launched.
struct LaunchError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A tensor argument: device pointer, dtype, sizes and strides in elements.
struct TensorRef {
  static constexpr int kMaxRank = 8;
  void* data = nullptr;
  ir::DType dtype = ir::DType::f32;
  int rank = 0;
  std::int64_t sizes[kMaxRank] = {};
  std::int64_t strides[kMaxRank] = {};

  /// Row-major contiguous.
  static TensorRef contiguous(void* data, ir::DType dtype, std::initializer_list<std::int64_t> sizes);
  static TensorRef strided(void* data, ir::DType dtype, std::initializer_list<std::int64_t> sizes,
                           std::initializer_list<std::int64_t> strides);
};

/// One launch argument: a tensor or a scalar (integers and floats are
/// converted to the parameter's dtype).
struct Arg {
  enum class Kind : std::uint8_t { Tensor, Int, Float };
  Kind kind = Kind::Int;
  TensorRef tensor;
  std::int64_t i = 0;
  double f = 0;

  static Arg of(const TensorRef& t) {
    Arg a;
    a.kind = Kind::Tensor;
    a.tensor = t;
    return a;
  }
  static Arg of(std::int64_t v) {
    Arg a;
    a.kind = Kind::Int;
    a.i = v;
    return a;
  }
  static Arg of(int v) { return of(static_cast<std::int64_t>(v)); }
  static Arg of(double v) {
    Arg a;
    a.kind = Kind::Float;
    a.f = v;
    return a;
  }
  static Arg of(float v) { return of(static_cast<double>(v)); }
};

/// What a ConfigProvider is asked, once per key: the kernel and the launch that first
/// gave the key (its arguments: shapes, scalars, pointers).
struct ConfigQuery {
  const ir::Kernel& kernel;
  std::string key_text;       // SpecKey::to_string() of the key (default config's block sizes)
  std::string arch;           // as Driver::arch()
  std::span<const Arg> args;  // valid during the call only
};

/// Where a config comes from when KernelOptions gives none: the tuning database's best for
/// this kernel, arguments and GPU, or tuning on first use (autotune/tuned_configs.hpp).
/// Return nothing to fall back to codegen's default config. With a provider, a kernel that
/// holds whole rows (`x[tm, tl::all]`) gets one variant per key and per power of two of the
/// longest such row, since a config's full_extent is chosen for the shapes it was tuned on.
class ConfigProvider {
 public:
  virtual ~ConfigProvider() = default;
  virtual std::optional<config::Config> config_for(const ConfigQuery& query) = 0;
};

struct KernelOptions {
  std::optional<config::Config> config;      // a given config (validated when the kernel loads)
  std::shared_ptr<ConfigProvider> configs;    // else: asked per new key (tuning database, tune on first use)
  config::Shapes shapes = config::Shapes::Dynamic;
  std::vector<std::string> no_specialize;     // parameters ("x") or slots ("x.stride(0)") opted out
  bool specialize = true;                     // false: every key is empty (one generic variant)
  std::filesystem::path cache_dir;            // empty: $TILECC_CACHE_DIR or ~/.cache/tilecc
  std::string arch;                           // empty: the current GPU's (Driver::arch())
  std::vector<std::string> nvrtc_extra;       // more NVRTC options
  /// Shipped cubins (runtime/shipped.hpp: `tilecc translate --cubin DIR`), loaded instead of
  /// compiling where they hold the variant; empty: $TILECC_CUBIN_DIR, else none.
  std::filesystem::path cubin_dir;
};

/// Counters, for tests and benchmarks.
struct KernelStats {
  long launches = 0;
  long memory_hits = 0;  // key found in memory
  long disk_hits = 0;    // cubin read from the disk cache
  long compiles = 0;     // NVRTC run
  long shipped = 0;      // cubin loaded from the shipped folder (KernelOptions::cubin_dir)
  double compile_seconds = 0;  // emit + NVRTC + load, summed over misses
};

/// The device library folder NVRTC includes: $TILECC_TEMPLATES_DIR, else the folder a program
/// built against the installed package names (its tilecc::runtime target defines
/// TILECC_RUNTIME_TEMPLATES_DIR, registered below: the install is relocatable, so the library
/// cannot know it), else the build tree's templates/.
std::string templates_dir();
/// Sets the folder templates_dir() falls back on before the build tree's.
void set_installed_templates_dir(std::string dir);

#ifdef TILECC_RUNTIME_TEMPLATES_DIR
namespace detail {
// Runs at the program's start in every program compiled against the package's tilecc::runtime.
inline const bool installed_templates_dir_set = (set_installed_templates_dir(TILECC_RUNTIME_TEMPLATES_DIR), true);
}  // namespace detail
#endif

class Kernel {
 public:
  /// Loads kernel `name` from serialized IR (ir::serialize): `name` is the
  /// function name (when the module has one instance of it) or name_suffix
  /// ("add_bf16", as in generated kernel symbols). Throws LaunchError when
  /// there is no such kernel or the IR is invalid, ConfigError for a bad config.
  static Kernel from_ir(const std::string& json, const std::string& name, KernelOptions options = {});
  static Kernel from_ir_file(const std::filesystem::path& path, const std::string& name, KernelOptions options = {});
  Kernel(ir::Kernel kernel, KernelOptions options = {});
  Kernel(Kernel&&) noexcept;
  Kernel& operator=(Kernel&&) noexcept;
  ~Kernel();

  /// Launches on `stream` (cudaStream_t / CUstream; nullptr: default stream).
  /// Throws LaunchError (arguments, checks), CompileError, DriverError, and what the
  /// ConfigProvider throws (autotune::DbError, TuneError).
  void launch(std::span<const Arg> args, Stream stream = nullptr);
  void launch(std::initializer_list<Arg> args, Stream stream = nullptr) {
    launch(std::span<const Arg>(args.begin(), args.size()), stream);
  }

  /// The specialization key these arguments give (no allocation, no GPU needed).
  config::SpecKey key(std::span<const Arg> args) const;
  /// The CUDA source that would be compiled for these arguments (no GPU needed).
  std::string source_for(std::span<const Arg> args) const;
  /// The shipped cubin (KernelOptions::cubin_dir) a launch with these arguments loads, or
  /// nothing: it compiles with NVRTC (no GPU needed; rows beyond the config's full_extent
  /// take the looped variant's).
  std::optional<std::filesystem::path> shipped_cubin_for(std::span<const Arg> args) const;
  /// The kernel's slots (what the key is made of), for messages and tests.
  const std::vector<config::Slot>& slots() const;
  const ir::Kernel& ir() const;
  KernelStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tilecc::runtime
