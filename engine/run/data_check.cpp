#include "run/data_check.hpp"

#include <fmt/format.h>

#include <regex>

#include "session/transcript.hpp"

namespace ftpspec::run {

std::string preview(std::string_view bytes, std::size_t limit) {
  if (bytes.size() <= limit) return fmt::format("\"{}\"", session::escape_bytes(bytes));
  return fmt::format("\"{}\"... ({} bytes)", session::escape_bytes(bytes.substr(0, limit)), bytes.size());
}

namespace {

/// The offset of the first byte where `a` and `b` differ.
std::size_t first_difference(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

DataCheckResult check_crlf(std::string_view wire) {
  DataCheckResult out;
  out.expected = "non-empty lines, each ending in CRLF";
  out.actual = preview(wire);
  if (wire.empty()) {
    out.ok = false;
    out.reason = "no data arrived";
    return out;
  }
  for (std::size_t i = 0; i < wire.size(); ++i) {
    if (wire[i] == '\n' && (i == 0 || wire[i - 1] != '\r')) {
      out.ok = false;
      out.reason = fmt::format("bare LF at data byte {} (RFC 959 §3.1.1.1: ASCII lines end in CRLF)", i);
      return out;
    }
  }
  if (wire.size() < 2 || wire.substr(wire.size() - 2) != "\r\n") {
    out.ok = false;
    out.reason = "the last line does not end in CRLF";
  }
  return out;
}

}  // namespace

DataCheckResult check_data(const scenario::DataCheck& check, std::string_view local, std::string_view wire,
                           const std::function<std::string(const scenario::Content&)>& resolve) {
  using Kind = scenario::DataCheck::Kind;
  DataCheckResult out;
  switch (check.kind) {
    case Kind::equals: {
      std::string wanted = resolve(check.content);
      out.expected = preview(wanted);
      out.actual = preview(local);
      if (wanted != local) {
        out.ok = false;
        std::size_t at = first_difference(wanted, local);
        out.reason = fmt::format("data differs at byte {} (expected {} bytes, got {})", at, wanted.size(), local.size());
      }
      return out;
    }
    case Kind::matches:
      out.expected = fmt::format("data matching /{}/", check.regex);
      out.actual = preview(local);
      if (!std::regex_search(std::string(local), std::regex(check.regex))) {
        out.ok = false;
        out.reason = "the data does not match the pattern";
      }
      return out;
    case Kind::crlf_lines:
      return check_crlf(wire);
    case Kind::empty:
      out.expected = "no data";
      out.actual = preview(local);
      if (!local.empty()) {
        out.ok = false;
        out.reason = fmt::format("{} bytes arrived", local.size());
      }
      return out;
    case Kind::reply_matches:  // judged by the case runner, which holds the replies
    case Kind::tls:            // the TLS checks need the TransferResult: run/tls_steps.hpp
    case Kind::clear:
    case Kind::tls_resumed:
    case Kind::close_notify:
      return out;
  }
  return out;
}

}  // namespace ftpspec::run
