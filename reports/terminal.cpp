#include "reports/terminal.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <map>

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

constexpr run::Verdict kOrder[] = {run::Verdict::pass, run::Verdict::fail, run::Verdict::warn,
                                   run::Verdict::unsupported, run::Verdict::skipped, run::Verdict::error};

std::string_view color_of(run::Verdict verdict) {
  switch (verdict) {
    case run::Verdict::pass: return "\x1b[32m";
    case run::Verdict::fail: return "\x1b[31;1m";
    case run::Verdict::warn: return "\x1b[33m";
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

}  // namespace

void write_terminal(const run::RunResult& result, std::ostream& out, const TerminalOptions& options) {
  std::string text = fmt::format("ftpspec {} against {}\n", result.tool_version, result.target);
  if (!result.greeting.empty()) text += fmt::format("greeting: {}\n", safe(result.greeting.back()));
  text += "\n";
  std::map<std::string, std::vector<const run::CaseResult*>> by_rfc;
  for (const auto& c : result.cases) by_rfc[c.rfc_number()].push_back(&c);
  for (const auto& [rfc, cases] : by_rfc) {
    std::string counts;
    for (run::Verdict verdict : kOrder) {
      int n = 0;
      for (const auto* c : cases) n += c->verdict == verdict;
      if (n > 0) counts += fmt::format("  {}", paint(fmt::format("{} {}", n, run::to_string(verdict)), verdict, options.color));
    }
    text += fmt::format("RFC {:<6} {:>3} cases{}\n", rfc, cases.size(), counts);
  }

  bool heading = false;
  for (const auto& c : result.cases) {
    if (c.verdict == run::Verdict::pass || c.verdict == run::Verdict::skipped || c.verdict == run::Verdict::unsupported)
      continue;
    if (!heading) text += "\nFindings:\n";
    heading = true;
    text += fmt::format("  {} {} [{} {}] {}\n", paint(fmt::format("{:<5}", run::to_string(c.verdict)), c.verdict, options.color),
                        c.id, scenario::to_string(c.level), c.rfc.empty() ? "" : c.rfc.front(), c.title);
    text += fmt::format("        {}\n", safe(c.reason));
    if (const run::StepResult* step = c.deciding_step()) {
      text += fmt::format("        at {}: {}\n", step->loc.str(), safe(step->source));
      if (!step->actual.empty()) text += fmt::format("        got: {}\n", safe(step->actual));
      if (options.show_transcripts && !step->transcript.empty()) {
        std::string excerpt = step->transcript;
        std::size_t start = 0;
        while (start < excerpt.size()) {
          std::size_t end = excerpt.find('\n', start);
          if (end == std::string::npos) end = excerpt.size();
          text += fmt::format("          | {}\n", excerpt.substr(start, end - start));
          start = end + 1;
        }
      }
    }
  }
  text += fmt::format("\n{} cases in {:.1f}s:", result.cases.size(), static_cast<double>(result.duration.count()) / 1000.0);
  for (run::Verdict verdict : kOrder)
    text += fmt::format(" {} {}", paint(std::to_string(result.count(verdict)), verdict, options.color && result.count(verdict) > 0),
                        run::to_string(verdict));
  text += "\n";
  out << text;
}

}  // namespace ftpspec::reports
