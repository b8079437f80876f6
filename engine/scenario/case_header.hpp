// What every kind of case file shares (server scenarios, client cases): the lines of a file, the
// case header (`case ID`, `title "..."`, `rfc 959 §4.1.3, ...`, `level MUST|SHOULD|MAY`) with its
// diagnostics, and loading a suite of files with ids unique across it. docs/scenario-format.md.
#pragma once
#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/ast.hpp"
#include "scenario/line_cursor.hpp"

namespace ftpspec::scenario {

/// Calls `line_fn(line, number)` for each line of `text` (1-based, a trailing CR removed).
void for_each_line(std::string_view text, const std::function<void(std::string_view line, int number)>& line_fn);

/// The header fields of the case being parsed (they live in the caller's case type).
struct HeaderFields {
  std::string& title;
  std::vector<std::string>& rfc;
  Level& level;
};

/// Parses header statements; reports duplicates, bad values and (at finish) missing ones.
class HeaderParser {
 public:
  HeaderParser(const std::string& file, std::vector<Diagnostic>& diagnostics) : file_(file), diagnostics_(diagnostics) {}

  /// After the `case` keyword: the id (letters, digits, '-', '_', '.'), "?" after a diagnostic.
  /// Starts a new case: the duplicate checks restart.
  std::string begin_case(LineCursor& cursor, int line);
  /// `title`, `rfc` or `level` at the cursor: parses it into `fields` and returns true; false
  /// (nothing consumed) for any other statement.
  bool parse(LineCursor& cursor, int line, HeaderFields fields);
  /// At the end of a case: a diagnostic at `loc` for each missing header statement.
  void finish(const std::string& id, const SourceLoc& loc);
  /// "unexpected 'X' at the end of the statement" unless the cursor is at the end.
  void expect_end(LineCursor& cursor, int line);

 private:
  void error(int line, int column, std::string message);
  void parse_rfc(LineCursor& cursor, int line, int keyword_column, std::vector<std::string>& rfc);

  const std::string& file_;
  std::vector<Diagnostic>& diagnostics_;
  bool seen_title_ = false, seen_rfc_ = false, seen_level_ = false;
};

/// Every file under `paths` ending in `extension` (directories recursively, in path order; a
/// file given by name is taken whatever its extension); a missing path is a diagnostic.
std::vector<std::filesystem::path> suite_files(const std::vector<std::filesystem::path>& paths,
                                               std::string_view extension, std::vector<Diagnostic>& diagnostics);

/// Drops (with a diagnostic) every case whose id an earlier case of the suite already has.
template <class CaseType>
void keep_unique_ids(std::vector<CaseType>& cases, std::vector<Diagnostic>& diagnostics) {
  std::map<std::string, SourceLoc> first_seen;
  std::vector<CaseType> kept;
  for (CaseType& c : cases) {
    auto [it, inserted] = first_seen.emplace(c.id, c.loc);
    if (!inserted) {
      diagnostics.push_back({c.loc, "duplicate case id '" + c.id + "' (first defined at " + it->second.str() + ")"});
      continue;
    }
    kept.push_back(std::move(c));
  }
  cases = std::move(kept);
}

/// fnmatch(3) of a case id against a glob.
bool id_matches(const std::string& glob, const std::string& id);

/// The cases whose id matches one of the fnmatch(3) `globs` (all of them when there is none).
template <class CaseType>
std::vector<CaseType> select_cases(std::vector<CaseType> cases, const std::vector<std::string>& globs) {
  if (globs.empty()) return cases;
  std::vector<CaseType> selected;
  for (auto& c : cases)
    if (std::any_of(globs.begin(), globs.end(), [&](const std::string& glob) { return id_matches(glob, c.id); }))
      selected.push_back(std::move(c));
  return selected;
}

/// A file's text, or nullopt when it cannot be read.
std::optional<std::string> read_text_file(const std::filesystem::path& path);

}  // namespace ftpspec::scenario
