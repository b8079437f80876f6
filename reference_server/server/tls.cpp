#include "server/tls.hpp"

#include <sys/socket.h>

#include <array>
#include <stdexcept>
#include <string>

#include <boost/asio/read.hpp>
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
  return context;
}

asio::awaitable<std::size_t> SwitchableStream::read_some(asio::mutable_buffer buffer, boost::system::error_code& ec) {
  if (!clear_backlog_.empty()) {
    const std::size_t n = asio::buffer_copy(buffer, asio::buffer(clear_backlog_));
    clear_backlog_.erase(0, n);
    ec = {};
    co_return n;
  }
  if (tls_) co_return co_await tls_->async_read_some(buffer, asio::redirect_error(asio::use_awaitable, ec));
  co_return co_await socket_.async_read_some(buffer, asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<std::size_t> SwitchableStream::write_all(asio::const_buffer buffer, boost::system::error_code& ec) {
  if (tls_) co_return co_await asio::async_write(*tls_, buffer, asio::redirect_error(asio::use_awaitable, ec));
  co_return co_await asio::async_write(socket_, buffer, asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<boost::system::error_code> SwitchableStream::start_tls(ssl::context& context,
                                                                       std::chrono::milliseconds timeout,
                                                                       bool issue_tickets) {
  tls_.emplace(socket_, context);
  if (!issue_tickets) SSL_set_num_tickets(tls_->native_handle(), 0);
  auto dog = Watchdog::start(socket_.get_executor(), timeout, [this] { close(); });
  boost::system::error_code ec;
  co_await tls_->async_handshake(ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
  dog->stop();
  if (ec) tls_.reset();
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
  if (tls_ || !clear_backlog_.empty()) co_return clear_backlog_.substr(0, max);
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
