// nvrtc tier: for every example, 5 random valid configs of each kernel (seeded: the same
// sample on every machine) translate and compile with NVRTC for sm_90a
// (test_examples_nvrtc.cpp compiles the defaults for sm_80 too). No GPU needed. The byte
// identity corpus (test/codegen_corpus) translates 20 per kernel with the same seed, and
// scripts/gpu_config_space.sh runs those 20 on a GPU; 5 keep this test within CI's time.
//
// One NVRTC program per example and arch (every sampled kernel renamed, so that the headers
// are parsed once per program), compiled in worker processes (NVRTC's front end runs one
// compile at a time per process).
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nvrtc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "test/support/examples.hpp"
#include "test/support/nvrtc_compile.hpp"
#include "translator/config/config.hpp"
#include "autotune/config_space.hpp"
#include "translator/codegen/emit_cuda.hpp"
#include "translator/frontend/frontend.hpp"

namespace {

// Eight for matmul, whose sample covers every pipeline depth and tensor-core instruction
// (sample_cover). Each config costs about 1.5 s of NVRTC.
constexpr int kSamples = 5, kMatmulSamples = 8;
constexpr int kOtherInstanceSamples = 2;
constexpr std::uint64_t kSeed = 20261202;  // scripts/gpu_config_space.sh uses the same

/// How a kernel's sample is drawn, as scripts/gpu_config_space_translate.sh draws it: softmax
/// holds rows of 4096 (--full-extent 4096: the GPU script times it at 8192 x 4096), matmul's
/// sample takes every pipeline depth and tensor-core instruction (--cover).
tilecc::config::Config sample_base(const tilecc::ir::Kernel& k) {
  tilecc::config::Config c = tilecc::config::default_config(k);
  if (k.name == "softmax") c.full_extent = 4096;
  return c;
}
std::vector<std::string> sample_cover(const std::string& kernel) {
  if (kernel == "matmul") return {"range_num_stages[0]", "dot_instruction", "dot_operand_load"};
  return {};
}

struct Job {
  std::string example, arch, source, configs;
};

/// Starts a child process compiling the job (its log in log_file, exit status 0 on success).
pid_t start_compile(const Job& job, const std::filesystem::path& log_file) {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    nvrtcProgram program = nullptr;
    if (nvrtcCreateProgram(&program, job.source.c_str(), "configs.cu", 0, nullptr, nullptr) != NVRTC_SUCCESS) _exit(3);
    const std::string arch = "-arch=" + job.arch, templates = std::string("-I") + TILECC_TEMPLATES_DIR,
                      cuda = std::string("-I") + TILECC_CUDA_INCLUDE_DIR;
    const char* argv[] = {arch.c_str(), "--std=c++20", templates.c_str(), cuda.c_str()};
    const nvrtcResult status = nvrtcCompileProgram(program, 4, argv);
    std::size_t size = 0;
    nvrtcGetProgramLogSize(program, &size);
    std::string log(size, '\0');
    nvrtcGetProgramLog(program, log.data());
    std::ofstream(log_file) << log;
    _exit(status == NVRTC_SUCCESS ? 0 : 1);
  }
  return pid;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("5 random valid configs of every example kernel (8 of matmul) compile with NVRTC", "[nvrtc][config_space]") {
  const std::vector<std::filesystem::path> files = tilecc::test::example_files();
  REQUIRE(files.size() >= 13);

  std::vector<Job> jobs;
  for (const auto& file : files) {
    const tilecc::frontend::Result parsed = tilecc::frontend::parse(file.string(), {});
    INFO(file.filename().string());
    REQUIRE(parsed.ok);
    std::string source = "#include <tilecc/device.cuh>\n#include <tilecc/device/tensor_arg.cuh>\n", configs;
    int kernels = 0;
    // Per kernel name: configs valid for every template instance (a translated config applies
    // to all of them), drawn as `tilecc config-space --sample` draws them; every config for the
    // last instance (bf16 where there is one), the first few for the others too.
    std::map<std::string, std::vector<const tilecc::ir::Kernel*>> by_name;
    for (const tilecc::ir::Kernel& k : parsed.module.kernels) by_name[k.name].push_back(&k);
    for (const auto& [name, instances] : by_name) {
      std::vector<std::unique_ptr<tilecc::autotune::ConfigSpace>> owned;
      std::vector<const tilecc::autotune::ConfigSpace*> spaces;
      for (const tilecc::ir::Kernel* k : instances) {
        owned.push_back(std::make_unique<tilecc::autotune::ConfigSpace>(*k, sample_base(*k)));
        spaces.push_back(owned.back().get());
      }
      std::vector<tilecc::config::Config> sample;
      const int samples = name == "matmul" ? kMatmulSamples : kSamples;
      REQUIRE_NOTHROW(sample = tilecc::autotune::sample_configs(spaces, samples, kSeed, "sm_90a", sample_cover(name)));
      REQUIRE(sample.size() == static_cast<std::size_t>(samples));
      int tma_configs = 0;
      std::set<int> stages;
      for (int i = 0; i < samples; ++i) {
        const tilecc::config::Config& c = sample[static_cast<std::size_t>(i)];
        const auto some = [](const std::vector<bool>& v) { return std::find(v.begin(), v.end(), true) != v.end(); };
        tma_configs += some(c.load_tma) || some(c.store_tma);
        stages.insert(c.range_num_stages.begin(), c.range_num_stages.end());
        const std::string json = c.to_json();
        INFO(name << " " << json);
        for (std::size_t j = 0; j < instances.size(); ++j) {
          CHECK_FALSE(spaces[j]->check(c, "sm_90a").has_value());
          if (j + 1 != instances.size() && i >= kOtherInstanceSamples) continue;
          tilecc::ir::Kernel renamed = *instances[j];
          renamed.name = fmt::format("{}_c{}", name, i);
          tilecc::codegen::KernelCode code;
          REQUIRE_NOTHROW(code = tilecc::codegen::emit_kernel(renamed, c, {}));
          source += code.global_function;
          ++kernels;
        }
        configs += fmt::format("  {} {}: {}\n", i, name, json);
      }
      // The sample holds TMA where the space offers it (sm_90a), and every pipeline depth of
      // matmul (its f32 instance ignores them, see emit_cuda.cpp).
      INFO(name);
      bool offers_tma = false;
      for (const tilecc::autotune::Fragment& f : spaces.back()->fragments())
        offers_tma = offers_tma || f.name.find("_tma[") != std::string::npos;
      if (offers_tma) CHECK(tma_configs >= 1);
      if (name == "matmul")
        for (int depth : {2, 3, 4}) CHECK(stages.count(depth));
    }
    CHECK(kernels >= kSamples);
    jobs.push_back({file.filename().string(), "sm_90a", source, configs});
  }

  // Worker processes, one per core (at least 2), started from this thread only.
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  const std::size_t workers = static_cast<std::size_t>(std::max(2L, cores));
  const std::filesystem::path tmp = std::filesystem::temp_directory_path() /
                                    fmt::format("tilecc_config_space_{}", static_cast<long>(getpid()));
  std::filesystem::create_directories(tmp);
  std::map<pid_t, std::size_t> running;
  std::vector<std::string> failures;
  std::size_t next = 0;
  while (next < jobs.size() || !running.empty()) {
    while (next < jobs.size() && running.size() < workers) {
      running[start_compile(jobs[next], tmp / fmt::format("{}.log", next))] = next;
      ++next;
    }
    int status = 0;
    const pid_t done = waitpid(-1, &status, 0);
    REQUIRE(done > 0);
    const auto it = running.find(done);
    if (it == running.end()) continue;
    const Job& job = jobs[it->second];
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      failures.push_back(job.example + " " + job.arch + ": NVRTC failed\n" +
                         read_text(tmp / fmt::format("{}.log", it->second)).substr(0, 20000) + "\nconfigs:\n" +
                         job.configs);
    running.erase(it);
  }
  std::filesystem::remove_all(tmp);
  for (const std::string& f : failures) FAIL_CHECK(f);
  CHECK(failures.empty());
}
