#include "scenario/step_parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <regex>

#include "scenario/parser.hpp"

namespace ftpspec::scenario {

namespace {

bool is_code_pattern(std::string_view word) {
  if (word.size() != 3) return false;
  if (!(word[0] == 'x' || (word[0] >= '1' && word[0] <= '5'))) return false;
  return std::all_of(word.begin() + 1, word.end(), [](char c) { return c == 'x' || (c >= '0' && c <= '9'); });
}

std::optional<Outcome> outcome_word(std::string_view word) {
  if (word == "pass") return Outcome::pass;
  if (word == "warn") return Outcome::warn;
  if (word == "unsupported") return Outcome::unsupported;
  if (word == "fail") return Outcome::fail;
  if (word == "skip") return Outcome::skip;
  if (word == "blocked") return Outcome::blocked;
  return std::nullopt;
}

template <class Number>
bool parse_number(std::string_view text, Number& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

void StepParser::error(int column, std::string message) {
  diagnostics_.push_back({{file_, line_, column}, std::move(message)});
}

bool StepParser::expect_end(LineCursor& cursor) {
  if (cursor.at_end()) return true;
  const int column = cursor.column();
  error(column, fmt::format("unexpected '{}' at the end of the statement", cursor.statement_rest()));
  return false;
}

bool StepParser::check_variables(std::string_view text, int column) {
  std::size_t at = 0;
  while ((at = text.find("${", at)) != std::string_view::npos) {
    std::size_t close = text.find('}', at);
    if (close == std::string_view::npos) {
      error(column + static_cast<int>(at), "unterminated variable: expected '}' after '${'");
      return false;
    }
    std::string_view name = text.substr(at + 2, close - at - 2);
    const auto& known = known_variables();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      error(column + static_cast<int>(at),
            fmt::format("unknown variable '${{{}}}' (known: user, password, dir, scratch, host, port, case)", name));
      return false;
    }
    at = close + 1;
  }
  return true;
}

std::optional<std::string> StepParser::parse_string(LineCursor& cursor, std::string_view after,
                                                    Variables variables) {
  cursor.skip_spaces();
  int column = cursor.column();
  std::string problem;
  auto body = cursor.quoted(problem);
  if (!body) {
    error(column, fmt::format("{} after '{}'", problem, after));
    return std::nullopt;
  }
  for (std::size_t i = 0; i + 1 < body->size(); ++i) {
    if ((*body)[i] != '\\') continue;
    if ((*body)[i + 1] == 'x') {
      bool ok = i + 3 < body->size() && std::isxdigit(static_cast<unsigned char>((*body)[i + 2])) &&
                std::isxdigit(static_cast<unsigned char>((*body)[i + 3]));
      if (!ok) {
        error(column + 1 + static_cast<int>(i), "expected two hex digits after '\\x'");
        return std::nullopt;
      }
    }
    ++i;
  }
  // The body starts one column after the opening quote.
  if (variables == Variables::allowed && !check_variables(*body, column + 1)) return std::nullopt;
  return unescape(*body);
}

std::optional<std::string> StepParser::parse_regex(LineCursor& cursor, std::string_view after) {
  cursor.skip_spaces();
  int column = cursor.column();
  auto text = parse_string(cursor, after);
  if (!text) return std::nullopt;
  try {
    std::regex compiled(*text, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    error(column, fmt::format("invalid regular expression after '{}': {}", after, e.what()));
    return std::nullopt;
  }
  return text;
}

std::optional<Step> StepParser::parse(LineCursor& cursor) {
  cursor.skip_spaces();
  Step step;
  step.loc = {file_, line_, cursor.column()};
  step.source = std::string(cursor.rest());
  // Drop a trailing comment from the echo of the source.
  LineCursor echo(step.source);
  step.source = std::string(echo.statement_rest());
  auto body = parse_body(cursor);
  if (!body) return std::nullopt;
  step.body = std::move(*body);
  return step;
}

std::optional<StepBody> StepParser::parse_body(LineCursor& cursor) {
  int column = cursor.column();
  if (cursor.eat('>')) return parse_send(cursor);
  if (cursor.eat('<')) return parse_expect(cursor);
  std::string_view keyword = cursor.word();
  if (keyword == "retr") return parse_transfer(cursor, Transfer::Verb::retr);
  if (keyword == "stor") return parse_transfer(cursor, Transfer::Verb::stor);
  if (keyword == "appe") return parse_transfer(cursor, Transfer::Verb::appe);
  if (keyword == "list") return parse_transfer(cursor, Transfer::Verb::list);
  if (keyword == "nlst") return parse_transfer(cursor, Transfer::Verb::nlst);
  if (keyword == "stou") return parse_transfer(cursor, Transfer::Verb::stou);
  if (keyword == "mlsd") return parse_transfer(cursor, Transfer::Verb::mlsd);
  if (keyword == "abort-retr") return parse_abort_retr(cursor);
  if (keyword == "wait") return parse_wait(cursor);
  if (keyword == "skip-unless") return parse_skip_unless(cursor);
  if (keyword == "connect") return expect_end(cursor) ? std::optional<StepBody>(Connect{}) : std::nullopt;
  if (keyword == "login") return expect_end(cursor) ? std::optional<StepBody>(Login{}) : std::nullopt;
  if (keyword == "auth-tls") return expect_end(cursor) ? std::optional<StepBody>(AuthTls{}) : std::nullopt;
  if (keyword == "ccc") return expect_end(cursor) ? std::optional<StepBody>(Ccc{}) : std::nullopt;
  if (keyword == "secure-data") return parse_secure_data(cursor);
  error(column, fmt::format("unknown statement '{}': expected title, rfc, level, require, >, >!, <, or, retr, "
                            "stor, appe, stou, list, nlst, mlsd, abort-retr, wait, skip-unless, connect, login, "
                            "auth-tls, secure-data or ccc", keyword));
  return std::nullopt;
}

std::optional<StepBody> StepParser::parse_send(LineCursor& cursor) {
  if (cursor.eat('!')) {
    auto bytes = parse_string(cursor, ">!", Variables::allowed);
    if (!bytes || !expect_end(cursor)) return std::nullopt;
    if (bytes->empty()) {
      error(cursor.column(), "expected at least one byte in the string after '>!'");
      return std::nullopt;
    }
    return SendRaw{std::move(*bytes)};
  }
  cursor.skip_spaces();
  int column = cursor.column();
  if (cursor.peek() == '"') {
    auto text = parse_string(cursor, ">", Variables::allowed);
    if (!text || !expect_end(cursor)) return std::nullopt;
    return Send{std::move(*text), true};
  }
  std::string_view text = cursor.statement_rest();
  if (text.empty()) {
    error(column, "expected a command like 'NOOP' or a quoted line after '>'");
    return std::nullopt;
  }
  if (!check_variables(text, column)) return std::nullopt;
  return Send{std::string(text), false};
}

std::optional<Alternative> StepParser::parse_alternative(LineCursor& cursor, std::string_view after,
                                                         std::optional<std::chrono::milliseconds>* within) {
  Alternative alt;
  cursor.skip_spaces();
  alt.loc = {file_, line_, cursor.column()};
  do {
    cursor.skip_spaces();
    int column = cursor.column();
    std::string_view code = cursor.word("|");
    if (!is_code_pattern(code)) {
      error(column, fmt::format("expected a reply code like 200, 2xx or 200|250 after '{}'", after));
      return std::nullopt;
    }
    alt.codes.push_back({std::string(code)});
    cursor.skip_spaces();
  } while (cursor.eat('|'));

  while (!cursor.at_end()) {
    int column = cursor.column();
    if (cursor.eat_word("~")) {
      auto re = parse_regex(cursor, "~");
      if (!re) return std::nullopt;
      alt.checks.push_back({TextCheck::Kind::contains, std::move(*re), {}});
    } else if (cursor.eat_word("!~")) {
      auto re = parse_regex(cursor, "!~");
      if (!re) return std::nullopt;
      alt.checks.push_back({TextCheck::Kind::not_contains, std::move(*re), {}});
    } else if (cursor.eat_word("inner")) {
      cursor.skip_spaces();
      if (!cursor.eat_word("~")) {
        error(cursor.column(), "expected '~ \"regex\"' after 'inner'");
        return std::nullopt;
      }
      auto re = parse_regex(cursor, "inner ~");
      if (!re) return std::nullopt;
      alt.checks.push_back({TextCheck::Kind::every_inner, std::move(*re), {}});
    } else if (cursor.eat_word("multiline")) {
      alt.checks.push_back({TextCheck::Kind::multiline, {}, {}});
    } else if (cursor.eat_word("delay")) {
      cursor.skip_spaces();
      const bool has_operator = cursor.eat_word(">=");
      cursor.skip_spaces();
      const int value_column = cursor.column();
      auto delay = has_operator ? parse_duration(cursor) : std::nullopt;
      if (!delay) {
        error(value_column, "expected '>= DURATION' (like 500ms or 2s) after 'delay'");
        return std::nullopt;
      }
      alt.checks.push_back({TextCheck::Kind::min_delay, {}, *delay});
    } else if (cursor.eat_word("within")) {
      cursor.skip_spaces();
      const int value_column = cursor.column();
      auto limit = parse_duration(cursor);
      if (!limit) {
        error(value_column, "expected a duration like 30s after 'within'");
        return std::nullopt;
      }
      if (!within) {
        error(column, "'within' belongs on the '<' line: it says how long to wait for the reply");
        return std::nullopt;
      }
      *within = *limit;
    } else {
      std::string_view word = cursor.word();
      auto outcome = outcome_word(word);
      if (!outcome) {
        error(column, fmt::format("expected '~ \"regex\"', '!~ \"regex\"', 'inner ~ \"regex\"', 'multiline', "
                                  "'delay >= DURATION', 'within DURATION' or an outcome (pass, warn, unsupported, fail, skip, blocked), "
                                  "found '{}'", word));
        return std::nullopt;
      }
      alt.outcome = *outcome;
      cursor.skip_spaces();
      if (cursor.peek() == '"') {
        auto reason = parse_string(cursor, word);
        if (!reason) return std::nullopt;
        alt.reason = std::move(*reason);
      }
      if (!expect_end(cursor)) return std::nullopt;
      break;
    }
  }
  return alt;
}

std::optional<StepBody> StepParser::parse_expect(LineCursor& cursor) {
  cursor.skip_spaces();
  if (cursor.eat_word("closed")) {
    if (!expect_end(cursor)) return std::nullopt;
    Expect expect;
    expect.closed = true;
    return expect;
  }
  Expect expect;
  auto alternative = parse_alternative(cursor, "<", &expect.within);
  if (!alternative) return std::nullopt;
  expect.alternatives.push_back(std::move(*alternative));
  return expect;
}

std::optional<Content> StepParser::parse_content(LineCursor& cursor, std::string_view after) {
  cursor.skip_spaces();
  int column = cursor.column();
  Content content;
  if (cursor.peek() == '"') {
    auto text = parse_string(cursor, after);
    if (!text) return std::nullopt;
    content.text = std::move(*text);
    return content;
  }
  std::string_view word = cursor.word();
  if (word.substr(0, 7) == "random:") {
    content.kind = Content::Kind::random;
    if (!parse_number(word.substr(7), content.size)) {
      error(column, fmt::format("expected a byte count like random:1024 after '{}'", after));
      return std::nullopt;
    }
    return content;
  }
  static const std::regex named(R"(@([A-Za-z0-9_-]+)(?:\[(\d+):\])?)");
  std::match_results<std::string_view::const_iterator> m;
  if (std::regex_match(word.begin(), word.end(), m, named)) {
    content.kind = Content::Kind::named;
    content.text = m[1].str();
    if (m[2].matched) parse_number(std::string_view(&*m[2].first, static_cast<std::size_t>(m[2].length())), content.offset);
    return content;
  }
  error(column, fmt::format("expected \"literal\", random:N or @name[offset:] after '{}'", after));
  return std::nullopt;
}

bool StepParser::parse_transfer_option(LineCursor& cursor, Transfer& transfer) {
  int column = cursor.column();
  if (cursor.eat_word("expect-crlf")) {
    transfer.checks.push_back({DataCheck::Kind::crlf_lines, {}, {}});
    return true;
  }
  if (cursor.eat_word("keep-open")) {
    transfer.keep_open = true;
    return true;
  }
  if (cursor.eat_word("leave-reply")) {
    transfer.leave_reply = true;
    return true;
  }
  if (cursor.eat_word("expect-empty")) {
    transfer.checks.push_back({DataCheck::Kind::empty, {}, {}});
    return true;
  }
  // RFC 4217: how the data connection was protected.
  static constexpr std::pair<std::string_view, DataCheck::Kind> tls_checks[] = {
      {"expect-tls-resumed", DataCheck::Kind::tls_resumed},
      {"expect-close-notify", DataCheck::Kind::close_notify},
      {"expect-tls", DataCheck::Kind::tls},
      {"expect-clear", DataCheck::Kind::clear}};
  for (const auto& [word, kind] : tls_checks) {
    if (!cursor.eat_word(word)) continue;
    transfer.checks.push_back({kind, {}, {}});
    return true;
  }
  if (cursor.eat_word("expect-reply")) {
    cursor.skip_spaces();
    if (!cursor.eat_word("~")) {
      error(cursor.column(), "expected '~ \"regex\"' after 'expect-reply'");
      return false;
    }
    auto re = parse_regex(cursor, "expect-reply ~");
    if (!re) return false;
    transfer.checks.push_back({DataCheck::Kind::reply_matches, {}, std::move(*re)});
    return true;
  }
  if (cursor.eat_word("expect-data")) {
    cursor.skip_spaces();
    if (cursor.eat_word("~")) {
      auto re = parse_regex(cursor, "expect-data ~");
      if (!re) return false;
      transfer.checks.push_back({DataCheck::Kind::matches, {}, std::move(*re)});
      return true;
    }
    auto content = parse_content(cursor, "expect-data");
    if (!content) return false;
    transfer.checks.push_back({DataCheck::Kind::equals, std::move(*content), {}});
    return true;
  }
  std::string_view key = cursor.word("=");
  if (!cursor.eat('=')) {
    error(column, fmt::format("expected an option (type= stru= mode= via= rest= data= save= keep-open leave-reply expect-data "
                              "expect-reply expect-crlf expect-empty expect-tls expect-clear expect-tls-resumed "
                              "expect-close-notify), found '{}'", key));
    return false;
  }
  int value_column = cursor.column();
  if (key == "data") {
    auto content = parse_content(cursor, "data=");
    if (!content) return false;
    if (transfer.verb != Transfer::Verb::stor && transfer.verb != Transfer::Verb::appe &&
        transfer.verb != Transfer::Verb::stou) {
      error(column, "'data=' only applies to stor, appe and stou");
      return false;
    }
    transfer.upload = std::move(*content);
    return true;
  }
  std::string_view value = cursor.word();
  auto bad = [&](std::string_view expected) {
    error(value_column, fmt::format("expected {} after '{}=', found '{}'", expected, key, value));
    return false;
  };
  if (key == "type") {
    // RFC 959 §3.1.1: A and E with an optional format control N/T/C, I, and L with a byte size.
    static const std::regex types(R"((?:([AE])([NTC]?))|(I)|(?:L([1-9][0-9]{0,2})))");
    std::match_results<std::string_view::const_iterator> m;
    unsigned byte_size = 0;
    if (!std::regex_match(value.begin(), value.end(), m, types) ||
        (m[4].matched && (!parse_number(m[4].str(), byte_size) || byte_size > 255)))
      return bad("A, AN, AT, AC, E, EN, ET, EC, I or L1..L255");
    if (m[1].matched) transfer.type = m[2].length() ? m[1].str() + " " + m[2].str() : m[1].str();
    else if (m[3].matched) transfer.type = "I";
    else transfer.type = "L " + m[4].str();
  } else if (key == "stru") {
    if (value.size() != 1 || std::string_view("FRP").find(value[0]) == std::string_view::npos) return bad("F, R or P");
    transfer.stru = value[0];
  } else if (key == "mode") {
    if (value.size() != 1 || std::string_view("SBC").find(value[0]) == std::string_view::npos) return bad("S, B or C");
    transfer.mode = value[0];
  } else if (key == "via") {
    if (value != "pasv" && value != "epsv" && value != "port" && value != "eprt" && value != "kept")
      return bad("pasv, epsv, port, eprt or kept");
    transfer.via = std::string(value);
  } else if (key == "rest") {
    std::uint64_t offset = 0;
    if (!parse_number(value, offset)) return bad("a byte offset");
    transfer.rest = offset;
  } else if (key == "save") {
    if (value.empty() || value.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
                             std::string_view::npos)
      return bad("a name of letters, digits, '-' and '_'");
    transfer.save_as = std::string(value);
  } else {
    error(column, fmt::format("unknown option '{}=' (known: type stru mode via rest data save)", key));
    return false;
  }
  return true;
}

std::optional<StepBody> StepParser::parse_transfer(LineCursor& cursor, Transfer::Verb verb) {
  Transfer transfer;
  transfer.verb = verb;
  std::string verb_name = fmt::format("{}", to_string(verb));
  std::transform(verb_name.begin(), verb_name.end(), verb_name.begin(), ::tolower);
  cursor.skip_spaces();
  int column = cursor.column();
  // The path comes first unless the token is an option (list/nlst may omit it).
  if (cursor.peek() == '"') {
    auto path = parse_string(cursor, verb_name, Variables::allowed);
    if (!path) return std::nullopt;
    transfer.path = std::move(*path);
  } else if (!cursor.at_end()) {
    LineCursor probe = cursor;
    std::string_view word = probe.word();
    if (word.find('=') == std::string_view::npos && word.substr(0, 7) != "expect-") {
      transfer.path = std::string(cursor.word());
      if (!check_variables(transfer.path, column)) return std::nullopt;
    }
  }
  if (verb == Transfer::Verb::stou && !transfer.path.empty()) {
    error(column, "'stou' takes no path: the server names the file (RFC 959 §4.1.3)");
    return std::nullopt;
  }
  if (transfer.path.empty() && verb != Transfer::Verb::list && verb != Transfer::Verb::nlst &&
      verb != Transfer::Verb::stou && verb != Transfer::Verb::mlsd) {
    error(column, fmt::format("expected a path after '{}'", verb_name));
    return std::nullopt;
  }
  while (!cursor.at_end())
    if (!parse_transfer_option(cursor, transfer)) return std::nullopt;
  if ((verb == Transfer::Verb::stor || verb == Transfer::Verb::appe || verb == Transfer::Verb::stou) && !transfer.upload) {
    error(cursor.column(), fmt::format("expected 'data=\"...\"', 'data=random:N' or 'data=@name' for {}", verb_name));
    return std::nullopt;
  }
  if (transfer.leave_reply && transfer.keep_open) {
    error(column, "'leave-reply' hands the final reply to the next '<': it takes no keep-open");
    return std::nullopt;
  }
  return transfer;
}

std::optional<StepBody> StepParser::parse_abort_retr(LineCursor& cursor) {
  AbortRetr abort;
  cursor.skip_spaces();
  int column = cursor.column();
  if (cursor.peek() == '"') {
    auto path = parse_string(cursor, "abort-retr", Variables::allowed);
    if (!path) return std::nullopt;
    abort.path = std::move(*path);
  } else {
    abort.path = std::string(cursor.word());
    if (!check_variables(abort.path, column)) return std::nullopt;
  }
  if (abort.path.empty() || abort.path.find('=') != std::string::npos) {
    error(column, "expected a path after 'abort-retr'");
    return std::nullopt;
  }
  cursor.skip_spaces();
  if (!cursor.at_end()) {
    int option_column = cursor.column();
    std::string_view key = cursor.word("=");
    std::string_view value = cursor.eat('=') ? cursor.word() : std::string_view{};
    if (key != "via" || (value != "pasv" && value != "epsv")) {
      error(option_column, fmt::format("expected 'via=pasv' or 'via=epsv' after the path of 'abort-retr', found '{}'", key));
      return std::nullopt;
    }
    abort.via = std::string(value);
  }
  if (!expect_end(cursor)) return std::nullopt;
  return abort;
}

std::optional<std::chrono::milliseconds> StepParser::parse_duration(LineCursor& cursor) {
  cursor.skip_spaces();
  std::string_view word = cursor.word();
  std::size_t digits = word.find_first_not_of("0123456789");
  long amount = 0;
  std::string_view unit = digits == std::string_view::npos ? "" : word.substr(digits);
  if (digits == 0 || !parse_number(word.substr(0, digits), amount) || (unit != "ms" && unit != "s")) return std::nullopt;
  return std::chrono::milliseconds(unit == "s" ? amount * 1000 : amount);
}

std::optional<StepBody> StepParser::parse_wait(LineCursor& cursor) {
  cursor.skip_spaces();
  int column = cursor.column();
  auto duration = parse_duration(cursor);
  if (!duration) {
    error(column, "expected a duration like 100ms or 2s after 'wait'");
    return std::nullopt;
  }
  if (!expect_end(cursor)) return std::nullopt;
  return Wait{*duration};
}

std::optional<StepBody> StepParser::parse_secure_data(LineCursor& cursor) {
  cursor.skip_spaces();
  SecureData secure;
  if (cursor.at_end()) return secure;
  int column = cursor.column();
  std::string_view level = cursor.word();
  if (level != "P" && level != "C") {
    error(column, fmt::format("expected P (private) or C (clear) after 'secure-data', found '{}' (RFC 4217 §9)", level));
    return std::nullopt;
  }
  secure.level = level[0];
  if (!expect_end(cursor)) return std::nullopt;
  return secure;
}

std::optional<StepBody> StepParser::parse_skip_unless(LineCursor& cursor) {
  cursor.skip_spaces();
  int column = cursor.column();
  SkipUnless skip;
  if (cursor.eat_word("feat")) skip.kind = SkipUnless::Kind::feat;
  else if (cursor.eat_word("accepts")) skip.kind = SkipUnless::Kind::accepts;
  else if (cursor.eat_word("ipv4")) {
    skip.kind = SkipUnless::Kind::ipv4;
    return expect_end(cursor) ? std::optional<StepBody>(skip) : std::nullopt;
  } else if (cursor.eat_word("clear")) {
    skip.kind = SkipUnless::Kind::clear;
    return expect_end(cursor) ? std::optional<StepBody>(skip) : std::nullopt;
  } else {
    error(column, "expected 'feat \"NAME\"', 'accepts \"COMMAND\"', 'ipv4' or 'clear' after 'skip-unless'");
    return std::nullopt;
  }
  auto argument = parse_string(cursor, skip.kind == SkipUnless::Kind::feat ? "feat" : "accepts");
  if (!argument || !expect_end(cursor)) return std::nullopt;
  skip.argument = std::move(*argument);
  return skip;
}

}  // namespace ftpspec::scenario
