// The tuning database: keys, keep-the-faster, and concurrent writers (processes) that never
// lose or tear entries.
#include "autotune/database.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace tilecc::autotune;

namespace {
DbKey key(const std::string& spec) {
  return {"0123abcd", "softmax<tilecc::bf16>", spec, "NVIDIA H200", "9.0", "0.1.0", "fedcba9876543210"};
}
std::filesystem::path fresh_db(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("tilecc_db_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / name;
  std::filesystem::remove(path);
  return path;
}
}  // namespace

TEST_CASE("database keys differ in every field and are stable", "[db]") {
  const DbKey a = key("x:bf16[8192,4096]");
  CHECK(a.hash().size() == 32);
  CHECK(a.hash() == key("x:bf16[8192,4096]").hash());
  DbKey b = a;
  b.gpu = "NVIDIA H100";
  CHECK(a.hash() != b.hash());
  b = a;
  b.space = "0000000000000000";
  CHECK(a.hash() != b.hash());
  CHECK(DbKey::from_json(a.to_json()).hash() == a.hash());
}

TEST_CASE("record keeps the faster entry unless told to replace", "[db]") {
  const TuningDb db(fresh_db("keep.json"));
  CHECK(!db.find(key("s")));
  db.record({key("s"), {{"num_warps", 4}}, 2.0, "", {}});
  db.record({key("s"), {{"num_warps", 8}}, 3.0, "", {}});  // slower: kept out
  REQUIRE(db.find(key("s")));
  CHECK(db.find(key("s"))->config.at("num_warps") == 4);
  db.record({key("s"), {{"num_warps", 8}}, 3.0, "", {}}, true);
  CHECK(db.find(key("s"))->config.at("num_warps") == 8);
  CHECK(!db.find(key("s"))->tuned_at.empty());
}

TEST_CASE("concurrent writers lose nothing", "[db]") {
  const auto path = fresh_db("concurrent.json");
  constexpr int kProcesses = 6, kEach = 8;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      const TuningDb db(path);
      for (int i = 0; i < kEach; ++i) db.record({key(std::to_string(p) + "/" + std::to_string(i)), {}, 1.0, "", {}});
      ::_exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t c : children) {
    int status = 0;
    ::waitpid(c, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  const TuningDb db(path);
  CHECK(db.entries().size() == kProcesses * kEach);
  std::filesystem::remove_all(path.parent_path());
}
