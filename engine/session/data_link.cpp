#include "session/data_link.hpp"

#include <algorithm>
#include <boost/asio/ssl/error.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>
#include <utility>

#include "proto/address.hpp"

namespace ftpspec::session {
namespace {
constexpr std::size_t chunk_size = 64 * 1024;

bool is_completion(const proto::Reply& reply) { return reply.code / 100 == 2; }

/// Owns a reference to an SSL_SESSION from SSL_get1_session.
struct SessionRef {
  SSL_SESSION* session = nullptr;
  ~SessionRef() {
    if (session) SSL_SESSION_free(session);
  }
};
}  // namespace

DataLink::DataLink(SessionState& session, TransferResult& result)
    : s_(session),
      result_(result),
      transport_(std::make_unique<net::Transport>(session.io)),
      acceptor_(session.io),
      buffer_(chunk_size) {
  if (s_.timeouts.transfer.count() > 0) phase_end_ = Clock::now() + s_.timeouts.transfer;
  s_.data_link = this;
}

DataLink::~DataLink() {
  s_.data_link = nullptr;
  acceptor_.close();
  transport_->close();
}

std::optional<proto::Reply> DataLink::prepare(DataConnection kind) {
  if (kind == DataConnection::kept) {
    if (!s_.kept_data)
      throw Error(errc::invalid_argument, "no data connection was kept open by an earlier transfer "
                                          "(TransferOptions::keep_open and a 250, RFC 959 §3.3)");
    transport_ = std::move(s_.kept_data);
    event("using the data connection the previous transfer left open (RFC 959 §3.3)");
    return std::nullopt;
  }
  s_.drop_kept_data("closed the kept data connection: the transfer sets up a new one");
  switch (kind) {
    case DataConnection::kept: break;
    case DataConnection::pasv: return passive(false);
    case DataConnection::epsv: return passive(true);
    case DataConnection::port: return active(false);
    case DataConnection::eprt: return active(true);
  }
  return std::nullopt;
}

DataWait DataLink::open() {
  if (listening_) {
    listening_ = false;
    net::error_code ec;
    const DataWait how = wait(
        [&](bool& done) {
          acceptor_.acceptor().async_accept(transport_->tcp().socket(), [&](const net::error_code& e) {
            ec = e;
            done = true;
          });
        },
        Clock::now() + s_.timeouts.connect, false);
    acceptor_.close();
    if (how == DataWait::failed && failure_) return how;
    if (how == DataWait::failed) return failed(errc::timeout, "accepting the server's data connection: none within the timeout");
    if (how != DataWait::done) return how;
    if (ec) fail(ec, "accepting the server's data connection");
    event(fmt::format("accepted from {}", net::endpoint_text(transport_->tcp().remote_endpoint())));
  }
  if (s_.data_protection != 'P') return DataWait::done;

  // RFC 4217 §7: the FTP client is the TLS client whichever side connected. Offering the control
  // connection's session lets servers that demand resumption (§10.2) accept the data connection.
  SessionRef resume;
  if (s_.tls_options.reuse_session && s_.control.native_tls()) resume.session = SSL_get1_session(s_.control.native_tls());
  event(resume.session ? "TLS handshake starts, offering the control connection's session" : "TLS handshake starts");
  net::error_code ec;
  const DataWait how = wait(
      [&](bool& done) {
        transport_->async_client_handshake(s_.client_tls_context(), s_.tls_start(resume.session), [&](const net::error_code& e) {
          ec = e;
          done = true;
        });
      },
      Clock::now() + s_.timeouts.connect, false);
  if (how == DataWait::failed && failure_) return how;
  if (how == DataWait::failed) return failed(errc::timeout, "TLS handshake on the data connection: not done within the timeout");
  if (how != DataWait::done) return how;
  if (ec) {
    failure_ = DataFailure{errc::tls_failed, fmt::format("TLS handshake on the data connection failed: {}", ec.message())};
    close(failure_->what);
    return DataWait::failed;
  }
  s_.record_handshake(Channel::data, *transport_);
  result_.tls = true;
  result_.tls_resumed = transport_->tls_summary().resumed;
  return DataWait::done;
}

DataWait DataLink::download(codec::Decoder& decoder, const TransferOptions& options) {
  std::string local;
  for (;;) {
    net::error_code ec;
    std::size_t got = 0;
    const DataWait how = wait(
        [&](bool& done) {
          transport_->async_read_some(boost::asio::buffer(buffer_), [&](const net::error_code& e, std::size_t n) {
            ec = e;
            got = n;
            done = true;
          });
        },
        data_deadline(), true);
    if (got > 0) {  // also bytes that arrived as the wait ended
      const std::string_view wire(buffer_.data(), got);
      s_.transcript.record(Channel::data, Direction::server_to_client, wire);
      result_.wire_bytes += got;
      if (!result_.codec_error) decoder.put(wire, local, result_.codec_error);
      for (auto& mark : decoder.take_restart_marks()) result_.restart_marks.push_back(std::move(mark));
      if (!deliver(local, options)) {
        close(fmt::format("closed by the client at the {}-byte limit after receiving {} bytes", options.max_bytes, result_.wire_bytes));
        return DataWait::done;
      }
    }
    if (how == DataWait::failed && failure_) return how;
    if (how == DataWait::failed) {
      const bool overall = Clock::now() >= phase_end_;
      return failed(errc::timeout, overall ? fmt::format("reading data: the transfer took longer than {} ms", s_.timeouts.transfer.count())
                                              : fmt::format("reading data: nothing for {} ms", s_.timeouts.data.count()));
    }
    if (how == DataWait::ended_by_reply) {
      close(fmt::format("closed by the client after {} bytes: the server sent {} while the data connection stayed open",
                        result_.wire_bytes, final_->code));
      return how;
    }
    if (ec == boost::asio::error::eof) break;  // TCP FIN in clear, close_notify under TLS
    if (ec == boost::asio::ssl::error::stream_truncated) {
      result_.tls_truncated = true;
      event(fmt::format("the server closed the TLS data connection without close_notify after {} bytes "
                        "(RFC 4217 §12.6: a truncated file cannot be told from a complete one)", result_.wire_bytes));
      break;
    }
    if (ec) {
      result_.data_error = std::error_code(ec);
      event(fmt::format("read failed after {} bytes: {}", result_.wire_bytes, ec.message()));
      break;
    }
    if (decoder.saw_eof()) {  // block/compressed mode EOF: the connection may stay open (§3.3)
      left_open_ = options.keep_open && !transport_->secure();
      break;
    }
  }
  if (!result_.codec_error) decoder.finish(local, result_.codec_error);
  deliver(local, options);
  if (left_open_) event(fmt::format("EOF marker after {} bytes; the connection stays open", result_.wire_bytes));
  else close(fmt::format("closed after receiving {} bytes", result_.wire_bytes));
  return DataWait::done;
}

DataWait DataLink::upload(codec::Encoder& encoder, const UploadSource& source, std::uint64_t marker_interval,
                          std::uint64_t first_offset, bool keep_open) {
  std::string wire;
  std::vector<char> piece(chunk_size);
  std::uint64_t at = 0;  // local bytes taken from the source so far
  for (;;) {
    std::size_t piece_size = piece.size();
    if (marker_interval > 0) piece_size = std::min<std::uint64_t>(piece_size, marker_interval - at % marker_interval);
    std::size_t got = 0;
    try {
      got = std::min(source(std::span<char>(piece.data(), piece_size)), piece_size);
    } catch (const std::exception& e) {
      // A FIN would tell the server the file is complete: reset instead, so it keeps no partial
      // file as a whole one, then report the source's failure.
      const std::string what = fmt::format("the upload's source failed after {} bytes: {}", at, e.what());
      transport_->tcp().reset();
      failure_ = DataFailure{std::make_error_code(std::errc::io_error), what};
      event(what + "; data connection reset");
      return DataWait::failed;
    }
    wire.clear();
    if (got == 0) {
      encoder.finish(wire);
      if (const DataWait how = write(wire); how != DataWait::done) return how;
      break;
    }
    // A marker goes only where more data follows (none after the last byte).
    if (marker_interval > 0 && at > 0 && at % marker_interval == 0 &&
        encoder.emit_restart_marker(std::to_string(first_offset + at), wire))
      event(fmt::format("restart marker {} sent", first_offset + at));
    at += got;
    encoder.put(std::string_view(piece.data(), got), wire);
    if (encoder.error()) {
      // Local data the representation cannot carry: reset rather than close, so the server keeps
      // no truncated file as a whole one (the caller reports encoder.error() as codec_error).
      transport_->tcp().reset();
      event(fmt::format("the local data cannot be sent in this representation after {} bytes ({}); data connection reset",
                        at - got, encoder.error().message()));
      return DataWait::done;
    }
    if (const DataWait how = write(wire); how != DataWait::done) return how;
    if (result_.data_error) break;
  }
  if (keep_open && !result_.data_error && s_.representation.mode != codec::Mode::stream && !transport_->secure()) {
    left_open_ = true;  // RFC 959 §3.3: the EOF marker, not a close, ended the file
    event(fmt::format("EOF marker sent after {} bytes; the connection stays open", result_.wire_bytes));
    return DataWait::done;
  }
  // RFC 4217 §12.6: TLSshutdown before close, so the server can tell the end from a truncation.
  if (transport_->secure()) {
    const auto ec = transport_->finish_sending(s_.timeouts.drain);
    event(ec ? fmt::format("close_notify sent; the server's answer: {}", ec.message())
             : std::string("close_notify sent and answered"));
  } else {
    transport_->finish_sending(s_.timeouts.drain);
  }
  close(fmt::format("closed after sending {} bytes", result_.wire_bytes));
  return DataWait::done;
}

DataWait DataLink::write(std::string_view wire) {
  if (wire.empty()) return DataWait::done;
  s_.transcript.record(Channel::data, Direction::client_to_server, wire);
  net::error_code ec;
  const DataWait how = wait(
      [&](bool& done) {
        transport_->async_write_all(boost::asio::buffer(wire.data(), wire.size()), [&](const net::error_code& e, std::size_t) {
          ec = e;
          done = true;
        });
      },
      data_deadline(), false);
  if (how == DataWait::failed && failure_) return how;
  if (how == DataWait::failed) return failed(errc::timeout, fmt::format("writing data: not accepted within {} ms", s_.timeouts.data.count()));
  if (how == DataWait::ended_by_reply) {
    close(fmt::format("closed by the client after {} bytes: the server sent {} during the upload", result_.wire_bytes, final_->code));
    return how;
  }
  if (ec) {
    result_.data_error = std::error_code(ec);
    event(fmt::format("write failed after {} bytes: {}", result_.wire_bytes, ec.message()));
  } else {
    result_.wire_bytes += wire.size();
  }
  return DataWait::done;
}

DataWait DataLink::wait(const std::function<void(bool& done)>& start, Clock::time_point deadline, bool patient) {
  auto& io = s_.io;
  bool done = false;
  bool control_reading = false;
  start(done);
  // Whatever ends this wait (a return or a throw from the reply parser), no operation may outlive
  // it: its handler refers to this frame.
  struct Settle {
    DataLink& link;
    bool& done;
    bool& control_reading;
    ~Settle() {
      if (!done) {
        link.transport_->cancel();
        link.acceptor_.close();
      }
      if (control_reading) link.s_.control.cancel();
      link.s_.io.restart();
      link.s_.io.run();
    }
  } settle{*this, done, control_reading};

  bool stopping = false;  // a final reply arrived: waiting only up to Timeouts::drain more
  for (;;) {
    if (std::exchange(s_.interrupted, false)) {
      s_.transcript.event(Channel::control, "interrupted by the client");
      return failed(errc::interrupted, fmt::format("interrupted by the client after {} bytes on the data connection", result_.wire_bytes));
    }
    if (!stopping && take_control_replies()) {
      stopping = true;
      if (final_->is_negative() && !patient) return DataWait::ended_by_reply;
      deadline = std::min(deadline, Clock::now() + s_.timeouts.drain);
    }
    if (done) return DataWait::done;
    if (watching_ && !control_reading) {
      control_reading = true;
      s_.control.async_read_some(boost::asio::buffer(s_.watch_buffer), [&](const net::error_code& e, std::size_t n) {
        control_reading = false;
        if (n > 0) s_.received(std::string_view(s_.watch_buffer.data(), n));
        if (e && e != boost::asio::error::operation_aborted) {
          // The control connection failed; the reply read after the data will report it.
          watching_ = false;
          s_.transcript.event(Channel::control, fmt::format("while waiting on the data connection: {}", e.message()));
        }
      });
    }
    if (io.stopped()) io.restart();
    if (io.run_one_until(deadline) == 0 && Clock::now() >= deadline) {
      if (done) return DataWait::done;
      return stopping ? DataWait::ended_by_reply : DataWait::failed;
    }
  }
}

bool DataLink::take_control_replies() {
  if (final_) return true;
  proto::Reply reply;
  while (s_.parse_pending(reply)) {
    result_.replies.push_back(reply);
    if (!reply.is_preliminary()) {
      final_ = reply;
      watching_ = false;
      return true;
    }
  }
  return false;
}

bool DataLink::deliver(std::string& local, const TransferOptions& options) {
  if (local.empty()) return !result_.truncated;
  const std::uint64_t room = options.max_bytes - std::min(delivered_, options.max_bytes);
  const std::string_view part = std::string_view(local).substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(room, local.size())));
  if (!part.empty()) {
    if (options.sink) options.sink(part);
    else result_.data.append(part);
  }
  delivered_ += part.size();
  const bool all = part.size() == local.size();
  local.clear();
  if (!all && !result_.truncated) {
    result_.truncated = true;
    event(fmt::format("download stopped at the {}-byte limit (TransferOptions::max_bytes)", options.max_bytes));
  }
  return all;
}

DataWait DataLink::failed(std::error_code code, std::string what) {
  failure_ = DataFailure{code, std::move(what)};
  close(failure_->what);
  return DataWait::failed;
}

DataLink::Clock::time_point DataLink::data_deadline() const { return std::min(Clock::now() + s_.timeouts.data, phase_end_); }

std::optional<proto::Reply> DataLink::passive(bool extended) {
  const proto::Reply reply = command(extended ? "EPSV" : "PASV", {});
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
  if (const auto ec = transport_->tcp().connect(endpoint, s_.timeouts.connect))
    fail(ec, fmt::format("connecting the data connection to {}", net::endpoint_text(endpoint)));
  event(fmt::format("connected to {} from {}", net::endpoint_text(endpoint), net::endpoint_text(transport_->tcp().local_endpoint())));
  return std::nullopt;
}

std::optional<proto::Reply> DataLink::active(bool extended) {
  const auto local = s_.control.tcp().local_endpoint().address();
  if (!extended && !local.is_v4())
    throw Error(errc::invalid_argument, "PORT carries IPv4 addresses only (RFC 959 §4.1.2); use EPRT (RFC 2428)");
  if (const auto ec = acceptor_.listen(net::tcp::endpoint(local, 0))) fail(ec, "listening for the data connection");
  listening_ = true;
  const proto::HostPort here{local.to_string(), acceptor_.local_endpoint().port()};
  event(fmt::format("listening on {}", net::endpoint_text(acceptor_.local_endpoint())));
  const proto::Reply reply = extended ? command("EPRT", proto::format_eprt_argument(here))
                                      : command("PORT", proto::format_port_argument(here));
  if (!is_completion(reply)) return reply;
  return std::nullopt;
}

proto::Reply DataLink::command(std::string_view verb, std::string_view arg) {
  s_.send_command(verb, arg);
  result_.replies.push_back(s_.read_reply());
  return result_.replies.back();
}

void DataLink::bad_passive(const proto::Reply& reply) {
  const std::string what = fmt::format("no address in the passive-mode reply \"{}\"", escape_bytes(reply.text()));
  event(what);
  throw Error(errc::bad_passive_reply, what);
}

void DataLink::fail(const net::error_code& ec, const std::string& doing) {
  if (ec == boost::asio::error::operation_aborted && std::exchange(s_.interrupted, false)) {
    const std::string what = fmt::format("{}: interrupted by the client", doing);
    close(what);
    throw Error(errc::interrupted, what);
  }
  const std::string what = fmt::format("{}: {}", doing, ec.message());
  close(what);
  if (ec == boost::asio::error::timed_out) throw Error(errc::timeout, what);
  throw Error(std::error_code(ec), what);
}

bool DataLink::keep(int final_code) {
  if (!std::exchange(left_open_, false) || !transport_->is_open()) return false;
  if (final_code != 250) {
    close(fmt::format("closed by the client: the server answered {}, not 250 (RFC 959 §3.3)", final_code));
    return false;
  }
  s_.kept_data = std::exchange(transport_, std::make_unique<net::Transport>(s_.io));
  event("kept open for the next transfer (RFC 959 §3.3)");
  return true;
}

void DataLink::close(const std::string& why) {
  const bool was_open = transport_->is_open() || acceptor_.is_open();
  transport_->close();
  acceptor_.close();
  if (was_open) event(why);
}

void DataLink::cancel() noexcept {
  transport_->cancel();
  acceptor_.close();
}

void DataLink::event(const std::string& what) { s_.transcript.event(Channel::data, what); }

}  // namespace ftpspec::session
