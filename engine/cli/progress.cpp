#include "cli/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace ftpspec {

namespace {
bool env_set(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0';
}
}  // namespace

Progress::Progress(std::size_t total) {
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  redraw_ = tty && !env_set("CI");
  color_ = tty && !env_set("NO_COLOR");
  fmt::print(stderr, "ftpspec: running {} cases\n", total);
}

void Progress::update(const run::CaseResult& result, std::size_t done, std::size_t total) {
  const bool finding = result.verdict == run::Verdict::fail || result.verdict == run::Verdict::error ||
                       result.verdict == run::Verdict::warn || result.verdict == run::Verdict::blocked;
  std::string verdict(run::to_string(result.verdict));
  if (color_ && finding) verdict = fmt::format("\x1b[{}m{}\x1b[0m", result.verdict == run::Verdict::warn ? "33" : "31", verdict);
  if (redraw_) {
    // Findings stay on screen; passes are overwritten by the next line.
    fmt::print(stderr, "\r\x1b[2K[{}/{}] {} {}", done, total, verdict, result.id);
    if (finding) fmt::print(stderr, "\n");
    drawn_ = !finding;
  } else {
    fmt::print(stderr, "[{}/{}] {} {}\n", done, total, verdict, result.id);
  }
  std::fflush(stderr);
}

void Progress::finish() {
  if (redraw_ && drawn_) fmt::print(stderr, "\n");
}

}  // namespace ftpspec
