// Worker processes: JSON lines both ways, answers in request order, a hung worker killed
// at its timeout and a dead one reported, then replaced on the next request; a deadline stops
// a whole batch.
#include "autotune/worker.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <vector>

using tilecc::autotune::run_parallel;
using tilecc::autotune::Worker;

namespace {
// Echoes each request's "n" back doubled; "sleep" seconds first; "die" exits.
Worker echo_worker() {
  return Worker({"/bin/sh", "-c",
                 "while read -r line; do "
                 "  case \"$line\" in *die*) exit 7;; esac; "
                 "  s=$(echo \"$line\" | sed -n 's/.*\"sleep\":\\([0-9]*\\).*/\\1/p'); [ -n \"$s\" ] && sleep \"$s\"; "
                 "  n=$(echo \"$line\" | sed -n 's/.*\"n\":\\([0-9]*\\).*/\\1/p'); "
                 "  echo \"{\\\"ok\\\":true,\\\"twice\\\":$((n * 2))}\"; "
                 "done"});
}
}  // namespace

TEST_CASE("a worker answers requests in order and restarts after dying", "[worker]") {
  Worker w = echo_worker();
  CHECK(w.request({{"n", 4}}, 10).at("twice") == 8);
  CHECK(w.request({{"n", 5}}, 10).at("twice") == 10);
  CHECK(w.starts() == 1);
  const nlohmann::json dead = w.request({{"die", true}}, 10);
  CHECK_FALSE(dead.at("ok").get<bool>());
  CHECK(dead.at("crashed").get<bool>());
  CHECK(dead.at("error").get<std::string>().find("status 7") != std::string::npos);
  CHECK_FALSE(dead.value("timeout", false));  // died on its own: not a timeout
  CHECK(w.request({{"n", 6}}, 10).at("twice") == 12);
  CHECK(w.starts() == 2);
}

TEST_CASE("run_parallel keeps request order, runs in parallel and kills a hung worker", "[worker]") {
  std::vector<Worker> pool;
  for (int i = 0; i < 4; ++i) pool.push_back(echo_worker());
  std::vector<nlohmann::json> requests;
  for (int i = 0; i < 8; ++i) requests.push_back({{"n", i}, {"sleep", 1}});
  requests.push_back({{"n", 99}, {"sleep", 30}});  // hangs past the timeout
  const auto t0 = std::chrono::steady_clock::now();
  int done = 0;
  const auto answers = run_parallel(pool, requests, 4.0, [&](std::size_t, const nlohmann::json&) { ++done; });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(answers.size() == requests.size());
  for (int i = 0; i < 8; ++i) CHECK(answers[static_cast<std::size_t>(i)].at("twice") == 2 * i);
  CHECK_FALSE(answers[8].at("ok").get<bool>());
  CHECK(answers[8].at("error").get<std::string>().find("timed out") != std::string::npos);
  CHECK(answers[8].value("timeout", false));
  CHECK(done == 9);
  CHECK(seconds < 12);  // 8 one-second jobs on 4 workers (~2-3 s) and a 4 s timeout, not 38 s
}

TEST_CASE("run_parallel stops when told: busy workers killed, the rest unsent", "[worker]") {
  std::vector<Worker> pool;
  for (int i = 0; i < 2; ++i) pool.push_back(echo_worker());
  std::vector<nlohmann::json> requests = {{{"n", 1}}, {{"n", 2}, {"sleep", 30}}, {{"n", 3}, {"sleep", 30}}, {{"n", 4}}};
  const double t0 = tilecc::autotune::steady_seconds();
  int done = 0;
  const auto answers = run_parallel(
      pool, requests, 60.0, [&](std::size_t, const nlohmann::json&) { ++done; },
      [&] { return tilecc::autotune::steady_seconds() > t0 + 1.5; });
  const double seconds = tilecc::autotune::steady_seconds() - t0;
  CHECK(answers[0].at("twice") == 2);
  for (std::size_t i = 1; i < 4; ++i) {
    CHECK_FALSE(answers[i].at("ok").get<bool>());
    CHECK(answers[i].value("stopped", false));
  }
  CHECK(done == 4);
  CHECK(seconds < 5);
  CHECK(pool[0].request({{"n", 5}}, 10).at("twice") == 10);  // a stopped worker starts afresh
}
