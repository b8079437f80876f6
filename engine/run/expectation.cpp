#include "run/expectation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <regex>

#include "codec/representation.hpp"
#include "run/result.hpp"

namespace ftpspec::run {

std::string_view to_string(Verdict verdict) noexcept {
  switch (verdict) {
    case Verdict::pass: return "pass";
    case Verdict::skipped: return "skipped";
    case Verdict::unsupported: return "unsupported";
    case Verdict::warn: return "warn";
    case Verdict::blocked: return "blocked";
    case Verdict::fail: return "fail";
    case Verdict::error: return "error";
  }
  return "?";
}

Verdict from_outcome(scenario::Outcome outcome) noexcept {
  switch (outcome) {
    case scenario::Outcome::pass: return Verdict::pass;
    case scenario::Outcome::warn: return Verdict::warn;
    case scenario::Outcome::unsupported: return Verdict::unsupported;
    case scenario::Outcome::fail: return Verdict::fail;
    case scenario::Outcome::skip: return Verdict::skipped;
    case scenario::Outcome::blocked: return Verdict::blocked;
  }
  return Verdict::error;
}

Verdict grade_unmatched(scenario::Level level, int code, bool allowed_by_rfc) noexcept {
  if (!allowed_by_rfc) return Verdict::fail;
  switch (level) {
    case scenario::Level::must: return Verdict::fail;
    case scenario::Level::should: return Verdict::warn;
    case scenario::Level::may: return code / 100 == 5 ? Verdict::unsupported : Verdict::fail;
  }
  return Verdict::fail;
}

const StepResult* CaseResult::deciding_step() const noexcept {
  for (const StepResult& step : steps)
    if (step.verdict == verdict && verdict != Verdict::pass) return &step;
  return nullptr;
}

std::string CaseResult::rfc_number() const {
  if (rfc.empty()) return "?";
  return rfc.front().substr(0, rfc.front().find(' '));
}

int RunResult::count(Verdict verdict) const noexcept {
  int n = 0;
  for (const CaseResult& c : cases) n += c.verdict == verdict;
  return n;
}

int RunResult::must_findings() const noexcept {
  return static_cast<int>(std::count_if(findings.begin(), findings.end(), [](const Finding& f) { return f.level == scenario::Level::must; }));
}

bool matches(const scenario::Alternative& alternative, const proto::Reply& reply,
             std::optional<std::chrono::milliseconds> waited) {
  bool code_ok = false;
  for (const auto& pattern : alternative.codes) code_ok = code_ok || pattern.matches(reply.code);
  if (!code_ok) return false;
  const std::string text = reply.text();
  for (const auto& check : alternative.checks) {
    using Kind = scenario::TextCheck::Kind;
    switch (check.kind) {
      case Kind::contains:
        if (!std::regex_search(text, std::regex(check.regex))) return false;
        break;
      case Kind::not_contains:
        if (std::regex_search(text, std::regex(check.regex))) return false;
        break;
      case Kind::every_inner: {
        std::regex re(check.regex);
        for (std::size_t i = 1; i + 1 < reply.lines.size(); ++i)
          if (!std::regex_search(reply.lines[i], re)) return false;
        break;
      }
      case Kind::multiline:
        if (!reply.is_multiline()) return false;
        break;
      case Kind::min_delay:
        if (!waited || *waited < check.delay) return false;
        break;
    }
  }
  return true;
}

namespace {

std::string describe_alternative(const scenario::Alternative& alternative) {
  std::string out;
  for (const auto& code : alternative.codes) out += (out.empty() ? "" : "|") + code.pattern;
  for (const auto& check : alternative.checks) {
    using Kind = scenario::TextCheck::Kind;
    switch (check.kind) {
      case Kind::contains: out += fmt::format(" ~ \"{}\"", check.regex); break;
      case Kind::not_contains: out += fmt::format(" !~ \"{}\"", check.regex); break;
      case Kind::every_inner: out += fmt::format(" inner ~ \"{}\"", check.regex); break;
      case Kind::multiline: out += " multiline"; break;
      case Kind::min_delay: out += fmt::format(" delay >= {}ms", check.delay.count()); break;
    }
  }
  if (alternative.outcome != scenario::Outcome::pass) out += fmt::format(" {}", scenario::to_string(alternative.outcome));
  return out;
}

}  // namespace

std::string describe(const scenario::Expect& expect) {
  if (expect.closed) return "the connection closed";
  std::string out;
  for (const auto& alternative : expect.alternatives) out += (out.empty() ? "" : " or ") + describe_alternative(alternative);
  if (expect.within) out += fmt::format(" (within {} ms)", expect.within->count());
  return out;
}

std::string reply_summary(const proto::Reply& reply) {
  std::string out;
  for (const auto& line : reply.lines) out += (out.empty() ? "" : " | ") + line;
  if (out.empty()) out = std::to_string(reply.code);
  return out;
}

std::string_view verb_of(std::string_view command) noexcept { return command.substr(0, command.find(' ')); }

namespace {

/// A TYPE, MODE or STRU argument RFC 959 §5.3.2's grammar accepts ("E", "L 36", "B"): a 504 to it
/// means "not implemented", a 504 to "L" (no byte size) a wrongly coded syntax error.
bool well_formed_parameter(std::string_view command) {
  const std::size_t space = command.find(' ');
  if (space == std::string_view::npos) return false;
  const std::string_view arg = command.substr(space + 1);
  switch (std::toupper(static_cast<unsigned char>(command[0]))) {
    case 'T': return codec::parse_type_argument(arg).has_value();
    case 'M': return codec::parse_mode_argument(arg).has_value();
    default: return codec::parse_stru_argument(arg).has_value();
  }
}

}  // namespace

Judgement grade_reply(const proto::Reply& reply, scenario::Level level, std::string_view command,
                      proto::ReplyStage stage, std::string expected, const ServerKnowledge& known) {
  Judgement judgement;
  judgement.expected = std::move(expected);
  const std::string_view verb = verb_of(command);
  const std::optional<proto::ReplySequence> sequence = verb.empty() ? std::nullopt : proto::find_sequence(verb);
  const bool in_table = sequence.has_value();
  const proto::Obligation obligation = proto::obligation(command);
  const bool implemented = known.implements(command);
  if (in_table && reply.code == 502 && obligation == proto::Obligation::required) {
    judgement.verdict = Verdict::fail;
    judgement.basis = Judgement::Basis::reply_table;
    judgement.rfc = "1123 §4.1.2.13";
    judgement.rule = fmt::format("{} is part of the minimum implementation every server MUST support", verb);
    judgement.reason = fmt::format("{} is not implemented (502), but RFC 1123 §4.1.2.13 requires it", verb);
    return judgement;
  }
  if (in_table && proto::is_not_implemented(reply.code) && obligation == proto::Obligation::optional && !implemented) {
    judgement.verdict = Verdict::unsupported;
    judgement.basis = Judgement::Basis::not_implemented;
    judgement.reason = fmt::format("{} is not implemented ({}): it is optional (RFC 1123 §4.1.2.13 lists the minimum "
                                   "implementation)", command, reply.code);
    return judgement;
  }
  if (in_table && !proto::is_allowed(verb, reply.code, stage)) {
    judgement.verdict = Verdict::fail;
    judgement.basis = Judgement::Basis::reply_table;
    const std::string_view source = sequence->source;
    judgement.rfc = std::string(source.substr(source.rfind("RFC ", 0) == 0 ? 4 : 0));
    judgement.rule = fmt::format("{} is answered with one of the codes {} lists for it ({})", verb, source,
                                 proto::allowed_codes_text(verb, stage));
    judgement.reason = fmt::format("reply {} to {} is not allowed by {} (allowed: {})", reply.code, verb, source,
                                   proto::allowed_codes_text(verb, stage));
    return judgement;
  }
  const bool representation = in_table && (sequence->verb == "TYPE" || sequence->verb == "MODE" || sequence->verb == "STRU");
  if (representation && reply.code == 504 && obligation == proto::Obligation::optional && !implemented &&
      well_formed_parameter(command)) {
    judgement.verdict = Verdict::unsupported;
    judgement.basis = Judgement::Basis::not_implemented;
    judgement.reason = fmt::format("{} is refused with 504 (parameter not implemented): it is optional (RFC 1123 "
                                   "§4.1.2.13 lists the minimum implementation)", command);
    return judgement;
  }
  judgement.basis = Judgement::Basis::level;
  if (level == scenario::Level::may && reply.code / 100 == 5 && implemented && obligation == proto::Obligation::optional) {
    judgement.verdict = Verdict::fail;
    judgement.reason = fmt::format("expected {}, got {}: the server implements {} (FEAT, or an earlier reply), so it "
                                   "follows {}'s rules", judgement.expected, reply.code, verb, verb);
    return judgement;
  }
  judgement.verdict = grade_unmatched(level, reply.code, true);
  judgement.reason = fmt::format("expected {}, got {} ({} case)", judgement.expected, reply.code, scenario::to_string(level));
  return judgement;
}

Judgement judge_reply(const scenario::Expect& expect, const proto::Reply& reply, scenario::Level level,
                      std::string_view command, proto::ReplyStage stage, std::optional<std::chrono::milliseconds> waited,
                      const ServerKnowledge& known) {
  for (const auto& alternative : expect.alternatives) {
    if (!matches(alternative, reply, waited)) continue;
    // "500|502 unsupported" says the command is not implemented: not so for one known to be.
    if (alternative.outcome == scenario::Outcome::unsupported && proto::is_not_implemented(reply.code) &&
        !verb_of(command).empty() && known.implements(command))
      continue;
    Judgement judgement;
    judgement.expected = describe(expect);
    judgement.verdict = from_outcome(alternative.outcome);
    if (judgement.verdict != Verdict::pass)
      judgement.reason = alternative.reason.empty()
                             ? fmt::format("reply {} matched an alternative marked {}", reply.code,
                                           scenario::to_string(alternative.outcome))
                             : alternative.reason;
    return judgement;
  }
  return grade_reply(reply, level, command, stage, describe(expect), known);
}

}  // namespace ftpspec::run
