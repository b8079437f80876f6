// Grading a reply against a `<` expectation: the first matching alternative decides (Autobahn
// style); a reply matching none is graded by the case level and RFC 959 §5.4 (proto::sequences).
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "proto/reply.hpp"
#include "proto/sequences.hpp"
#include "run/verdict.hpp"
#include "scenario/ast.hpp"

namespace ftpspec::run {

struct Judgement {
  Verdict verdict = Verdict::pass;
  std::string expected;  ///< the expectation as text, for evidence
  std::string reason;    ///< empty on a plain pass
  /// What decided: an alternative of the case, or (for a reply none expected) the rules of
  /// grade_reply — not implemented, RFC 959 §5.4's table, or the case level.
  enum class Basis { alternative, not_implemented, reply_table, level } basis = Basis::alternative;
  /// For Basis::reply_table: the rule the reply breaks ("AUTH is answered with a code its reply list
  /// gives") and where it is written ("2228 §3 / 4217 §4"), which is not the case's own rule.
  std::string rule;
  std::string rfc;
};

/// True when the reply's code matches one pattern and every check holds. `waited` is the time from
/// sending the command to the reply (a `delay >=` check never holds without it).
bool matches(const scenario::Alternative& alternative, const proto::Reply& reply,
             std::optional<std::chrono::milliseconds> waited = std::nullopt);

/// "200|202 or 502|504 unsupported"
std::string describe(const scenario::Expect& expect);

/// Grades a reply no alternative expected, the answer to `command` (the line as sent, "TYPE L 8";
/// empty when unknown, e.g. the greeting or raw bytes) at `stage`, in this order:
///   1. 500/502 to a command RFC 1123 §4.1.2.13 does not require -> unsupported (not implemented);
///   2. a code outside the command's RFC 959 §5.4 list (proto::sequences) -> fail at every level;
///   3. 504 to a parameter RFC 1123 §4.1.2.13 does not require (TYPE E, MODE B) -> unsupported;
///   4. by the case level (grade_unmatched).
/// `expected` describes what was expected, for the reason.
Judgement grade_reply(const proto::Reply& reply, scenario::Level level, std::string_view command,
                      proto::ReplyStage stage, std::string expected);

/// Grades `reply`, the answer to `command` (as for grade_reply) at `stage`, `waited` after the
/// command was sent.
Judgement judge_reply(const scenario::Expect& expect, const proto::Reply& reply, scenario::Level level,
                      std::string_view command, proto::ReplyStage stage = proto::ReplyStage::first,
                      std::optional<std::chrono::milliseconds> waited = std::nullopt);

/// The verb of a command line ("TYPE" of "TYPE L 8"), as written.
std::string_view verb_of(std::string_view command) noexcept;

/// The reply's first line, or all its lines joined by " | " when multi-line (for evidence).
std::string reply_summary(const proto::Reply& reply);

}  // namespace ftpspec::run
