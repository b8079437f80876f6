#include "run/tls_steps.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>

#include "proto/sequences.hpp"
#include "run/expectation.hpp"

namespace ftpspec::run {

namespace {

bool one_of(int code, std::initializer_list<int> codes) { return std::find(codes.begin(), codes.end(), code) != codes.end(); }

/// A reply that is neither the success nor an allowed refusal: graded as any unexpected reply.
TlsStepOutcome unmatched(std::string_view command, const proto::Reply& reply, scenario::Level level, std::string expected,
                         const ServerKnowledge& known) {
  Judgement graded = grade_reply(reply, level, command, proto::ReplyStage::first, std::move(expected), known);
  return {graded.verdict, std::move(graded.expected), reply_summary(reply), std::move(graded.reason), {}, 0,
          std::move(graded.rule), std::move(graded.rfc)};
}

TlsStepOutcome refused(const proto::Reply& reply, std::string expected, std::string reason) {
  return {Verdict::unsupported, std::move(expected), reply_summary(reply), std::move(reason), {}, 0, {}, {}};
}

bool uses_tls_fixture(scenario::Requirement require) noexcept {
  return require == scenario::Requirement::tls_login || require == scenario::Requirement::tls_scratch;
}

}  // namespace

proto::Reply open_control(session::Session& session, const Target& target) {
  return target.tls == TlsMode::implicit ? session.connect_tls(target.host, target.port)
                                         : session.connect(target.host, target.port);
}

/// The outcome, marked with the command and reply that decided it.
TlsStepOutcome answered(TlsStepOutcome out, std::string command, const proto::Reply& reply) {
  out.command = std::move(command);
  out.code = reply.code;
  return out;
}

TlsStepOutcome run_auth_tls(session::Session& session) {
  if (session.control_secure()) return {Verdict::pass, "234", "the control connection is already protected", {}, "AUTH TLS", 0, {}, {}};
  const proto::Reply reply = session.auth_tls();  // throws on a failed handshake after 234
  const auto out = [&](TlsStepOutcome o) { return answered(std::move(o), "AUTH TLS", reply); };
  if (reply.code == 234) return out({Verdict::pass, "234", reply_summary(reply), {}, {}, 0, {}, {}});
  // A case that merely needs TLS is not about AUTH's reply: whatever refused it (even a code RFC
  // 2228 §3 does not list, or RFC 4217 §4.2's "incorrect" 334), TLS is not on offer. The case
  // auth-tls-234 sends `> AUTH TLS` itself and judges that reply, once.
  return out(refused(reply, "234", fmt::format("the server does not offer FTP over TLS here: AUTH TLS was answered {} "
                                               "(RFC 4217 §4; auth-tls-234 judges that reply)", reply.code)));
}

TlsStepOutcome run_secure_data(session::Session& session, char protection, scenario::Level level,
                               const ServerKnowledge& known) {
  const std::string expected = fmt::format("200 to PBSZ 0 and to PROT {}", protection);
  const std::vector<proto::Reply> replies = session.secure_data(protection);
  const proto::Reply& last = replies.back();
  const std::string_view verb = replies.size() == 1 ? "PBSZ" : "PROT";
  const std::string command = replies.size() == 1 ? std::string("PBSZ 0") : fmt::format("PROT {}", protection);
  const auto out = [&](TlsStepOutcome o) { return answered(std::move(o), command, last); };
  if (replies.size() == 2 && last.code / 100 == 2) return out({Verdict::pass, expected, reply_summary(last), {}, {}, 0, {}, {}});
  if (one_of(last.code, {500, 502, 504, 534, 536}))
    return out(refused(last, expected, fmt::format("{} was refused: the server does not offer data protection level {} "
                                                   "(RFC 4217 §9, RFC 2228 §3)", verb, protection)));
  return out(unmatched(command, last, level, expected, known));
}

TlsStepOutcome run_ccc(session::Session& session, scenario::Level level, const ServerKnowledge& known) {
  const proto::Reply reply = session.ccc();
  const auto out = [&](TlsStepOutcome o) { return answered(std::move(o), "CCC", reply); };
  if (reply.code == 200) return out({Verdict::pass, "200", reply_summary(reply), {}, {}, 0, {}, {}});
  if (one_of(reply.code, {500, 502, 534}))
    return out(refused(reply, "200", "CCC was refused: the server does not clear the control connection (RFC 4217 §5)"));
  TlsStepOutcome graded = unmatched("CCC", reply, level, "200, or 500/502/534 when refused", known);
  if (reply.code == 533 && session.control_secure())
    graded.reason = "RFC 4217 §5: 533 means the control connection is not protected, but it is (534 refuses CCC)";
  return out(std::move(graded));
}

bool needs_auth_tls(const Target& target, scenario::Requirement require) noexcept {
  if (target.tls == TlsMode::implicit) return false;
  return uses_tls_fixture(require) || (target.tls == TlsMode::explicit_ && require != scenario::Requirement::nothing);
}

bool needs_protected_data(const Target& target, scenario::Requirement require) noexcept {
  return uses_tls_fixture(require) || target.tls != TlsMode::none;
}

bool is_tls_check(const scenario::DataCheck& check) noexcept {
  using Kind = scenario::DataCheck::Kind;
  return check.kind == Kind::tls || check.kind == Kind::clear || check.kind == Kind::tls_resumed ||
         check.kind == Kind::close_notify;
}

TlsCheckResult check_tls(const scenario::DataCheck& check, const session::TransferResult& outcome) {
  using Kind = scenario::DataCheck::Kind;
  TlsCheckResult out;
  const std::string protection = outcome.tls ? "TLS" : "clear";
  switch (check.kind) {
    case Kind::tls:
      out.ok = outcome.tls;
      out.expected = "a TLS data connection";
      out.actual = protection;
      out.reason = "RFC 4217 §9: after PROT P the data connection must be protected";
      break;
    case Kind::clear:
      out.ok = !outcome.tls;
      out.expected = "a clear data connection";
      out.actual = protection;
      out.reason = "RFC 4217 §9: after PROT C the data connection is made without TLS";
      break;
    case Kind::tls_resumed:
      out.ok = outcome.tls && outcome.tls_resumed;
      out.optional_feature = true;
      out.expected = "the data connection resumed the control connection's TLS session";
      out.actual = outcome.tls ? (outcome.tls_resumed ? "resumed" : "a full handshake") : "clear";
      out.reason = "the server did not resume the offered TLS session on the data connection (RFC 4217 §10.2 allows it)";
      break;
    case Kind::close_notify:
      out.ok = outcome.tls && !outcome.tls_truncated;
      out.expected = "close_notify before the data connection closed";
      out.actual = !outcome.tls ? "clear" : outcome.tls_truncated ? "closed without close_notify" : "close_notify";
      out.reason = "the TLS data connection ended without close_notify (RFC 4217 §12.6 TLSshutdown): "
                   "a truncated download cannot be told from a complete one";
      break;
    default: break;
  }
  return out;
}

}  // namespace ftpspec::run
