#include "run/findings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "proto/command.hpp"

namespace ftpspec::run {

namespace {


/// Fails group when they answer the same command line with the same code (NLST without an argument
/// refused in two cases is one defect), or the same verb with the same code against the same rule
/// (OPTS answered 504 in three cases about RFC 2389 §4 is one defect). A fail that judged no reply
/// code (wrong data, a TLS property) is its own finding.
std::string line_key(const StepResult& step) {
  if (step.reply_code == 0 || step.command.empty()) return {};
  return fmt::format("line|{}|{}", normalized_command(step.command), step.reply_code);
}

std::string fail_key(const CaseResult& c, const StepResult& step) {
  if (step.reply_code == 0 || step.command.empty()) return "case|" + c.id;
  const std::string verb = proto::upper_ascii(step.command.substr(0, step.command.find(' ')));
  // A code outside the command's reply list is one defect of that command whichever case met it.
  const std::string& rule = !step.rfc.empty() ? step.rfc : c.rfc.empty() ? step.rfc : c.rfc.front();
  return fmt::format("reply|{}|{}|{}", verb, step.reply_code, rule);
}

/// Whether `step`, a failing case's deciding step, judged the command a set-up defect broke.
bool tests_defect(const StepResult& step, const SetupDefect& defect) {
  if (step.command.empty() || normalized_command(step.command) != normalized_command(defect.command)) return false;
  return defect.code == 0 || step.reply_code == defect.code;
}

int strength(scenario::Level level) { return static_cast<int>(level); }  // must < should < may

/// A command as a finding shows it: a 2000-byte line is named by its start and its length.
std::string shown(const std::string& command) {
  constexpr std::size_t kShown = 64;
  if (command.size() <= kShown + 16) return command;
  return fmt::format("{}... ({} bytes)", command.substr(0, kShown), command.size());
}

}  // namespace

std::string normalized_command(std::string_view command) {
  const std::size_t space = command.find(' ');
  const std::string verb = proto::upper_ascii(command.substr(0, space));
  if (space == std::string_view::npos) return verb;
  const std::string_view arg = command.substr(space + 1);
  const bool parameter = verb == "TYPE" || verb == "MODE" || verb == "STRU";
  return verb + " " + (parameter ? proto::upper_ascii(arg) : std::string(arg));
}

void derive_findings(RunResult& result) {
  std::vector<Finding> findings;
  std::map<std::string, std::size_t> by_key;
  std::vector<std::size_t> first_seen;  // the suite position where each finding first appeared
  const auto finding_for = [&](const std::string& key, std::size_t position, auto make) -> Finding& {
    auto [it, added] = by_key.emplace(key, findings.size());
    if (added) {
      findings.push_back(make());
      first_seen.push_back(position);
    }
    return findings[it->second];
  };

  // The cases that fail: each on the defect its own rule names.
  std::map<std::string, std::string> owner_key;  // case id -> key of its finding
  for (std::size_t i = 0; i < result.cases.size(); ++i) {
    const CaseResult& c = result.cases[i];
    const StepResult* step = c.deciding_step();
    if (c.verdict != Verdict::fail || !step) continue;
    std::string key = fail_key(c, *step);
    const std::string line = line_key(*step);
    if (const auto same_line = by_key.find(line); !line.empty() && same_line != by_key.end()) {
      key = std::find_if(by_key.begin(), by_key.end(), [&](const auto& entry) {
              return entry.second == same_line->second && entry.first.rfind("line|", 0) != 0;
            })->first;
    }
    Finding& f = finding_for(key, i, [&] {
      Finding made;
      made.command = shown(step->command);
      made.code = step->reply_code;
      made.observed = step->actual;
      made.rule = step->rule.empty() ? c.title : step->rule;
      made.rfc = !step->rfc.empty() ? step->rfc : c.rfc.empty() ? std::string{} : c.rfc.front();
      made.level = c.level;
      made.transcript = step->transcript;
      made.owner = c.id;
      return made;
    });
    if (strength(c.level) < strength(f.level)) f.level = c.level;
    f.failed.push_back(c.id);
    owner_key[c.id] = key;
    if (!line.empty()) by_key.emplace(line, by_key.at(key));
  }

  // The cases blocked by a set-up defect: on the finding of the case that tests that command, or
  // on a finding of their own when no case of the run tests it.
  for (std::size_t i = 0; i < result.cases.size(); ++i) {
    CaseResult& c = result.cases[i];
    if (c.verdict != Verdict::blocked || !c.blocked_on) continue;
    const SetupDefect& defect = *c.blocked_on;
    std::string key;
    for (const CaseResult& other : result.cases) {
      const StepResult* step = other.deciding_step();
      if (other.verdict == Verdict::fail && step && tests_defect(*step, defect)) {
        key = owner_key[other.id];
        c.blocked_by = other.id;
        break;
      }
    }
    if (key.empty()) key = fmt::format("setup|{}|{}", normalized_command(defect.command), defect.code);
    const StepResult* step = c.deciding_step();
    Finding& f = finding_for(key, i, [&] {
      Finding made;
      made.command = shown(defect.command);
      made.code = defect.code;
      made.observed = defect.observed;
      made.rule = defect.rule;
      made.rfc = defect.rfc;
      made.level = scenario::Level::must;
      made.transcript = step ? step->transcript : std::string{};
      return made;
    });
    f.blocked.push_back(c.id);
  }

  // Report order: MUST first, then the findings that touched most cases, then suite order.
  std::vector<std::size_t> order(findings.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const Finding& x = findings[a];
    const Finding& y = findings[b];
    if (strength(x.level) != strength(y.level)) return strength(x.level) < strength(y.level);
    const std::size_t touched_x = x.failed.size() + x.blocked.size();
    const std::size_t touched_y = y.failed.size() + y.blocked.size();
    if (touched_x != touched_y) return touched_x > touched_y;
    return first_seen[a] < first_seen[b];
  });
  result.findings.clear();
  for (std::size_t n = 0; n < order.size(); ++n) {
    Finding f = std::move(findings[order[n]]);
    f.id = fmt::format("F{}", n + 1);
    result.findings.push_back(std::move(f));
  }

  std::map<std::string, const Finding*> finding_of;
  for (const Finding& f : result.findings) {
    for (const std::string& id : f.failed) finding_of[id] = &f;
    for (const std::string& id : f.blocked) finding_of[id] = &f;
  }
  for (CaseResult& c : result.cases) {
    const auto it = finding_of.find(c.id);
    if (it == finding_of.end()) continue;
    c.finding = it->second->id;
    if (c.verdict != Verdict::blocked || !c.blocked_on) continue;
    const SetupDefect& defect = *c.blocked_on;
    c.reason = c.blocked_by.empty()
                   ? fmt::format("blocked by {}: {} was answered \"{}\" ({})", c.finding, defect.command, defect.observed, defect.rule)
                   : fmt::format("blocked by {} ({}): {} was answered \"{}\"", c.blocked_by, c.finding, defect.command,
                                 defect.observed);
  }
}

}  // namespace ftpspec::run
