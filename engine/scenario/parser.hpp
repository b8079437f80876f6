// The `.ftpspec` line parser (docs/scenario-format.md). Hand-written: the syntax is one statement
// per line with a handful of token kinds, so a cursor over each line gives exact columns for
// diagnostics without a parser library. Problems come back as a list; the parser never throws
// on file content and never exits.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/ast.hpp"

namespace ftpspec::scenario {

struct ParseResult {
  std::vector<Case> cases;
  std::vector<Diagnostic> diagnostics;
  bool ok() const noexcept { return diagnostics.empty(); }
};

/// Parses one file's text; `file` is the name used in locations.
ParseResult parse(std::string_view text, const std::string& file);

/// Reads and parses one file (a read failure is a diagnostic at file:0).
ParseResult load_file(const std::filesystem::path& path);

/// Loads files and directories (recursively, every `*.ftpspec`, in path order) and checks that
/// case ids are unique across all of them.
ParseResult load_suite(const std::vector<std::filesystem::path>& paths);

/// The variables a scenario may use as ${name}.
const std::vector<std::string_view>& known_variables();

/// Decodes a quoted string body's escapes (\r \n \t \0 \\ \" \xHH; any other backslash pair is
/// kept as written so regexes like "\d" read naturally). Used for `"..."` tokens.
std::string unescape(std::string_view body);

}  // namespace ftpspec::scenario
