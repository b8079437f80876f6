// The server side of TLS for scripted fake servers: plain OpenSSL on a FakePeer's socket, so a
// script decides exactly when close_notify is (or is not) sent. Every wait is bounded by socket
// timeouts (SO_RCVTIMEO / SO_SNDTIMEO).
#pragma once
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <csignal>

#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "fake_server.hpp"

namespace ftpspec::testing {

/// A TLS server context from PEM files, with a session id context so clients may resume sessions
/// on data connections (RFC 4217 §10.2).
class TlsServerContext {
 public:
  TlsServerContext(const std::filesystem::path& cert, const std::filesystem::path& key) : ctx_(SSL_CTX_new(TLS_server_method())) {
    static const unsigned char id[] = "ftpspec-fake";
    // OpenSSL writes to the socket with write(2): a client that went away must not kill the tests.
    std::signal(SIGPIPE, SIG_IGN);
    if (!ctx_ || SSL_CTX_use_certificate_chain_file(ctx_, cert.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx_, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_set_session_id_context(ctx_, id, sizeof id - 1) != 1)
      throw std::runtime_error("fake TLS server: bad certificate or key");
  }
  ~TlsServerContext() { SSL_CTX_free(ctx_); }
  TlsServerContext(const TlsServerContext&) = delete;
  TlsServerContext& operator=(const TlsServerContext&) = delete;
  SSL_CTX* get() const noexcept { return ctx_; }

 private:
  SSL_CTX* ctx_;
};

/// TLS over one FakePeer's socket (which stays owned by the FakePeer).
class TlsFakePeer {
 public:
  /// Runs the server handshake; throws when it fails or the client stays silent for 5 s.
  TlsFakePeer(const TlsServerContext& context, FakePeer& peer) : ssl_(SSL_new(context.get())) {
    const timeval limit{5, 0};
    ::setsockopt(peer.fd(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ::setsockopt(peer.fd(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    SSL_set_fd(ssl_, peer.fd());
    if (SSL_accept(ssl_) != 1) {
      SSL_free(ssl_);
      ERR_clear_error();
      throw std::runtime_error("fake TLS server: handshake failed");
    }
  }
  ~TlsFakePeer() { SSL_free(ssl_); }
  TlsFakePeer(const TlsFakePeer&) = delete;
  TlsFakePeer& operator=(const TlsFakePeer&) = delete;

  void send(std::string_view bytes) {
    if (bytes.empty()) return;
    if (SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) <= 0) throw std::runtime_error("fake TLS server: write failed");
  }
  /// The next line without CRLF; nullopt at the end or on a timeout.
  std::optional<std::string> read_line() {
    for (;;) {
      if (const auto lf = buffer_.find('\n'); lf != std::string::npos) {
        std::string line = buffer_.substr(0, lf);
        buffer_.erase(0, lf + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      if (!fill()) return std::nullopt;
    }
  }
  /// Everything until the client's close_notify or TCP close; see got_close_notify().
  std::string read_all() {
    while (fill()) {
    }
    return std::exchange(buffer_, {});
  }
  bool got_close_notify() const noexcept { return close_notify_; }
  /// Sends close_notify (not waiting for the client's).
  void send_close_notify() { SSL_shutdown(ssl_); }
  /// Completes a bidirectional shutdown (CCC): close_notify both ways; the socket stays open.
  bool shutdown_both_ways() {
    int state = SSL_shutdown(ssl_);
    if (state == 0) state = SSL_shutdown(ssl_);
    return state == 1;
  }
  bool session_reused() const noexcept { return SSL_session_reused(ssl_) == 1; }

 private:
  bool fill() {
    char chunk[4096];
    const int n = SSL_read(ssl_, chunk, sizeof chunk);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
    close_notify_ = SSL_get_error(ssl_, n) == SSL_ERROR_ZERO_RETURN;
    ERR_clear_error();
    return false;
  }

  SSL* ssl_;
  std::string buffer_;
  bool close_notify_ = false;
};

}  // namespace ftpspec::testing
