// One byte stream over a TCP connection, in clear or over TLS (RFC 4217), so the control and data
// code paths are written once for both. The blocking operations have deadlines (as TimedSocket's);
// the asynchronous ones exist for waits on two connections at once (a transfer watching the
// control connection while it waits on the data connection).
#pragma once
#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "net/timed_socket.hpp"

namespace ftpspec::net {

namespace ssl = asio::ssl;

/// What a finished TLS handshake agreed on, for the transcript.
struct TlsSummary {
  std::string version;        ///< "TLSv1.3"
  std::string cipher;         ///< "TLS_AES_256_GCM_SHA384"
  bool resumed = false;       ///< an earlier session was resumed (RFC 4217 §10.2 data connections)
  std::string peer_subject;   ///< the server certificate's subject, one line ("" when none)
};

/// How a client starts TLS on a connection.
struct TlsClientStart {
  std::string server_name;        ///< sent as SNI when it is a host name, not an address literal
  bool verify_host = false;       ///< check server_name against the certificate (RFC 6125)
  SSL_SESSION* resume = nullptr;  ///< a session offered for resumption (not owned; may be null)
};

using ReadHandler = std::function<void(const error_code&, std::size_t)>;
using DoneHandler = std::function<void(const error_code&)>;

/// A TCP connection (TimedSocket) with an optional TLS layer that can be started and stopped.
class Transport {
 public:
  explicit Transport(asio::io_context& io) : io_(io), tcp_(io) {}
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  /// The TCP connection: connect, accept into, endpoints, urgent data.
  TimedSocket& tcp() noexcept { return tcp_; }
  const TimedSocket& tcp() const noexcept { return tcp_; }
  asio::io_context& io() noexcept { return io_; }
  bool is_open() const noexcept { return tcp_.is_open(); }
  bool secure() const noexcept { return tls_.has_value(); }
  /// The TLS connection's SSL* (nullptr in clear), e.g. for SSL_get1_session.
  SSL* native_tls() noexcept { return tls_ ? tls_->native_handle() : nullptr; }

  // Asynchronous forms: the handler runs inside the io_context's run calls.
  void async_read_some(asio::mutable_buffer buffer, ReadHandler handler);
  void async_write_all(asio::const_buffer buffer, ReadHandler handler);
  /// Creates the TLS layer (see TlsClientStart) and starts the client handshake.
  void async_client_handshake(ssl::context& context, const TlsClientStart& start, DoneHandler handler);
  /// Cancels outstanding operations; the connection stays open.
  void cancel() noexcept;

  // Blocking forms with a deadline; a timeout is asio::error::timed_out.
  /// Reads what is available. asio::error::eof at a clean end: a TCP FIN in clear, close_notify
  /// under TLS; a TLS connection closed without close_notify is ssl::error::stream_truncated.
  std::size_t read_some(std::span<char> buffer, std::chrono::milliseconds timeout, error_code& ec);
  /// Writes every byte; on expiry the connection is closed (a partial write cannot be resumed).
  error_code write_all(std::string_view bytes, std::chrono::milliseconds timeout);
  /// Client side of the TLS handshake (RFC 4217 §4.1); on failure or expiry the connection closes.
  error_code client_handshake(ssl::context& context, const TlsClientStart& start, std::chrono::milliseconds timeout);
  /// Sends close_notify and waits up to `timeout` for the peer's (RFC 4217 §5 CCC, §12.6), then
  /// continues in clear on the same socket whatever happened. Returns the shutdown's outcome.
  error_code stop_tls(std::chrono::milliseconds timeout);
  /// End of data (RFC 959 §3.4.1 stream mode): close_notify under TLS (waiting at most `timeout`
  /// for the peer's), then a TCP half-close.
  error_code finish_sending(std::chrono::milliseconds timeout);
  /// Version, cipher and resumption of the current TLS connection (empty fields in clear).
  TlsSummary tls_summary() const;
  /// Drops the TLS layer without a close_notify and closes the socket.
  void close() noexcept;

 private:
  /// Runs the io_context until the one started operation completes or `timeout` expires.
  bool run(std::chrono::milliseconds timeout, const std::function<void()>& on_expiry);

  asio::io_context& io_;
  TimedSocket tcp_;
  std::optional<ssl::stream<tcp::socket&>> tls_;
};

/// True for an address literal (IPv4 or IPv6), which SNI must not carry (RFC 6066 §3).
bool is_address_literal(const std::string& host);

}  // namespace ftpspec::net
