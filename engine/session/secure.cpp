// RFC 4217 on the control connection: AUTH TLS, implicit FTPS, PBSZ/PROT, CCC.
#include <fmt/format.h>
#include <openssl/ssl.h>

#include "session/session.hpp"
#include "session/session_impl.hpp"

namespace ftpspec::session {

net::ssl::context& SessionState::client_tls_context() {
  if (tls_context) return *tls_context;
  auto& context = tls_context.emplace(net::ssl::context::tls_client);
  context.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                      net::ssl::context::no_sslv3);
  if (tls_options.verify) {
    context.set_verify_mode(net::ssl::verify_peer);
    net::error_code ec;
    if (tls_options.ca_file.empty()) context.set_default_verify_paths(ec);
    else context.load_verify_file(tls_options.ca_file, ec);
    if (ec) {
      tls_context.reset();
      throw Error(errc::tls_failed, fmt::format("cannot load the trust anchors \"{}\": {}", tls_options.ca_file, ec.message()));
    }
  } else {
    context.set_verify_mode(net::ssl::verify_none);
  }
  return context;
}

net::TlsClientStart SessionState::tls_start(SSL_SESSION* resume) const {
  net::TlsClientStart start;
  start.server_name = tls_options.server_name.empty() ? server_host : tls_options.server_name;
  start.verify_host = tls_options.verify;
  start.resume = resume;
  return start;
}

void SessionState::record_handshake(Channel channel, const net::Transport& transport) {
  const net::TlsSummary summary = transport.tls_summary();
  transcript.event(channel, fmt::format("TLS handshake done: {}, cipher {}, session reused: {}{}", summary.version,
                                        summary.cipher, summary.resumed ? "yes" : "no",
                                        summary.peer_subject.empty() ? "" : ", server certificate " + summary.peer_subject));
}

void SessionState::secure_control() {
  transcript.event(Channel::control, "TLS handshake starts");
  if (const auto ec = control.client_handshake(client_tls_context(), tls_start(nullptr), timeouts.connect)) {
    const std::string what = fmt::format("TLS handshake on the control connection failed: {}", ec.message());
    if (ec == boost::asio::error::timed_out) fail_control(errc::timeout, what);
    fail_control(errc::tls_failed, what);
  }
  record_handshake(Channel::control, control);
}

proto::Reply Session::connect_tls(const std::string& host, std::uint16_t port) {
  auto& s = *impl_;
  if (s.control.is_open()) close();
  s.open_control(host, port);
  s.secure_control();  // implicit FTPS: TLS from the first byte, the greeting comes protected
  return s.read_greeting();
}

proto::Reply Session::auth_tls() {
  auto& s = *impl_;
  proto::Reply reply = command("AUTH", "TLS");
  // RFC 4217 §4.1: 234 means "go ahead with the handshake"; anything else leaves the line clear.
  if (reply.code != 234) return reply;
  if (!s.pending.empty()) {
    // Bytes after the 234 were sent in clear before the handshake: a plaintext injection risk.
    s.transcript.event(Channel::control, fmt::format("{} byte(s) after the 234 arrived before the TLS handshake; discarded",
                                                     s.pending.size()));
    s.pending.clear();
  }
  s.secure_control();
  return reply;
}

std::vector<proto::Reply> Session::secure_data(char level) {
  // RFC 4217 §8-9: PBSZ must precede PROT; with TLS the buffer size is 0.
  std::vector<proto::Reply> replies;
  replies.push_back(command("PBSZ", "0"));
  if (replies.back().code / 100 != 2) return replies;
  replies.push_back(command("PROT", std::string(1, level)));  // command() applies the level on 2yz
  return replies;
}

proto::Reply Session::ccc() {
  auto& s = *impl_;
  proto::Reply reply = command("CCC", {});
  if (reply.code != 200 || !s.control.secure()) return reply;
  // RFC 4217 §5, §12.3: both sides send close_notify; the TCP connection stays up, in clear.
  const auto ec = s.control.stop_tls(s.timeouts.reply);
  s.transcript.event(Channel::control, ec ? fmt::format("TLS shutdown for CCC: {}; continuing in clear", ec.message())
                                          : std::string("TLS shutdown for CCC (close_notify both ways); continuing in clear"));
  return reply;
}

void Session::set_tls_options(const TlsOptions& options) {
  impl_->tls_options = options;
  impl_->tls_context.reset();  // remade with the new settings on next use
}
const TlsOptions& Session::tls_options() const noexcept { return impl_->tls_options; }
bool Session::control_secure() const noexcept { return impl_->control.secure(); }
char Session::data_protection() const noexcept { return impl_->data_protection; }

void Session::set_reply_limits(const proto::ReplyParserLimits& limits) {
  impl_->reply_limits = limits;
  impl_->parser = proto::ReplyParser(limits);  // between replies: nothing is lost
}

}  // namespace ftpspec::session
