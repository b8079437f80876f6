#include "net/transport.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/write.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace ftpspec::net {
namespace {
error_code outcome(bool in_time, const error_code& ec) {
  if (!in_time && (ec == asio::error::operation_aborted || !ec)) return asio::error::timed_out;
  return ec;
}
}  // namespace

bool is_address_literal(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

void Transport::async_read_some(asio::mutable_buffer buffer, ReadHandler handler) {
  if (tls_) tls_->async_read_some(buffer, std::move(handler));
  else tcp_.socket().async_read_some(buffer, std::move(handler));
}

void Transport::async_write_all(asio::const_buffer buffer, ReadHandler handler) {
  if (tls_) asio::async_write(*tls_, buffer, std::move(handler));
  else asio::async_write(tcp_.socket(), buffer, std::move(handler));
}

void Transport::async_client_handshake(ssl::context& context, const TlsClientStart& start, DoneHandler handler) {
  tls_.emplace(tcp_.socket(), context);
  SSL* native = tls_->native_handle();
  if (!start.server_name.empty() && !is_address_literal(start.server_name))
    // SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.
    SSL_ctrl(native, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(start.server_name.c_str()));
  if (start.verify_host) tls_->set_verify_callback(ssl::host_name_verification(start.server_name));
  if (start.resume) SSL_set_session(native, start.resume);
  tls_->async_handshake(ssl::stream_base::client, std::move(handler));
}

void Transport::cancel() noexcept {
  error_code ignored;
  tcp_.socket().cancel(ignored);
}

bool Transport::run(std::chrono::milliseconds timeout, const std::function<void()>& on_expiry) {
  return run_until_complete(io_, timeout, on_expiry);
}

std::size_t Transport::read_some(std::span<char> buffer, std::chrono::milliseconds timeout, error_code& ec) {
  std::size_t got = 0;
  ec = {};
  async_read_some(asio::buffer(buffer.data(), buffer.size()), [&](const error_code& e, std::size_t n) {
    ec = e;
    got = n;
  });
  const bool in_time = run(timeout, [this] { cancel(); });
  if (got == 0) ec = outcome(in_time, ec);
  else ec = {};  // bytes arrived just as the deadline expired: keep them
  return got;
}

error_code Transport::write_all(std::string_view bytes, std::chrono::milliseconds timeout) {
  error_code ec;
  async_write_all(asio::buffer(bytes.data(), bytes.size()), [&](const error_code& e, std::size_t) { ec = e; });
  // Only the socket closes on expiry: the TLS layer must outlive the aborted operation.
  const bool in_time = run(timeout, [this] { tcp_.close(); });
  return outcome(in_time, ec);
}

error_code Transport::client_handshake(ssl::context& context, const TlsClientStart& start, std::chrono::milliseconds timeout) {
  error_code ec;
  async_client_handshake(context, start, [&](const error_code& e) { ec = e; });
  const bool in_time = run(timeout, [this] { cancel(); });
  ec = outcome(in_time, ec);
  if (ec) close();
  return ec;
}

error_code Transport::stop_tls(std::chrono::milliseconds timeout) {
  if (!tls_) return {};
  error_code ec;
  tls_->async_shutdown([&](const error_code& e) { ec = e; });
  const bool in_time = run(timeout, [this] { cancel(); });
  ec = outcome(in_time, ec);
  tls_.reset();  // the socket stays open: clear text from here on
  return ec;
}

error_code Transport::finish_sending(std::chrono::milliseconds timeout) {
  error_code ec;
  if (tls_) ec = stop_tls(timeout);
  tcp_.shutdown_send();
  return ec;
}

TlsSummary Transport::tls_summary() const {
  TlsSummary summary;
  if (!tls_) return summary;
  // native_handle() is not const in Asio 1.18; the SSL object is only read here.
  SSL* native = const_cast<ssl::stream<tcp::socket&>&>(*tls_).native_handle();
  summary.version = SSL_get_version(native);
  if (const char* cipher = SSL_get_cipher_name(native)) summary.cipher = cipher;
  summary.resumed = SSL_session_reused(native) == 1;
  if (X509* peer = SSL_get1_peer_certificate(native)) {
    char subject[256] = {};
    X509_NAME_oneline(X509_get_subject_name(peer), subject, sizeof subject);
    summary.peer_subject = subject;
    X509_free(peer);
  }
  return summary;
}

void Transport::close() noexcept {
  tls_.reset();
  tcp_.close();
}

}  // namespace ftpspec::net
