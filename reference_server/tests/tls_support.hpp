// TLS test support: a server fixture with a throwaway certificate (net::SelfSignedCert, the one
// `ftpspec client` uses) and a blocking FTPS client (RFC 4217) that speaks raw bytes over the
// control and data connections.
#pragma once
#include <boost/asio/ssl.hpp>

#include "net/self_signed_cert.hpp"
#include "test_support.hpp"

namespace ftpspecd::test {

namespace ssl = asio::ssl;

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
  void SetUp() override { start(make_tls_config()); }
  Config make_tls_config() {
    Config config = make_config();
    config.tls_cert = certificate_.cert();
    config.tls_key = certificate_.key();
    return config;
  }
  ftpspec::net::SelfSignedCert certificate_;
};

}  // namespace ftpspecd::test
