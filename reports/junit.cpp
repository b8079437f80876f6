#include "reports/junit.hpp"

#include <fmt/format.h>
#include <fmt/chrono.h>
#include <fmt/ranges.h>

#include <cctype>
#include <chrono>

#include "reports/escape.hpp"
#include "reports/grouping.hpp"
#include "reports/terminal.hpp"

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

/// JUnit's timestamp is Ant's: an xs:dateTime without a zone designator ("2024-01-01T12:00:00"; the
/// Ant/Jenkins junit-4.xsd pattern rejects a trailing "Z"). Ours is UTC, as docs/reports.md says.
std::string junit_timestamp(const std::string& started_at) {
  const std::string_view shape = "dddd-dd-ddTdd:dd:dd";
  bool matches = started_at.size() >= shape.size();
  for (std::size_t i = 0; matches && i < shape.size(); ++i)
    matches = shape[i] == 'd' ? std::isdigit(static_cast<unsigned char>(started_at[i])) != 0 : started_at[i] == shape[i];
  if (matches) return started_at.substr(0, shape.size());
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}", fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
}

/// What the testcase element cannot carry in Jenkins' schema (no testcase properties, no file
/// attribute): the verdict, level, RFC sections and scenario location, as the head of <system-out>.
std::string case_header(const run::CaseResult& c, const std::string& text) {
  std::string rfc;
  for (const auto& r : c.rfc) rfc += (rfc.empty() ? "RFC " : ", RFC ") + r;
  std::string header = fmt::format("verdict: {}\nlevel: {}\nrfc: {}\ntitle: {}\nscenario: {}\n", run::to_string(c.verdict),
                                   scenario::to_string(c.level), rfc, c.title, c.loc.str());
  if (c.verdict != run::Verdict::pass) header += "reason: " + text + "\n";
  return header + "\n";
}

void write_case(const run::CaseResult& c, std::string& out) {
  const std::string classname = "ftpspec.rfc" + c.rfc_number();
  out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{}\">\n", xml_escape(classname, true),
                     xml_escape(c.id, true), seconds(c.duration));
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
    case run::Verdict::blocked:  // never a fail: the defect behind it is a finding (the first testsuite)
      out += fmt::format("      <skipped message=\"{}: {}\" type=\"{}\"/>\n", run::to_string(c.verdict), xml_escape(text, true),
                         run::to_string(c.verdict));
      break;
    case run::Verdict::warn:  // JUnit has no "passed with a warning": a pass whose system-out says so
    case run::Verdict::pass:
      break;
  }
  out += fmt::format("      <system-out>{}</system-out>\n", xml_escape(case_header(c, text) + c.transcript));
  out += "    </testcase>\n";
}

/// The findings suite: one testcase per distinct defect, each a failure naming the rule and every
/// case it touched; it comes first, as every report leads with the findings (docs/reports.md).
std::string findings_suite(const run::RunResult& result, const std::string& timestamp) {
  std::string text = fmt::format("  <testsuite name=\"findings\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"0.000\" timestamp=\"{}\">\n",
                                 result.findings.size(), result.findings.size(), timestamp);
  text += "    <properties>\n";
  text += fmt::format("      <property name=\"headline\" value=\"{}\"/>\n",
                      xml_escape(fmt::format("{}: {}", result.target, findings_headline(result)), true));
  text += fmt::format("      <property name=\"target\" value=\"{}\"/>\n", xml_escape(result.target, true));
  text += "    </properties>\n";
  for (const run::Finding& f : result.findings) {
    const std::string summary = fmt::format("{} {}: {} — {} [RFC {}]", scenario::to_string(f.level), f.command, f.observed, f.rule, f.rfc);
    std::string body = fmt::format("finding: {}\nlevel: {}\nrfc: {}\nrule: {}\ncommand: {}\nobserved: {}\n", f.id,
                                   scenario::to_string(f.level), f.rfc, f.rule, f.command, f.observed);
    if (!f.failed.empty()) body += fmt::format("fails: {}\n", fmt::join(f.failed, ", "));
    if (!f.blocked.empty()) body += fmt::format("blocks: {}\n", fmt::join(f.blocked, ", "));
    text += fmt::format("    <testcase classname=\"ftpspec.findings\" name=\"{}\" time=\"0.000\">\n", xml_escape(f.id, true));
    text += fmt::format("      <failure message=\"{}\" type=\"finding\">{}</failure>\n", xml_escape(summary, true),
                        xml_escape(body + "\n" + f.transcript));
    text += "    </testcase>\n";
  }
  return text + "  </testsuite>\n";
}

}  // namespace

void write_junit(const run::RunResult& result, std::ostream& out) {
  const std::string timestamp = junit_timestamp(result.started_at);
  std::string text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  text += fmt::format("<testsuites name=\"ftpspec\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">\n",
                      result.cases.size() + result.findings.size(), result.count(run::Verdict::fail) + result.findings.size(),
                      result.count(run::Verdict::error),
                      result.count(run::Verdict::skipped) + result.count(run::Verdict::unsupported) + result.count(run::Verdict::blocked),
                      seconds(result.duration));
  text += findings_suite(result, timestamp);
  for (const RfcGroup& group : group_by_rfc(result.cases)) {
    std::chrono::milliseconds time{0};
    for (const auto* c : group.cases) time += c->duration;
    text += fmt::format("  <testsuite name=\"RFC {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\" timestamp=\"{}\">\n",
                        xml_escape(group.rfc, true), group.cases.size(), group.counts[run::Verdict::fail],
                        group.counts[run::Verdict::error],
                        group.counts[run::Verdict::skipped] + group.counts[run::Verdict::unsupported] + group.counts[run::Verdict::blocked],
                        seconds(time), timestamp);
    text += "    <properties>\n";
    text += fmt::format("      <property name=\"target\" value=\"{}\"/>\n", xml_escape(result.target, true));
    text += fmt::format("      <property name=\"tool\" value=\"ftpspec {}\"/>\n", xml_escape(result.tool_version, true));
    text += fmt::format("      <property name=\"greeting\" value=\"{}\"/>\n",
                        xml_escape(result.greeting.empty() ? "" : result.greeting.front(), true));
    text += "    </properties>\n";
    for (const auto* c : group.cases) write_case(*c, text);
    text += "  </testsuite>\n";
  }
  text += "</testsuites>\n";
  out << text;
}

}  // namespace ftpspec::reports
