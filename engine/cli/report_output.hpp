// Writing a run's reports where the command line asks (`--format terminal,json,junit,html`,
// `--report-dir`): shared by `ftpspec run` and `ftpspec client`.
#pragma once
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "run/expected.hpp"
#include "run/result.hpp"

namespace ftpspec::cli {

using run::kExitFailed;
using run::kExitOk;
using run::kExitUsage;

/// "a,b,,c" -> {"a", "b", "c"}.
std::vector<std::string> split_list(const std::string& text);
/// True when every format in the comma-separated list is known; otherwise says which is not.
bool formats_valid(const std::string& formats);
/// Writes a file through `write`, says where on stderr; false when it cannot be written.
bool write_file(const std::filesystem::path& file, const std::function<void(std::ostream&)>& write);
/// The terminal report on stdout, the others as files in `report_dir`.
bool write_reports(const run::RunResult& result, const std::string& formats, const std::filesystem::path& report_dir);

/// `--expect FILE`: the expected results it holds (nothing when `path` is empty). False, after
/// saying why on stderr, when the file cannot be read.
bool read_expected(const std::string& path, std::optional<run::ExpectedResults>& expected);
/// The reports, then the run's exit code (run::exit_code); with `expected`, the comparison is
/// printed and decides the code (a new fail: 1). kExitUsage when a report cannot be written.
int write_reports_and_conclude(const run::RunResult& result, const std::string& formats,
                               const std::filesystem::path& report_dir,
                               const std::optional<run::ExpectedResults>& expected, const std::string& expect_path);

}  // namespace ftpspec::cli
