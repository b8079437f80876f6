#include "cli/suite_location.hpp"

#include <fmt/format.h>

#include <system_error>

#include "scenario/parser.hpp"

namespace ftpspec::cli {
namespace fs = std::filesystem;

namespace {

fs::path running_executable() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);  // proc(5): the resolved, absolute path
  return ec ? fs::path() : exe;
}

/// True when `path` lies inside `dir` (both made canonical where they exist).
bool is_inside(const fs::path& path, const fs::path& dir) {
  std::error_code ec;
  const fs::path canonical_dir = fs::weakly_canonical(dir, ec);
  if (ec) return false;
  const fs::path relative = fs::weakly_canonical(path, ec).lexically_relative(canonical_dir);
  return !ec && !relative.empty() && *relative.begin() != "..";
}

}  // namespace

fs::path installed_suite_for_executable() {
  const fs::path exe = running_executable();
  if (exe.empty()) return {};
  // FTPSPEC_INSTALLED_SUITE: the data directory relative to the bin directory, from CMake's
  // GNUInstallDirs ("../share/ftpspec/scenarios").
  return (exe.parent_path() / FTPSPEC_INSTALLED_SUITE).lexically_normal();
}

fs::path default_suite_for_executable() {
  std::error_code ec;
  if (fs::path installed = installed_suite_for_executable(); !installed.empty() && fs::is_directory(installed, ec))
    return installed;
  // A binary still in its build tree (FTPSPEC_BUILD_TREE) uses the source tree it was built from;
  // a copy anywhere else never does.
  if (is_inside(running_executable(), FTPSPEC_BUILD_TREE) && fs::is_directory(FTPSPEC_SOURCE_SUITE, ec))
    return FTPSPEC_SOURCE_SUITE;
  return {};
}

std::string describe_suite(const std::vector<fs::path>& paths) {
  std::string where;
  std::error_code ec;
  for (const auto& path : paths) {
    if (!fs::exists(path, ec)) return fmt::format("suite: none at {} (give --suite DIR)", path.string());
    where += (where.empty() ? "" : ", ") + path.string();
  }
  const scenario::ParseResult parsed = scenario::load_suite(paths);
  if (!parsed.ok())
    return fmt::format("suite: {} does not load ({} problem(s); `ftpspec check` lists them)", where,
                       parsed.diagnostics.size());
  return fmt::format("suite: {} cases in {}", parsed.cases.size(), where);
}

}  // namespace ftpspec::cli
