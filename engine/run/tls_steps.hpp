// The RFC 4217 steps of a case (auth-tls, secure-data, ccc), the TLS fixtures, and the checks on
// how a data connection was protected. Each step judges its own replies: refusals the RFC allows
// for an optional mechanism are `unsupported`, other codes are graded like an unmatched reply.
#pragma once
#include <string>

#include "run/server_knowledge.hpp"
#include "run/target.hpp"
#include "run/verdict.hpp"
#include "scenario/ast.hpp"
#include "session/session.hpp"

namespace ftpspec::run {

/// The judged result of one TLS step (or of the TLS part of a fixture).
struct TlsStepOutcome {
  Verdict verdict = Verdict::pass;
  std::string expected;
  std::string actual;
  std::string reason;
  std::string command;  ///< the command whose reply decided ("AUTH TLS", "PBSZ 0", "PROT P", "CCC")
  int code = 0;         ///< that reply's code
  std::string rule;     ///< as Judgement::rule: a code outside the command's reply list
  std::string rfc;
  bool ok() const noexcept { return verdict == Verdict::pass; }
};

/// Connects the way the target says: in clear, or with TLS from the first byte (implicit FTPS).
/// Returns the greeting.
proto::Reply open_control(session::Session& session, const Target& target);

/// AUTH TLS and, on 234, the control-connection handshake (RFC 4217 §4). Any other reply is
/// `unsupported`: the server does not offer TLS to this session, and the cases that need TLS are not
/// about AUTH's reply (auth-tls-234 judges it with a plain `> AUTH TLS`). A failed handshake throws
/// session::Error(tls_failed), which blocks the case.
TlsStepOutcome run_auth_tls(session::Session& session);

/// PBSZ 0 then PROT `protection` (RFC 4217 §8-9). PBSZ/PROT refusals 500/502/504/534/536 are
/// `unsupported` (the server does not offer that level).
TlsStepOutcome run_secure_data(session::Session& session, char protection, scenario::Level level,
                               const ServerKnowledge& known = {});

/// CCC (RFC 4217 §5): 200 (then the TLS shutdown) passes; 500/502 (not understood) and 534 (not
/// allowed now) are `unsupported`; 533 on a protected connection contradicts §5 and is graded
/// like an unmatched reply.
TlsStepOutcome run_ccc(session::Session& session, scenario::Level level, const ServerKnowledge& known = {});

/// The TLS part of a session fixture after the greeting and before login: AUTH TLS when the case
/// needs it (`require tls-*`) or the target is explicit FTPS; nothing for implicit FTPS.
bool needs_auth_tls(const Target& target, scenario::Requirement require) noexcept;
/// After login: PBSZ 0 + PROT P when the case needs it or the target uses TLS.
bool needs_protected_data(const Target& target, scenario::Requirement require) noexcept;

/// expect-tls / expect-clear / expect-tls-resumed / expect-close-notify against a transfer.
/// `ok` is set when the check holds; the verdict otherwise is the caller's (by level), except
/// that a missing resumption is an optional feature absent (`optional_feature`: unsupported in a
/// MAY case).
struct TlsCheckResult {
  bool ok = true;
  bool optional_feature = false;  ///< failing means an optional feature is absent (resumption)
  std::string expected;
  std::string actual;
  std::string reason;
};
/// True for the DataCheck kinds this file handles.
bool is_tls_check(const scenario::DataCheck& check) noexcept;
TlsCheckResult check_tls(const scenario::DataCheck& check, const session::TransferResult& outcome);

}  // namespace ftpspec::run
