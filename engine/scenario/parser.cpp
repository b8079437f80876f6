// The `.ftpspec` parser: one statement per line; see docs/scenario-format.md for the grammar.
#include "scenario/parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "scenario/case_header.hpp"
#include "scenario/line_cursor.hpp"
#include "scenario/step_parser.hpp"

namespace ftpspec::scenario {

std::string SourceLoc::str() const {
  if (column > 0) return fmt::format("{}:{}:{}", file, line, column);
  return fmt::format("{}:{}", file, line);
}

std::string Diagnostic::str() const { return fmt::format("{}: {}", loc.str(), message); }

bool CodePattern::matches(int code) const noexcept {
  if (pattern.size() != 3 || code < 100 || code > 999) return false;
  const int digits[3] = {code / 100, code / 10 % 10, code % 10};
  for (int i = 0; i < 3; ++i)
    if (pattern[i] != 'x' && pattern[i] - '0' != digits[i]) return false;
  return true;
}

std::string Case::rfc_number() const {
  if (rfc.empty()) return "?";
  const std::string& first = rfc.front();
  return first.substr(0, first.find(' '));
}

std::string_view to_string(Level level) noexcept {
  switch (level) {
    case Level::must: return "MUST";
    case Level::should: return "SHOULD";
    case Level::may: return "MAY";
  }
  return "?";
}

std::string_view to_string(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::pass: return "pass";
    case Outcome::warn: return "warn";
    case Outcome::unsupported: return "unsupported";
    case Outcome::fail: return "fail";
    case Outcome::skip: return "skip";
    case Outcome::blocked: return "blocked";
  }
  return "?";
}

std::string_view to_string(Requirement requirement) noexcept {
  switch (requirement) {
    case Requirement::nothing: return "nothing";
    case Requirement::connection: return "connection";
    case Requirement::login: return "login";
    case Requirement::scratch: return "scratch";
    case Requirement::tls_login: return "tls-login";
    case Requirement::tls_scratch: return "tls-scratch";
  }
  return "?";
}

std::string_view to_string(Transfer::Verb verb) noexcept {
  switch (verb) {
    case Transfer::Verb::retr: return "RETR";
    case Transfer::Verb::stor: return "STOR";
    case Transfer::Verb::appe: return "APPE";
    case Transfer::Verb::list: return "LIST";
    case Transfer::Verb::nlst: return "NLST";
    case Transfer::Verb::stou: return "STOU";
    case Transfer::Verb::mlsd: return "MLSD";
  }
  return "?";
}

const std::vector<std::string_view>& known_variables() {
  static const std::vector<std::string_view> names = {"user", "password", "dir",  "scratch",
                                                      "host", "port",     "case"};
  return names;
}

std::string unescape(std::string_view body) {
  std::string out;
  out.reserve(body.size());
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\' || i + 1 >= body.size()) {
      out += body[i];
      continue;
    }
    char next = body[++i];
    switch (next) {
      case 'r': out += '\r'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case '0': out += '\0'; break;
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case 'x': {
        unsigned value = 0;
        auto [end, ec] = std::from_chars(body.data() + i + 1, body.data() + std::min(i + 3, body.size()),
                                         value, 16);
        if (ec == std::errc{} && end == body.data() + i + 3) {
          out += static_cast<char>(value);
          i += 2;
        } else {
          out += "\\x";  // malformed: the checker reports it; keep the text
        }
        break;
      }
      default:  // kept as written: "\d" stays a regex class
        out += '\\';
        out += next;
    }
  }
  return out;
}

namespace {

/// Parses the header keywords (HeaderParser) and `case` lines; delegates step lines to StepParser.
class FileParser {
 public:
  FileParser(std::string_view text, std::string file) : text_(text), file_(std::move(file)), header_(file_, result_.diagnostics) {}

  ParseResult run() {
    for_each_line(text_, [&](std::string_view line, int number) { parse_line(line, number); });
    finish_case();
    return std::move(result_);
  }

 private:
  void error(int line, int column, std::string message) {
    result_.diagnostics.push_back({{file_, line, column}, std::move(message)});
  }

  void parse_line(std::string_view line, int number) {
    LineCursor cursor(line);
    if (cursor.at_end()) return;
    int keyword_column = cursor.column();
    if (cursor.eat_word("case")) {
      finish_case();
      current_.emplace();
      current_->loc = {file_, number, keyword_column};
      current_->id = header_.begin_case(cursor, number);
      return;
    }
    if (!current_) {
      error(number, keyword_column, "expected 'case ID' before the first statement");
      return;
    }
    Case& c = *current_;
    if (header_.parse(cursor, number, {c.title, c.rfc, c.level})) return;
    if (cursor.eat_word("intrusive")) {
      cursor.skip_spaces();
      const int column = cursor.column();
      std::string problem;
      auto why = cursor.quoted(problem);
      if (!why || why->empty())
        return error(number, column, why ? "'intrusive' needs a reason: intrusive \"what the case does to the server\""
                                         : problem + " after 'intrusive' (intrusive \"what the case does to the server\")");
      if (!c.intrusive.empty()) return error(number, keyword_column, "duplicate 'intrusive' in this case");
      c.intrusive = unescape(*why);
      return header_.expect_end(cursor, number);
    }
    if (cursor.eat_word("require")) {
      cursor.skip_spaces();
      int column = cursor.column();
      std::string_view word = cursor.word();
      if (word == "nothing") c.require = Requirement::nothing;
      else if (word == "connection") c.require = Requirement::connection;
      else if (word == "login") c.require = Requirement::login;
      else if (word == "scratch") c.require = Requirement::scratch;
      else if (word == "tls-login") c.require = Requirement::tls_login;
      else if (word == "tls-scratch") c.require = Requirement::tls_scratch;
      else
        return error(number, column,
                     fmt::format("expected nothing, connection, login, scratch, tls-login or tls-scratch after 'require', "
                                 "found '{}'", word));
      return header_.expect_end(cursor, number);
    }
    StepParser steps(file_, number, result_.diagnostics);
    if (cursor.eat_word("or")) {
      Expect* expect = c.steps.empty() ? nullptr : std::get_if<Expect>(&c.steps.back().body);
      if (!expect || expect->closed)
        return error(number, keyword_column, "'or' must follow a '<' expectation (it adds an alternative)");
      if (auto alternative = steps.parse_alternative(cursor, "or")) expect->alternatives.push_back(std::move(*alternative));
      return;
    }
    if (auto step = steps.parse(cursor)) {
      if (leaves_reply(c) && !std::holds_alternative<Expect>(step->body))
        error(number, keyword_column, "a transfer with 'leave-reply' must be followed by a '<' that judges its final reply");
      c.steps.push_back(std::move(*step));
    }
  }

  /// The case's last step is a transfer that hands its final reply to the next `<`.
  static bool leaves_reply(const Case& c) {
    const Transfer* transfer = c.steps.empty() ? nullptr : std::get_if<Transfer>(&c.steps.back().body);
    return transfer && transfer->leave_reply;
  }

  void finish_case() {
    if (!current_) return;
    Case& c = *current_;
    header_.finish(c.id, c.loc);
    if (c.steps.empty()) error(c.loc.line, c.loc.column, fmt::format("case '{}' has no steps", c.id));
    if (leaves_reply(c))
      error(c.steps.back().loc.line, c.steps.back().loc.column,
            "a transfer with 'leave-reply' must be followed by a '<' that judges its final reply");
    check_variables(c);
    result_.cases.push_back(std::move(c));
    current_.reset();
  }

  /// ${scratch} only exists when the runner made the directory.
  void check_variables(const Case& c) {
    if (c.require == Requirement::scratch || c.require == Requirement::tls_scratch) return;
    for (const Step& step : c.steps)
      if (step.source.find("${scratch}") != std::string::npos)
        error(step.loc.line, static_cast<int>(step.source.find("${scratch}")) + 1 + leading_spaces(step),
              "${scratch} is used but the case does not say 'require scratch' or 'require tls-scratch'");
  }
  static int leading_spaces(const Step& step) { return step.loc.column - 1; }

  std::string_view text_;
  std::string file_;
  ParseResult result_;
  HeaderParser header_;
  std::optional<Case> current_;
};

}  // namespace

ParseResult parse(std::string_view text, const std::string& file) { return FileParser(text, file).run(); }

ParseResult load_file(const std::filesystem::path& path) {
  const auto text = read_text_file(path);
  if (!text) return {{}, {{{path.string(), 0, 0}, "cannot read the file"}}};
  return parse(*text, path.string());
}

ParseResult load_suite(const std::vector<std::filesystem::path>& paths) {
  ParseResult out;
  for (const auto& file : suite_files(paths, ".ftpspec", out.diagnostics)) {
    ParseResult one = load_file(file);
    out.diagnostics.insert(out.diagnostics.end(), one.diagnostics.begin(), one.diagnostics.end());
    std::move(one.cases.begin(), one.cases.end(), std::back_inserter(out.cases));
  }
  keep_unique_ids(out.cases, out.diagnostics);
  return out;
}

}  // namespace ftpspec::scenario
