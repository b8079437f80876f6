// Parses the step statements of a case (`>`, `>!`, `<`, `or`, transfers, `wait`, `skip-unless`,
// `connect`, `login`) from one line, appending diagnostics with exact columns.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/ast.hpp"
#include "scenario/line_cursor.hpp"

namespace ftpspec::scenario {

class StepParser {
 public:
  StepParser(const std::string& file, int line, std::vector<Diagnostic>& diagnostics)
      : file_(file), line_(line), diagnostics_(diagnostics) {}

  /// The step on this line (the cursor is past indentation); nullopt after a diagnostic.
  std::optional<Step> parse(LineCursor& cursor);
  /// One alternative: `CODES [checks] [outcome ["reason"]]`; `after` names the token before it.
  /// On the `<` line (`within` not null) it may say how long to wait for the reply: `within 30s`.
  std::optional<Alternative> parse_alternative(LineCursor& cursor, std::string_view after,
                                               std::optional<std::chrono::milliseconds>* within = nullptr);

  // Token readers, shared with the client-case parser (engine/client/case_parser.cpp). Each
  // reports its own diagnostic and returns nullopt/false on a problem.
  /// `100ms` or `2s`; nullopt when the word is not a duration (the caller reports it).
  std::optional<std::chrono::milliseconds> parse_duration(LineCursor& cursor);
  /// Whether a quoted string may hold `${name}` (checked where the author wrote it, so the
  /// diagnostic's column points at the `$` in the file, not into the unescaped text).
  enum class Variables { no, allowed };
  std::optional<std::string> parse_string(LineCursor& cursor, std::string_view after,
                                          Variables variables = Variables::no);
  std::optional<std::string> parse_regex(LineCursor& cursor, std::string_view after);
  bool expect_end(LineCursor& cursor);
  void error(int column, std::string message);

 private:
  std::optional<StepBody> parse_body(LineCursor& cursor);
  std::optional<StepBody> parse_send(LineCursor& cursor);
  std::optional<StepBody> parse_expect(LineCursor& cursor);
  std::optional<StepBody> parse_transfer(LineCursor& cursor, Transfer::Verb verb);
  std::optional<StepBody> parse_wait(LineCursor& cursor);
  std::optional<StepBody> parse_abort_retr(LineCursor& cursor);
  std::optional<StepBody> parse_skip_unless(LineCursor& cursor);
  std::optional<StepBody> parse_secure_data(LineCursor& cursor);
  bool parse_transfer_option(LineCursor& cursor, Transfer& transfer);
  std::optional<Content> parse_content(LineCursor& cursor, std::string_view after);
  bool check_variables(std::string_view text, int column);

  const std::string& file_;
  int line_;
  std::vector<Diagnostic>& diagnostics_;
};

}  // namespace ftpspec::scenario
