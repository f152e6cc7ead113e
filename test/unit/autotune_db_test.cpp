// The tuning database: keys, keep-the-faster, entries that could not be read back refused, and
// concurrent writers (processes, some killed mid-write) that never lose or tear entries.
#include "autotune/database.hpp"

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>

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

TEST_CASE("a time or config that cannot be read back is refused, the file untouched", "[db]") {
  const auto path = fresh_db("refused.json");
  const TuningDb db(path);
  db.record({key("kept"), {{"num_warps", 4}}, 2.0, "", {}});
  const std::string before = [&] {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  // Infinity and NaN would be written as null, and a null time makes the whole file malformed.
  for (const double ms : {std::numeric_limits<double>::infinity(), std::nan(""), -1.0})
    CHECK_THROWS_WITH(db.record({key("bad"), {{"num_warps", 8}}, ms, "", {}}, true),
                      Catch::Contains("refusing to record") && Catch::Contains("not a finite, non-negative number"));
  CHECK_THROWS_WITH(db.record({key("bad"), nullptr, 1.0, "", {}}, true), Catch::Contains("not a JSON object"));
  std::ifstream in(path);
  CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == before);
  CHECK(db.entries().size() == 1);
}

namespace {

/// Forks `processes` writers; writer p records `each` entries of its own kernel and shape, and
/// writes one byte to `progress` after each record() returns. Returns the children's ids.
std::vector<pid_t> fork_writers(const std::filesystem::path& path, int processes, int each, int progress = -1) {
  std::vector<pid_t> children;
  for (int p = 0; p < processes; ++p) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {  // never back into the test runner: every way out is _exit
      try {
        const TuningDb db(path);
        for (int i = 0; i < each; ++i) {
          DbKey k = key(std::to_string(p) + "/" + std::to_string(i));
          k.kernel = "kernel" + std::to_string(p);
          db.record({k, {{"num_warps", 1 + i % 8}}, 1.0 + i, "", {{"writer", p}}});
          if (progress >= 0 && ::write(progress, "x", 1) != 1) ::_exit(2);
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "writer %d: %s\n", p, e.what());
        ::_exit(1);
      }
      ::_exit(0);
    }
    children.push_back(pid);
  }
  return children;
}

}  // namespace

TEST_CASE("concurrent writers lose nothing", "[db]") {
  const auto path = fresh_db("concurrent.json");
  constexpr int kProcesses = 8, kEach = 25;
  // A reader alongside: the file it sees is always whole (the old one or the new one).
  const pid_t reader = ::fork();
  REQUIRE(reader >= 0);
  if (reader == 0) {
    const TuningDb db(path);
    for (int i = 0; i < 400; ++i) try {
        (void)db.entries();
      } catch (const std::exception&) {
        ::_exit(3);
      }
    ::_exit(0);
  }
  const std::vector<pid_t> children = fork_writers(path, kProcesses, kEach);
  for (pid_t c : children) {
    int status = 0;
    ::waitpid(c, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  int status = 0;
  ::waitpid(reader, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);  // 3: it once read a torn or empty file
  const TuningDb db(path);
  const std::vector<DbEntry> entries = db.entries();
  CHECK(entries.size() == kProcesses * kEach);
  for (int p = 0; p < kProcesses; ++p)
    for (int i = 0; i < kEach; ++i) {
      DbKey k = key(std::to_string(p) + "/" + std::to_string(i));
      k.kernel = "kernel" + std::to_string(p);
      const std::optional<DbEntry> e = db.find(k);
      REQUIRE(e);
      CHECK(e->ms == 1.0 + i);
      CHECK(e->config.at("num_warps") == 1 + i % 8);
    }
  std::filesystem::remove_all(path.parent_path());
}

TEST_CASE("writers killed mid-write lose nothing that was recorded and leave no temporary", "[db]") {
  const auto path = fresh_db("killed.json");
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  constexpr int kProcesses = 4, kEach = 400;  // more than they can write before the kill
  const std::vector<pid_t> children = fork_writers(path, kProcesses, kEach, pipe_fds[1]);
  ::close(pipe_fds[1]);
  // Kill them all once they are well under way: some in the middle of a write.
  char buf[64];
  int recorded = 0;
  while (recorded < 60) {
    const ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
    REQUIRE(n > 0);
    recorded += static_cast<int>(n);
  }
  for (pid_t c : children) ::kill(c, SIGKILL);
  for (pid_t c : children) ::waitpid(c, nullptr, 0);
  for (ssize_t n; (n = ::read(pipe_fds[0], buf, sizeof buf)) > 0;) recorded += static_cast<int>(n);
  ::close(pipe_fds[0]);
  // Every record() that returned is in the file (one more may have landed before its byte).
  const TuningDb db(path);
  const std::size_t before = db.entries().size();
  CHECK(before >= static_cast<std::size_t>(recorded));
  CHECK(before <= static_cast<std::size_t>(recorded + kProcesses));
  // The next writer sweeps the killed writers' temporaries (one planted, in case no kill landed
  // mid-write) and keeps every entry.
  std::ofstream(path.string() + ".tmp.999999") << "{\"entries\": {";
  db.record({key("after"), {{"num_warps", 4}}, 1.0, "", {}});
  CHECK(db.entries().size() == before + 1);
  for (const auto& f : std::filesystem::directory_iterator(path.parent_path()))
    CHECK(f.path().filename().string().find(".tmp.") == std::string::npos);
  std::filesystem::remove_all(path.parent_path());
}

TEST_CASE("a database known by a symlink is written in place, under the file's one lock", "[db]") {
  const auto path = fresh_db("real.json");
  const auto link = path.parent_path() / "link.json";
  std::filesystem::remove(link);
  std::filesystem::create_symlink(path.filename(), link);
  TuningDb(path).record({key("by path"), {{"num_warps", 4}}, 1.0, "", {}});
  TuningDb(link).record({key("by link"), {{"num_warps", 8}}, 1.0, "", {}});
  CHECK(std::filesystem::is_symlink(link));  // not replaced by a copy
  CHECK(TuningDb(path).entries().size() == 2);
  CHECK(TuningDb(link).entries().size() == 2);
  CHECK_FALSE(std::filesystem::exists(path.parent_path() / "link.json.lock"));  // the file's lock, not the name's
  std::filesystem::remove_all(path.parent_path());
}
