// TLS test support: a self-signed certificate made at test time (OpenSSL API) and a blocking
// FTPS client (RFC 4217) that speaks raw bytes over the control and data connections.
#pragma once
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>

#include <boost/asio/ssl.hpp>

#include "test_support.hpp"

namespace ftpspecd::test {

namespace ssl = asio::ssl;

/// Writes a fresh self-signed P-256 certificate for CN=localhost, valid one day, to dir/cert.pem
/// and dir/key.pem.
inline void make_self_signed_certificate(const fs::path& cert_file, const fs::path& key_file) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!key || !cert) throw std::runtime_error("OpenSSL: cannot create key/cert");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) throw std::runtime_error("OpenSSL: cannot sign");
  std::unique_ptr<FILE, decltype(&std::fclose)> cert_out(std::fopen(cert_file.c_str(), "w"), std::fclose);
  std::unique_ptr<FILE, decltype(&std::fclose)> key_out(std::fopen(key_file.c_str(), "w"), std::fclose);
  if (!cert_out || !key_out) throw std::runtime_error("cannot write certificate files");
  PEM_write_X509(cert_out.get(), cert.get());
  PEM_write_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
}

/// A Client whose control connection can switch to TLS, with protected data transfers.
class TlsClient : public Client {
 public:
  explicit TlsClient(std::uint16_t port) : Client(port), context_(ssl::context::tls_client) {
    context_.set_verify_mode(ssl::verify_none);  // self-signed test certificate
  }

  /// AUTH TLS (expects 234) and the client handshake.
  void auth_tls() {
    ASSERT_EQ(cmd("AUTH TLS").code(), 234);
    tls_.emplace(socket_, context_);
    tls_->handshake(ssl::stream_base::client);
  }
  /// CCC's 200, then the TLS shutdown both ways; the connection continues in clear.
  void clear_command_channel() {
    ASSERT_EQ(cmd("CCC").code(), 200);
    end_tls();
  }
  /// The client's half of a TLS shutdown the server started (CCC, REIN).
  void end_tls() {
    boost::system::error_code ec;
    tls_->shutdown(ec);  // sends our close_notify, waits for the server's
    EXPECT_TRUE(!ec || ec == ssl::error::stream_truncated) << ec.message();
    tls_.reset();
  }
  bool secure() const { return tls_.has_value(); }
  SSL* control_ssl() { return tls_ ? tls_->native_handle() : nullptr; }

  /// A protected data connection from EPSV; with `resume`, offers the control session for reuse.
  struct Data {
    tcp::socket socket;
    std::optional<ssl::stream<tcp::socket&>> tls;
  };
  std::unique_ptr<Data> open_passive() {
    const Received r = cmd("EPSV");
    EXPECT_EQ(r.code(), 229) << r.raw;
    const auto port = ftpspec::proto::parse_epsv_reply(r.reply.text());
    if (!port) throw std::runtime_error("bad 229: " + r.raw);
    auto data = std::make_unique<Data>(Data{tcp::socket(io_), std::nullopt});
    data->socket.connect(tcp::endpoint(socket_.remote_endpoint().address(), *port));
    set_socket_timeouts(data->socket);
    return data;
  }
  void handshake_data(Data& data, SSL_SESSION* resume = nullptr) {
    data.tls.emplace(data.socket, context_);
    if (resume) SSL_set_session(data.tls->native_handle(), resume);
    data.tls->handshake(ssl::stream_base::client);
  }
  static std::string read_all(Data& data) {
    std::string out;
    char buffer[65536];
    while (true) {
      boost::system::error_code ec;
      const std::size_t n = data.tls ? data.tls->read_some(asio::buffer(buffer), ec) : data.socket.read_some(asio::buffer(buffer), ec);
      out.append(buffer, n);
      if (ec == asio::error::eof) return out;  // TLS: the server's close_notify
      if (ec) throw std::runtime_error("data connection: " + ec.message());
    }
  }
  /// EPSV, the command, the TLS handshake (if `protect`), the bytes, the final reply.
  std::string download(const std::string& command, bool protect = true, SSL_SESSION* resume = nullptr,
                       bool* reused = nullptr) {
    auto data = open_passive();
    EXPECT_EQ(cmd(command).code(), 150);
    if (protect) handshake_data(*data, resume);
    if (reused && data->tls) *reused = SSL_session_reused(data->tls->native_handle()) == 1;
    std::string bytes = read_all(*data);
    EXPECT_EQ(read().code(), 226);
    return bytes;
  }
  int upload(const std::string& command, const std::string& bytes) {
    auto data = open_passive();
    EXPECT_EQ(cmd(command).code(), 150);
    handshake_data(*data);
    asio::write(*data->tls, asio::buffer(bytes));
    boost::system::error_code ec;
    SSL_set_shutdown(data->tls->native_handle(), SSL_RECEIVED_SHUTDOWN);
    data->tls->shutdown(ec);  // close_notify: the end of the file (RFC 4217 §10.2)
    data->socket.close();
    return read().code();
  }

 protected:
  void write_bytes(std::string_view bytes) override {
    if (tls_) asio::write(*tls_, asio::buffer(bytes));
    else Client::write_bytes(bytes);
  }
  std::size_t read_some(asio::mutable_buffer buffer, boost::system::error_code& ec) override {
    return tls_ ? tls_->read_some(buffer, ec) : Client::read_some(buffer, ec);
  }

 private:
  ssl::context context_;
  std::optional<ssl::stream<tcp::socket&>> tls_;
};

/// ServerFixture with a TLS certificate.
class TlsServerFixture : public ServerFixture {
 protected:
  void SetUp() override {
    make_self_signed_certificate(certs_.path() / "cert.pem", certs_.path() / "key.pem");
    start(make_tls_config());
  }
  Config make_tls_config() {
    Config config = make_config();
    config.tls_cert = certs_.path() / "cert.pem";
    config.tls_key = certs_.path() / "key.pem";
    return config;
  }
  TempDir certs_;
};

}  // namespace ftpspecd::test
