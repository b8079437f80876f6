#include "client/judge.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "session/transcript.hpp"

namespace ftpspec::client {
namespace {

using Kind = Check::Kind;

/// "equal (N bytes)" or where the bytes first differ.
CheckResult compare(const std::optional<std::string>& found, const std::string& expected, const std::string& what) {
  if (!found) return {false, what + " does not exist"};
  if (*found == expected) return {true, fmt::format("{}: {} bytes, as expected", what, found->size())};
  const auto mismatch = std::mismatch(found->begin(), found->end(), expected.begin(), expected.end());
  const auto at = static_cast<std::size_t>(mismatch.first - found->begin());
  return {false, fmt::format("{}: {} bytes, expected {}; they differ from byte {}", what, found->size(), expected.size(), at)};
}

/// NAME stands alone in the output: bounded by the line's start or end, blanks, quotes, '/',
/// '>' or '<' (a listing line, a parsed name, an HTML index), and on the right also by the marks
/// of `ls -F` (`@` link, `*` executable, `=` socket, `|` fifo).
bool names(const std::string& output, const std::string& name) {
  if (name.empty()) return false;
  static constexpr std::string_view kBounds = " \t\r\n\"'/<>";
  static constexpr std::string_view kClassify = "@*=|";
  for (std::size_t at = output.find(name); at != std::string::npos; at = output.find(name, at + 1)) {
    const bool left = at == 0 || kBounds.find(output[at - 1]) != std::string_view::npos;
    const std::size_t end = at + name.size();
    const bool right = end == output.size() || kBounds.find(output[end]) != std::string_view::npos ||
                       kClassify.find(output[end]) != std::string_view::npos;
    if (left && right) return true;
  }
  return false;
}

/// `text` with HTML's character references decoded (&amp; &lt; &gt; &quot; &#NN; &#xNN;), for
/// clients that list as an HTML index (wget writes "two&#32;words.txt").
std::string html_decoded(const std::string& text) {
  static const std::regex reference(R"(&(amp|lt|gt|quot|apos|#[0-9]{1,3}|#x[0-9A-Fa-f]{1,2});)");
  std::string out;
  auto at = text.cbegin();
  for (std::sregex_iterator it(text.begin(), text.end(), reference), end; it != end; ++it) {
    out.append(at, (*it)[0].first);
    const std::string name = (*it)[1].str();
    if (name == "amp") out += '&';
    else if (name == "lt") out += '<';
    else if (name == "gt") out += '>';
    else if (name == "quot") out += '"';
    else if (name == "apos") out += '\'';
    else out += static_cast<char>(std::stoi(name.substr(name[1] == 'x' ? 2 : 1), nullptr, name[1] == 'x' ? 16 : 10));
    at = (*it)[0].second;
  }
  out.append(at, text.cend());
  return out;
}

bool whole_match(const std::string& regex, const std::string& line) {
  return std::regex_match(line, std::regex(regex, std::regex::ECMAScript | std::regex::icase));
}

std::string command_list(const std::vector<SentCommand>& commands) {
  std::string out;
  for (const auto& command : commands) {
    if (out.size() > 400) return out + ", ...";
    out += (out.empty() ? "" : ", ") + session::escape_bytes(command.line);
  }
  return out.empty() ? "no command" : out;
}

}  // namespace

CheckResult evaluate(const Check& check, const Observation& observed) {
  const ClientOutcome& outcome = observed.outcome;
  switch (check.kind) {
    case Kind::exit_is:
    case Kind::exit_not: {
      if (!outcome.exit_status) return {false, outcome.describe()};
      const bool equal = *outcome.exit_status == check.number;
      return {equal == (check.kind == Kind::exit_is), fmt::format("exit status {}", *outcome.exit_status)};
    }
    case Kind::local_is:
      return compare(read_file_bytes(observed.local), observed.files.bytes(*check.content),
                     "local " + observed.local.filename().string());
    case Kind::local_absent: {
      const auto found = read_file_bytes(observed.local);
      return {!found, found ? fmt::format("local {}: {} bytes", observed.local.filename().string(), found->size())
                            : "no local file"};
    }
    case Kind::remote_is:
      return compare(read_file_bytes(observed.login / check.path), observed.files.bytes(*check.content, check.path),
                     "server file " + check.path);
    case Kind::remote_absent:
    case Kind::remote_dir: {
      std::error_code ec;
      const auto status = std::filesystem::symlink_status(observed.login / check.path, ec);
      const bool exists = std::filesystem::exists(status);
      const bool dir = std::filesystem::is_directory(status);
      const std::string actual = fmt::format("server {}: {}", check.path, dir ? "a directory" : exists ? "a file" : "absent");
      return {check.kind == Kind::remote_dir ? dir : !exists, actual};
    }
    case Kind::listed:
    case Kind::not_listed: {
      const bool found = names(outcome.output, check.text) || names(html_decoded(outcome.output), check.text);
      return {found == (check.kind == Kind::listed),
              fmt::format("'{}' {} in the client's output", session::escape_bytes(check.text), found ? "appears" : "does not appear")};
    }
    case Kind::sent:
    case Kind::not_sent: {
      const auto commands = observed.record.commands();
      const auto match = std::find_if(commands.begin(), commands.end(), [&](const SentCommand& c) { return whole_match(check.text, c.line); });
      const bool found = match != commands.end();
      return {found == (check.kind == Kind::sent),
              found ? fmt::format("sent '{}' on connection #{}", session::escape_bytes(match->line), match->connection)
                    : "sent: " + command_list(commands)};
    }
    case Kind::sent_before: {
      const auto commands = observed.record.commands();
      bool any_second = false;
      for (std::size_t i = 0; i < commands.size(); ++i) {
        if (!whole_match(check.second, commands[i].line)) continue;
        any_second = true;
        // The first B on this connection: was an A sent before it, on the same connection?
        const bool first_b = std::none_of(commands.begin(), commands.begin() + static_cast<std::ptrdiff_t>(i), [&](const SentCommand& c) {
          return c.connection == commands[i].connection && whole_match(check.second, c.line);
        });
        if (!first_b) continue;
        const bool earlier_a = std::any_of(commands.begin(), commands.begin() + static_cast<std::ptrdiff_t>(i), [&](const SentCommand& c) {
          return c.connection == commands[i].connection && whole_match(check.text, c.line);
        });
        if (earlier_a) return {true, fmt::format("'{}' came after a matching command", session::escape_bytes(commands[i].line))};
      }
      return {false, any_second ? "sent: " + command_list(commands)
                                : fmt::format("no command matching \"{}\"; sent: {}", check.second, command_list(commands))};
    }
    case Kind::output: {
      const bool found = std::regex_search(outcome.output, std::regex(check.text, std::regex::ECMAScript));
      return {found, found ? "the output has a match" : "the output has no match"};
    }
    case Kind::greeting_awaited: {
      const std::string early = observed.record.early_bytes();
      return {early.empty(), early.empty() ? "nothing before the greeting" : early};
    }
    case Kind::tls_after_auth: {
      const std::string events = observed.record.events(ftpspecd::Recorder::Tag::plaintext_after_auth);
      return {events.empty(), events.empty() ? "no clear text after AUTH TLS" : session::escape_bytes(events)};
    }
    case Kind::no_third_party: {
      const std::string events = observed.record.events(ftpspecd::Recorder::Tag::third_party);
      return {events.empty(), events.empty() ? "no connection to the third-party address" : events};
    }
  }
  return {false, "?"};
}

std::string describe(const Expectation& expectation) {
  std::string out;
  for (const Alternative& alternative : expectation.alternatives) {
    std::string checks;
    for (const Check& check : alternative.checks) checks += (checks.empty() ? "" : " ") + check.source;
    if (alternative.outcome != scenario::Outcome::pass) checks += " " + std::string(scenario::to_string(alternative.outcome));
    out += (out.empty() ? "" : " or ") + checks;
  }
  return out;
}

run::StepResult judge(const Expectation& expectation, const Observation& observed, scenario::Level level) {
  run::StepResult step;
  step.loc = expectation.loc;
  step.source = expectation.source;
  step.expected = describe(expectation);
  std::string misses;  // why each alternative did not match, in order
  for (const Alternative& alternative : expectation.alternatives) {
    std::string facts, failures;
    for (const Check& check : alternative.checks) {
      const CheckResult result = evaluate(check, observed);
      facts += (facts.empty() ? "" : "; ") + result.actual;
      if (!result.holds) failures += (failures.empty() ? "" : "; ") + check.source + ": " + result.actual;
    }
    if (!failures.empty()) {
      misses += (misses.empty() ? "" : "; or ") + failures;
      continue;
    }
    step.verdict = run::from_outcome(alternative.outcome);
    step.actual = facts;
    if (step.verdict != run::Verdict::pass) {
      step.reason = !alternative.reason.empty()
                        ? alternative.reason
                        : fmt::format("matched '{}' ({})", describe(Expectation{{alternative}, {}, {}}), facts);
    }
    return step;
  }
  switch (level) {
    case scenario::Level::must: step.verdict = run::Verdict::fail; break;
    case scenario::Level::should: step.verdict = run::Verdict::warn; break;
    case scenario::Level::may: step.verdict = run::Verdict::unsupported; break;
  }
  step.actual = observed.outcome.describe();
  step.reason = fmt::format("no expected outcome: {} ({})", misses, observed.outcome.describe());
  return step;
}

}  // namespace ftpspec::client
