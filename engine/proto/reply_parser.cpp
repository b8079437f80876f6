#include "proto/reply_parser.hpp"

#include <utility>

#include "proto/error.hpp"

namespace ftpspec::proto {
namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool starts_with_code(std::string_view line) {
  return line.size() >= 3 && is_digit(line[0]) && is_digit(line[1]) && is_digit(line[2]);
}
int code_of(std::string_view line) { return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'); }
}  // namespace

std::size_t ReplyParser::put(std::span<const char> bytes, std::error_code& ec) {
  ec = error_;
  if (error_ || done_) return 0;
  std::size_t used = 0;
  while (used < bytes.size() && !done_) {
    const auto in = static_cast<unsigned char>(bytes[used]);
    ++used;
    ++offset_;
    if (++reply_bytes_ > limits_.max_bytes) {
      error_ = ec = errc::reply_too_long;
      return used;
    }
    unsigned char byte = 0;
    switch (telnet_.feed(in, byte)) {
      case TelnetFilter::Result::none:
      case TelnetFilter::Result::command:  // a server has no reason to send IP/DM; ignore them
        continue;
      case TelnetFilter::Result::invalid:
        error_ = ec = errc::telnet_sequence_invalid;
        return used;
      case TelnetFilter::Result::data:
        break;
    }
    if (byte == '\n') {
      if (!line_.empty() && line_.back() == '\r') {
        line_.pop_back();
      } else {
        deviations_.push_back({"RFC 959 §4.2: a reply line must end with CRLF, not a bare LF", offset_ - 1});
      }
      finish_line(ec);
      if (ec) return used;
      continue;
    }
    if (line_.size() >= limits_.max_line) {
      error_ = ec = errc::line_too_long;
      return used;
    }
    line_.push_back(static_cast<char>(byte));
  }
  return used;
}

void ReplyParser::finish_line(std::error_code& ec) {
  std::string line = std::exchange(line_, {});
  if (reply_.lines.empty()) {
    if (!starts_with_code(line) || line[0] < '1' || line[0] > '5') {
      error_ = ec = errc::reply_code_invalid;
      return;
    }
    reply_.code = code_of(line);
    if (line.size() == 3) {
      deviations_.push_back({"RFC 959 §4.2: a reply is a code followed by SP and text; got a bare code", offset_});
      done_ = true;
    } else if (line[3] == ' ') {
      done_ = true;
    } else if (line[3] != '-') {
      error_ = ec = errc::reply_separator_invalid;
      return;
    }
    reply_.lines.push_back(std::move(line));
    return;
  }
  // Inside a multi-line reply only "<same code><SP>" ends it (RFC 959 §4.2).
  if (starts_with_code(line) && code_of(line) == reply_.code) {
    if (line.size() == 3) {
      deviations_.push_back({"RFC 959 §4.2: the last line of a multi-line reply is code, SP, text; got a bare code", offset_});
      done_ = true;
    } else if (line[3] == ' ') {
      done_ = true;
    }
  }
  if (reply_.lines.size() >= limits_.max_lines) {
    error_ = ec = errc::reply_too_long;
    return;
  }
  reply_.lines.push_back(std::move(line));
}

Reply ReplyParser::release() {
  done_ = false;
  reply_bytes_ = 0;
  return std::exchange(reply_, {});
}

void ReplyParser::reset() {
  telnet_.reset();
  line_.clear();
  reply_ = {};
  reply_bytes_ = 0;
  deviations_.clear();
  error_ = {};
  done_ = false;
}

}  // namespace ftpspec::proto
