// RFC 4217 (FTP over TLS, profiling RFC 2228 §3): AUTH TLS, PBSZ, PROT, CCC.
#include <charconv>

#include <boost/algorithm/string/case_conv.hpp>

#include "server/control_session.hpp"
#include "server/handlers.hpp"

namespace ftpspecd {

HandlerResult handle_auth(ControlSession& session, const Command& command) {
  if (!session.tls_context()) {
    session.reply(502, "AUTH not available: no TLS certificate configured");
    co_return;
  }
  const std::string mechanism = boost::algorithm::to_upper_copy(command.arg);
  // RFC 4217 §4: "TLS"; "TLS-C" and "SSL" are the pre-RFC names some clients still send.
  if (mechanism != "TLS" && mechanism != "TLS-C" && mechanism != "SSL") {
    session.reply(504, "Security mechanism not understood; use AUTH TLS");
    co_return;
  }
  if (session.control_secure()) {
    session.reply(534, "Control connection already protected");  // RFC 2228 §3: refused by policy
    co_return;
  }
  session.reply(234, "AUTH TLS successful, start the TLS handshake");
  if (!co_await session.secure_control()) co_return;
  // A new security context starts with clear data and no PBSZ (RFC 2228 §3, RFC 4217 §8).
  auto& state = session.state();
  state.pbsz_done = false;
  state.prot_private = false;
  state.protection_frozen = false;
}

HandlerResult handle_pbsz(ControlSession& session, const Command& command) {
  auto& state = session.state();
  if (!session.control_secure() || state.protection_frozen) {
    session.reply(503, "Bad sequence of commands: PBSZ needs AUTH TLS first (RFC 4217 §8)");
    co_return;
  }
  std::uint64_t size = 0;
  const char* end = command.arg.data() + command.arg.size();
  const auto [ptr, ec] = std::from_chars(command.arg.data(), end, size);
  if (ec != std::errc{} || ptr != end) {
    session.reply(501, "Syntax error: PBSZ needs a decimal number");
    co_return;
  }
  state.pbsz_done = true;
  // RFC 4217 §8: TLS needs no buffer size; the server answers PBSZ=0 when the client proposed more.
  session.reply(200, size == 0 ? "PBSZ=0 successful" : "PBSZ=0");
}

HandlerResult handle_prot(ControlSession& session, const Command& command) {
  auto& state = session.state();
  if (!session.control_secure() || !state.pbsz_done || state.protection_frozen) {
    session.reply(503, "Bad sequence of commands: PROT needs PBSZ first (RFC 4217 §9)");
    co_return;
  }
  const std::string level = boost::algorithm::to_upper_copy(command.arg);
  if (level == "C" || level == "P") {
    state.prot_private = level == "P";
    session.reply(200, level == "P" ? "Protection level set to Private" : "Protection level set to Clear");
  } else if (level == "S" || level == "E") {
    session.reply(536, "Protection level not supported by TLS (RFC 4217 §9)");
  } else {
    session.reply(504, "Protection level not understood (C, S, E or P)");
  }
}

HandlerResult handle_ccc(ControlSession& session, const Command&) {
  if (!session.control_secure()) {
    session.reply(533, "Control connection is not protected (RFC 4217 §6)");
    co_return;
  }
  session.reply(200, "Clearing the control connection");
  // RFC 4217 §6: the data protection level stays as set; no further PBSZ/PROT.
  session.state().protection_frozen = true;
  co_await session.clear_control();
}

}  // namespace ftpspecd
