#include "reports/json_read.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "reports/json.hpp"
#include "reports/read_file.hpp"

namespace ftpspec::reports {

namespace {

using nlohmann::json;

/// One level of a path into the document, for error messages.
class Reader {
 public:
  Reader(const json& node, std::string path) : node_(node), path_(std::move(path)) {}

  Reader at(std::string_view key) const {
    if (!node_.is_object()) fail("is not an object");
    const auto found = node_.find(key);
    if (found == node_.end()) throw ReportReadError(fmt::format("{}: missing key '{}'", where(), key));
    return {*found, path_.empty() ? std::string(key) : path_ + "." + std::string(key)};
  }
  std::string string() const {
    if (!node_.is_string()) fail("is not a string");
    return node_.get<std::string>();
  }
  long long integer() const {
    if (!node_.is_number_integer()) fail("is not an integer");
    return node_.get<long long>();
  }
  std::vector<Reader> items() const {
    if (!node_.is_array()) fail("is not an array");
    std::vector<Reader> out;
    for (std::size_t i = 0; i < node_.size(); ++i) out.emplace_back(node_[i], fmt::format("{}[{}]", path_, i));
    return out;
  }
  bool has(std::string_view key) const { return node_.is_object() && node_.contains(key); }
  std::vector<std::string> strings() const {
    std::vector<std::string> out;
    for (const auto& item : items()) out.push_back(item.string());
    return out;
  }
  [[noreturn]] void fail(std::string_view problem) const { throw ReportReadError(fmt::format("{}: {}", where(), problem)); }

 private:
  std::string where() const { return path_.empty() ? "document" : path_; }
  const json& node_;
  std::string path_;
};

run::Verdict verdict_of(const Reader& node) {
  const std::string text = node.string();
  for (const run::Verdict verdict : run::kAllVerdicts)
    if (run::to_string(verdict) == text) return verdict;
  node.fail(fmt::format("unknown verdict '{}'", text));
}

scenario::Level level_of(const Reader& node) {
  const std::string text = node.string();
  for (auto level : {scenario::Level::must, scenario::Level::should, scenario::Level::may})
    if (scenario::to_string(level) == text) return level;
  node.fail(fmt::format("unknown level '{}'", text));
}

scenario::SourceLoc location_of(const Reader& node) {
  return {node.at("file").string(), static_cast<int>(node.at("line").integer()), static_cast<int>(node.at("column").integer())};
}

run::StepResult step_of(const Reader& node) {
  run::StepResult step;
  step.loc = location_of(node.at("location"));
  step.source = node.at("source").string();
  step.verdict = verdict_of(node.at("verdict"));
  step.expected = node.at("expected").string();
  step.actual = node.at("actual").string();
  step.reason = node.at("reason").string();
  step.transcript = node.at("transcript").string();
  if (node.has("command")) step.command = node.at("command").string();  // ftpspec-results/2
  if (node.has("reply_code")) step.reply_code = static_cast<int>(node.at("reply_code").integer());
  if (node.has("rule")) step.rule = node.at("rule").string();
  if (node.has("rfc")) step.rfc = node.at("rfc").string();
  return step;
}

run::CaseResult case_of(const Reader& node) {
  run::CaseResult c;
  c.id = node.at("id").string();
  c.title = node.at("title").string();
  c.rfc = node.at("rfc").strings();
  c.level = level_of(node.at("level"));
  c.loc = location_of(node.at("location"));
  c.verdict = verdict_of(node.at("verdict"));
  c.reason = node.at("reason").string();
  c.duration = std::chrono::milliseconds(node.at("duration_ms").integer());
  for (const auto& step : node.at("steps").items()) c.steps.push_back(step_of(step));
  c.transcript = node.at("transcript").string();
  if (node.has("finding")) c.finding = node.at("finding").string();  // ftpspec-results/2
  if (node.has("blocked_by")) c.blocked_by = node.at("blocked_by").string();
  if (node.has("retried_because")) c.retried_because = node.at("retried_because").string();
  if (node.has("blocked_on")) {
    const Reader on = node.at("blocked_on");
    c.blocked_on = run::SetupDefect{on.at("command").string(), static_cast<int>(on.at("code").integer()),
                                    on.at("observed").string(), on.at("rule").string(), on.at("rfc").string()};
  }
  return c;
}

run::Finding finding_of(const Reader& node) {
  run::Finding f;
  f.id = node.at("id").string();
  f.command = node.at("command").string();
  f.code = static_cast<int>(node.at("code").integer());
  f.observed = node.at("observed").string();
  f.rule = node.at("rule").string();
  f.rfc = node.at("rfc").string();
  f.level = level_of(node.at("level"));
  f.owner = node.at("owner").string();
  f.failed = node.at("failed").strings();
  f.blocked = node.at("blocked").strings();
  f.transcript = node.at("transcript").string();
  return f;
}

}  // namespace

run::RunResult read_json(std::istream& in) {
  json document;
  try {
    document = json::parse(in);
  } catch (const json::exception& e) {
    throw ReportReadError(fmt::format("not JSON: {}", e.what()));
  }
  const Reader root(document, "");
  if (const std::string schema = root.at("schema").string(); schema != json_schema && schema != json_schema_v1)
    throw ReportReadError(fmt::format("schema is '{}', this ftpspec reads '{}' and '{}'", schema, json_schema, json_schema_v1));
  run::RunResult result;
  result.target = root.at("target").string();
  result.tool_version = root.at("tool").at("version").string();
  result.greeting = root.at("greeting").strings();
  result.features = root.at("features").strings();
  result.started_at = root.at("started_at").string();
  result.duration = std::chrono::milliseconds(root.at("duration_ms").integer());
  for (const auto& c : root.at("cases").items()) result.cases.push_back(case_of(c));
  result.server_output = root.at("server_output").string();
  if (root.has("findings"))
    for (const auto& f : root.at("findings").items()) result.findings.push_back(finding_of(f));
  if (root.has("left_behind")) result.left_behind = root.at("left_behind").strings();
  if (root.has("jobs")) {
    const Reader jobs = root.at("jobs");
    result.jobs = static_cast<unsigned>(jobs.at("start").integer());
    result.jobs_at_end = static_cast<unsigned>(jobs.at("end").integer());
    result.jobs_lowered_because = jobs.at("lowered_because").string();
  }
  return result;
}

run::RunResult read_json_file(const std::filesystem::path& path) {
  return read_file<ReportReadError>(path, [](std::istream& in) { return read_json(in); });
}

}  // namespace ftpspec::reports
