// Error codes of the data codecs. Malformed wire bytes never throw: decoders report these
// through std::error_code (sticky) so a harness can turn them into verdicts.
#pragma once
#include <string>
#include <system_error>

namespace ftpspec::codec {

enum class errc {
  block_header_truncated = 1,  ///< RFC 959 §3.4.2: data ended inside a 3-byte block header
  block_data_truncated,        ///< RFC 959 §3.4.2: data ended before the block's byte count
  block_descriptor_invalid,    ///< RFC 959 §3.4.2: descriptor bits 1, 2, 4 or 8 are not assigned
  restart_marker_invalid,      ///< RFC 959 §3.4.2/§3.5: marker empty, or not printable, or has SP
  compressed_escape_invalid,   ///< RFC 959 §3.4.3: bad descriptor after the escape byte 0x00
  compressed_truncated,        ///< RFC 959 §3.4.3: data ended inside a byte string/replication/escape
  eof_missing,                 ///< RFC 959 §3.4: B/C data (or S with STRU R) ended without EOF
  data_after_eof,              ///< RFC 959 §3.4: bytes arrived after EOF / the last page
  record_escape_invalid,       ///< RFC 959 §3.4.1: 0xFF followed by a byte other than 1, 2, 3, 0xFF
  record_escape_truncated,     ///< RFC 959 §3.4.1: data ended just after an 0xFF escape byte
  record_unterminated,         ///< RFC 959 §3.4: EOF after record data without its final EOR
  page_header_invalid,         ///< RFC 959 §3.1.2.3: header length, page type or data length wrong
  page_truncated,              ///< RFC 959 §3.1.2.3: data ended inside a page header or page data
  page_last_missing,           ///< RFC 959 §3.1.2.3: page structure ended without a last page
  logical_byte_padding_invalid,///< RFC 959 §3.1.1.4: trailing bits are not < 8 zero padding bits
  carriage_control_invalid,    ///< RFC 959 §3.1.1.5.2: ASA control not blank, 0, 1 or +
  local_byte_too_wide,         ///< TYPE L n: a local byte has bits set above the n low bits
  local_byte_incomplete,       ///< TYPE L n: the local file does not hold whole logical bytes
  representation_unsupported,  ///< the converter was built for a Representation unsupported_reason() refuses
};

const std::error_category& category() noexcept;
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), category()}; }

}  // namespace ftpspec::codec

template <>
struct std::is_error_code_enum<ftpspec::codec::errc> : std::true_type {};
