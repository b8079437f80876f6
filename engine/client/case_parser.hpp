// The `.ftpclient` parser (docs/scenario-format.md §Client cases). The same lexical rules, case
// header and diagnostics as `.ftpspec` scenarios (scenario/case_header.hpp, line_cursor.hpp,
// StepParser's token readers), with statements of its own: the operation, the files, the
// server's script (`on`, `greeting`, `replies`, `home`, `tls`) and the expectations.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "client/client_case.hpp"

namespace ftpspec::client {

/// Client case files end in this (a suite directory may also hold profiles and drivers).
inline constexpr std::string_view kCaseExtension = ".ftpclient";

struct ParseResult {
  std::vector<ClientCase> cases;
  std::vector<scenario::Diagnostic> diagnostics;
  bool ok() const noexcept { return diagnostics.empty(); }
};

/// Parses one file's text; `file` is the name used in locations.
ParseResult parse(std::string_view text, const std::string& file);
/// Reads and parses one file (a read failure is a diagnostic at file:0).
ParseResult load_file(const std::filesystem::path& path);
/// Every `*.ftpclient` under `paths` (directories recursively, in path order), ids unique.
ParseResult load_suite(const std::vector<std::filesystem::path>& paths);

}  // namespace ftpspec::client
