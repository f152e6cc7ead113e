// Input and output files of the tilecc subcommands.
//
// Inputs must be regular files: reading a FIFO or a terminal would wait forever, a device
// could never end. An output is checked before any work: it may not be an input (the
// user's source would be replaced), a directory, or a special file other than a character
// device; a regular output is written to a temporary file beside it and renamed into place,
// so it is whole or absent, and the temporary file is removed on every failure. Character
// devices and pipes (/dev/null, /dev/stdout) are written through: renaming over one would
// replace the device node (when run as root) or the pipe instead of writing to it.
#pragma once

#include <fmt/format.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace tilecc::cli {

/// Prints `message` and ends the subcommand with status 1.
[[noreturn]] inline void fail_file(const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  throw CLI::RuntimeError(1);
}

/// Refuses an input that is missing or not a regular file. `command`: "tilecc translate".
inline void check_input(const std::string& command, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    fail_file(fmt::format("{}: cannot read '{}': {}", command, path, std::strerror(errno)));
  if (S_ISDIR(st.st_mode)) fail_file(fmt::format("{}: '{}' is a directory, not a file", command, path));
  if (!S_ISREG(st.st_mode))
    fail_file(fmt::format("{}: '{}' is not a regular file (a pipe or device cannot be read as a kernel or config)",
                          command, path));
}

/// The whole text of a regular file.
inline std::string read_input(const std::string& command, const std::string& path) {
  check_input(command, path);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_file(fmt::format("{}: cannot read '{}'", command, path));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) fail_file(fmt::format("{}: cannot read '{}'", command, path));
  return ss.str();
}

/// Refuses, before any work, an output that names one of `inputs`, a directory or a special
/// file other than a character device or a pipe. "-" is stdout.
inline void check_output(const std::string& command, const std::string& path, const std::vector<std::string>& inputs) {
  if (path == "-") return;
  struct stat out {};
  if (::stat(path.c_str(), &out) != 0) return;  // a new file
  if (S_ISDIR(out.st_mode)) fail_file(fmt::format("{}: output '{}' is a directory; name a file", command, path));
  for (const std::string& in : inputs) {
    struct stat st {};
    if (::stat(in.c_str(), &st) == 0 && st.st_dev == out.st_dev && st.st_ino == out.st_ino)
      fail_file(
          fmt::format("{}: output '{}' is the input '{}'; writing it would replace the input", command, path, in));
  }
  if (!S_ISREG(out.st_mode) && !S_ISCHR(out.st_mode) && !S_ISFIFO(out.st_mode))
    fail_file(fmt::format("{}: output '{}' is not a regular file, a pipe or a character device", command, path));
}

/// Writes the whole output or nothing (see the top of this file).
inline void write_output(const std::string& command, const std::string& path, const std::string& text) {
  if (path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return;
  }
  struct stat out {};
  if (::stat(path.c_str(), &out) == 0 && (S_ISCHR(out.st_mode) || S_ISFIFO(out.st_mode))) {
    std::ofstream dev(path, std::ios::binary);
    dev << text;
    dev.flush();
    if (!dev) fail_file(fmt::format("{}: cannot write '{}'", command, path));
    return;
  }
  // Through a symbolic link (an output named by a link, /dev/stdout redirected to a file), the
  // file it names is replaced, not the link.
  std::string target = path;
  if (char* real = ::realpath(path.c_str(), nullptr)) {
    target = real;
    std::free(real);
  }
  std::string tmp = target + ".XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) fail_file(fmt::format("{}: cannot write '{}': {}", command, path, std::strerror(errno)));
  // mkstemp creates the file 0600: give it the mode a newly created file would have.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  bool ok = ::fchmod(fd, 0666 & ~mask) == 0;
  for (std::size_t done = 0; ok && done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  const int saved = errno;
  ok = ::close(fd) == 0 && ok;
  if (ok && std::rename(tmp.c_str(), target.c_str()) == 0) return;
  const int why = ok ? errno : saved;
  std::remove(tmp.c_str());
  fail_file(fmt::format("{}: cannot write '{}': {}", command, path, std::strerror(why)));
}

}  // namespace tilecc::cli
