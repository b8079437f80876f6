#include "reports/junit.hpp"

#include <fmt/format.h>

#include <map>

#include "reports/escape.hpp"

namespace ftpspec::reports {

namespace {

std::string seconds(std::chrono::milliseconds duration) {
  return fmt::format("{}.{:03}", duration.count() / 1000, duration.count() % 1000);
}

/// The message of a non-pass case: reason, expected vs actual, and where the case says it.
std::string message(const run::CaseResult& c) {
  const run::StepResult* step = c.deciding_step();
  if (!step) return c.reason;
  return fmt::format("{} (expected {}, got {}) at {}", c.reason, step->expected, step->actual, step->loc.str());
}

void write_case(const run::CaseResult& c, std::string& out) {
  const std::string classname = "ftpspec.rfc" + c.rfc_number();
  out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\" time=\"{}\">\n",
                     xml_escape(classname, true), xml_escape(c.id, true), xml_escape(c.loc.file, true), c.loc.line,
                     seconds(c.duration));
  std::string rfc;
  for (const auto& r : c.rfc) rfc += (rfc.empty() ? "" : ", ") + r;
  out += "      <properties>\n";
  out += fmt::format("        <property name=\"verdict\" value=\"{}\"/>\n", run::to_string(c.verdict));
  out += fmt::format("        <property name=\"level\" value=\"{}\"/>\n", scenario::to_string(c.level));
  out += fmt::format("        <property name=\"rfc\" value=\"{}\"/>\n", xml_escape(rfc, true));
  out += fmt::format("        <property name=\"title\" value=\"{}\"/>\n", xml_escape(c.title, true));
  out += "      </properties>\n";
  const std::string text = message(c);
  const run::StepResult* step = c.deciding_step();
  const std::string excerpt = step ? step->transcript : std::string{};
  switch (c.verdict) {
    case run::Verdict::fail:
      out += fmt::format("      <failure message=\"{}\" type=\"fail\">{}</failure>\n", xml_escape(text, true), xml_escape(excerpt));
      break;
    case run::Verdict::error:
      out += fmt::format("      <error message=\"{}\" type=\"error\">{}</error>\n", xml_escape(text, true), xml_escape(excerpt));
      break;
    case run::Verdict::skipped:
    case run::Verdict::unsupported:
      out += fmt::format("      <skipped message=\"{}: {}\"/>\n", run::to_string(c.verdict), xml_escape(text, true));
      break;
    case run::Verdict::warn:
    case run::Verdict::pass:
      break;
  }
  std::string system_out = c.verdict == run::Verdict::warn ? "warn: " + text + "\n\n" + c.transcript : c.transcript;
  out += fmt::format("      <system-out>{}</system-out>\n", xml_escape(system_out));
  out += "    </testcase>\n";
}

}  // namespace

void write_junit(const run::RunResult& result, std::ostream& out) {
  std::map<std::string, std::vector<const run::CaseResult*>> by_rfc;
  for (const auto& c : result.cases) by_rfc[c.rfc_number()].push_back(&c);
  std::string text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  text += fmt::format("<testsuites name=\"ftpspec\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">\n",
                      result.cases.size(), result.count(run::Verdict::fail), result.count(run::Verdict::error),
                      result.count(run::Verdict::skipped) + result.count(run::Verdict::unsupported), seconds(result.duration));
  for (const auto& [rfc, cases] : by_rfc) {
    int failures = 0, errors = 0, skipped = 0;
    std::chrono::milliseconds time{0};
    for (const auto* c : cases) {
      failures += c->verdict == run::Verdict::fail;
      errors += c->verdict == run::Verdict::error;
      skipped += c->verdict == run::Verdict::skipped || c->verdict == run::Verdict::unsupported;
      time += c->duration;
    }
    text += fmt::format("  <testsuite name=\"RFC {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\" timestamp=\"{}\" hostname=\"{}\">\n",
                        xml_escape(rfc, true), cases.size(), failures, errors, skipped, seconds(time),
                        xml_escape(result.started_at, true), xml_escape(result.target, true));
    for (const auto* c : cases) write_case(*c, text);
    text += "  </testsuite>\n";
  }
  text += "</testsuites>\n";
  out << text;
}

}  // namespace ftpspec::reports
