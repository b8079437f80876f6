// ftpspecd: the reference FTP server. One process, one Asio io_context, one coroutine per
// session; embeddable (tests and the Python ReferenceServer start it in-process).
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

  /// Binds, starts serving on a background thread and returns the bound port.
  std::uint16_t start();
  /// Binds and serves on the calling thread until stop() (or SIGINT/SIGTERM in main).
  void run();
  /// Closes the listener and every session; safe from any thread, idempotent.
  void stop();
  std::uint16_t port() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ftpspecd
