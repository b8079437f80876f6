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
};

/// True when the reply's code matches one pattern and every check holds. `waited` is the time from
/// sending the command to the reply (a `delay >=` check never holds without it).
bool matches(const scenario::Alternative& alternative, const proto::Reply& reply,
             std::optional<std::chrono::milliseconds> waited = std::nullopt);

/// "200|202 or 502|504 unsupported"
std::string describe(const scenario::Expect& expect);

/// Grades `reply`, the answer to a command with `verb` (empty when unknown, e.g. the greeting or
/// raw bytes) at `stage`, `waited` after the command was sent.
Judgement judge_reply(const scenario::Expect& expect, const proto::Reply& reply, scenario::Level level,
                      std::string_view verb, proto::ReplyStage stage = proto::ReplyStage::first,
                      std::optional<std::chrono::milliseconds> waited = std::nullopt);

/// The reply's first line, or all its lines joined by " | " when multi-line (for evidence).
std::string reply_summary(const proto::Reply& reply);

}  // namespace ftpspec::run
