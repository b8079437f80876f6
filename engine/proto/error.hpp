// Error codes of the sans-I/O protocol core. Bytes from a peer never throw: parsers report
// these through std::error_code (Beast style) so a harness can turn them into verdicts.
#pragma once
#include <string>
#include <system_error>

namespace ftpspec::proto {

enum class errc {
  need_more = 1,          ///< not an error: the parser wants more bytes
  reply_code_invalid,     ///< RFC 959 §4.2: a reply line must start with three digits, the first 1-5
  reply_separator_invalid,///< RFC 959 §4.2: the code is followed by SP or '-', nothing else
  line_too_long,          ///< a line exceeded the configured limit
  reply_too_long,         ///< a multi-line reply exceeded the configured number of lines or bytes
  telnet_sequence_invalid,///< RFC 854: IAC followed by a byte that is not a command
  argument_has_line_break,///< a command argument contained CR or LF (RFC 959 §4.1: one command a line)
  verb_invalid,           ///< RFC 959 §5.3.1: a command verb is 3 or 4 alphabetic characters
  address_invalid,        ///< PORT/PASV/EPRT/EPSV/LPRT/LPSV host-port argument malformed
  nul_in_line,            ///< a NUL byte inside a command line (RFC 854 NVT forbids it in text)
};

const std::error_category& category() noexcept;
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), category()}; }

}  // namespace ftpspec::proto

template <>
struct std::is_error_code_enum<ftpspec::proto::errc> : std::true_type {};
