// Blocking TCP operations with a deadline over an io_context that runs only inside each call
// (Asio's blocking_tcp_client example): start one async operation, run_for(timeout), and cancel it
// on expiry. Every wait on the network is bounded; no operation throws, all report an error_code.
//
// A timeout is reported as boost::asio::error::timed_out. Control-connection reads only cancel the
// pending operation on expiry, so the connection stays usable (a harness may still send ABOR/QUIT).
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace ftpspec::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

/// Runs `io` until the one operation started on it completes or `timeout` expires. On expiry calls
/// `cancel` and drains the aborted handler. Returns false when the deadline expired first.
bool run_until_complete(asio::io_context& io, std::chrono::milliseconds timeout, const std::function<void()>& cancel);

/// Formats an endpoint as "127.0.0.1:21" or "[::1]:21".
std::string endpoint_text(const tcp::endpoint& endpoint);

/// One TCP connection whose every operation has a deadline.
class TimedSocket {
 public:
  explicit TimedSocket(asio::io_context& io) : io_(io), socket_(io) {}

  /// Connects to a numeric address or, failing that, resolves `host` as a name; the timeout covers
  /// resolution and every connection attempt. Closes the socket on failure.
  error_code connect(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout);
  error_code connect(const tcp::endpoint& endpoint, std::chrono::milliseconds timeout);
  /// Reads what is available (at least one byte). asio::error::eof when the peer closed its side.
  std::size_t read_some(std::span<char> buffer, std::chrono::milliseconds timeout, error_code& ec);
  /// Writes every byte or fails.
  error_code write_all(std::string_view bytes, std::chrono::milliseconds timeout);
  /// Sends bytes with MSG_OOB: TCP urgent data, the Telnet Synch signal (RFC 854, RFC 959 §4.1.3).
  error_code send_urgent(std::string_view bytes, std::chrono::milliseconds timeout);
  /// Half-closes the sending side (end of file on a stream-mode data connection, RFC 959 §3.4.1).
  void shutdown_send() noexcept;
  void close() noexcept;
  /// Closes with a TCP RST (SO_LINGER 0) instead of a FIN, so the peer cannot take what it
  /// received for the whole data (stream mode ends a file by closing, RFC 959 §3.4.1).
  void reset() noexcept;
  bool is_open() const noexcept { return socket_.is_open(); }

  tcp::endpoint local_endpoint() const;   ///< a default endpoint when not connected
  tcp::endpoint remote_endpoint() const;
  tcp::socket& socket() noexcept { return socket_; }

 private:
  void disable_nagle();  ///< TCP_NODELAY on a connected socket (best effort)
  asio::io_context& io_;
  tcp::socket socket_;
};

/// A listening socket for an active-mode data connection (PORT/EPRT, RFC 959 §3.2).
class TimedAcceptor {
 public:
  explicit TimedAcceptor(asio::io_context& io) : io_(io), acceptor_(io) {}
  /// Opens, binds (port 0: ephemeral) and listens.
  error_code listen(const tcp::endpoint& endpoint);
  /// Waits for one connection into `into`.
  error_code accept(TimedSocket& into, std::chrono::milliseconds timeout);
  tcp::endpoint local_endpoint() const;
  void close() noexcept;
  bool is_open() const noexcept { return acceptor_.is_open(); }
  /// The acceptor, for an asynchronous accept run alongside other operations.
  tcp::acceptor& acceptor() noexcept { return acceptor_; }

 private:
  asio::io_context& io_;
  tcp::acceptor acceptor_;
};

}  // namespace ftpspec::net
