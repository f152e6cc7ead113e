// Worker processes speaking JSON lines over pipes.
//
// NVRTC compiles one program at a time per process, and a kernel that faults
// or hangs can take its CUDA context (or its process) down with it, so the
// tuner compiles in a pool of worker processes and benchmarks in another one.
// A worker is this same executable started as `tilecc tune-worker --role R`:
// it reads one JSON request per line on stdin and answers one JSON line on
// stdout. A request that is not answered in time gets the worker killed
// (SIGKILL); the next request starts a fresh one.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace tilecc::autotune {

class Worker {
 public:
  /// `argv[0]` is the program to run (started lazily, on the first request); its stderr
  /// goes to `stderr_path` (empty: inherited).
  explicit Worker(std::vector<std::string> argv, std::string stderr_path = {});
  ~Worker();
  Worker(Worker&& o) noexcept;
  Worker& operator=(Worker&& o) noexcept;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  /// Sends one request and waits at most `timeout_s` for the answer. On timeout, exit or a
  /// malformed answer the worker is killed and {"ok": false, "error": why, "crashed": true}
  /// is returned, with "timeout": true when it was the timeout.
  nlohmann::json request(const nlohmann::json& message, double timeout_s);

  // Split form, for a pool: send, then wait for readable() and call receive().
  void send(const nlohmann::json& message);
  int fd() const { return out_fd_; }
  /// Reads what is available; true once a whole line arrived (then `answer` holds it) or the
  /// worker died (then `answer` is the crash answer).
  bool receive(nlohmann::json& answer);
  void kill(const std::string& why);
  bool running() const { return pid_ > 0; }
  int starts() const { return starts_; }

 private:
  void start();
  std::vector<std::string> argv_;
  std::string stderr_path_;
  int pid_ = -1, in_fd_ = -1, out_fd_ = -1, starts_ = 0;
  std::string buffer_;
};

/// Runs `requests` on `workers` in parallel (one request per worker at a time), each with
/// `timeout_s`; answers come back in request order. `done(i, answer)` is called as each
/// finishes (for progress lines). Once `stop()` says so (asked at least every 0.2 s) the busy
/// workers are killed and every unanswered request answers {"ok": false, "stopped": true, "error"}.
std::vector<nlohmann::json> run_parallel(std::vector<Worker>& workers, const std::vector<nlohmann::json>& requests,
                                         double timeout_s,
                                         const std::function<void(std::size_t, const nlohmann::json&)>& done = {},
                                         const std::function<bool()>& stop = {});

/// Seconds of the steady clock.
double steady_seconds();

/// The path of the running executable (/proc/self/exe).
std::string self_executable();

/// A worker's main loop: answers each stdin line with handle(request) on stdout until EOF.
/// An exception becomes {"ok": false, "error": what}. handle may set "exit": true in its
/// answer to end the loop after answering (a poisoned CUDA context).
int serve(const std::function<nlohmann::json(const nlohmann::json&)>& handle);

}  // namespace tilecc::autotune
