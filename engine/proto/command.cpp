#include "proto/command.hpp"

#include <algorithm>
#include <cctype>

#include "proto/error.hpp"

namespace ftpspec::proto {
namespace {
bool valid_verb(std::string_view verb) {
  return verb.size() >= 3 && verb.size() <= 4 &&
         std::all_of(verb.begin(), verb.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
}
}  // namespace

std::string upper_ascii(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

std::string encode_command(std::string_view verb, std::string_view arg, std::error_code& ec) {
  ec.clear();
  if (!valid_verb(verb)) {
    ec = errc::verb_invalid;
    return {};
  }
  if (arg.find_first_of("\r\n") != std::string_view::npos) {
    ec = errc::argument_has_line_break;
    return {};
  }
  std::string out;
  out.reserve(verb.size() + arg.size() + 3);
  out.append(verb);
  if (!arg.empty()) {
    out += ' ';
    for (char c : arg) {
      out += c;
      if (static_cast<unsigned char>(c) == telnet::IAC) out += c;  // IAC IAC stands for a data 0xFF
    }
  }
  out += "\r\n";
  return out;
}

std::string encode_command(std::string_view verb, std::error_code& ec) { return encode_command(verb, {}, ec); }

Command split_command_line(std::string_view line) {
  Command command;
  const std::size_t space = line.find(' ');
  command.verb = upper_ascii(line.substr(0, space));
  if (space != std::string_view::npos) {
    command.has_arg = true;
    command.arg = std::string(line.substr(space + 1));
  }
  return command;
}

std::size_t CommandParser::put(std::span<const char> bytes, std::error_code& ec) {
  ec.clear();
  std::size_t used = 0;
  while (used < bytes.size() && !done_) {
    const auto in = static_cast<unsigned char>(bytes[used]);
    ++used;
    ++offset_;
    unsigned char byte = 0;
    switch (telnet_.feed(in, byte)) {
      case TelnetFilter::Result::none:
        continue;
      case TelnetFilter::Result::invalid:
        deviations_.push_back({"RFC 854: IAC must be followed by a command byte (240-255)", offset_ - 1});
        continue;
      case TelnetFilter::Result::command:
        if (byte == telnet::IP || byte == telnet::DM) interrupted_ = true;
        continue;
      case TelnetFilter::Result::data:
        break;
    }
    if (byte == telnet::DM && line_.empty() && !discarding_) {
      // A lone 0xF2 before a command is the Synch's Data Mark whose urgent IAC was taken out of
      // band (a BSD client sends IAC with MSG_OOB, then DM; RFC 959 §4.1.3, RFC 854). No verb
      // starts with 0xF2, so treat it as the mark rather than as part of the verb.
      interrupted_ = true;
      continue;
    }
    if (byte == '\n') {
      if (discarding_) {
        discarding_ = false;
        line_.clear();
        continue;
      }
      if (!line_.empty() && line_.back() == '\r') {
        line_.pop_back();
      } else {
        deviations_.push_back({"RFC 959 §4.1: a command line must end with CRLF, not a bare LF", offset_ - 1});
      }
      command_ = split_command_line(line_);
      line_.clear();
      done_ = true;
      break;
    }
    if (discarding_) continue;
    if (line_.size() >= limits_.max_line) {
      discarding_ = true;
      line_.clear();
      ec = errc::line_too_long;
      return used;
    }
    line_.push_back(static_cast<char>(byte));
  }
  return used;
}

Command CommandParser::release() {
  done_ = false;
  return std::exchange(command_, {});
}

}  // namespace ftpspec::proto
