// NVRTC: CUDA C++ source -> cubin for one GPU architecture, in process.
//
// Reusable on its own (the autotuner compiles its variants with it): give the
// source, the arch ("sm_90a") and any extra options; get the cubin, the log
// and the lowered (mangled) names of the requested name expressions. The
// on-disk cache (runtime/cache.hpp) wraps this as compile_cached().
//
// NVRTC works with no GPU present. A build without the CUDA toolkit still
// links: every call then throws CompileError saying NVRTC is missing.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace tilecc::runtime {

/// NVRTC rejected the source (the message holds its log) or is unavailable.
struct CompileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CompileOptions {
  std::string arch = "sm_90a";                // -arch=<arch>: straight to a cubin
  std::vector<std::string> include_dirs;      // -I<dir> each
  std::vector<std::string> extra;             // e.g. "--ptxas-options=-v", "-lineinfo"
  std::vector<std::string> name_expressions;  // "&my_kernel": lowered names come back in order
};

struct CompileOutput {
  std::string cubin;
  std::string log;
  std::vector<std::string> lowered_names;  // one per name expression
};

/// The options every tilecc compile uses before `extra`: -arch, --std=c++20,
/// -default-device, the CUDA include directory (cuda_fp16.h, cuda_bf16.h) and
/// the include_dirs. Returned so that a cache key can hash exactly them.
std::vector<std::string> nvrtc_options(const CompileOptions& options);

/// Compiles `source` (named `name` in messages). Throws CompileError with the
/// log on failure, and without compiling when $TILECC_NO_NVRTC is set (not "0").
CompileOutput nvrtc_compile(const std::string& source, const CompileOptions& options,
                            const std::string& name = "tilecc_kernel.cu");

/// "13.0": part of every cache key, so a new NVRTC recompiles.
std::string nvrtc_version();

/// The CUDA include directory NVRTC is given: $TILECC_CUDA_INCLUDE_DIR, else
/// the one found at build time.
std::string cuda_include_dir();

}  // namespace tilecc::runtime
