#include "reports/expected_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "reports/escape.hpp"
#include "reports/read_file.hpp"

namespace ftpspec::reports {

namespace {

using nlohmann::json;

run::Verdict verdict_named(const json& value, const std::string& where) {
  if (value.is_string())
    for (const run::Verdict verdict : run::kAllVerdicts)
      if (run::to_string(verdict) == value.get<std::string>()) return verdict;
  throw ExpectedFileError(fmt::format("{}: expected a verdict (pass, skipped, unsupported, warn, blocked, fail, error), found {}",
                                      where, value.dump()));
}

}  // namespace

run::ExpectedResults read_expected(std::istream& in) {
  json document;
  try {
    document = json::parse(in);
  } catch (const json::exception& e) {
    throw ExpectedFileError(fmt::format("not JSON: {}", e.what()));
  }
  if (!document.is_object() || !document.contains("cases") || !document["cases"].is_object())
    throw ExpectedFileError("expected an object with \"cases\": {\"case-id\": {\"verdict\": ...}, ...}");
  if (document.contains("schema") && document["schema"] != expected_schema)
    throw ExpectedFileError(fmt::format("schema is {}, this ftpspec reads \"{}\"", document["schema"].dump(), expected_schema));
  run::ExpectedResults out;
  if (document.contains("server") && document["server"].is_string()) out.server = document["server"].get<std::string>();
  for (const auto& [id, entry] : document["cases"].items()) {
    const std::string where = fmt::format("cases.{}", id);
    if (!entry.is_object() || !entry.contains("verdict")) throw ExpectedFileError(where + ": expected {\"verdict\": ...}");
    run::ExpectedCase expected;
    expected.verdict = verdict_named(entry["verdict"], where + ".verdict");
    if (entry.contains("also")) {
      if (!entry["also"].is_array()) throw ExpectedFileError(where + ".also: expected a list of verdicts");
      for (const auto& also : entry["also"]) expected.also.push_back(verdict_named(also, where + ".also"));
    }
    if (entry.contains("note")) {
      if (!entry["note"].is_string()) throw ExpectedFileError(where + ".note: expected a string");
      expected.note = entry["note"].get<std::string>();
    }
    out.cases.emplace(id, std::move(expected));
  }
  return out;
}

run::ExpectedResults read_expected_file(const std::filesystem::path& path) {
  return read_file<ExpectedFileError>(path, [](std::istream& in) { return read_expected(in); });
}

void write_expected(const run::ExpectedResults& expected, std::ostream& out) {
  json cases = json::object();
  for (const auto& [id, entry] : expected.cases) {
    json value = {{"verdict", run::to_string(entry.verdict)}};
    if (!entry.note.empty()) value["note"] = valid_utf8(entry.note);
    if (!entry.also.empty()) {
      value["also"] = json::array();
      for (const run::Verdict also : entry.also) value["also"].push_back(run::to_string(also));
    }
    cases[valid_utf8(id)] = std::move(value);
  }
  const json document = {{"schema", expected_schema}, {"server", valid_utf8(expected.server)}, {"cases", std::move(cases)}};
  out << document.dump(2) << '\n';
}

std::string describe_comparison(const run::Comparison& comparison, const std::string& file) {
  std::string out = fmt::format("\nExpected results ({}): {} as expected", file, comparison.as_expected);
  const auto list = [&](const std::vector<run::Comparison::Change>& changes, std::string_view title) {
    if (changes.empty()) return;
    out += fmt::format("\n  {} ({}):\n", title, changes.size());
    for (const auto& change : changes)
      out += fmt::format("    {}: expected {}, now {}{}\n", change.id, change.expected, run::to_string(change.actual),
                         change.reason.empty() ? "" : " — " + change.reason);
  };
  list(comparison.new_fails, "NEW FAILS: regressions");
  list(comparison.new_errors, "new errors: could not be judged");
  list(comparison.fixed, "fixed: now pass, update the file with `ftpspec expect`");
  list(comparison.changed, "changed");
  if (!comparison.not_run.empty())
    out += fmt::format("\n  not run ({}): {}\n", comparison.not_run.size(), fmt::join(comparison.not_run, ", "));
  if (out.back() != '\n') out += '\n';
  return out;
}

}  // namespace ftpspec::reports
