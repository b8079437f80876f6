#include "client/case_parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <optional>
#include <utility>

#include <boost/asio/ip/address_v4.hpp>

#include "scenario/case_header.hpp"
#include "scenario/line_cursor.hpp"
#include "scenario/parser.hpp"
#include "scenario/step_parser.hpp"

namespace ftpspec::client {

using scenario::LineCursor;
using scenario::SourceLoc;
using scenario::StepParser;

namespace {

template <class Number>
bool parse_number(std::string_view text, Number& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc{} && end == text.data() + text.size();
}

std::optional<scenario::Outcome> outcome_word(std::string_view word) {
  if (word == "pass") return scenario::Outcome::pass;
  if (word == "warn") return scenario::Outcome::warn;
  if (word == "unsupported") return scenario::Outcome::unsupported;
  if (word == "fail") return scenario::Outcome::fail;
  if (word == "skip") return scenario::Outcome::skip;
  return std::nullopt;
}

bool is_action_word(std::string_view word) {
  return word == "reply" || word == "send" || word == "wait" || word == "close" || word == "serve";
}

/// Parses the statements of one line of a client case; diagnostics with exact columns.
class LineParser {
 public:
  LineParser(const std::string& file, int line, std::vector<scenario::Diagnostic>& diagnostics)
      : tokens_(file, line, diagnostics) {}

  void error(int column, std::string message) { tokens_.error(column, std::move(message)); }
  StepParser& tokens() { return tokens_; }

  /// A path: a quoted string or a word. `what` names it in the diagnostic.
  std::optional<std::string> path(LineCursor& cursor, std::string_view after, std::string_view stops = {}) {
    cursor.skip_spaces();
    const int column = cursor.column();
    std::string out;
    if (cursor.peek() == '"') {
      auto text = tokens_.parse_string(cursor, after);
      if (!text) return std::nullopt;
      out = std::move(*text);
    } else {
      out = std::string(cursor.word(stops));
    }
    if (out.empty() || out.find('\0') != std::string::npos || out.find('\n') != std::string::npos ||
        out.find('\r') != std::string::npos) {
      error(column, fmt::format("expected a path after '{}'", after));
      return std::nullopt;
    }
    return out;
  }

  /// `"literal"`, `random:N` or `@NAME[START:END]`.
  std::optional<Content> content(LineCursor& cursor, std::string_view after) {
    cursor.skip_spaces();
    const int column = cursor.column();
    Content content;
    if (cursor.peek() == '"') {
      auto text = tokens_.parse_string(cursor, after);
      if (!text) return std::nullopt;
      content.text = std::move(*text);
      return content;
    }
    if (cursor.peek() == '@' && cursor.rest().substr(1, 1) == "\"") {
      // @"a name with spaces"[START:END]
      cursor.eat('@');
      auto name = tokens_.parse_string(cursor, std::string(after) + "@");
      if (!name) return std::nullopt;
      content.kind = Content::Kind::reference;
      content.text = std::move(*name);
      const std::string_view slice = cursor.word();
      if (slice.empty() || parse_slice(slice, content)) return content;
      error(column, fmt::format("expected [START:END] after the quoted name after '{}'", after));
      return std::nullopt;
    }
    const std::string_view word = cursor.word();
    if (word.substr(0, 7) == "random:") {
      content.kind = Content::Kind::random;
      if (!parse_number(word.substr(7), content.size) || content.size > (std::size_t{1} << 30)) {
        error(column, fmt::format("expected a byte count like random:1024 (at most 1 GiB) after '{}'", after));
        return std::nullopt;
      }
      return content;
    }
    if (word.size() > 1 && word.front() == '@') {
      content.kind = Content::Kind::reference;
      const std::string_view rest = word.substr(1);
      const auto open = rest.find('[');
      content.text = std::string(rest.substr(0, open));
      const bool ok = !content.text.empty() && (open == std::string_view::npos || parse_slice(rest.substr(open), content));
      if (ok) return content;
    }
    error(column, fmt::format("expected \"literal\", random:N, @NAME[START:END] or @\"NAME\"[START:END] after '{}'", after));
    return std::nullopt;
  }

  /// "[START:END]", "[:END]" or "[START:]" into `content`; false when malformed.
  static bool parse_slice(std::string_view slice, Content& content) {
    const auto colon = slice.find(':');
    if (slice.size() < 3 || slice.front() != '[' || slice.back() != ']' || colon == std::string_view::npos) return false;
    const std::string_view from = slice.substr(1, colon - 1);
    const std::string_view to = slice.substr(colon + 1, slice.size() - colon - 2);
    if (!from.empty() && !parse_number(from, content.start)) return false;
    if (to.empty()) return true;
    std::size_t end = 0;
    if (!parse_number(to, end) || end < content.start) return false;
    content.end = end;
    return true;
  }

  std::optional<std::chrono::milliseconds> duration(LineCursor& cursor, std::string_view after) {
    cursor.skip_spaces();
    const int column = cursor.column();
    auto value = tokens_.parse_duration(cursor);
    if (!value) error(column, fmt::format("expected a duration like 100ms or 2s after '{}'", after));
    return value;
  }

  /// `on` and `greeting` actions up to the end of the line; `rule` (null for the greeting) takes
  /// the serve options.
  bool actions(LineCursor& cursor, std::vector<ftpspecd::ScriptAction>& out, ftpspecd::ScriptRule* rule) {
    using ftpspecd::ScriptAction;
    bool served = false;
    while (!cursor.at_end()) {
      const int column = cursor.column();
      const std::string_view word = cursor.word();
      ScriptAction action;
      if (word == "reply") {
        action.kind = ScriptAction::Kind::reply;
        cursor.skip_spaces();
        const int code_column = cursor.column();
        if (!parse_number(cursor.word(), action.code) || action.code < 100 || action.code > 599) {
          error(code_column, "expected a reply code (100-599) after 'reply'");
          return false;
        }
        auto text = tokens_.parse_string(cursor, "reply CODE");
        if (!text) return false;
        action.text = std::move(*text);
        if (!segment_option(cursor, action)) return false;
      } else if (word == "send") {
        action.kind = ScriptAction::Kind::send;
        auto bytes = tokens_.parse_string(cursor, "send");
        if (!bytes) return false;
        if (bytes->empty()) {
          error(column, "expected at least one byte in the string after 'send'");
          return false;
        }
        action.bytes = std::move(*bytes);
        if (!segment_option(cursor, action)) return false;
      } else if (word == "wait") {
        action.kind = ScriptAction::Kind::wait;
        auto value = duration(cursor, "wait");
        if (!value) return false;
        action.duration = *value;
      } else if (word == "close") {
        action.kind = ScriptAction::Kind::close;
      } else if (word == "serve") {
        if (!rule) {
          error(column, "'serve' has no command to serve in 'greeting'");
          return false;
        }
        if (served) {
          error(column, "one 'serve' per rule");
          return false;
        }
        served = true;
        action.kind = ScriptAction::Kind::serve;
        if (!serve_options(cursor, rule->serve)) return false;
      } else {
        error(column, fmt::format("expected an action (reply CODE \"TEXT\", send \"BYTES\", wait DURATION, close, "
                                  "serve [OPTIONS]), found '{}'", word));
        return false;
      }
      out.push_back(std::move(action));
    }
    if (out.empty()) {
      error(cursor.column(), "expected an action (reply, send, wait, close or serve)");
      return false;
    }
    return true;
  }

 private:
  /// `split=N` after a reply or send.
  bool segment_option(LineCursor& cursor, ftpspecd::ScriptAction& action) {
    cursor.skip_spaces();
    LineCursor probe = cursor;
    if (probe.word("=") != "split" || !probe.eat('=')) return true;
    cursor = probe;
    const int column = cursor.column();
    if (!parse_number(cursor.word(), action.segment) || action.segment == 0) {
      error(column, "expected a segment size in bytes (>= 1) after 'split='");
      return false;
    }
    return true;
  }

  /// serve's `key=value` options and flags, up to the next action word.
  bool serve_options(LineCursor& cursor, ftpspecd::ServeOptions& serve) {
    using ftpspecd::TransferShape;
    TransferShape& shape = serve.transfer;
    while (!cursor.at_end()) {
      LineCursor probe = cursor;
      const int column = probe.column();
      const std::string_view key = probe.word("=");
      if (is_action_word(key)) return true;
      cursor = probe;
      if (key == "no-data-connection") { shape.no_data_connection = true; continue; }
      if (key == "ignore-rest") { shape.ignore_rest = true; continue; }
      if (key == "decoy") { serve.decoy = true; continue; }
      if (!cursor.eat('=')) {
        error(column, fmt::format("expected a serve option (code= text= cut= rate= mark= final= final-text= final-raw= "
                                  "final-delay= interrupt= order= end= linger= listing= body= address= append= "
                                  "no-data-connection ignore-rest decoy), found '{}'", key));
        return false;
      }
      const int value_column = cursor.column();
      auto bad = [&](std::string_view expected) {
        error(value_column, fmt::format("expected {} after '{}='", expected, key));
        return false;
      };
      if (key == "final-text" || key == "final-raw" || key == "body" || key == "append" || key == "text") {
        auto text = tokens_.parse_string(cursor, std::string(key) + "=");
        if (!text) return false;
        if (key == "final-text") shape.final_text = std::move(*text);
        else if (key == "final-raw") shape.final_raw = std::move(*text);
        else if (key == "body") shape.listing_body = std::move(*text);
        else if (key == "text") serve.text = std::move(*text);
        else serve.append = std::move(*text);
        continue;
      }
      if (key == "linger" || key == "final-delay" || key == "interrupt") {
        auto value = duration(cursor, std::string(key) + "=");
        if (!value) return false;
        (key == "linger" ? shape.linger : key == "final-delay" ? shape.final_delay : shape.interrupt) = *value;
        continue;
      }
      const std::string_view value = cursor.word();
      std::uint64_t number = 0;
      if (key == "cut") {
        if (!parse_number(value, number)) return bad("a byte count");
        shape.data.drop_after = number;
      } else if (key == "rate") {
        if (!parse_number(value, number) || number == 0) return bad("bytes per second (>= 1)");
        shape.data.bytes_per_second = number;
      } else if (key == "code") {
        int code = 0;
        if (!parse_number(value, code) || code < 100 || code > 599) return bad("a reply code (100-599)");
        serve.code = code;
      } else if (key == "mark") {
        if (value != "125" && value != "150") return bad("125 or 150");
        shape.mark = value == "125" ? 125 : 150;
      } else if (key == "final") {
        int code = 0;
        if (value == "none") shape.final_raw = std::string();  // no final reply at all
        else if (!parse_number(value, code) || code < 100 || code > 599) return bad("a reply code (100-599) or none");
        else shape.final_code = code;
      } else if (key == "order") {
        if (value == "final-first") shape.order = TransferShape::Order::final_first;
        else if (value == "together") shape.order = TransferShape::Order::together;
        else if (value == "normal") shape.order = TransferShape::Order::normal;
        else return bad("normal, final-first or together");
      } else if (key == "end") {
        if (value == "close") shape.end = TransferShape::End::close;
        else if (value == "reset") shape.end = TransferShape::End::reset;
        else if (value == "no-close-notify") shape.end = TransferShape::End::no_close_notify;
        else return bad("close, reset or no-close-notify");
      } else if (key == "listing") {
        if (value == "unix") shape.listing = ftpspecd::ListFormat::unix_ls;
        else if (value == "dos") shape.listing = ftpspecd::ListFormat::dos;
        else if (value == "eplf") shape.listing = ftpspecd::ListFormat::eplf;
        else return bad("unix, dos or eplf");
      } else if (key == "address") {
        boost::system::error_code ec;
        boost::asio::ip::make_address_v4(std::string(value), ec);
        if (ec) return bad("an IPv4 address (a 227 carries IPv4 only, RFC 959 §4.1.2)");
        serve.pasv_address = std::string(value);
      } else {
        error(column, fmt::format("unknown serve option '{}='", key));
        return false;
      }
    }
    return true;
  }

  StepParser tokens_;
};

class FileParser {
 public:
  FileParser(std::string_view text, std::string file) : text_(text), file_(std::move(file)), header_(file_, result_.diagnostics) {}

  ParseResult run() {
    scenario::for_each_line(text_, [&](std::string_view line, int number) { parse_line(line, number); });
    finish_case();
    return std::move(result_);
  }

 private:
  void error(int line, int column, std::string message) {
    result_.diagnostics.push_back({{file_, line, column}, std::move(message)});
  }

  void parse_line(std::string_view text, int number) {
    LineCursor cursor(text);
    if (cursor.at_end()) return;
    const int keyword_column = cursor.column();
    if (cursor.eat_word("case")) {
      finish_case();
      current_.emplace();
      current_->loc = {file_, number, keyword_column};
      current_->id = header_.begin_case(cursor, number);
      seen_operation_ = seen_deadline_ = seen_tls_ = seen_local_ = seen_home_ = seen_replies_ = seen_greeting_ = false;
      return;
    }
    if (!current_) return error(number, keyword_column, "expected 'case ID' before the first statement");
    ClientCase& c = *current_;
    if (header_.parse(cursor, number, {c.title, c.rfc, c.level})) {
      after_expectation_ = false;
      return;
    }
    LineParser line(file_, number, result_.diagnostics);
    const std::string_view keyword = cursor.word();
    const bool follows_expectation = std::exchange(after_expectation_, keyword == "expect" || keyword == "or");
    auto once = [&](bool& seen) {
      if (seen) error(number, keyword_column, fmt::format("duplicate '{}' in this case", keyword));
      seen = true;
    };
    if (keyword == "operation") {
      once(seen_operation_);
      cursor.skip_spaces();
      const int column = cursor.column();
      const std::string_view word = cursor.word();
      const auto operation = parse_operation(word);
      if (!operation) {
        return line.error(column, fmt::format("expected download, upload, list, resume, delete or mkdir after "
                                              "'operation', found '{}'", word));
      }
      auto path = line.path(cursor, fmt::format("operation {}", word));
      if (!path || !line.tokens().expect_end(cursor)) return;
      c.operation = *operation;
      c.path = std::move(*path);
      c.operation_loc = {file_, number, keyword_column};
      return;
    }
    if (keyword == "tls") {
      once(seen_tls_);
      cursor.skip_spaces();
      const int column = cursor.column();
      if (!cursor.eat_word("explicit")) return line.error(column, "expected 'explicit' after 'tls' (AUTH TLS, RFC 4217)");
      cursor.skip_spaces();
      if (cursor.eat_word("resume-required")) c.server.require_tls_resumption = true;
      if (!line.tokens().expect_end(cursor)) return;
      c.tls = true;
      return;
    }
    if (keyword == "deadline") {
      once(seen_deadline_);
      auto value = line.duration(cursor, "deadline");
      if (!value || !line.tokens().expect_end(cursor)) return;
      if (value->count() == 0) return line.error(keyword_column, "the deadline must be positive");
      c.deadline = *value;
      return;
    }
    if (keyword == "server-file" || keyword == "server-dir") {
      ServerEntry entry;
      entry.loc = {file_, number, keyword_column};
      auto path = line.path(cursor, keyword);
      if (!path) return;
      entry.path = std::move(*path);
      if (keyword == "server-file") {
        auto content = line.content(cursor, "server-file PATH");
        if (!content) return;
        entry.content = std::move(*content);
      }
      if (!line.tokens().expect_end(cursor)) return;
      if (!safe_relative(entry.path)) {
        return error(number, keyword_column, fmt::format("'{}' must be a relative path without '..'", entry.path));
      }
      c.server_files.push_back(std::move(entry));
      return;
    }
    if (keyword == "local-file") {
      once(seen_local_);
      auto content = line.content(cursor, "local-file");
      if (!content || !line.tokens().expect_end(cursor)) return;
      c.local_file = std::move(*content);
      return;
    }
    if (keyword == "home") {
      once(seen_home_);
      auto path = line.path(cursor, "home");
      if (!path || !line.tokens().expect_end(cursor)) return;
      c.server.home = std::move(*path);
      return;
    }
    if (keyword == "replies") return parse_replies(cursor, line, c, number, keyword_column);
    if (keyword == "greeting") {
      once(seen_greeting_);
      c.server.greeting.clear();
      line.actions(cursor, c.server.greeting, nullptr);
      return;
    }
    if (keyword == "on") return parse_rule(cursor, line, c, number);
    if (keyword == "expect") {
      Expectation expectation;
      expectation.loc = {file_, number, keyword_column};
      LineCursor echo(text.substr(static_cast<std::size_t>(keyword_column - 1)));
      expectation.source = std::string(echo.statement_rest());
      auto alternative = parse_alternative(cursor, line, number, "expect");
      if (!alternative) {
        after_expectation_ = false;  // an `or` below has nothing to add to
        return;
      }
      expectation.alternatives.push_back(std::move(*alternative));
      c.expectations.push_back(std::move(expectation));
      return;
    }
    if (keyword == "or") {
      if (!follows_expectation || c.expectations.empty()) {
        return error(number, keyword_column, "'or' must follow an 'expect' line (it adds an alternative)");
      }
      auto alternative = parse_alternative(cursor, line, number, "or");
      if (alternative) c.expectations.back().alternatives.push_back(std::move(*alternative));
      return;
    }
    error(number, keyword_column,
          fmt::format("unknown statement '{}': expected title, rfc, level, operation, tls, deadline, server-file, "
                      "server-dir, local-file, home, replies, greeting, on, expect or or", keyword));
  }

  static bool safe_relative(std::string_view path) {
    if (path.empty() || path.front() == '/') return false;
    std::size_t start = 0;
    while (start <= path.size()) {
      const std::size_t slash = std::min(path.find('/', start), path.size());
      if (path.substr(start, slash - start) == "..") return false;
      start = slash + 1;
    }
    return true;
  }

  void parse_replies(LineCursor& cursor, LineParser& line, ClientCase& c, int number, int keyword_column) {
    if (seen_replies_) error(number, keyword_column, "duplicate 'replies' in this case");
    seen_replies_ = true;
    auto& style = c.server.replies;
    if (cursor.at_end()) return line.error(cursor.column(), "expected lf-only, multiline-codes, delay=DURATION or split=N after 'replies'");
    while (!cursor.at_end()) {
      const int column = cursor.column();
      const std::string_view key = cursor.word("=");
      if (key == "lf-only") style.lf_only = true;
      else if (key == "multiline-codes") style.code_on_every_line = true;
      else if (key == "delay" && cursor.eat('=')) {
        auto value = line.duration(cursor, "delay=");
        if (!value) return;
        style.delay = *value;
      } else if (key == "split" && cursor.eat('=')) {
        const int value_column = cursor.column();
        if (!parse_number(cursor.word(), style.segment) || style.segment == 0)
          return line.error(value_column, "expected a segment size in bytes (>= 1) after 'split='");
      } else {
        return line.error(column, fmt::format("expected lf-only, multiline-codes, delay=DURATION or split=N after "
                                              "'replies', found '{}'", key));
      }
    }
  }

  /// `on VERB[,VERB...][#N] [per-connection] [~ "REGEX"] ACTIONS` (`any` for every command).
  void parse_rule(LineCursor& cursor, LineParser& line, ClientCase& c, int number) {
    ftpspecd::ScriptRule rule;
    rule.source = fmt::format("{}:{}", file_, number);
    cursor.skip_spaces();
    const int column = cursor.column();
    std::string_view target = cursor.word();
    const auto hash = target.find('#');
    if (hash != std::string_view::npos) {
      if (!parse_number(target.substr(hash + 1), rule.occurrence) || rule.occurrence == 0)
        return line.error(column + static_cast<int>(hash), "expected an occurrence number (>= 1) after '#'");
      target = target.substr(0, hash);
    }
    if (target != "any") {
      std::size_t start = 0;
      while (start <= target.size()) {
        const std::size_t comma = std::min(target.find(',', start), target.size());
        std::string verb(target.substr(start, comma - start));
        if (verb.empty() || verb.size() > 8 ||
            !std::all_of(verb.begin(), verb.end(), [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)); }))
          return line.error(column, fmt::format("expected a command verb like RETR, several like LIST,NLST, or 'any' "
                                                "after 'on', found '{}'", target));
        std::transform(verb.begin(), verb.end(), verb.begin(), [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
        rule.verbs.push_back(std::move(verb));
        start = comma + 1;
      }
    }
    cursor.skip_spaces();
    if (cursor.eat_word("per-connection")) rule.per_connection = true;
    cursor.skip_spaces();
    if (cursor.eat_word("~")) {
      auto regex = line.tokens().parse_regex(cursor, "~");
      if (!regex) return;
      rule.argument_pattern = *regex;
      rule.argument.emplace(*regex, std::regex::ECMAScript);
    }
    std::vector<ftpspecd::ScriptAction> actions;
    if (!line.actions(cursor, actions, &rule)) return;
    // A rule that only serves runs the handler as the command table would.
    if (!(actions.size() == 1 && actions.front().kind == ftpspecd::ScriptAction::Kind::serve)) rule.actions = std::move(actions);
    c.server.rules.push_back(std::move(rule));
  }

  std::optional<Alternative> parse_alternative(LineCursor& cursor, LineParser& line, int number, std::string_view after) {
    Alternative alternative;
    cursor.skip_spaces();
    alternative.loc = {file_, number, cursor.column()};
    while (!cursor.at_end()) {
      const int column = cursor.column();
      const std::size_t start = cursor.pos();
      const std::string_view from_here = cursor.rest();
      const std::string_view word = cursor.word("=!");
      if (auto outcome = outcome_word(word)) {
        alternative.outcome = *outcome;
        cursor.skip_spaces();
        if (cursor.peek() == '"') {
          auto reason = line.tokens().parse_string(cursor, word);
          if (!reason) return std::nullopt;
          alternative.reason = std::move(*reason);
        }
        if (!line.tokens().expect_end(cursor)) return std::nullopt;
        break;
      }
      Check check;
      if (!parse_check(cursor, line, word, column, check)) return std::nullopt;
      check.source = std::string(from_here.substr(0, cursor.pos() - start));
      alternative.checks.push_back(std::move(check));
    }
    if (alternative.checks.empty()) {
      error(number, alternative.loc.column,
            fmt::format("expected at least one check after '{}' (exit=, local=, remote, listed, not-listed, sent, "
                        "not-sent, output ~, greeting-awaited, tls-after-auth, no-third-party)", after));
      return std::nullopt;
    }
    return alternative;
  }

  bool parse_check(LineCursor& cursor, LineParser& line, std::string_view word, int column, Check& check) {
    using Kind = Check::Kind;
    if (word == "exit") {
      const bool negated = cursor.eat('!');
      if (!cursor.eat('=') || !parse_number(cursor.word(), check.number)) {
        line.error(column, "expected exit=N or exit!=N (an exit status)");
        return false;
      }
      check.kind = negated ? Kind::exit_not : Kind::exit_is;
      return true;
    }
    if (word == "local") {
      if (!cursor.eat('=')) {
        line.error(column, "expected local=CONTENT or local=absent");
        return false;
      }
      if (cursor.eat_word("absent")) {
        check.kind = Kind::local_absent;
        return true;
      }
      auto content = line.content(cursor, "local=");
      if (!content) return false;
      check.kind = Kind::local_is;
      check.content = std::move(*content);
      return true;
    }
    if (word == "remote") {
      auto path = line.path(cursor, "remote", "=");
      if (!path) return false;
      if (!cursor.eat('=')) {
        line.error(cursor.column(), "expected remote PATH=CONTENT, remote PATH=absent or remote PATH=dir");
        return false;
      }
      check.path = std::move(*path);
      if (cursor.eat_word("absent")) check.kind = Kind::remote_absent;
      else if (cursor.eat_word("dir")) check.kind = Kind::remote_dir;
      else {
        auto content = line.content(cursor, "remote PATH=");
        if (!content) return false;
        check.kind = Kind::remote_is;
        check.content = std::move(*content);
      }
      return true;
    }
    if (word == "listed" || word == "not-listed") {
      auto name = line.tokens().parse_string(cursor, word);
      if (!name) return false;
      check.kind = word == "listed" ? Kind::listed : Kind::not_listed;
      check.text = std::move(*name);
      return true;
    }
    if (word == "sent" || word == "not-sent") {
      auto regex = line.tokens().parse_regex(cursor, word);
      if (!regex) return false;
      check.kind = word == "sent" ? Kind::sent : Kind::not_sent;
      check.text = std::move(*regex);
      cursor.skip_spaces();
      if (word == "sent" && cursor.eat_word("before")) {
        auto second = line.tokens().parse_regex(cursor, "before");
        if (!second) return false;
        check.kind = Kind::sent_before;
        check.second = std::move(*second);
      }
      return true;
    }
    if (word == "output") {
      cursor.skip_spaces();
      if (!cursor.eat_word("~")) {
        line.error(cursor.column(), "expected '~ \"regex\"' after 'output'");
        return false;
      }
      auto regex = line.tokens().parse_regex(cursor, "output ~");
      if (!regex) return false;
      check.kind = Kind::output;
      check.text = std::move(*regex);
      return true;
    }
    if (word == "greeting-awaited") return check.kind = Kind::greeting_awaited, true;
    if (word == "tls-after-auth") return check.kind = Kind::tls_after_auth, true;
    if (word == "no-third-party") return check.kind = Kind::no_third_party, true;
    line.error(column, fmt::format("expected a check (exit=, local=, remote, listed, not-listed, sent, not-sent, "
                                   "output ~, greeting-awaited, tls-after-auth, no-third-party) or an outcome (pass, "
                                   "warn, unsupported, fail, skip), found '{}'", word));
    return false;
  }

  /// Whole-case checks, at the `case` line unless a statement is to blame.
  void finish_case() {
    after_expectation_ = false;
    if (!current_) return;
    ClientCase& c = *current_;
    header_.finish(c.id, c.loc);
    const auto at_case = [&](std::string message) { error(c.loc.line, c.loc.column, std::move(message)); };
    if (!seen_operation_) at_case(fmt::format("case '{}' has no 'operation download|upload|list|resume|delete|mkdir PATH'", c.id));
    if (c.expectations.empty()) at_case(fmt::format("case '{}' has no 'expect' line", c.id));
    if ((c.operation == Operation::upload || c.operation == Operation::resume) && seen_operation_ && !c.local_file)
      at_case(fmt::format("case '{}': {} needs a 'local-file CONTENT'", c.id, to_string(c.operation)));
    if (c.server.require_tls_resumption && !c.tls) at_case("'resume-required' needs 'tls explicit'");
    check_references(c);
    result_.cases.push_back(std::move(c));
    current_.reset();
  }

  /// Every @NAME is a server file of the case or @local (with a local-file).
  void check_references(const ClientCase& c) {
    auto check = [&](const Content& content, const SourceLoc& loc) {
      if (content.kind != Content::Kind::reference) return;
      const bool local = content.text == "local";
      const bool known = local ? c.local_file.has_value()
                               : std::any_of(c.server_files.begin(), c.server_files.end(), [&](const ServerEntry& entry) {
                                   return entry.content && entry.path == content.text;
                                 });
      if (!known)
        error(loc.line, loc.column,
              fmt::format("@{} names no file of this case (a server-file PATH, or @local with a local-file)", content.text));
    };
    for (const auto& entry : c.server_files)
      if (entry.content) check(*entry.content, entry.loc);
    if (c.local_file) check(*c.local_file, c.loc);
    check_cycles(c);
    for (const auto& expectation : c.expectations)
      for (const auto& alternative : expectation.alternatives)
        for (const auto& one : alternative.checks)
          if (one.content) check(*one.content, alternative.loc);
  }

  /// Files whose contents refer to each other in a circle have no bytes: one diagnostic per circle.
  void check_cycles(const ClientCase& c) {
    // name -> the name its content refers to ("local" for the local file).
    std::map<std::string, std::string> refers;
    std::map<std::string, SourceLoc> where;
    for (const auto& entry : c.server_files)
      if (entry.content && entry.content->kind == Content::Kind::reference) {
        refers[entry.path] = entry.content->text;
        where[entry.path] = entry.loc;
      }
    if (c.local_file && c.local_file->kind == Content::Kind::reference) {
      refers["local"] = c.local_file->text;
      where["local"] = c.loc;
    }
    std::set<std::string> reported;  // every file of a circle already named
    for (const auto& [start, ignored] : refers) {
      if (reported.count(start)) continue;
      std::vector<std::string> path{start};
      for (auto at = refers.find(start); at != refers.end(); at = refers.find(at->second)) {
        if (std::find(path.begin(), path.end(), at->second) != path.end()) {
          if (at->second == start) {
            error(where[start].line, where[start].column, "file references go round in a circle (" + start + ")");
            reported.insert(path.begin(), path.end());
          }
          break;
        }
        path.push_back(at->second);
      }
    }
  }

  std::string_view text_;
  std::string file_;
  ParseResult result_;
  scenario::HeaderParser header_;
  std::optional<ClientCase> current_;
  bool seen_operation_ = false, seen_deadline_ = false, seen_tls_ = false, seen_local_ = false, seen_home_ = false,
       seen_replies_ = false, seen_greeting_ = false;
  bool after_expectation_ = false;  ///< the previous statement was `expect` or `or`
};

}  // namespace

ParseResult parse(std::string_view text, const std::string& file) { return FileParser(text, file).run(); }

ParseResult load_file(const std::filesystem::path& path) {
  const auto text = scenario::read_text_file(path);
  if (!text) return {{}, {{{path.string(), 0, 0}, "cannot read the file"}}};
  return parse(*text, path.string());
}

ParseResult load_suite(const std::vector<std::filesystem::path>& paths) {
  ParseResult out;
  for (const auto& file : scenario::suite_files(paths, kCaseExtension, out.diagnostics)) {
    ParseResult one = load_file(file);
    out.diagnostics.insert(out.diagnostics.end(), one.diagnostics.begin(), one.diagnostics.end());
    std::move(one.cases.begin(), one.cases.end(), std::back_inserter(out.cases));
  }
  scenario::keep_unique_ids(out.cases, out.diagnostics);
  return out;
}

}  // namespace ftpspec::client
