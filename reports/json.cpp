// The JSON report, written with nlohmann::json (the library that also reads it back,
// reports/json_read.cpp): objects keep their keys sorted, so two runs diff line by line.
#include "reports/json.hpp"

#include <nlohmann/json.hpp>

#include "reports/escape.hpp"

namespace ftpspec::reports {

namespace {

using nlohmann::json;

/// Server bytes are not always UTF-8: invalid bytes become the four characters \xHH.
json text(std::string_view s) { return valid_utf8(s); }

json texts(const std::vector<std::string>& items) {
  json out = json::array();
  for (const auto& item : items) out.push_back(text(item));
  return out;
}

json location(const scenario::SourceLoc& loc) { return {{"file", text(loc.file)}, {"line", loc.line}, {"column", loc.column}}; }

json step_value(const run::StepResult& step) {
  return {{"location", location(step.loc)},  {"source", text(step.source)},    {"verdict", run::to_string(step.verdict)},
          {"expected", text(step.expected)}, {"actual", text(step.actual)},    {"reason", text(step.reason)},
          {"command", text(step.command)},   {"reply_code", step.reply_code}, {"transcript", text(step.transcript)},
          {"rule", text(step.rule)},         {"rfc", text(step.rfc)}};
}

json case_value(const run::CaseResult& c) {
  json steps = json::array();
  for (const auto& step : c.steps) steps.push_back(step_value(step));
  json out = {{"id", text(c.id)},
              {"title", text(c.title)},
              {"rfc", texts(c.rfc)},
              {"level", scenario::to_string(c.level)},
              {"location", location(c.loc)},
              {"verdict", run::to_string(c.verdict)},
              {"reason", text(c.reason)},
              {"duration_ms", c.duration.count()},
              {"finding", text(c.finding)},
              {"blocked_by", text(c.blocked_by)},
              {"retried_because", text(c.retried_because)},
              {"steps", std::move(steps)},
              {"transcript", text(c.transcript)}};
  if (c.blocked_on)
    out["blocked_on"] = {{"command", text(c.blocked_on->command)}, {"code", c.blocked_on->code},
                         {"observed", text(c.blocked_on->observed)}, {"rule", text(c.blocked_on->rule)},
                         {"rfc", text(c.blocked_on->rfc)}};
  return out;
}

json finding_value(const run::Finding& f) {
  return {{"id", f.id},
          {"command", text(f.command)},
          {"code", f.code},
          {"observed", text(f.observed)},
          {"rule", text(f.rule)},
          {"rfc", text(f.rfc)},
          {"level", scenario::to_string(f.level)},
          {"owner", text(f.owner)},
          {"failed", texts(f.failed)},
          {"blocked", texts(f.blocked)},
          {"transcript", text(f.transcript)}};
}

}  // namespace

void write_json(const run::RunResult& result, std::ostream& out) {
  json cases = json::array();
  for (const auto& c : result.cases) cases.push_back(case_value(c));
  json findings = json::array();
  for (const auto& f : result.findings) findings.push_back(finding_value(f));
  json summary = {{"total", result.cases.size()}, {"findings", result.findings.size()}, {"must_findings", result.must_findings()}};
  for (const run::Verdict verdict : run::kAllVerdicts) summary[std::string(run::to_string(verdict))] = result.count(verdict);
  const json root = {{"schema", json_schema},
                     {"tool", {{"name", "ftpspec"}, {"version", text(result.tool_version)}}},
                     {"target", text(result.target)},
                     {"greeting", texts(result.greeting)},
                     {"features", texts(result.features)},
                     {"started_at", result.started_at},
                     {"duration_ms", result.duration.count()},
                     {"summary", std::move(summary)},
                     {"findings", std::move(findings)},
                     {"left_behind", texts(result.left_behind)},
                     {"jobs", {{"start", result.jobs}, {"end", result.jobs_at_end}, {"lowered_because", text(result.jobs_lowered_because)}}},
                     {"cases", std::move(cases)},
                     {"server_output", text(result.server_output)}};
  out << root.dump(2) << '\n';
}

}  // namespace ftpspec::reports
