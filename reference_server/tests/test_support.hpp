// Test support for ftpspecd: an in-process server over a temporary root, and a small blocking
// client that speaks raw bytes over loopback so tests can check replies byte for byte.
#pragma once
#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "codec/codec.hpp"
#include "proto/address.hpp"
#include "proto/reply_parser.hpp"
#include "proto/sequences.hpp"
#include "server/server.hpp"

namespace ftpspecd::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
namespace fs = std::filesystem;

/// Every blocking socket op in the tests gives up after this long (no test can hang).
inline void set_socket_timeouts(tcp::socket& socket, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("ftpspecd-test-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

inline void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}
inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// A reply as received: the parsed reply plus its exact bytes.
struct Received {
  ftpspec::proto::Reply reply;
  std::string raw;
  int code() const { return reply.code; }
};

/// A blocking control-connection client.
class Client {
 public:
  explicit Client(std::uint16_t port, const std::string& host = "127.0.0.1") : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address(host), port));
    set_socket_timeouts(socket_);
  }
  virtual ~Client() = default;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  void send_raw(std::string_view bytes) { write_bytes(bytes); }

  /// Reads one complete reply; throws on timeout or close.
  Received read() {
    Received out;
    while (true) {
      if (!pending_.empty()) {
        std::error_code ec;
        const std::size_t used = parser_.put(pending_, ec);
        if (ec) throw std::runtime_error("malformed reply: " + ec.message() + " in " + pending_);
        out.raw += pending_.substr(0, used);
        pending_.erase(0, used);
        if (parser_.done()) {
          out.reply = parser_.release();
          return out;
        }
      }
      char buffer[4096];
      boost::system::error_code ec;
      const std::size_t n = read_some(asio::buffer(buffer), ec);
      if (ec) throw std::runtime_error("control connection: " + ec.message() + " (so far: " + out.raw + ")");
      pending_.append(buffer, n);
    }
  }
  /// Sends "line\r\n" and reads the first reply; checks it is allowed by RFC 959 §5.4.
  Received cmd(const std::string& line) {
    send_raw(line + "\r\n");
    Received r = read();
    const std::string verb = line.substr(0, line.find(' '));
    EXPECT_TRUE(ftpspec::proto::is_allowed(verb, r.code()))
        << line << " answered " << r.raw << " (allowed: " << ftpspec::proto::allowed_codes_text(verb) << ")";
    return r;
  }
  /// The reply after a 1yz, also checked against §5.4.
  Received final_reply(const std::string& verb) {
    Received r = read();
    EXPECT_TRUE(ftpspec::proto::is_allowed(verb, r.code(), ftpspec::proto::ReplyStage::after_preliminary))
        << verb << " finished with " << r.raw;
    return r;
  }
  void login(const std::string& user = "alice", const std::string& password = "secret") {
    ASSERT_EQ(cmd("USER " + user).code(), 331);
    ASSERT_EQ(cmd("PASS " + password).code(), 230);
  }
  /// EPSV: the passive port the server announced in its 229.
  std::uint16_t epsv() {
    const Received r = cmd("EPSV");
    EXPECT_EQ(r.code(), 229) << r.raw;
    const auto port = ftpspec::proto::parse_epsv_reply(r.reply.text());
    if (!port) throw std::runtime_error("bad 229: " + r.raw);
    return *port;
  }
  /// A data connection to `port` on the server's address.
  tcp::socket connect_data(std::uint16_t port) {
    tcp::socket data(io_);
    data.connect(tcp::endpoint(socket_.remote_endpoint().address(), port));
    set_socket_timeouts(data);
    return data;
  }
  /// EPSV, then connects the data socket.
  tcp::socket open_passive() { return connect_data(epsv()); }
  /// Reads the data connection to its end.
  static std::string read_all(tcp::socket& data) {
    std::string out;
    char buffer[65536];
    while (true) {
      boost::system::error_code ec;
      const std::size_t n = data.read_some(asio::buffer(buffer), ec);
      out.append(buffer, n);
      if (ec == asio::error::eof) return out;
      if (ec) throw std::runtime_error("data connection: " + ec.message());
    }
  }
  /// A whole download: EPSV, the command, the bytes, the final reply.
  std::string download(const std::string& command, int expected_final = 226) {
    tcp::socket data = open_passive();
    const Received first = cmd(command);
    EXPECT_EQ(first.code(), 150) << first.raw;
    std::string bytes = read_all(data);
    EXPECT_EQ(final_reply(command.substr(0, 4)).code(), expected_final);
    return bytes;
  }
  /// Reads one MODE B/C file from `data` through `decoder` up to its EOF marker, since the server
  /// keeps that connection open (RFC 959 §3.3). The local bytes; the decoder keeps the restart marks.
  static std::string read_to_eof_marker(tcp::socket& data, ftpspec::codec::Decoder& decoder) {
    std::string local;
    char buffer[65536];
    while (!decoder.saw_eof()) {
      boost::system::error_code ec;
      const std::size_t n = data.read_some(asio::buffer(buffer), ec);
      std::error_code decode_ec;
      decoder.put(std::span<const char>(buffer, n), local, decode_ec);
      if (decode_ec) throw std::runtime_error("data before the EOF marker: " + decode_ec.message());
      if (ec) throw std::runtime_error("data connection before the EOF marker: " + ec.message());
    }
    return local;
  }
  /// A whole MODE B/C download: EPSV, the command, the data up to the EOF marker, the final reply
  /// (250: the connection stays open). The local bytes.
  std::string download_decoded(const std::string& command, ftpspec::codec::Decoder& decoder) {
    tcp::socket data = open_passive();
    const Received first = cmd(command);
    EXPECT_EQ(first.code(), 150) << first.raw;
    std::string local = read_to_eof_marker(data, decoder);
    EXPECT_EQ(final_reply(command.substr(0, 4)).code(), 250);
    return local;
  }
  /// A whole upload: EPSV, the command, the bytes, the final reply code.
  int upload(const std::string& command, const std::string& bytes) {
    tcp::socket data = open_passive();
    const Received first = cmd(command);
    EXPECT_EQ(first.code(), 150) << first.raw;
    if (first.code() != 150) return first.code();
    asio::write(data, asio::buffer(bytes));
    data.shutdown(tcp::socket::shutdown_send);
    data.close();
    return final_reply(command.substr(0, 4)).code();
  }
  asio::io_context& io() { return io_; }
  tcp::socket& socket() { return socket_; }

 protected:
  /// The control connection's byte stream: plain TCP here, TLS once a subclass switches to it.
  virtual void write_bytes(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }
  virtual std::size_t read_some(asio::mutable_buffer buffer, boost::system::error_code& ec) {
    return socket_.read_some(buffer, ec);
  }

  asio::io_context io_;
  tcp::socket socket_;

 private:
  ftpspec::proto::ReplyParser parser_;
  std::string pending_;
};

/// A server over a temp root with users alice:secret and reader:pw (read-only).
class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override { start(make_config()); }
  Config make_config() {
    Config config;
    config.root = root_.path();
    config.users.push_back({"alice", "secret", {}, false});
    config.users.push_back({"reader", "pw", {}, true});
    config.idle_timeout = std::chrono::seconds(30);
    config.data_timeout = std::chrono::seconds(10);
    config.login_failure_delay = std::chrono::milliseconds(0);  // tests that want it set it
    return config;
  }
  void start(Config config) {
    server_.reset();
    server_ = std::make_unique<Server>(std::move(config));
    port_ = server_->start();
  }
  fs::path root() const { return root_.path(); }

  TempDir root_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
};

}  // namespace ftpspecd::test
