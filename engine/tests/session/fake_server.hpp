// A scripted fake FTP server for session tests: plain POSIX sockets on loopback (so the bytes and
// their segmentation are exactly what the script says), every wait bounded by poll().
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

namespace ftpspec::testing {

using namespace std::chrono_literals;

/// One accepted connection, seen from the server side.
class FakePeer {
 public:
  explicit FakePeer(int fd) : fd_(fd) {
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // one send() -> one segment
  }
  ~FakePeer() { close(); }
  FakePeer(const FakePeer&) = delete;
  FakePeer& operator=(const FakePeer&) = delete;
  FakePeer(FakePeer&& other) noexcept : fd_(std::exchange(other.fd_, -1)), buffer_(std::move(other.buffer_)) {}

  void send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("fake server: send failed");
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  /// Sends one byte per segment, pausing in between so the client sees them one by one.
  void send_bytewise(std::string_view bytes) {
    for (char c : bytes) {
      send(std::string_view(&c, 1));
      std::this_thread::sleep_for(1ms);
    }
  }
  /// The next line without its CRLF; nullopt on EOF or after `timeout`.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (const auto lf = buffer_.find('\n'); lf != std::string::npos) {
        std::string line = buffer_.substr(0, lf);
        buffer_.erase(0, lf + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      if (!fill(deadline)) return std::nullopt;
    }
  }
  /// Reads everything until the client closes; nullopt when it did not close within `timeout`.
  std::optional<std::string> read_all(std::chrono::milliseconds timeout = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (fill(deadline)) {
    }
    if (!eof_) return std::nullopt;
    return std::exchange(buffer_, {});
  }
  /// The TCP urgent byte (MSG_OOB), once it arrives; nullopt after `timeout`.
  std::optional<char> read_urgent(std::chrono::milliseconds timeout = 5000ms) {
    pollfd p{fd_, POLLPRI, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    char byte = 0;
    if (::recv(fd_, &byte, 1, MSG_OOB) != 1) return std::nullopt;
    return byte;
  }
  /// Like send(), but false instead of an exception once the client has gone (flooding scripts).
  bool try_send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  /// Closes with an RST instead of a FIN (SO_LINGER with a zero timeout).
  void reset() {
    const linger abort_on_close{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
    close();
  }
  /// The socket, e.g. to run a TLS server on it (the peer keeps owning it).
  int fd() const noexcept { return fd_; }
  bool saw_eof() const noexcept { return eof_; }
  void close() {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  }

 private:
  bool fill(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char chunk[4096];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
};

/// A listening socket on 127.0.0.1, ephemeral port.
class FakeListener {
 public:
  FakeListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd_, 8) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("fake server: cannot listen");
    port_ = ntohs(addr.sin_port);
  }
  ~FakeListener() { ::close(fd_); }
  FakeListener(const FakeListener&) = delete;
  FakeListener& operator=(const FakeListener&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  /// Waits for one client; throws after `timeout` so a script never hangs.
  FakePeer accept(std::chrono::milliseconds timeout = 5000ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) throw std::runtime_error("fake server: no client");
    const int client = ::accept(fd_, nullptr, nullptr);
    if (client < 0) throw std::runtime_error("fake server: accept failed");
    return FakePeer(client);
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

/// Runs `script` on a thread for the first client that connects; the destructor joins.
class FakeServer {
 public:
  explicit FakeServer(std::function<void(FakePeer&)> script)
      : thread_([this, script = std::move(script)] {
          try {
            FakePeer peer = listener_.accept();
            script(peer);
          } catch (const std::exception& e) {
            error_ = e.what();
          }
        }) {}
  ~FakeServer() { join(); }
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  std::uint16_t port() const noexcept { return listener_.port(); }
  /// Waits for the script to end; returns what went wrong in it ("" when nothing did).
  std::string join() {
    if (thread_.joinable()) thread_.join();
    return error_;
  }

 private:
  FakeListener listener_;
  std::string error_;
  std::thread thread_;
};

}  // namespace ftpspec::testing
