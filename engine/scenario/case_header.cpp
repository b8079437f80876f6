#include "scenario/case_header.hpp"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

#include "scenario/parser.hpp"

namespace ftpspec::scenario {

void for_each_line(std::string_view text, const std::function<void(std::string_view line, int number)>& line_fn) {
  std::size_t start = 0;
  int number = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line_fn(line, ++number);
    if (end == text.size()) break;
    start = end + 1;
  }
}

void HeaderParser::error(int line, int column, std::string message) {
  diagnostics_.push_back({{file_, line, column}, std::move(message)});
}

void HeaderParser::expect_end(LineCursor& cursor, int line) {
  if (cursor.at_end()) return;
  const int column = cursor.column();
  error(line, column, fmt::format("unexpected '{}' at the end of the statement", cursor.statement_rest()));
}

std::string HeaderParser::begin_case(LineCursor& cursor, int line) {
  seen_title_ = seen_rfc_ = seen_level_ = false;
  cursor.skip_spaces();
  const int column = cursor.column();
  std::string_view id = cursor.word();
  const bool valid = !id.empty() && std::all_of(id.begin(), id.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
  });
  if (!valid) {
    error(line, column, "expected a case id (letters, digits, '-', '_', '.') after 'case'");
    id = "?";
  }
  expect_end(cursor, line);
  return std::string(id);
}

bool HeaderParser::parse(LineCursor& cursor, int line, HeaderFields fields) {
  cursor.skip_spaces();
  const int keyword_column = cursor.column();
  if (cursor.eat_word("title")) {
    cursor.skip_spaces();
    std::string problem;
    const int column = cursor.column();
    auto body = cursor.quoted(problem);
    if (!body) {
      error(line, column, problem + " after 'title'");
      return true;
    }
    if (!seen_title_) fields.title = unescape(*body);
    else error(line, keyword_column, "duplicate 'title' in this case");
    seen_title_ = true;
    expect_end(cursor, line);
    return true;
  }
  if (cursor.eat_word("rfc")) {
    parse_rfc(cursor, line, keyword_column, fields.rfc);
    return true;
  }
  if (cursor.eat_word("level")) {
    cursor.skip_spaces();
    const int column = cursor.column();
    const std::string_view word = cursor.word();
    if (word == "MUST") fields.level = Level::must;
    else if (word == "SHOULD") fields.level = Level::should;
    else if (word == "MAY") fields.level = Level::may;
    else {
      error(line, column, fmt::format("expected MUST, SHOULD or MAY after 'level', found '{}'", word));
      return true;
    }
    if (seen_level_) error(line, keyword_column, "duplicate 'level' in this case");
    seen_level_ = true;
    expect_end(cursor, line);
    return true;
  }
  return false;
}

/// `rfc 959 §4.1.3, §5.4, 2428 §3`: a reference without a number reuses the previous number.
void HeaderParser::parse_rfc(LineCursor& cursor, int line, int keyword_column, std::vector<std::string>& rfc) {
  if (seen_rfc_) error(line, keyword_column, "duplicate 'rfc' in this case");
  seen_rfc_ = true;
  cursor.skip_spaces();
  const int column = cursor.column();
  const std::string text(cursor.statement_rest());
  static const std::regex reference(R"(^\s*(\d+)?\s*(§\s*[0-9A-Za-z.]+)?\s*$)");
  std::string rfc_number;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    std::smatch m;
    if (!std::regex_match(item, m, reference) || (!m[1].matched && !m[2].matched) ||
        (!m[1].matched && rfc_number.empty())) {
      error(line, column, fmt::format("expected an RFC reference like '959 §4.1.3' after 'rfc', found '{}'", item));
      return;
    }
    if (m[1].matched) rfc_number = m[1].str();
    const std::string section = m[2].matched ? std::regex_replace(m[2].str(), std::regex("§\\s*"), "§") : "";
    rfc.push_back(section.empty() ? rfc_number : rfc_number + " " + section);
  }
  if (rfc.empty()) error(line, column, "expected an RFC reference like '959 §4.1.3' after 'rfc'");
}

void HeaderParser::finish(const std::string& id, const SourceLoc& loc) {
  if (!seen_title_) error(loc.line, loc.column, fmt::format("case '{}' has no 'title \"...\"'", id));
  if (!seen_rfc_) error(loc.line, loc.column, fmt::format("case '{}' has no 'rfc NUMBER §SECTION'", id));
  if (!seen_level_) error(loc.line, loc.column, fmt::format("case '{}' has no 'level MUST|SHOULD|MAY'", id));
}

std::vector<std::filesystem::path> suite_files(const std::vector<std::filesystem::path>& paths,
                                               std::string_view extension, std::vector<Diagnostic>& diagnostics) {
  std::vector<std::filesystem::path> files;
  for (const auto& path : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      std::vector<std::filesystem::path> found;
      for (const auto& entry : std::filesystem::recursive_directory_iterator(path, ec))
        if (entry.is_regular_file() && entry.path().extension() == extension) found.push_back(entry.path());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (std::filesystem::exists(path, ec)) {
      files.push_back(path);
    } else {
      diagnostics.push_back({{path.string(), 0, 0}, "no such file or directory"});
    }
  }
  return files;
}

bool id_matches(const std::string& glob, const std::string& id) { return ::fnmatch(glob.c_str(), id.c_str(), 0) == 0; }

std::optional<std::string> read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace ftpspec::scenario
