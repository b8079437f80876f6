// TLS for ftpspecd (RFC 4217): the server's one ssl::context, and the control and data streams
// that run either in clear or over TLS on the same TCP socket.
#pragma once
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

namespace ftpspecd {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

/// A TLS server context from PEM files: TLS 1.2+, a server-side session cache with a session id
/// context so data connections may resume the control connection's session (RFC 4217 §10.2),
/// without requiring it. Throws std::runtime_error naming the file that failed to load.
std::shared_ptr<ssl::context> make_server_tls_context(const std::filesystem::path& cert_file,
                                                      const std::filesystem::path& key_file);

/// What a TLS connection is for: the control connection, or a data connection (PROT P).
enum class TlsUse { control, data };

/// TLS straight on a non-blocking socket (OpenSSL's socket BIO), for data connections. Asio's
/// ssl::stream moves every record through a 17 KiB BIO pair and a reactor operation: two extra
/// copies of each byte and one completion per record (docs/performance.md, FTPS profile). Here
/// SSL_write and SSL_read use the socket themselves and we only wait when it would block.
class DirectTls {
 public:
  /// Without memory for the SSL object, handshake() fails with no_memory (nothing else is called).
  DirectTls(tcp::socket& socket, ssl::context& context);
  DirectTls(DirectTls&&) = delete;

  SSL* native() noexcept { return ssl_.get(); }
  asio::awaitable<boost::system::error_code> handshake();
  asio::awaitable<std::size_t> read_some(asio::mutable_buffer buffer, boost::system::error_code& ec);
  asio::awaitable<std::size_t> write_all(asio::const_buffer buffer, boost::system::error_code& ec);
  /// Sends close_notify, not waiting for the peer's.
  asio::awaitable<void> send_close_notify();

 private:
  struct SslFree {
    void operator()(SSL* ssl) const noexcept { SSL_free(ssl); }
  };
  /// Runs `step` (an SSL call returning > 0 on success) until it succeeds or fails for good,
  /// waiting for the socket whenever OpenSSL wants to read or write.
  template <typename Step>
  asio::awaitable<int> drive(Step step, boost::system::error_code& ec);

  tcp::socket& socket_;
  std::unique_ptr<SSL, SslFree> ssl_;
};

/// One byte stream over a TCP socket that can switch between clear and TLS (AUTH TLS, CCC,
/// RFC 4217 §4, §6). Reads and writes may be outstanding at the same time (one of each).
class SwitchableStream {
 public:
  explicit SwitchableStream(tcp::socket socket) : socket_(std::move(socket)) {}

  tcp::socket& socket() noexcept { return socket_; }
  bool secure() const noexcept { return tls_.has_value() || direct_.has_value(); }
  /// The TLS session's SSL* (nullptr in clear), for tests of session reuse.
  SSL* native_tls() noexcept {
    if (direct_) return direct_->native();
    return tls_ ? tls_->native_handle() : nullptr;
  }

  asio::awaitable<std::size_t> read_some(asio::mutable_buffer buffer, boost::system::error_code& ec);
  asio::awaitable<std::size_t> write_all(asio::const_buffer buffer, boost::system::error_code& ec);

  /// Server side of the TLS handshake; bounded by `timeout` (the socket is closed when it passes).
  /// A data connection gets DirectTls and no TLS 1.3 session tickets (a client that never reads
  /// them would close with unread bytes, and the kernel's RST could cut the upload short).
  asio::awaitable<boost::system::error_code> start_tls(ssl::context& context, std::chrono::milliseconds timeout,
                                                       TlsUse use = TlsUse::control);
  /// Sends close_notify and returns to clear text on the same socket (CCC, REIN). Then reads the
  /// peer's close_notify record exactly, so no clear text after it is swallowed; a peer that sends
  /// clear text at once keeps it (it becomes the next read_some). Bounded by `timeout`.
  asio::awaitable<void> stop_tls(std::chrono::milliseconds timeout);
  /// End of data (RFC 959 §3.4 stream mode): close_notify under TLS (not waiting for the peer's;
  /// left out when `close_notify` is false, a deliberate truncation), then a TCP half-close.
  asio::awaitable<void> finish_sending(bool close_notify = true);
  /// Up to `max` bytes the peer has sent and nobody has read yet, waiting up to `timeout` for the
  /// first; empty when none came (or in TLS, where bytes are records).
  asio::awaitable<std::string> peek(std::size_t max, std::chrono::milliseconds timeout);
  void close() noexcept;
  /// Closes with an RST instead of a FIN (SO_LINGER 0): an abortive close.
  void reset() noexcept;

 private:
  tcp::socket socket_;
  std::optional<ssl::stream<tcp::socket&>> tls_;  ///< control connection: CCC needs byte-exact reads
  std::optional<DirectTls> direct_;                ///< data connection
  std::string clear_backlog_;  ///< clear bytes read while looking for the peer's close_notify
};

}  // namespace ftpspecd
