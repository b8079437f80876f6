// Grading a reply against a `<` expectation: the first matching alternative decides (Autobahn
// style); a reply matching none is graded by the case level and RFC 959 §5.4 (proto::sequences).
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "proto/reply.hpp"
#include "proto/sequences.hpp"
#include "run/server_knowledge.hpp"
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
///   1. 502 to a command RFC 1123 §4.1.2.13 requires -> fail (it MUST be implemented);
///   2. 500/502 to an optional command not known to be implemented -> unsupported;
///   3. a code outside the command's RFC 959 §5.4 list (proto::sequences) -> fail at every level;
///   4. 504 to a well-formed optional TYPE/MODE/STRU parameter (TYPE E, MODE B) -> unsupported;
///   5. by the case level: MUST fail, SHOULD warn; MAY: a 5yz is unsupported (the feature is absent,
///      or a required command refused the action the case may ask), but fails for an optional
///      command known to be implemented, as does any other code (an implemented feature must
///      follow its rules).
/// `known` says which commands the server implements; `expected` describes what was expected.
Judgement grade_reply(const proto::Reply& reply, scenario::Level level, std::string_view command,
                      proto::ReplyStage stage, std::string expected, const ServerKnowledge& known = {});

/// Grades `reply`, the answer to `command` (as for grade_reply) at `stage`, `waited` after the
/// command was sent. An alternative that calls a 500/502 `unsupported` (the command is not
/// implemented) does not apply to a command `known` to be implemented.
Judgement judge_reply(const scenario::Expect& expect, const proto::Reply& reply, scenario::Level level,
                      std::string_view command, proto::ReplyStage stage = proto::ReplyStage::first,
                      std::optional<std::chrono::milliseconds> waited = std::nullopt, const ServerKnowledge& known = {});

/// The verb of a command line ("TYPE" of "TYPE L 8"), as written.
std::string_view verb_of(std::string_view command) noexcept;

/// The reply's first line, or all its lines joined by " | " when multi-line (for evidence).
std::string reply_summary(const proto::Reply& reply);

}  // namespace ftpspec::run
