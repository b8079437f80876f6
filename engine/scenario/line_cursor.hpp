// A cursor over one scenario line: words, quoted strings and end-of-statement, with 1-based
// columns so the parser can point at the exact token it rejects.
#pragma once
#include <cctype>
#include <optional>
#include <string>
#include <string_view>

namespace ftpspec::scenario {

class LineCursor {
 public:
  explicit LineCursor(std::string_view line) : line_(line) {}

  int column() const noexcept { return static_cast<int>(pos_) + 1; }
  std::size_t pos() const noexcept { return pos_; }
  char peek() const noexcept { return pos_ < line_.size() ? line_[pos_] : '\0'; }
  std::string_view rest() const noexcept { return line_.substr(pos_); }

  void skip_spaces() noexcept {
    while (pos_ < line_.size() && (line_[pos_] == ' ' || line_[pos_] == '\t')) ++pos_;
  }
  /// True at the end of the line or at a comment: '#' at the start or after whitespace.
  bool at_end() noexcept {
    skip_spaces();
    if (pos_ >= line_.size()) return true;
    return line_[pos_] == '#' && (pos_ == 0 || line_[pos_ - 1] == ' ' || line_[pos_ - 1] == '\t');
  }
  /// Consumes `c` if it is next.
  bool eat(char c) noexcept {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  /// Consumes `word` if it is next and followed by a separator.
  bool eat_word(std::string_view word) noexcept {
    if (rest().substr(0, word.size()) != word) return false;
    std::size_t after = pos_ + word.size();
    if (after < line_.size() && line_[after] != ' ' && line_[after] != '\t') return false;
    pos_ = after;
    return true;
  }
  /// Characters up to whitespace (or one of `stops`).
  std::string_view word(std::string_view stops = {}) noexcept {
    std::size_t start = pos_;
    while (pos_ < line_.size() && line_[pos_] != ' ' && line_[pos_] != '\t' &&
           stops.find(line_[pos_]) == std::string_view::npos)
      ++pos_;
    return line_.substr(start, pos_ - start);
  }
  /// A "quoted string" body (escapes still encoded); nullopt and `error` set if unterminated.
  std::optional<std::string_view> quoted(std::string& error) noexcept {
    if (peek() != '"') {
      error = "expected a quoted string";
      return std::nullopt;
    }
    std::size_t start = ++pos_;
    while (pos_ < line_.size() && line_[pos_] != '"') pos_ += line_[pos_] == '\\' ? 2 : 1;
    if (pos_ >= line_.size()) {
      pos_ = start - 1;
      error = "unterminated string: expected a closing '\"'";
      return std::nullopt;
    }
    return line_.substr(start, pos_++ - start);
  }
  /// The rest of the statement without a trailing comment or spaces.
  std::string_view statement_rest() noexcept {
    skip_spaces();
    std::size_t end = pos_;
    for (std::size_t i = pos_; i < line_.size(); ++i) {
      if (line_[i] == '#' && (line_[i - 1] == ' ' || line_[i - 1] == '\t')) break;
      end = i + 1;
    }
    while (end > pos_ && (line_[end - 1] == ' ' || line_[end - 1] == '\t')) --end;
    std::string_view out = line_.substr(pos_, end - pos_);
    pos_ = end;
    return out;
  }

 private:
  std::string_view line_;
  std::size_t pos_ = 0;
};

}  // namespace ftpspec::scenario
