// The user-DTP (RFC 959 §2.3): data connections (PASV/EPSV/PORT/EPRT) and transfers through the
// session's representation, following the RFC 959 §5.4 sequence for transfer commands:
//   [REST -> 350]  command -> 1yz -> data -> 2yz   (or 4yz/5yz at once, no data).
#include <array>
#include <fmt/format.h>
#include <optional>

#include "codec/codec.hpp"
#include "proto/address.hpp"
#include "session/session.hpp"
#include "session/session_impl.hpp"

namespace ftpspec::session {
namespace {
constexpr std::size_t chunk_size = 64 * 1024;

bool is_completion(const proto::Reply& reply) { return reply.code / 100 == 2; }

/// One data connection being set up: connected already (passive) or listening (active).
class DataLink {
 public:
  explicit DataLink(SessionState& session) : s_(session), socket_(session.io), acceptor_(session.io) {}
  ~DataLink() {
    acceptor_.close();
    socket_.close();
  }
  DataLink(const DataLink&) = delete;
  DataLink& operator=(const DataLink&) = delete;

  /// Sends PASV/EPSV/PORT/EPRT. Returns the refusing reply when the server does not agree (no
  /// transfer then), nullopt when the data connection is ready to be used.
  std::optional<proto::Reply> prepare(session::DataConnection kind, std::vector<proto::Reply>& replies) {
    switch (kind) {
      case session::DataConnection::pasv: return passive(false, replies);
      case session::DataConnection::epsv: return passive(true, replies);
      case session::DataConnection::port: return active(false, replies);
      case session::DataConnection::eprt: return active(true, replies);
    }
    return std::nullopt;
  }

  /// Active mode: waits for the server's connection (it connects after the transfer command).
  void accept() {
    if (!listening_) return;
    listening_ = false;
    const auto ec = acceptor_.accept(socket_, s_.timeouts.connect);
    acceptor_.close();
    if (ec) fail(ec, "accepting the server's data connection");
    event(fmt::format("accepted from {}", net::endpoint_text(socket_.remote_endpoint())));
  }

  /// Reads to end of file (or the codec's EOF mark, MODE B/C) through `decoder`.
  void download(codec::Decoder& decoder, TransferResult& result) {
    std::array<char, chunk_size> buffer{};
    for (;;) {
      net::error_code ec;
      const std::size_t got = socket_.read_some(buffer, s_.timeouts.data, ec);
      if (ec == boost::asio::error::eof) break;
      if (ec) {
        if (ec == boost::asio::error::timed_out) fail(ec, "reading data");
        event(fmt::format("read failed after {} bytes: {}", result.wire_bytes, ec.message()));
        break;
      }
      const std::string_view wire(buffer.data(), got);
      s_.transcript.record(Channel::data, Direction::server_to_client, wire);
      result.wire_bytes += got;
      if (!result.codec_error) decoder.put(wire, result.data, result.codec_error);
      if (decoder.saw_eof()) break;  // block/compressed mode EOF: the connection may stay open
    }
    if (!result.codec_error) decoder.finish(result.data, result.codec_error);
    close(fmt::format("closed after receiving {} bytes", result.wire_bytes));
  }

  /// Encodes and writes `local`, then closes (end of file in stream mode, RFC 959 §3.4.1).
  void upload(codec::Encoder& encoder, std::string_view local, TransferResult& result) {
    std::string wire;
    bool ok = true;
    for (std::size_t at = 0; ok && at < local.size(); at += chunk_size) {
      wire.clear();
      encoder.put(local.substr(at, chunk_size), wire);
      ok = write(wire, result);
    }
    if (ok) {
      wire.clear();
      encoder.finish(wire);
      write(wire, result);
    }
    socket_.shutdown_send();
    close(fmt::format("closed after sending {} bytes", result.wire_bytes));
  }

 private:
  std::optional<proto::Reply> passive(bool extended, std::vector<proto::Reply>& replies) {
    const proto::Reply reply = command(extended ? "EPSV" : "PASV", {}, replies);
    if (!is_completion(reply)) return reply;
    proto::HostPort target;
    if (extended) {
      // RFC 2428 §3: the data connection goes to the control connection's address.
      const auto port = proto::parse_epsv_reply(reply.text());
      if (!port) bad_passive(reply);
      target = {s_.remote_host(), *port};
    } else {
      auto announced = proto::parse_pasv_reply(reply.text());
      if (!announced) bad_passive(reply);
      target = *announced;
      if (target.host == "0.0.0.0") {
        target.host = s_.remote_host();
        event(fmt::format("227 announced 0.0.0.0; using the control connection's host {}", target.host));
      }
    }
    net::error_code bad_host;
    const auto address = boost::asio::ip::make_address(target.host, bad_host);
    if (bad_host) bad_passive(reply);
    const net::tcp::endpoint endpoint(address, target.port);
    if (const auto ec = socket_.connect(endpoint, s_.timeouts.connect))
      fail(ec, fmt::format("connecting the data connection to {}", net::endpoint_text(endpoint)));
    event(fmt::format("connected to {} from {}", net::endpoint_text(endpoint), net::endpoint_text(socket_.local_endpoint())));
    return std::nullopt;
  }

  std::optional<proto::Reply> active(bool extended, std::vector<proto::Reply>& replies) {
    const auto local = s_.control.local_endpoint().address();
    if (!extended && !local.is_v4())
      throw Error(errc::invalid_argument, "PORT carries IPv4 addresses only (RFC 959 §4.1.2); use EPRT (RFC 2428)");
    if (const auto ec = acceptor_.listen(net::tcp::endpoint(local, 0))) fail(ec, "listening for the data connection");
    listening_ = true;
    const proto::HostPort here{local.to_string(), acceptor_.local_endpoint().port()};
    event(fmt::format("listening on {}", net::endpoint_text(acceptor_.local_endpoint())));
    const proto::Reply reply = extended ? command("EPRT", proto::format_eprt_argument(here), replies)
                                        : command("PORT", proto::format_port_argument(here), replies);
    if (!is_completion(reply)) return reply;
    return std::nullopt;
  }

  proto::Reply command(std::string_view verb, std::string_view arg, std::vector<proto::Reply>& replies) {
    s_.send_command(verb, arg);
    replies.push_back(s_.read_reply());
    return replies.back();
  }

  bool write(std::string_view wire, TransferResult& result) {
    if (wire.empty()) return true;
    s_.transcript.record(Channel::data, Direction::client_to_server, wire);
    const auto ec = socket_.write_all(wire, s_.timeouts.data);
    if (ec == boost::asio::error::timed_out) fail(ec, "writing data");
    if (ec) {
      event(fmt::format("write failed after {} bytes: {}", result.wire_bytes, ec.message()));
      return false;
    }
    result.wire_bytes += wire.size();
    return true;
  }

  [[noreturn]] void bad_passive(const proto::Reply& reply) {
    const std::string what = fmt::format("no address in the passive-mode reply \"{}\"", escape_bytes(reply.text()));
    event(what);
    throw Error(errc::bad_passive_reply, what);
  }

  [[noreturn]] void fail(const net::error_code& ec, const std::string& doing) {
    const std::string what = fmt::format("{}: {}", doing, ec.message());
    close(what);
    if (ec == boost::asio::error::timed_out) throw Error(errc::timeout, what);
    throw Error(std::error_code(ec), what);
  }

  void close(const std::string& why) {
    socket_.close();
    acceptor_.close();
    event(why);
  }

  void event(const std::string& what) { s_.transcript.event(Channel::data, what); }

  SessionState& s_;
  net::TimedSocket socket_;
  net::TimedAcceptor acceptor_;
  bool listening_ = false;
};

std::string with_path(std::string_view verb, const std::string& path) {
  return path.empty() ? std::string(verb) : fmt::format("{} {}", verb, path);
}
}  // namespace

TransferResult Session::transfer(std::string_view line, std::optional<std::string_view> upload,
                                 const TransferOptions& options) {
  auto& s = *impl_;
  s.require_connected();
  TransferResult result;
  const auto stop = [&](const proto::Reply& reply) {
    result.final_reply = reply;
    return result;
  };

  if (options.representation) {
    for (auto& reply : set_representation(*options.representation)) {
      result.replies.push_back(reply);
      if (!is_completion(reply)) return stop(reply);
    }
  }
  DataLink data(s);
  if (auto refused = data.prepare(options.connection, result.replies)) return stop(*refused);

  if (options.restart) {
    s.send_command("REST", std::to_string(*options.restart));
    result.replies.push_back(s.read_reply());
    if (result.replies.back().code != 350) return stop(result.replies.back());
  }

  s.send_line(line);
  proto::Reply reply = s.read_reply();
  result.replies.push_back(reply);
  if (reply.is_negative()) return stop(reply);  // 4yz/5yz: refused, no data connection
  if (!reply.is_preliminary()) {
    const std::string what = fmt::format("\"{}\" answered {} without a 1yz first (RFC 959 §5.4)", escape_bytes(line), reply.code);
    s.transcript.event(Channel::control, what);
    throw Error(errc::unexpected_reply, what);
  }

  data.accept();
  if (upload) {
    const auto encoder = codec::make_encoder(s.representation);
    data.upload(*encoder, *upload, result);
    result.codec_error = encoder->error();  // local data the representation cannot carry
  } else {
    // Read the data to its end before the final reply: the 226 may arrive first.
    const auto decoder = codec::make_decoder(s.representation);
    data.download(*decoder, result);
  }
  do {
    reply = s.read_reply();
    result.replies.push_back(reply);
  } while (reply.is_preliminary());
  return stop(reply);
}

TransferResult Session::retr(const std::string& path, const TransferOptions& options) {
  return transfer(with_path("RETR", path), std::nullopt, options);
}
TransferResult Session::stor(const std::string& path, std::string_view local_data, const TransferOptions& options) {
  return transfer(with_path("STOR", path), local_data, options);
}
TransferResult Session::appe(const std::string& path, std::string_view local_data, const TransferOptions& options) {
  return transfer(with_path("APPE", path), local_data, options);
}
TransferResult Session::stou(std::string_view local_data, const TransferOptions& options) {
  return transfer("STOU", local_data, options);
}
TransferResult Session::list(const std::string& path, const TransferOptions& options) {
  return transfer(with_path("LIST", path), std::nullopt, options);
}
TransferResult Session::nlst(const std::string& path, const TransferOptions& options) {
  return transfer(with_path("NLST", path), std::nullopt, options);
}

}  // namespace ftpspec::session
