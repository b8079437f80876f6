#include "server/tls.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <stdexcept>
#include <string>

#include <openssl/err.h>

#include <boost/asio/read.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "server/async_event.hpp"

namespace ftpspecd {

std::shared_ptr<ssl::context> make_server_tls_context(const std::filesystem::path& cert_file,
                                                      const std::filesystem::path& key_file) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  context->use_certificate_chain_file(cert_file.string(), ec);
  if (ec) throw std::runtime_error("cannot load TLS certificate '" + cert_file.string() + "': " + ec.message());
  context->use_private_key_file(key_file.string(), ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot load TLS key '" + key_file.string() + "': " + ec.message());
  static constexpr unsigned char kSessionContext[] = "ftpspecd";
  SSL_CTX_set_session_id_context(context->native_handle(), kSessionContext, sizeof kSessionContext - 1);
  SSL_CTX_set_session_cache_mode(context->native_handle(), SSL_SESS_CACHE_SERVER);
  // AES-128-GCM first, by the server's choice (clients such as curl list AES-256 first): four
  // fewer AES rounds per block, and encryption is a third of a PROT P transfer's CPU time
  // (docs/performance.md, FTPS). It is TLS 1.3's mandatory suite (RFC 8446 §9.1).
  SSL_CTX_set_ciphersuites(context->native_handle(),
                           "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256");
  SSL_CTX_set_options(context->native_handle(), SSL_OP_CIPHER_SERVER_PREFERENCE);
  return context;
}

namespace {
/// OpenSSL reads this much ciphertext per recv(2) with read-ahead (the default buffer holds one
/// 16 KiB record: one system call per record on uploads).
constexpr std::size_t kReadBuffer = 64 * 1024;
}  // namespace

DirectTls::DirectTls(tcp::socket& socket, ssl::context& context)
    : socket_(socket), ssl_(SSL_new(context.native_handle())) {
  if (ssl_ && SSL_set_fd(ssl_.get(), static_cast<int>(socket_.native_handle())) != 1) ssl_.reset();
  if (!ssl_) return;  // out of memory: handshake() says so
  // Partial writes and a moving buffer: write_all resumes after each record; RELEASE_BUFFERS
  // frees the record buffers whenever they are empty, as Asio's engine does.
  SSL_set_mode(ssl_.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                               SSL_MODE_RELEASE_BUFFERS);
  SSL_set_read_ahead(ssl_.get(), 1);
  SSL_set_default_read_buffer_len(ssl_.get(), kReadBuffer);
  SSL_set_num_tickets(ssl_.get(), 0);
  SSL_set_accept_state(ssl_.get());
  boost::system::error_code ignored;
  socket_.non_blocking(true, ignored);  // SSL calls must say WANT_READ/WANT_WRITE, not block
}

template <typename Step>
asio::awaitable<int> DirectTls::drive(Step step, boost::system::error_code& ec) {
  while (true) {
    // The watchdog may have closed the socket while we waited: its descriptor number may belong
    // to another connection by now, so OpenSSL must not touch it.
    if (!socket_.is_open()) {
      ec = asio::error::operation_aborted;
      co_return 0;
    }
    ERR_clear_error();
    errno = 0;
    const int r = step(ssl_.get());
    if (r > 0) {
      ec = {};
      co_return r;
    }
    const int error = SSL_get_error(ssl_.get(), r);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
      co_await socket_.async_wait(error == SSL_ERROR_WANT_READ ? tcp::socket::wait_read : tcp::socket::wait_write,
                                  asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return 0;
      continue;
    }
    // The same codes as Asio's engine: close_notify is the end of the stream, a TCP close
    // without it a truncation (RFC 8446 §6.1).
    const unsigned long queued = ERR_peek_error();
    if (error == SSL_ERROR_ZERO_RETURN) {
      ec = asio::error::eof;
    } else if (ERR_GET_REASON(queued) == SSL_R_UNEXPECTED_EOF_WHILE_READING ||
               (error == SSL_ERROR_SYSCALL && queued == 0 && errno == 0)) {
      ec = ssl::error::stream_truncated;
    } else if (error == SSL_ERROR_SYSCALL && queued == 0) {
      ec = boost::system::error_code(errno, asio::error::get_system_category());
    } else {
      ec = boost::system::error_code(static_cast<int>(queued), asio::error::get_ssl_category());
    }
    ERR_clear_error();
    co_return 0;
  }
}

asio::awaitable<boost::system::error_code> DirectTls::handshake() {
  if (!ssl_) co_return asio::error::no_memory;
  boost::system::error_code ec;
  co_await drive([](SSL* ssl) { return SSL_do_handshake(ssl); }, ec);
  co_return ec;
}

asio::awaitable<std::size_t> DirectTls::read_some(asio::mutable_buffer buffer, boost::system::error_code& ec) {
  const int want = static_cast<int>(std::min<std::size_t>(buffer.size(), INT_MAX));
  const int n = co_await drive([&](SSL* ssl) { return SSL_read(ssl, buffer.data(), want); }, ec);
  co_return ec ? 0 : static_cast<std::size_t>(n);
}

asio::awaitable<std::size_t> DirectTls::write_all(asio::const_buffer buffer, boost::system::error_code& ec) {
  const auto* bytes = static_cast<const char*>(buffer.data());
  std::size_t done = 0;
  while (done < buffer.size()) {
    const int want = static_cast<int>(std::min<std::size_t>(buffer.size() - done, INT_MAX));
    const int n = co_await drive([&](SSL* ssl) { return SSL_write(ssl, bytes + done, want); }, ec);
    if (ec) break;
    done += static_cast<std::size_t>(n);
  }
  co_return done;
}

asio::awaitable<void> DirectTls::send_close_notify() {
  // Marked as received: SSL_shutdown then only sends ours (a client may wait for the 226 before
  // it closes its side).
  SSL_set_shutdown(ssl_.get(), SSL_RECEIVED_SHUTDOWN);
  boost::system::error_code ignored;
  co_await drive([](SSL* ssl) { return SSL_shutdown(ssl); }, ignored);
}

asio::awaitable<std::size_t> SwitchableStream::read_some(asio::mutable_buffer buffer, boost::system::error_code& ec) {
  if (!clear_backlog_.empty()) {
    const std::size_t n = asio::buffer_copy(buffer, asio::buffer(clear_backlog_));
    clear_backlog_.erase(0, n);
    ec = {};
    co_return n;
  }
  if (direct_) co_return co_await direct_->read_some(buffer, ec);
  if (tls_) co_return co_await tls_->async_read_some(buffer, asio::redirect_error(asio::use_awaitable, ec));
  co_return co_await socket_.async_read_some(buffer, asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<std::size_t> SwitchableStream::write_all(asio::const_buffer buffer, boost::system::error_code& ec) {
  if (direct_) co_return co_await direct_->write_all(buffer, ec);
  if (tls_) co_return co_await asio::async_write(*tls_, buffer, asio::redirect_error(asio::use_awaitable, ec));
  co_return co_await asio::async_write(socket_, buffer, asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<boost::system::error_code> SwitchableStream::start_tls(ssl::context& context,
                                                                       std::chrono::milliseconds timeout,
                                                                       TlsUse use) {
  auto dog = Watchdog::start(socket_.get_executor(), timeout, [this] { close(); });
  boost::system::error_code ec;
  if (use == TlsUse::data) {
    direct_.emplace(socket_, context);
    ec = co_await direct_->handshake();
    if (ec) direct_.reset();
  } else {
    tls_.emplace(socket_, context);
    co_await tls_->async_handshake(ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) tls_.reset();
  }
  dog->stop();
  co_return ec;
}

asio::awaitable<void> SwitchableStream::stop_tls(std::chrono::milliseconds timeout) {
  if (!tls_) co_return;
  auto dog = Watchdog::start(socket_.get_executor(), timeout, [this] { close(); });
  // Asio's shutdown would read the peer's close_notify through a large buffer and lose any clear
  // text behind it; so send ours only, then read the peer's record byte-exactly.
  SSL_set_shutdown(tls_->native_handle(), SSL_RECEIVED_SHUTDOWN);
  boost::system::error_code ec;
  co_await tls_->async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
  tls_.reset();
  std::array<unsigned char, 5> header{};
  co_await asio::async_read(socket_, asio::buffer(header), asio::redirect_error(asio::use_awaitable, ec));
  // A TLS record header: content type 20-23, version 3.x, 16-bit length (RFC 8446 §5.1).
  const bool is_record = !ec && header[0] >= 20 && header[0] <= 23 && header[1] == 3;
  if (is_record) {
    std::string body(static_cast<std::size_t>(header[3]) << 8 | header[4], '\0');
    co_await asio::async_read(socket_, asio::buffer(body), asio::redirect_error(asio::use_awaitable, ec));
  } else if (!ec) {
    clear_backlog_.assign(header.begin(), header.end());
  }
  dog->stop();
}

asio::awaitable<void> SwitchableStream::finish_sending(bool close_notify) {
  if (direct_ && close_notify) co_await direct_->send_close_notify();
  if (tls_ && close_notify) {
    // Mark the peer's close_notify as seen so SSL_shutdown only sends ours: a client may wait for
    // the 226 before it closes its side, and waiting for it here would deadlock.
    SSL_set_shutdown(tls_->native_handle(), SSL_RECEIVED_SHUTDOWN);
    boost::system::error_code ignored;
    co_await tls_->async_shutdown(asio::redirect_error(asio::use_awaitable, ignored));
  }
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
}

void SwitchableStream::close() noexcept {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void SwitchableStream::reset() noexcept {
  boost::system::error_code ignored;
  socket_.set_option(asio::socket_base::linger(true, 0), ignored);
  socket_.close(ignored);
}

asio::awaitable<std::string> SwitchableStream::peek(std::size_t max, std::chrono::milliseconds timeout) {
  if (secure() || !clear_backlog_.empty()) co_return clear_backlog_.substr(0, max);
  auto dog = Watchdog::start(socket_.get_executor(), timeout, [this] {
    boost::system::error_code ignored;
    socket_.cancel(ignored);
  });
  boost::system::error_code ec;
  co_await socket_.async_wait(tcp::socket::wait_read, asio::redirect_error(asio::use_awaitable, ec));
  dog->stop();
  std::string bytes(max, '\0');
  const ssize_t n = ec ? -1 : ::recv(socket_.native_handle(), bytes.data(), bytes.size(), MSG_PEEK | MSG_DONTWAIT);
  bytes.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  co_return bytes;
}

}  // namespace ftpspecd
