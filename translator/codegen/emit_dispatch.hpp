// Prints a shape dispatch (config/shape_dispatch.hpp): each config's kernels and a file-local
// launcher of its own, then the public launcher (the kernel's name), which tests the extents
// row by row and calls the first row's config, else the fallback's. Spelling only: which
// configs and which rows is decided before (autotune/dispatch_learn.hpp).
#pragma once

#include <string>

#include "translator/codegen/emit_cuda.hpp"
#include "translator/codegen/translate_file.hpp"
#include "translator/config/shape_dispatch.hpp"
#include "translator/ir/ir.hpp"

namespace tilecc::codegen {

/// The kernel's text as emit_kernel_text prints it, for a dispatch over several configs:
/// config i's kernels get the symbol suffix "cfg<i>" and its launcher is
/// `<kernel>[_<instance>]_cfg<i>`, the fallback's "default"; `header_note` (the tuning
/// database's name, say) goes above the table; `device_guard` as emit_kernel_text takes it.
/// Under EmitOptions::launcher_name (one arch of several) the table is that file-local
/// function, and its configs' launchers and symbols carry its name and symbol suffix.
/// Throws as emit_kernel does.
std::string emit_dispatch_text(const ir::Kernel& kernel, const config::ShapeDispatch& dispatch,
                               const EmitOptions& options, const VariantOptions& variants,
                               const std::string& header_note = {}, const std::string& device_guard = {});

/// What `tilecc translate` prints for a kernel given no config: the default config's text, or
/// for a row kernel the default's dispatch over row lengths (launch/default_dispatch.hpp).
std::string emit_default_text(const ir::Kernel& kernel, const EmitOptions& options, const VariantOptions& variants,
                              const std::string& device_guard = {});

}  // namespace tilecc::codegen
