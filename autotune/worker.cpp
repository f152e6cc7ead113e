#include "autotune/worker.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <cerrno>
#include <cstdio>
#include <iostream>
#include <stdexcept>

namespace tilecc::autotune {

namespace {
nlohmann::json crash(const std::string& why) { return {{"ok", false}, {"error", why}, {"crashed", true}}; }
double now_s() { return steady_seconds(); }
}  // namespace

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

Worker::Worker(std::vector<std::string> argv, std::string stderr_path)
    : argv_(std::move(argv)), stderr_path_(std::move(stderr_path)) {}

Worker::Worker(Worker&& o) noexcept
    : argv_(std::move(o.argv_)), stderr_path_(std::move(o.stderr_path_)), pid_(o.pid_), in_fd_(o.in_fd_),
      out_fd_(o.out_fd_), starts_(o.starts_), buffer_(std::move(o.buffer_)) {
  o.pid_ = o.in_fd_ = o.out_fd_ = -1;
}

Worker::~Worker() {
  if (pid_ > 0) {
    ::close(in_fd_);  // EOF: the worker's loop ends
    in_fd_ = -1;
    for (int i = 0; i < 100; ++i) {  // up to 1 s for a clean exit, then SIGKILL
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      ::usleep(10000);
    }
    if (pid_ > 0) kill("shutdown");
  }
  if (out_fd_ >= 0) ::close(out_fd_);
}

void Worker::start() {
  int to_child[2], from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0)
    throw std::runtime_error("tilecc tune: cannot create pipes for a worker");
  std::vector<char*> args;
  for (std::string& a : argv_) args.push_back(a.data());
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("tilecc tune: cannot fork a worker");
  if (pid == 0) {
    ::setpgid(0, 0);  // its own process group: a kill takes whatever it started too
    ::dup2(to_child[0], 0);
    ::dup2(from_child[1], 1);
    if (!stderr_path_.empty()) {
      const int err = ::open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (err >= 0) ::dup2(err, 2);
    }
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  ::setpgid(pid, pid);  // also here: no race with the child's own call
  pid_ = pid;
  in_fd_ = to_child[1];
  out_fd_ = from_child[0];
  buffer_.clear();
  ++starts_;
  ::signal(SIGPIPE, SIG_IGN);  // a dead worker shows as a failed write, not a dead tuner
}

void Worker::kill(const std::string&) {
  if (pid_ > 0) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (in_fd_ >= 0) ::close(in_fd_);
  if (out_fd_ >= 0) ::close(out_fd_);
  pid_ = in_fd_ = out_fd_ = -1;
  buffer_.clear();
}

void Worker::send(const nlohmann::json& message) {
  if (pid_ <= 0) start();
  const std::string line = message.dump() + "\n";
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(in_fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the worker died: receive() reports it
    done += static_cast<std::size_t>(n);
  }
}

bool Worker::receive(nlohmann::json& answer) {
  char chunk[65536];
  const ssize_t n = ::read(out_fd_, chunk, sizeof chunk);
  if (n < 0 && errno == EINTR) return false;
  if (n <= 0) {
    int status = 0;
    std::string why = "worker exited";
    if (pid_ > 0) ::kill(-pid_, SIGKILL);  // what it started, if anything
    if (pid_ > 0 && ::waitpid(pid_, &status, 0) == pid_) {
      if (WIFSIGNALED(status))
        why = "worker killed by signal " + std::to_string(WTERMSIG(status));
      else if (WIFEXITED(status))
        why = "worker exited with status " + std::to_string(WEXITSTATUS(status));
      pid_ = -1;
    }
    kill(why);
    answer = crash(why);
    return true;
  }
  buffer_.append(chunk, static_cast<std::size_t>(n));
  const std::size_t eol = buffer_.find('\n');
  if (eol == std::string::npos) return false;
  const std::string line = buffer_.substr(0, eol);
  buffer_.erase(0, eol + 1);
  try {
    answer = nlohmann::json::parse(line);
  } catch (const std::exception&) {
    kill("malformed answer");
    answer = crash("worker sent a malformed answer");
  }
  if (answer.value("exit", false)) kill("asked to exit");
  return true;
}

nlohmann::json Worker::request(const nlohmann::json& message, double timeout_s) {
  std::vector<Worker> one;
  one.push_back(std::move(*this));
  nlohmann::json answer = run_parallel(one, {message}, timeout_s).at(0);
  *this = std::move(one[0]);
  return answer;
}

Worker& Worker::operator=(Worker&& o) noexcept {
  if (this != &o) {
    if (pid_ > 0) kill("replaced");
    argv_ = std::move(o.argv_);
    stderr_path_ = std::move(o.stderr_path_);
    pid_ = o.pid_;
    in_fd_ = o.in_fd_;
    out_fd_ = o.out_fd_;
    starts_ = o.starts_;
    buffer_ = std::move(o.buffer_);
    o.pid_ = o.in_fd_ = o.out_fd_ = -1;
  }
  return *this;
}

std::vector<nlohmann::json> run_parallel(std::vector<Worker>& workers, const std::vector<nlohmann::json>& requests,
                                         double timeout_s,
                                         const std::function<void(std::size_t, const nlohmann::json&)>& done,
                                         const std::function<bool()>& stop) {
  std::vector<nlohmann::json> answers(requests.size());
  std::vector<long> job(workers.size(), -1);  // request index per worker
  std::vector<double> started(workers.size(), 0);
  std::size_t next = 0, finished = 0;
  auto finish = [&](std::size_t w, nlohmann::json answer) {
    const auto i = static_cast<std::size_t>(job[w]);
    answer["worker_seconds"] = now_s() - started[w];
    answers[i] = std::move(answer);
    job[w] = -1;
    ++finished;
    if (done) done(i, answers[i]);
  };
  while (finished < requests.size()) {
    if (stop && stop()) {
      const nlohmann::json stopped = {{"ok", false}, {"stopped", true}, {"error", "stopped at the deadline"}};
      for (std::size_t w = 0; w < workers.size(); ++w)
        if (job[w] >= 0) {
          workers[w].kill("stopped");
          finish(w, stopped);
        }
      for (; next < requests.size(); ++next) {
        answers[next] = stopped;
        ++finished;
        if (done) done(next, answers[next]);
      }
      break;
    }
    for (std::size_t w = 0; w < workers.size() && next < requests.size(); ++w)
      if (job[w] < 0) {
        job[w] = static_cast<long>(next);
        started[w] = now_s();
        try {
          workers[w].send(requests[next]);
        } catch (const std::exception& e) {
          ++next;
          finish(w, crash(e.what()));
          continue;
        }
        ++next;
      }
    std::vector<pollfd> fds;
    std::vector<std::size_t> who;
    double wait_s = stop ? std::min(timeout_s, 0.2) : timeout_s;
    for (std::size_t w = 0; w < workers.size(); ++w)
      if (job[w] >= 0) {
        fds.push_back({workers[w].fd(), POLLIN, 0});
        who.push_back(w);
        wait_s = std::min(wait_s, started[w] + timeout_s - now_s());
      }
    if (fds.empty()) continue;
    const int ready = ::poll(fds.data(), fds.size(), std::max(0, static_cast<int>(wait_s * 1000) + 1));
    if (ready < 0 && errno != EINTR) throw std::runtime_error("tilecc tune: poll failed");
    for (std::size_t k = 0; k < fds.size(); ++k) {
      const std::size_t w = who[k];
      if (fds[k].revents & (POLLIN | POLLHUP | POLLERR)) {
        nlohmann::json answer;
        if (workers[w].receive(answer)) finish(w, std::move(answer));
      } else if (now_s() - started[w] > timeout_s) {
        workers[w].kill("timeout");
        nlohmann::json answer = crash(fmt::format("timed out after {:.3g} s", timeout_s));
        answer["timeout"] = true;  // not a crash of its own: the caller tells the two apart
        finish(w, std::move(answer));
      }
    }
  }
  return answers;
}

std::string self_executable() {
  char path[4096];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) throw std::runtime_error("tilecc tune: cannot find its own executable (/proc/self/exe)");
  return std::string(path, static_cast<std::size_t>(n));
}

int serve(const std::function<nlohmann::json(const nlohmann::json&)>& handle) {
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    nlohmann::json answer;
    try {
      answer = handle(nlohmann::json::parse(line));
    } catch (const std::exception& e) {
      answer = {{"ok", false}, {"error", e.what()}};
    }
    std::cout << answer.dump() << "\n" << std::flush;
    if (answer.value("exit", false)) return 3;
  }
  return 0;
}

}  // namespace tilecc::autotune
