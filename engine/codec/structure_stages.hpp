// Internal: structure stages (RFC 959 §3.1.2, stream-mode record escapes of §3.4.1) and the
// TYPE L n logical-byte packing of §3.1.1.4.
//
// A "unit" is one logical byte as held in a local file: ceil(n/8) octets, big-endian,
// right-justified (the top 8*ceil(n/8)-n bits zero). For n = 8 a unit is one octet.
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "codec/stage.hpp"

namespace ftpspec::codec::detail {

/// Tail of an encoder: appends data to the wire; markers and EOF write nothing (MODE S,
/// STRU F/P: EOF is the connection closing, RFC 959 §3.4.1).
class WireOutput final : public Stage {
 public:
  explicit WireOutput(Flow& flow) : flow_(flow) {}
  void data(std::string_view bytes) override { flow_.out->append(bytes); }
  void end_record() override {}
  void end_file() override {}
  void restart_marker(std::string_view) override {}

 private:
  Flow& flow_;
};

/// Events -> RFC 959 §3.4.1 record escapes: data 0xFF doubled, EOR 0xFF 0x01, EOF 0xFF 0x02,
/// EOR+EOF 0xFF 0x03. Used as MODE S framing (`write_eof`) and as the local form of binary
/// record files (no EOF code: the local file just ends).
class RecordEscapeWriter final : public Forwarding {
 public:
  RecordEscapeWriter(Flow& flow, Stage& next, bool write_eof) : Forwarding(flow, next), write_eof_(write_eof) {}
  void data(std::string_view bytes) override;
  void end_record() override;
  void end_file() override;

 private:
  bool write_eof_;
  bool pending_eor_ = false;  ///< held so EOR and EOF can share one control code
};

/// RFC 959 §3.4.1 record escapes -> events. As a wire decoder (`wire`) EOF must be explicit and
/// is forwarded when seen; as the encoder's local-file parser, EOF is the end of the local data
/// and a final unterminated record is closed with an EOR.
class RecordEscapeParser final : public Forwarding {
 public:
  RecordEscapeParser(Flow& flow, Stage& next, bool wire) : Forwarding(flow, next), wire_(wire) {}
  void data(std::string_view bytes) override;
  void end_file() override;  ///< the input ended

 private:
  void control(unsigned char code);
  bool wire_;
  bool after_escape_ = false;
  bool record_open_ = false;
  bool done_ = false;
};

/// Decoder structure stage for STRU F: EOR flags mean nothing in a file-structured transfer.
class DropRecords final : public Forwarding {
 public:
  using Forwarding::Forwarding;
  void end_record() override {}
};

/// Decoder structure stage for STRU R: the final EOR is explicit (RFC 959 §3.4).
class RecordCheck final : public Forwarding {
 public:
  using Forwarding::Forwarding;
  void data(std::string_view bytes) override;
  void end_record() override;
  void end_file() override;

 private:
  bool record_open_ = false;
};

/// Splits the local data into pages (RFC 959 §3.1.2.3): simple pages (type 1, header length 4)
/// of page_units() logical bytes, index 0, 1, 2... (modulo 2^n), then a last page (type 0).
class PageFramer final : public Forwarding {
 public:
  PageFramer(Flow& flow, Stage& next, int byte_size);
  void data(std::string_view bytes) override;
  void end_file() override;
  void restart_marker(std::string_view marker) override;
  /// Logical bytes per page: 512 (a TOPS-20 page, Appendix I), or 2^n - 1 when the data length
  /// field (one logical byte) cannot hold 512.
  static std::uint64_t page_units(int byte_size) noexcept;

 private:
  void emit_page(std::uint64_t type);
  void put_field(std::string& header, std::uint64_t value) const;
  int byte_size_;
  std::size_t unit_octets_;
  std::size_t page_octets_;
  std::uint64_t index_ = 0;
  std::string page_;
  std::string header_;
};

/// Pages -> file data (RFC 959 §3.1.2.3): the data of simple (1) and access-controlled (3) pages
/// is concatenated in transmission order; descriptor pages (2) are skipped; the last page (0)
/// ends the file.
class PageParser final : public Forwarding {
 public:
  PageParser(Flow& flow, Stage& next, int byte_size)
      : Forwarding(flow, next),
        unit_octets_(static_cast<std::size_t>((byte_size + 7) / 8)),
        padding_units_left_(byte_size < 8 ? 7 / byte_size : 0) {}
  void data(std::string_view bytes) override;
  void end_record() override {}
  void end_file() override;  ///< the input ended

 private:
  void header_complete();
  std::size_t unit_octets_;
  std::uint64_t field_value_ = 0;
  std::size_t field_octets_ = 0;   ///< octets of the current field read so far
  std::uint64_t field_index_ = 0;  ///< header field being read
  std::array<std::uint64_t, 4> fields_{};  ///< header length, page index, data length, page type
  std::uint64_t data_left_ = 0;    ///< octets of page data still to come
  bool in_data_ = false;
  bool done_ = false;
  /// L n with n < 8: zero logical bytes that fit in the last transfer byte's padding after the
  /// last page are padding, not data.
  int padding_units_left_;
};

/// TYPE L n, n != 8, sending side (RFC 959 §3.1.1.4): packs units into n-bit logical bytes laid
/// contiguously in 8-bit transfer bytes; zero bits pad to a byte boundary at each EOR and at EOF.
class BitPacker final : public Forwarding {
 public:
  BitPacker(Flow& flow, Stage& next, int byte_size);
  void data(std::string_view bytes) override;
  void end_record() override;
  void end_file() override;
  void restart_marker(std::string_view marker) override;

 private:
  void push(unsigned value, int bits);
  void pad();
  int first_bits_;  ///< significant bits of a unit's first octet
  std::size_t unit_octets_;
  std::size_t unit_pos_ = 0;
  unsigned acc_ = 0;
  int acc_bits_ = 0;
  std::string scratch_;
};

/// TYPE L n, n != 8, receiving side: the inverse of BitPacker. Units are forwarded whole; what
/// is left at EOR/EOF must be fewer than 8 zero bits.
class BitUnpacker final : public Forwarding {
 public:
  BitUnpacker(Flow& flow, Stage& next, int byte_size);
  void data(std::string_view bytes) override;
  void end_record() override;
  void end_file() override;

 private:
  bool check_padding();
  int first_bits_;
  std::size_t unit_octets_;
  std::string unit_;  ///< octets of the unit being assembled
  unsigned acc_ = 0;
  int acc_bits_ = 0;
  std::string scratch_;
};

}  // namespace ftpspec::codec::detail
