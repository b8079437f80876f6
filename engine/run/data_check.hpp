// Checks on the data a transfer received: exact content, a regex, CRLF line framing (RFC 959
// §3.1.1.1: ASCII lines end in CRLF on the wire), emptiness.
#pragma once
#include <functional>
#include <string>
#include <string_view>

#include "scenario/ast.hpp"

namespace ftpspec::run {

struct DataCheckResult {
  bool ok = true;
  std::string expected;
  std::string actual;
  std::string reason;
};

/// `local` is the decoded data, `wire` the raw bytes recorded from the data connection;
/// `resolve` turns a Content (literal, @name) into bytes.
DataCheckResult check_data(const scenario::DataCheck& check, std::string_view local, std::string_view wire,
                           const std::function<std::string(const scenario::Content&)>& resolve);

/// At most `limit` bytes of `bytes`, escaped for display, with "... (N bytes)" when cut.
std::string preview(std::string_view bytes, std::size_t limit = 80);

}  // namespace ftpspec::run
