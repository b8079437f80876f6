// Starts the server under test (`ftpspec run --launch 'COMMAND'`) with Boost.Process v1 through
// /bin/sh, learns its port from a "listening on HOST:PORT" line on its output (or waits until the
// given port accepts), keeps its output for the results, and terminates it afterwards.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace ftpspec::run {

struct LaunchedAddress {
  std::string host;
  std::uint16_t port = 0;
};

/// Finds "listening on HOST:PORT" (HOST may be a bracketed IPv6 literal) in one output line.
std::optional<LaunchedAddress> parse_listening_line(std::string_view line);

class LaunchedServer {
 public:
  /// Starts `command` with stdout and stderr captured. Throws std::runtime_error if it cannot start.
  explicit LaunchedServer(const std::string& command);
  ~LaunchedServer();  ///< terminates the process
  LaunchedServer(const LaunchedServer&) = delete;
  LaunchedServer& operator=(const LaunchedServer&) = delete;

  /// Waits for a "listening on" line. Throws std::runtime_error on timeout or early exit.
  LaunchedAddress wait_listening(std::chrono::milliseconds timeout);
  /// Waits until host:port accepts a TCP connection. Throws std::runtime_error on timeout.
  void wait_accepting(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout);
  /// SIGTERM, then SIGKILL after `grace`; idempotent.
  void terminate(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));
  /// The process id of `/bin/sh -c COMMAND` (the server itself when COMMAND starts with `exec`).
  int pid() const;
  /// Everything the process wrote so far (stdout and stderr interleaved).
  std::string output() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ftpspec::run
