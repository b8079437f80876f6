// For the case-file parser fuzz targets: every diagnostic points inside the input, at line
// 1..lines+1 (one past the end for "unexpected end of file") and a column no further than one past
// the end of that line (0 means "no column"); abort() otherwise.
#pragma once
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/ast.hpp"

namespace ftpspec::fuzz {

/// The input's lines as the parsers see them (split at LF; a trailing CR belongs to the line).
inline std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (true) {
    const auto newline = text.find('\n');
    lines.push_back(text.substr(0, newline));
    if (newline == std::string_view::npos) break;
    text.remove_prefix(newline + 1);
  }
  return lines;
}

inline void check_diagnostics_inside(std::string_view text, const std::string& file,
                                     const std::vector<scenario::Diagnostic>& diagnostics) {
  const auto lines = split_lines(text);
  for (const auto& diagnostic : diagnostics) {
    const auto& loc = diagnostic.loc;
    if (loc.file != file || diagnostic.message.empty()) std::abort();
    if (loc.line < 1 || static_cast<std::size_t>(loc.line) > lines.size() + 1) std::abort();
    const std::size_t line_length = static_cast<std::size_t>(loc.line) <= lines.size() ? lines[loc.line - 1].size() : 0;
    if (loc.column < 0 || static_cast<std::size_t>(loc.column) > line_length + 1) std::abort();
  }
}

/// A case's location is a line of the input.
inline void check_line_inside(std::string_view text, int line) {
  if (line < 1 || static_cast<std::size_t>(line) > split_lines(text).size()) std::abort();
}

}  // namespace ftpspec::fuzz
