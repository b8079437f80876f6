#include "codec/error.hpp"

namespace ftpspec::codec {
namespace {
class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "ftpspec.codec"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::block_header_truncated:
        return "data ended inside a 3-byte block header (RFC 959 §3.4.2)";
      case errc::block_data_truncated:
        return "data ended before the block's byte count was reached (RFC 959 §3.4.2)";
      case errc::block_descriptor_invalid:
        return "block descriptor has unassigned bits set; only 128, 64, 32, 16 are codes (RFC 959 §3.4.2)";
      case errc::restart_marker_invalid:
        return "restart marker is empty or holds a non-printable character or SP (RFC 959 §3.4.2, §3.5)";
      case errc::compressed_escape_invalid:
        return "escape byte 0x00 followed by an invalid descriptor, or a restart marker not sent as a byte "
               "string (RFC 959 §3.4.3)";
      case errc::compressed_truncated:
        return "data ended inside a byte string, replicated byte or escape sequence (RFC 959 §3.4.3)";
      case errc::eof_missing:
        return "data ended without an EOF descriptor / EOF control code (RFC 959 §3.4)";
      case errc::data_after_eof: return "data arrived after end of file (RFC 959 §3.4)";
      case errc::record_escape_invalid:
        return "0xFF in a record-structured stream followed by a byte other than 0x01, 0x02, 0x03 or 0xFF "
               "(RFC 959 §3.4.1)";
      case errc::record_escape_truncated:
        return "record-structured stream ended right after an 0xFF escape byte (RFC 959 §3.4.1)";
      case errc::record_unterminated:
        return "end of file after record data without an EOR; the final EOR is explicit (RFC 959 §3.4)";
      case errc::page_header_invalid:
        return "page header invalid: header length < 4, length not 4 (types 0, 1) or 5 (type 3), last page "
               "with data, or unknown page type (RFC 959 §3.1.2.3)";
      case errc::page_truncated: return "data ended inside a page header or page data (RFC 959 §3.1.2.3)";
      case errc::page_last_missing:
        return "page-structured data ended without a last page (type 0) (RFC 959 §3.1.2.3)";
      case errc::logical_byte_padding_invalid:
        return "trailing bits after the last logical byte are not fewer than 8 zero padding bits "
               "(RFC 959 §3.1.1.3, §3.1.1.4)";
      case errc::carriage_control_invalid:
        return "ASA carriage control character is not blank, '0', '1' or '+' (RFC 959 §3.1.1.5.2)";
      case errc::local_byte_too_wide:
        return "local byte has bits set above the logical byte size of TYPE L n (RFC 959 §3.1.1.4)";
      case errc::local_byte_incomplete:
        return "local data does not end on a whole logical byte of TYPE L n (RFC 959 §3.1.1.4)";
      case errc::representation_unsupported:
        return "representation not supported; see unsupported_reason() (RFC 959 §5.4: 504)";
    }
    return "unknown ftpspec.codec error";
  }
};
}  // namespace

const std::error_category& category() noexcept {
  static const Category instance;
  return instance;
}
}  // namespace ftpspec::codec
