#include "run/expected.hpp"

#include <algorithm>

namespace ftpspec::run {

namespace {

bool covers(const ExpectedCase& expected, Verdict verdict) {
  return expected.verdict == verdict || std::find(expected.also.begin(), expected.also.end(), verdict) != expected.also.end();
}

}  // namespace

Comparison compare(const RunResult& result, const ExpectedResults& expected) {
  Comparison out;
  for (const CaseResult& c : result.cases) {
    const auto it = expected.cases.find(c.id);
    const ExpectedCase wanted = it == expected.cases.end() ? ExpectedCase{} : it->second;
    if (covers(wanted, c.verdict)) {
      ++out.as_expected;
      continue;
    }
    Comparison::Change change{c.id, it == expected.cases.end() ? "(not in the file)" : std::string(to_string(wanted.verdict)),
                              c.verdict, c.reason};
    if (c.verdict == Verdict::fail) out.new_fails.push_back(std::move(change));
    else if (c.verdict == Verdict::error) out.new_errors.push_back(std::move(change));
    else if (wanted.verdict == Verdict::fail && c.verdict == Verdict::pass) out.fixed.push_back(std::move(change));
    else out.changed.push_back(std::move(change));
  }
  for (const auto& entry : expected.cases) {
    const std::string& id = entry.first;
    if (std::none_of(result.cases.begin(), result.cases.end(), [&](const CaseResult& c) { return c.id == id; }))
      out.not_run.push_back(id);
  }
  return out;
}

ExpectedResults expected_from(const RunResult& result, const std::string& server, const ExpectedResults* previous) {
  ExpectedResults out;
  out.server = server;
  for (const CaseResult& c : result.cases) {
    ExpectedCase entry;
    entry.verdict = c.verdict;
    if (previous) {
      const auto it = previous->cases.find(c.id);
      if (it != previous->cases.end() && covers(it->second, c.verdict)) {
        entry.also = it->second.also;
        entry.note = it->second.note;
        // The file's main verdict stays what it was when this run got one of its `also` verdicts.
        entry.verdict = it->second.verdict;
      }
    }
    out.cases.emplace(c.id, std::move(entry));
  }
  return out;
}

int exit_code(const RunResult& result, const Comparison* comparison) {
  if (comparison) {
    if (!comparison->new_fails.empty()) return kExitFailed;
    return comparison->new_errors.empty() ? kExitOk : kExitUsage;
  }
  const bool required_failed = std::any_of(result.cases.begin(), result.cases.end(), [](const CaseResult& c) {
    return c.verdict == Verdict::fail && c.level != scenario::Level::may;
  });
  if (required_failed) return kExitFailed;
  return result.count(Verdict::error) > 0 ? kExitUsage : kExitOk;
}

}  // namespace ftpspec::run
