// The user-PI (RFC 959 §2.3): the control connection, commands and replies.
#include "session/session.hpp"

#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <fmt/format.h>
#include <utility>

#include "proto/command.hpp"
#include "proto/error.hpp"
#include "session/data_link.hpp"
#include "session/session_impl.hpp"

namespace ftpspec::session {
namespace {
class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "ftpspec.session"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::timeout: return "timed out";
      case errc::connection_closed: return "the server closed the control connection";
      case errc::malformed_reply: return "malformed reply (RFC 959 §4.2)";
      case errc::bad_passive_reply: return "passive-mode reply without a usable address (RFC 959 §4.1.2, RFC 2428 §3)";
      case errc::unexpected_reply: return "reply out of the RFC 959 §5.4 sequence";
      case errc::not_connected: return "not connected";
      case errc::invalid_argument: return "invalid argument";
      case errc::reply_too_long: return "reply beyond the configured limits";
      case errc::tls_failed: return "TLS handshake failed (RFC 4217 §4)";
      case errc::interrupted: return "interrupted (Session::interrupt)";
    }
    return "unknown ftpspec.session error";
  }
};

constexpr std::size_t max_quoted_reply_bytes = 512;  ///< how much of a bad reply an error quotes

bool is_limit_error(const std::error_code& ec) {
  return ec == proto::errc::line_too_long || ec == proto::errc::reply_too_long;
}
}  // namespace

bool closed_by_peer(const net::error_code& ec) {
  return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset ||
         ec == boost::asio::error::broken_pipe || ec == boost::asio::error::connection_aborted ||
         ec == boost::asio::ssl::error::stream_truncated;
}

const std::error_category& category() noexcept {
  static const Category instance;
  return instance;
}

// ---- Impl -----------------------------------------------------------------------------------

void SessionState::require_connected() const {
  if (!control.is_open()) throw Error(errc::not_connected, "no control connection");
}

void SessionState::fail_control(std::error_code code, const std::string& what) {
  transcript.event(Channel::control, what);
  control.close();
  throw Error(code, what);
}

void SessionState::drop_kept_data(std::string_view why) {
  if (!kept_data) return;
  kept_data->close();
  kept_data.reset();
  transcript.event(Channel::data, std::string(why));
}

void SessionState::on_interrupt() {
  interrupted = true;
  control.cancel();
  if (data_link) data_link->cancel();
}

void SessionState::throw_if_interrupted(std::string_view doing) {
  if (!std::exchange(interrupted, false)) return;
  const std::string what = fmt::format("{}: interrupted by the client", doing);
  transcript.event(Channel::control, what);
  throw Error(errc::interrupted, what);
}

void SessionState::throw_control_error(const net::error_code& ec, const std::string& doing) {
  // A cancelled read leaves the connection in step, as a timeout does.
  if (ec == boost::asio::error::operation_aborted && interrupted) throw_if_interrupted(doing);
  if (ec == boost::asio::error::timed_out) {
    // The connection stays open: a harness may still send ABOR or QUIT after a silent server.
    const std::string what = fmt::format("{}: no answer within the timeout", doing);
    transcript.event(Channel::control, what);
    throw Error(errc::timeout, what);
  }
  if (closed_by_peer(ec)) fail_control(errc::connection_closed, fmt::format("{}: the server closed the connection ({})", doing, ec.message()));
  fail_control(std::error_code(ec), fmt::format("{}: {}", doing, ec.message()));
}

void SessionState::send_bytes(std::string_view bytes) {
  require_connected();
  throw_if_interrupted("sending a command");
  transcript.record(Channel::control, Direction::client_to_server, bytes);
  if (const auto ec = control.write_all(bytes, timeouts.reply)) {
    // Part of the command may have gone out, so the conversation cannot continue in step.
    if (std::exchange(interrupted, false)) fail_control(errc::interrupted, "sending a command: interrupted by the client");
    throw_control_error(ec, "sending a command");
  }
}

void SessionState::send_command(std::string_view verb, std::string_view arg) {
  std::error_code ec;
  const std::string wire = proto::encode_command(verb, arg, ec);
  if (ec) throw Error(errc::invalid_argument, fmt::format("cannot send \"{} {}\": {}", verb, arg, ec.message()));
  last_command = arg.empty() ? std::string(verb) : fmt::format("{} {}", verb, arg);
  send_bytes(wire);
}

void SessionState::send_line(std::string_view line) {
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) return send_command(line, {});
  send_command(line.substr(0, space), line.substr(space + 1));
}

bool SessionState::parse_pending(proto::Reply& reply) {
  if (pending.empty()) return false;
  std::error_code ec;
  const std::size_t used = parser.put(pending, ec);
  if (reply_bytes.size() < max_quoted_reply_bytes)
    reply_bytes.append(pending, 0, std::min(used, max_quoted_reply_bytes - reply_bytes.size()));
  pending.erase(0, used);
  for (auto& deviation : parser.take_deviations()) deviations.push_back(std::move(deviation));
  if (ec && is_limit_error(ec)) {
    // The end of this reply is out of reach, so no later reply can be found: end the session.
    const std::string what = fmt::format("{} (limits: {} bytes a line, {} lines, {} bytes); reply began \"{}\"", ec.message(),
                                         reply_limits.max_line, reply_limits.max_lines, reply_limits.max_bytes,
                                         escape_bytes(reply_bytes));
    reset_parser();
    fail_control(errc::reply_too_long, what);
  }
  if (ec) {
    const std::string what = fmt::format("malformed reply: {}; bytes: \"{}\"", ec.message(), escape_bytes(reply_bytes));
    // The stream cannot be resynchronised reliably: start afresh with the next bytes that arrive.
    parser.reset();
    pending.clear();
    reply_bytes.clear();
    transcript.event(Channel::control, what);
    throw Error(errc::malformed_reply, what);
  }
  if (!parser.done()) return false;
  reply = parser.release();
  reply_bytes.clear();
  return true;
}

proto::Reply SessionState::read_reply(std::chrono::milliseconds timeout) {
  require_connected();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  proto::Reply reply;
  std::array<char, 16 * 1024> buffer{};
  while (!parse_pending(reply)) {
    throw_if_interrupted("reading a reply");
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    net::error_code ec;
    const std::size_t got = control.read_some(buffer, std::max(left, std::chrono::milliseconds{0}), ec);
    if (ec) throw_control_error(ec, "reading a reply");
    received(std::string_view(buffer.data(), got));
  }
  return reply;
}

void SessionState::received(std::string_view bytes) {
  transcript.record(Channel::control, Direction::server_to_client, bytes);
  pending.append(bytes);
}

void SessionState::reset_parser() {
  parser = proto::ReplyParser(reply_limits);
  pending.clear();
  reply_bytes.clear();
}

// ---- Session --------------------------------------------------------------------------------

Session::Session(Timeouts timeouts) : impl_(std::make_unique<Impl>(timeouts)) {}
Session::~Session() = default;

proto::Reply Session::connect(const std::string& host, std::uint16_t port) {
  if (impl_->control.is_open()) close();
  impl_->open_control(host, port);
  return impl_->read_greeting();
}

void SessionState::open_control(const std::string& host, std::uint16_t port) {
  auto& s = *this;
  s.reset_parser();
  s.interrupted = false;  // a new connection: an interrupt aimed at the old one is spent
  s.greeting.clear();
  s.representation = {};
  s.data_protection = 'C';
  // A data connection kept open belongs to the old control connection (one that failed is not
  // closed through close()), never to this one.
  s.drop_kept_data("kept data connection of the previous control connection closed");
  s.server_host = host;
  if (const auto ec = s.control.tcp().connect(host, port, s.timeouts.connect)) {
    const std::string what = fmt::format("connecting to {} port {}: {}", host, port, ec.message());
    s.transcript.event(Channel::control, what);
    if (ec == boost::asio::error::timed_out) throw Error(errc::timeout, what);
    throw Error(std::error_code(ec), what);
  }
  s.transcript.event(Channel::control, fmt::format("connected to {} from {}", net::endpoint_text(s.control.tcp().remote_endpoint()),
                                                   net::endpoint_text(s.control.tcp().local_endpoint())));
}

proto::Reply SessionState::read_greeting() {
  auto& s = *this;
  // RFC 959 §5.4 connection establishment: 120 (any number), then 220 or 421.
  for (;;) {
    proto::Reply reply = s.read_reply();
    s.greeting.push_back(reply);
    if (reply.code != 120) return reply;
  }
}

proto::Reply Session::login(const std::string& user, const std::string& password, const std::string& account) {
  // RFC 959 §5.4 login sequence: USER -> 331 -> PASS -> 332 -> ACCT (USER may also ask 332).
  proto::Reply reply = command("USER", user);
  if (reply.code == 331) reply = command("PASS", password);
  if (reply.code == 332) reply = command("ACCT", account);
  return reply;
}

proto::Reply Session::command(std::string_view line) {
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) return command(line, {});
  return command(line.substr(0, space), line.substr(space + 1));
}

proto::Reply Session::command(std::string_view verb, std::string_view arg) {
  impl_->send_command(verb, arg);
  proto::Reply reply = impl_->read_reply();
  // RFC 4217 §9: the protection level takes effect on the server's 200, however PROT was sent.
  if (reply.code / 100 == 2 && verb.size() == 4 && (verb[0] | 0x20) == 'p' && (verb[1] | 0x20) == 'r' &&
      (verb[2] | 0x20) == 'o' && (verb[3] | 0x20) == 't' && arg.size() == 1)
    impl_->data_protection = static_cast<char>(arg[0] & ~0x20);
  return reply;
}

void Session::send_raw(std::string_view bytes) { impl_->send_bytes(bytes); }

void Session::send_urgent(std::string_view bytes) {
  auto& s = *impl_;
  s.require_connected();
  s.transcript.event(Channel::control, fmt::format("{} byte(s) follow as TCP urgent data", bytes.size()));
  s.transcript.record(Channel::control, Direction::client_to_server, bytes);
  if (const auto ec = s.control.tcp().send_urgent(bytes, s.timeouts.reply)) s.throw_control_error(ec, "sending urgent data");
}

void Session::send_abort() {
  send_raw("\xff\xf4");  // IAC IP
  send_urgent("\xff");    // IAC as urgent data: the Synch's TCP part
  send_raw("\xf2" "ABOR\r\n");  // DM, then the command
}

proto::Reply Session::read_reply(std::optional<std::chrono::milliseconds> timeout) {
  return impl_->read_reply(timeout.value_or(impl_->timeouts.reply));
}

std::vector<proto::Deviation> Session::take_deviations() { return std::exchange(impl_->deviations, {}); }

std::vector<proto::Reply> Session::set_representation(const codec::Representation& rep, codec::FormCode form) {
  auto& s = *impl_;
  std::vector<proto::Reply> replies;
  auto& current = s.representation;
  // RFC 959 §4.1.2: TYPE, STRU and MODE are separate commands; each takes effect on its 2yz.
  if (rep.type != current.type || rep.format != current.format ||
      (rep.type == codec::RepType::local && rep.byte_size != current.byte_size)) {
    replies.push_back(command("TYPE", codec::type_argument(rep, form)));
    if (replies.back().code / 100 != 2) return replies;
    current.type = rep.type;
    current.format = rep.format;
    current.byte_size = rep.byte_size;
  }
  if (rep.structure != current.structure) {
    replies.push_back(command("STRU", std::string(1, codec::stru_argument(rep.structure))));
    if (replies.back().code / 100 != 2) return replies;
    current.structure = rep.structure;
  }
  if (rep.mode != current.mode) {
    replies.push_back(command("MODE", std::string(1, codec::mode_argument(rep.mode))));
    if (replies.back().code / 100 != 2) return replies;
    current.mode = rep.mode;
  }
  return replies;
}

const codec::Representation& Session::representation() const noexcept { return impl_->representation; }

void Session::interrupt() {
  boost::asio::post(impl_->io, [state = impl_.get()] { state->on_interrupt(); });
}

void Session::discard_interrupt() {
  // Runs a handler still queued (it cancels nothing: no operation is pending between calls).
  impl_->io.restart();
  impl_->io.poll();
  impl_->interrupted = false;
}

void Session::quit() {
  if (!connected()) return;
  try {
    // The goodbye is a courtesy, not something to wait out: a server still busy with an earlier
    // command (Twisted holds every command after PASV until its data connection times out) gets
    // about a second, then the connection closes anyway.
    impl_->send_command("QUIT", {});
    impl_->read_reply(std::min(impl_->timeouts.reply, std::max(impl_->timeouts.drain, std::chrono::milliseconds(1000))));
  } catch (const Error&) {
    // The session ends either way; a server that drops the line on QUIT is not our concern here.
  }
  // An orderly TLS end (RFC 4217 §12): close_notify, waiting briefly for the server's.
  if (impl_->control.is_open() && impl_->control.secure()) impl_->control.stop_tls(impl_->timeouts.drain);
  close();
}

void Session::close() {
  impl_->drop_kept_data("kept data connection closed with the session");
  if (!impl_->control.is_open()) return;
  // Without close_notify: quit() is the orderly end; close() may follow a failure.
  impl_->control.close();
  impl_->transcript.event(Channel::control, "closed by the client");
}

std::string_view to_string(DataConnection connection) noexcept {
  switch (connection) {
    case DataConnection::pasv: return "pasv";
    case DataConnection::epsv: return "epsv";
    case DataConnection::port: return "port";
    case DataConnection::eprt: return "eprt";
    case DataConnection::kept: return "kept";
  }
  return "?";
}

bool Session::connected() const noexcept { return impl_->control.is_open(); }
bool Session::data_connection_kept() const noexcept { return impl_->kept_data != nullptr; }
Transcript& Session::transcript() noexcept { return impl_->transcript; }
const Transcript& Session::transcript() const noexcept { return impl_->transcript; }
const std::vector<proto::Reply>& Session::greeting_replies() const noexcept { return impl_->greeting; }
const Timeouts& Session::timeouts() const noexcept { return impl_->timeouts; }
void Session::set_timeouts(const Timeouts& timeouts) { impl_->timeouts = timeouts; }
const std::string& Session::last_command() const noexcept { return impl_->last_command; }
std::string Session::local_address() const { return impl_->local_host(); }
std::string Session::remote_address() const { return impl_->remote_host(); }

}  // namespace ftpspec::session
