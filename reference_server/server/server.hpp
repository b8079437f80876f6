// ftpspecd: the reference FTP server. One process, one Asio io_context per io thread (one per
// core by default), one coroutine per session, each session on one thread; embeddable (tests and
// the Python ReferenceServer start it in-process).
#pragma once
#include <cstdint>
#include <memory>

#include "server/config.hpp"

namespace ftpspecd {

class Server {
 public:
  explicit Server(Config config);
  ~Server();  ///< stops and joins
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds, starts serving on background threads (Config::io_threads) and returns the bound port.
  std::uint16_t start();
  /// Binds and serves on the calling thread (plus io_threads - 1 more) until stop().
  void run();
  /// Closes the listener and every session; safe from any thread, idempotent.
  void stop();
  std::uint16_t port() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ftpspecd
