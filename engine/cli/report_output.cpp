#include "cli/report_output.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <iostream>

#include "reports/expected_file.hpp"
#include "reports/html.hpp"
#include "reports/json.hpp"
#include "reports/junit.hpp"
#include "reports/terminal.hpp"

namespace fs = std::filesystem;

namespace ftpspec::cli {
namespace {

constexpr std::string_view kFormats[] = {"terminal", "json", "junit", "html"};

bool known_format(std::string_view format) {
  return std::find(std::begin(kFormats), std::end(kFormats), format) != std::end(kFormats);
}

fs::path report_file(const fs::path& dir, std::string_view format) {
  if (format == "json") return dir / "ftpspec-results.json";
  if (format == "junit") return dir / "ftpspec-junit.xml";
  return dir / "ftpspec-report.html";
}

}  // namespace

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) items.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return items;
}

bool formats_valid(const std::string& formats) {
  for (const auto& format : split_list(formats))
    if (!known_format(format)) {
      std::cerr << fmt::format("ftpspec: unknown format '{}' (terminal, json, junit, html)\n", format);
      return false;
    }
  return true;
}

bool write_file(const fs::path& file, const std::function<void(std::ostream&)>& write) {
  std::error_code ec;
  if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
  std::ofstream out(file, std::ios::binary);
  if (out) write(out);
  out.close();
  if (!out) {
    std::cerr << fmt::format("ftpspec: cannot write {}\n", file.string());
    return false;
  }
  std::cerr << fmt::format("ftpspec: wrote {}\n", file.string());
  return true;
}

bool write_reports(const run::RunResult& result, const std::string& formats, const fs::path& report_dir) {
  bool ok = true;
  for (const auto& format : split_list(formats)) {
    if (format == "terminal") {
      reports::write_terminal(result, std::cout, {reports::color_wanted(STDOUT_FILENO), false});
      continue;
    }
    ok = write_file(report_file(report_dir, format), [&](std::ostream& out) {
      if (format == "json") reports::write_json(result, out);
      else if (format == "junit") reports::write_junit(result, out);
      else reports::write_html(result, out);
    }) && ok;
  }
  return ok;
}

bool read_expected(const std::string& path, std::optional<run::ExpectedResults>& expected) {
  if (path.empty()) return true;
  try {
    expected = reports::read_expected_file(path);
    return true;
  } catch (const reports::ExpectedFileError& e) {
    std::cerr << "ftpspec: --expect: " << e.what() << '\n';
    return false;
  }
}

int write_reports_and_conclude(const run::RunResult& result, const std::string& formats, const fs::path& report_dir,
                               const std::optional<run::ExpectedResults>& expected, const std::string& expect_path) {
  if (!write_reports(result, formats, report_dir)) return kExitUsage;
  if (!expected) return run::exit_code(result);
  const run::Comparison comparison = run::compare(result, *expected);
  std::cout << reports::describe_comparison(comparison, expect_path);
  return run::exit_code(result, &comparison);
}

}  // namespace ftpspec::cli
