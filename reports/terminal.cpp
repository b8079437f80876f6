#include "reports/terminal.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "reports/grouping.hpp"
#include "session/transcript.hpp"

namespace ftpspec::reports {

bool color_wanted(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  return ::isatty(fd) == 1 && (no_color == nullptr || *no_color == '\0');
}

namespace {

/// Server bytes never reach the terminal raw: an ESC in a reply must not recolour the screen.
/// Control bytes are escaped; other bytes (UTF-8 text such as "§") pass.
std::string safe(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) out += session::escape_bytes(std::string_view(&c, 1));
    else out += c;
  }
  return out;
}

std::string_view color_of(run::Verdict verdict) {
  switch (verdict) {
    case run::Verdict::pass: return "\x1b[32m";
    case run::Verdict::fail: return "\x1b[31;1m";
    case run::Verdict::warn: return "\x1b[33m";
    case run::Verdict::blocked: return "\x1b[34m";
    case run::Verdict::error: return "\x1b[35m";
    case run::Verdict::unsupported:
    case run::Verdict::skipped: return "\x1b[36m";
  }
  return "";
}

std::string paint(std::string_view text, run::Verdict verdict, bool color) {
  if (!color) return std::string(text);
  return fmt::format("{}{}\x1b[0m", color_of(verdict), text);
}

/// "F1 MUST  TYPE L 8 -> 504 ..." with the rule, the cases it touched, and optionally the transcript.
std::string finding_text(const run::Finding& f, const TerminalOptions& options) {
  const auto level = scenario::to_string(f.level);
  std::string text = fmt::format("  {} {:<6} {}: {}\n", paint(fmt::format("{:<3}", f.id), run::Verdict::fail, options.color), level,
                                 safe(f.command.empty() ? std::string("(data)") : f.command), safe(f.observed));
  text += fmt::format("        rule: {} [RFC {}]\n", safe(f.rule), safe(f.rfc));
  if (!f.failed.empty()) text += fmt::format("        fails: {}\n", safe(fmt::format("{}", fmt::join(f.failed, ", "))));
  if (!f.blocked.empty()) text += fmt::format("        blocks: {}\n", safe(fmt::format("{}", fmt::join(f.blocked, ", "))));
  return text;
}

/// Indented transcript lines of an excerpt.
std::string excerpt_text(const std::string& excerpt) {
  std::string text;
  std::size_t start = 0;
  while (start < excerpt.size()) {
    std::size_t end = excerpt.find('\n', start);
    if (end == std::string::npos) end = excerpt.size();
    text += fmt::format("          | {}\n", safe(excerpt.substr(start, end - start)));
    start = end + 1;
  }
  return text;
}

}  // namespace

std::string findings_headline(const run::RunResult& result) {
  return fmt::format("{} finding{}, {} at MUST level", result.findings.size(), result.findings.size() == 1 ? "" : "s",
                     result.must_findings());
}

void write_terminal(const run::RunResult& result, std::ostream& out, const TerminalOptions& options) {
  std::string text = fmt::format("ftpspec {} against {}\n", result.tool_version, result.target);
  if (!result.greeting.empty()) text += fmt::format("greeting: {}\n", safe(result.greeting.back()));

  // The headline: the distinct defects, each once, with every case it touched.
  text += fmt::format("\n{}: {}\n", safe(result.target), findings_headline(result));
  for (const run::Finding& f : result.findings) {
    text += finding_text(f, options);
    if (options.show_transcripts && !f.transcript.empty()) text += excerpt_text(f.transcript);
  }
  text += "\n";

  const auto counts_text = [&](const VerdictCounts& counts) {
    std::string line;
    for (run::Verdict verdict : kVerdictOrder)
      if (const int n = counts[verdict]; n > 0)
        line += fmt::format("  {}", paint(fmt::format("{} {}", n, run::to_string(verdict)), verdict, options.color));
    return line;
  };
  const std::vector<RfcGroup> groups = group_by_rfc(result.cases);
  std::size_t width = 8;  // "RFC 2428", and the longest section name under it
  for (const RfcGroup& group : groups) {
    width = std::max(width, 4 + safe(group.rfc).size());
    for (const SectionGroup& section : group.sections) width = std::max(width, 2 + safe(section.section).size());
  }
  const auto row = [&](const std::string& name, std::size_t cases, const VerdictCounts& counts) {
    // fmt pads by code points; "§" is one code point but two bytes.
    return fmt::format("{:<{}} {:>4} cases{}\n", name, width, cases, counts_text(counts));
  };
  for (const RfcGroup& group : groups) {
    text += row("RFC " + safe(group.rfc), group.cases.size(), group.counts);
    for (const SectionGroup& section : group.sections)
      text += row("  " + safe(section.section.empty() ? "-" : section.section), section.cases.size(), section.counts);
  }

  bool heading = false;
  // The cases behind the verdicts that need a reader, by severity, each in suite order.
  for (run::Verdict shown : {run::Verdict::fail, run::Verdict::blocked, run::Verdict::error, run::Verdict::warn}) {
    for (const auto& c : result.cases) {
      if (c.verdict != shown) continue;
      if (!heading) text += "\nCases:\n";
      heading = true;
      text += fmt::format("  {} {} [{} {}] {}{}\n", paint(fmt::format("{:<7}", run::to_string(c.verdict)), c.verdict, options.color),
                          safe(c.id), scenario::to_string(c.level), safe(c.rfc.empty() ? "" : c.rfc.front()), safe(c.title),
                          c.finding.empty() ? "" : fmt::format(" ({})", c.finding));
      text += fmt::format("        {}\n", safe(c.reason));
      if (const run::StepResult* step = c.deciding_step()) {
        text += fmt::format("        at {}: {}\n", step->loc.str(), safe(step->source));
        if (!step->actual.empty()) text += fmt::format("        got: {}\n", safe(step->actual));
        if (options.show_transcripts && !step->transcript.empty()) text += excerpt_text(step->transcript);
      }
    }
  }
  if (!result.left_behind.empty()) {
    text += fmt::format("\nLeft on the server (the cleanup could not remove them):\n");
    for (const auto& path : result.left_behind) text += fmt::format("  {}\n", safe(path));
  }
  if (!result.jobs_lowered_because.empty())
    text += fmt::format("\nSessions at a time: {} at the start, {} at the end; lowered when {}\n", result.jobs, result.jobs_at_end,
                        safe(result.jobs_lowered_because));
  text += fmt::format("\n{} cases in {:.1f}s:", result.cases.size(), static_cast<double>(result.duration.count()) / 1000.0);
  for (run::Verdict verdict : kVerdictOrder)
    text += fmt::format(" {} {}", paint(std::to_string(result.count(verdict)), verdict, options.color && result.count(verdict) > 0),
                        run::to_string(verdict));
  text += fmt::format("; {}\n", findings_headline(result));
  out << text;
}

}  // namespace ftpspec::reports
