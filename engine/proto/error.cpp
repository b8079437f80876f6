#include "proto/error.hpp"

namespace ftpspec::proto {
namespace {
class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "ftpspec.proto"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::need_more: return "need more bytes";
      case errc::reply_code_invalid:
        return "reply line does not start with a three-digit code whose first digit is 1-5 (RFC 959 §4.2)";
      case errc::reply_separator_invalid:
        return "reply code is not followed by a space or '-' (RFC 959 §4.2)";
      case errc::line_too_long: return "line longer than the configured limit";
      case errc::reply_too_long: return "multi-line reply longer than the configured limit";
      case errc::telnet_sequence_invalid: return "invalid Telnet IAC sequence (RFC 854)";
      case errc::argument_has_line_break:
        return "command argument contains CR or LF (RFC 959 §4.1: one command per line)";
      case errc::verb_invalid: return "command verb is not 3-4 letters (RFC 959 §5.3.1)";
      case errc::address_invalid: return "malformed host-port argument (RFC 959 §4.1.2, RFC 2428)";
      case errc::nul_in_line: return "NUL byte in a command line (RFC 854)";
    }
    return "unknown ftpspec.proto error";
  }
};
}  // namespace

const std::error_category& category() noexcept {
  static const Category instance;
  return instance;
}
}  // namespace ftpspec::proto
