// libFuzzer: the scenario parser never crashes or throws on file content, and every diagnostic
// points inside the input: line 1..lines+1 (one past the end for "unexpected end of file") and a
// column no further than one past the end of that line (0 means "no column").
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/parser.hpp"

namespace {
/// The input's lines as the parser sees them (split at LF; a trailing CR belongs to the line).
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (true) {
    const auto newline = text.find('\n');
    lines.push_back(text.substr(0, newline));
    if (newline == std::string_view::npos) break;
    text.remove_prefix(newline + 1);
  }
  return lines;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto result = ftpspec::scenario::parse(text, "fuzz.ftpspec");
  const auto lines = split_lines(text);
  for (const auto& diagnostic : result.diagnostics) {
    const auto& loc = diagnostic.loc;
    if (loc.file != "fuzz.ftpspec" || diagnostic.message.empty()) std::abort();
    if (loc.line < 1 || static_cast<std::size_t>(loc.line) > lines.size() + 1) std::abort();
    const std::size_t line_length =
        static_cast<std::size_t>(loc.line) <= lines.size() ? lines[loc.line - 1].size() : 0;
    if (loc.column < 0 || static_cast<std::size_t>(loc.column) > line_length + 1) std::abort();
  }
  // A file without problems yields cases whose steps point inside it too.
  for (const auto& one_case : result.cases) {
    if (one_case.loc.line < 1 || static_cast<std::size_t>(one_case.loc.line) > lines.size()) std::abort();
  }
  return 0;
}
