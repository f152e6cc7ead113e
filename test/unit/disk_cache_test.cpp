// The cubin cache's entries are checked when read: a changed byte, a truncation or foreign
// content reads as a miss and the entry is removed (the next store rebuilds it); an entry
// of another format version is a quiet miss.
#include "runtime/cache.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace rt = tilecc::runtime;

namespace {

std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("tilecc-disk-cache-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_file(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

// A payload of the size of a small cubin, with NUL bytes.
std::string cubin_like() {
  std::string s = std::string(
                      "\x7f"
                      "ELF",
                      4) +
                  std::string(1, '\0');
  for (int i = 0; i < 4000; ++i) s += static_cast<char>((i * 131) & 0xff);
  return s;
}

}  // namespace

TEST_CASE("a cache entry with a changed byte reads as a miss, is removed and rebuilt", "[cache]") {
  const auto dir = fresh_dir("flip");
  const rt::DiskCache cache(dir);
  const std::string payload = cubin_like();
  cache.store("k", payload);
  REQUIRE(cache.load("k") == payload);
  const auto path = cache.path_of("k");
  const std::string good = read_file(path);

  // One byte in the middle of the cubin, the length unchanged: only the checksum sees it.
  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x01;
  write_file(path, flipped);
  std::string why;
  CHECK_FALSE(cache.load("k", &why));
  CHECK(why.find("checksum") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(path));  // discarded
  cache.store("k", payload);                   // what compile_cached does after compiling again
  CHECK(cache.load("k") == payload);
  std::filesystem::remove_all(dir);
}

TEST_CASE("truncated, empty, foreign and damaged-header entries are corrupt; another version's is stale", "[cache]") {
  const auto dir = fresh_dir("damage");
  const rt::DiskCache cache(dir);
  const std::string payload = cubin_like();
  cache.store("k", payload);
  const auto path = cache.path_of("k");
  const std::string good = read_file(path);
  const std::size_t header_end = good.find('\n', good.find('\n') + 1);

  struct Damage {
    const char* what;
    std::string bytes;
    const char* why;
  };
  std::string bad_header = good;
  bad_header[header_end - 1] = 'z';  // the last hash digit: no longer 32 hex digits of this content
  const Damage damages[] = {
      {"truncated in the payload", good.substr(0, good.size() / 2), "bytes"},
      {"truncated in the closing magic", good.substr(0, good.size() - 3), "bytes"},
      {"one byte appended", good + "x", "bytes"},
      {"empty", "", "header"},
      {"foreign content", "not a cache entry at all\n", "header"},
      {"damaged header", bad_header, "checksum"},
      {"header without a hash", "tilecc-cache-v2\n4\nabcdtilecc-cache-v2\n", "header"},
  };
  for (const Damage& d : damages) {
    INFO(d.what);
    write_file(path, d.bytes);
    std::string why;
    CHECK_FALSE(cache.load("k", &why));
    CHECK(why.find(d.why) != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(path));
  }

  // An entry written by another format version: a miss, not reported as corrupt.
  write_file(path, "tilecc-cache-v1\n5\nhellotilecc-cache-v1\n");
  std::string why;
  CHECK_FALSE(cache.load("k", &why));
  CHECK(why.empty());
  cache.store("k", payload);
  CHECK(cache.load("k") == payload);
  std::filesystem::remove_all(dir);
}
