#include <fmt/format.h>

#include <chrono>

#include "autotune/worker.hpp"
#include "autotune/worker_roles.hpp"
#include "runtime/cache.hpp"

namespace tilecc::autotune {

std::string candidate_source(const std::string& global_function) {
  return fmt::format("#include <tilecc/device.cuh>\n#include <tilecc/device/tensor_arg.cuh>\n\n{}", global_function);
}

nlohmann::json handle_compile(const nlohmann::json& request) {
  const auto t0 = std::chrono::steady_clock::now();
  runtime::CompileOptions options;
  options.arch = request.at("arch").get<std::string>();
  options.include_dirs = request.value("include_dirs", std::vector<std::string>{});
  options.name_expressions = {fmt::format("&{}", request.at("symbol").get<std::string>())};
  const runtime::DiskCache cache(request.value("cache_dir", std::string()));
  nlohmann::json answer;
  try {
    const runtime::CachedCompile c = runtime::compile_cached(request.at("source").get<std::string>(), options, cache,
                                                             request.value("key_parts", std::vector<std::string>{}));
    answer = {{"ok", true}, {"key", c.key}, {"lowered", c.lowered_names.at(0)}, {"from_cache", c.from_cache}};
  } catch (const runtime::CompileError& e) {
    answer = {{"ok", false}, {"error", e.what()}};
  }
  answer["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return answer;
}

int run_compile_worker() { return serve(handle_compile); }

}  // namespace tilecc::autotune
