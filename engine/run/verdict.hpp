// Verdicts: what a case found about the server, plus `error` (the harness or network failed, never
// the server's fault) and `skipped` (a precondition was not met). docs/scenario-format.md §Verdicts.
#pragma once
#include <array>
#include <string_view>

#include "scenario/ast.hpp"

namespace ftpspec::run {

enum class Verdict {
  pass,         ///< the server did what the RFC requires
  skipped,      ///< a precondition was not met (feature absent, command refused by skip-unless)
  unsupported,  ///< an optional command or variant refused the way the RFC allows (502, 504)
  warn,         ///< a SHOULD not met, or a tolerated deviation (bare LF)
  /// Set-up the case is not about (a fixture, TYPE, the data connection, TLS) broke on a server
  /// defect; the defect is reported once, as a finding, and never counts as this case's fail.
  blocked,
  fail,         ///< a MUST broken, or a reply the RFC does not allow (RFC 959 §5.4)
  error,        ///< harness or network failure (session::Error): inconclusive, never a fail
};

/// Every verdict, in severity order.
inline constexpr std::array<Verdict, 7> kAllVerdicts = {Verdict::pass, Verdict::skipped, Verdict::unsupported, Verdict::warn,
                                                        Verdict::blocked, Verdict::fail, Verdict::error};

std::string_view to_string(Verdict verdict) noexcept;

/// The verdict a case gets from several steps: the most severe, in the order of the enum.
constexpr Verdict worst(Verdict a, Verdict b) noexcept { return static_cast<int>(a) >= static_cast<int>(b) ? a : b; }

/// What an alternative's outcome yields.
Verdict from_outcome(scenario::Outcome outcome) noexcept;

/// A reply that matches no alternative of a case, graded by the case's level:
///   MUST   -> fail
///   SHOULD -> warn
///   MAY    -> unsupported when the reply is a 5yz refusal (the optional feature is absent),
///             fail otherwise (an optional feature that is implemented must follow its grammar).
/// `allowed_by_rfc` is false when RFC 959 §5.4 (proto::sequences) forbids the code for the verb:
/// that is a fail at every level.
Verdict grade_unmatched(scenario::Level level, int code, bool allowed_by_rfc) noexcept;

}  // namespace ftpspec::run
