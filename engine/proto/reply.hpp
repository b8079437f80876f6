// A server reply (RFC 959 §4.2) and what its code means.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace ftpspec::proto {

/// RFC 959 §4.2.1, first digit.
enum class ReplyKind {
  positive_preliminary = 1,   ///< 1yz: action started, expect another reply
  positive_completion = 2,    ///< 2yz: action completed
  positive_intermediate = 3,  ///< 3yz: more information needed (e.g. PASS after USER)
  transient_negative = 4,     ///< 4yz: not done, may succeed if retried
  permanent_negative = 5,     ///< 5yz: not done, do not retry as is
};

/// RFC 959 §4.2.1, second digit.
enum class ReplyFunction {
  syntax = 0, information = 1, connections = 2, authentication = 3, unspecified = 4, file_system = 5,
};

struct Reply {
  int code = 0;
  /// Every line as received, Telnet-decoded, without its line ending; the first and last carry the
  /// code (`"211-Features:"`, ..., `"211 End"`).
  std::vector<std::string> lines;

  ReplyKind kind() const noexcept { return static_cast<ReplyKind>(code / 100); }
  /// The second digit; values above 5 are outside RFC 959's list but legal on the wire.
  int function_digit() const noexcept { return code / 10 % 10; }
  bool is_multiline() const noexcept { return lines.size() > 1; }
  bool is_preliminary() const noexcept { return code / 100 == 1; }
  bool is_positive() const noexcept { return code / 100 >= 1 && code / 100 <= 3; }
  bool is_negative() const noexcept { return code / 100 == 4 || code / 100 == 5; }
  /// The human-readable text: the code and separator are removed from the first line and, for a
  /// multi-line reply, from the last one; lines are joined with '\n'.
  std::string text() const;
  /// The reply as it would be on the wire (CRLF line endings).
  std::string wire() const;
};

/// What RFC 959 §4.2.1-§4.2.2 (and RFC 2228/2428/3659/4217 where they add codes) say a code means;
/// an empty view for a code no RFC here defines.
std::string_view describe_code(int code) noexcept;
/// "Positive Completion" etc. (RFC 959 §4.2.1)
std::string_view describe_kind(int code) noexcept;
/// "Syntax", "Information", ... (RFC 959 §4.2.1)
std::string_view describe_function(int code) noexcept;

/// Builds a reply's wire bytes: single line when `text` has no '\n', else the RFC 959 §4.2
/// multi-line form ("ddd-first", inner lines, "ddd last"). Inner lines that start with a digit get
/// a leading space, as §4.2 recommends, so no inner line can be read as the end of the reply.
std::string format_reply(int code, std::string_view text);

}  // namespace ftpspec::proto
