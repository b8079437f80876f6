#include "codec/structure_stages.hpp"

#include <cstring>
#include <limits>

namespace ftpspec::codec::detail {
namespace {
constexpr std::string_view eor_code{"\xFF\x01", 2};
constexpr std::string_view eof_code{"\xFF\x02", 2};
constexpr std::string_view eor_eof_code{"\xFF\x03", 2};
constexpr std::string_view doubled_ff{"\xFF\xFF", 2};

std::size_t unit_octets_of(int byte_size) { return static_cast<std::size_t>((byte_size + 7) / 8); }
}  // namespace

// ---- record escapes (RFC 959 §3.4.1) ----

void RecordEscapeWriter::data(std::string_view bytes) {
  if (bytes.empty()) return;
  if (pending_eor_) next_.data(eor_code);
  pending_eor_ = false;
  while (!bytes.empty()) {
    const auto* hit = static_cast<const char*>(std::memchr(bytes.data(), 0xFF, bytes.size()));
    if (hit == nullptr) {
      next_.data(bytes);
      return;
    }
    const auto before = static_cast<std::size_t>(hit - bytes.data());
    if (before > 0) next_.data(bytes.substr(0, before));
    next_.data(doubled_ff);
    bytes.remove_prefix(before + 1);
  }
}

void RecordEscapeWriter::end_record() {
  if (pending_eor_) next_.data(eor_code);
  pending_eor_ = true;
}

void RecordEscapeWriter::end_file() {
  if (write_eof_) next_.data(pending_eor_ ? eor_eof_code : eof_code);
  else if (pending_eor_) next_.data(eor_code);
  pending_eor_ = false;
  next_.end_file();
}

void RecordEscapeParser::control(unsigned char code) {
  switch (code) {
    case 0xFF:
      record_open_ = true;
      next_.data(std::string_view("\xFF", 1));
      return;
    case 0x01:
    case 0x03:
      record_open_ = false;
      next_.end_record();
      if (code == 0x01) return;
      [[fallthrough]];
    case 0x02:
      done_ = true;
      if (wire_) {
        flow_.wire_eof = true;
        next_.end_file();
      }
      return;
    default: flow_.fail(errc::record_escape_invalid);
  }
}

void RecordEscapeParser::data(std::string_view bytes) {
  while (!bytes.empty() && !flow_.ec) {
    if (done_) return flow_.fail(errc::data_after_eof);
    if (after_escape_) {
      after_escape_ = false;
      control(static_cast<unsigned char>(bytes.front()));
      bytes.remove_prefix(1);
      continue;
    }
    const auto* hit = static_cast<const char*>(std::memchr(bytes.data(), 0xFF, bytes.size()));
    const auto before = hit == nullptr ? bytes.size() : static_cast<std::size_t>(hit - bytes.data());
    if (before > 0) {
      record_open_ = true;
      next_.data(bytes.substr(0, before));
    }
    if (hit == nullptr) return;
    after_escape_ = true;
    bytes.remove_prefix(before + 1);
  }
}

void RecordEscapeParser::end_file() {
  if (flow_.ec) return;
  if (after_escape_) return flow_.fail(errc::record_escape_truncated);
  if (wire_) {
    if (!done_) flow_.fail(errc::eof_missing);
    return;
  }
  if (record_open_) next_.end_record();  // local file: a last record without FF 01
  record_open_ = false;
  next_.end_file();
}

void RecordCheck::data(std::string_view bytes) {
  if (!bytes.empty()) record_open_ = true;
  next_.data(bytes);
}
void RecordCheck::end_record() {
  record_open_ = false;
  next_.end_record();
}
void RecordCheck::end_file() {
  if (record_open_) return flow_.fail(errc::record_unterminated);
  next_.end_file();
}

// ---- pages (RFC 959 §3.1.2.3, Appendix I) ----

std::uint64_t PageFramer::page_units(int byte_size) noexcept {
  return byte_size >= 10 ? 512 : (std::uint64_t{1} << byte_size) - 1;
}

PageFramer::PageFramer(Flow& flow, Stage& next, int byte_size)
    : Forwarding(flow, next),
      byte_size_(byte_size),
      unit_octets_(unit_octets_of(byte_size)),
      page_octets_(static_cast<std::size_t>(page_units(byte_size)) * unit_octets_of(byte_size)) {
  page_.reserve(page_octets_);
}

void PageFramer::put_field(std::string& header, std::uint64_t value) const {
  if (byte_size_ < 64) value &= (std::uint64_t{1} << byte_size_) - 1;  // the index wraps modulo 2^n
  for (std::size_t i = unit_octets_; i-- > 0;)
    header += static_cast<char>(i >= 8 ? 0 : (value >> (8 * i)) & 0xFF);
}

void PageFramer::emit_page(std::uint64_t type) {
  if (page_.size() % unit_octets_ != 0) return flow_.fail(errc::local_byte_incomplete);
  header_.clear();
  put_field(header_, 4);
  put_field(header_, index_++);
  put_field(header_, page_.size() / unit_octets_);
  put_field(header_, type);
  next_.data(header_);
  if (!page_.empty()) next_.data(page_);
  page_.clear();
}

void PageFramer::data(std::string_view bytes) {
  while (!bytes.empty() && !flow_.ec) {
    const auto take = std::min(bytes.size(), page_octets_ - page_.size());
    page_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (page_.size() == page_octets_) emit_page(1);
  }
}

void PageFramer::end_file() {
  if (!page_.empty()) emit_page(1);
  emit_page(0);  // last page: header length 4, data length 0 (RFC 959 §3.1.2.3)
  next_.end_file();
}

void PageFramer::restart_marker(std::string_view marker) {
  // Markers sit between pages, and a page holds whole logical bytes: inside one (L n, n > 8) the
  // marker is declined, as BitPacker declines one off a byte boundary.
  if (page_.size() % unit_octets_ != 0) return;
  if (!page_.empty()) emit_page(1);
  next_.restart_marker(marker);
}

void PageParser::header_complete() {
  const auto [header_length, index, data_length, type] = fields_;
  (void)index;
  const bool valid = (type == 0 && header_length == 4 && data_length == 0) ||
                     (type == 1 && header_length == 4) || (type == 2) || (type == 3 && header_length == 5);
  if (!valid || data_length > std::numeric_limits<std::uint64_t>::max() / unit_octets_)
    return flow_.fail(errc::page_header_invalid);
  field_index_ = 0;
  if (type == 0) {
    done_ = true;
    flow_.wire_eof = true;
    next_.end_file();
    return;
  }
  data_left_ = data_length * unit_octets_;
  in_data_ = data_left_ > 0;
}

void PageParser::data(std::string_view bytes) {
  while (!bytes.empty() && !flow_.ec) {
    if (done_) {
      if (bytes.front() != '\0' || padding_units_left_ == 0) return flow_.fail(errc::data_after_eof);
      --padding_units_left_;
      bytes.remove_prefix(1);
      continue;
    }
    if (in_data_) {
      const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), data_left_));
      if (fields_[3] != 2) next_.data(bytes.substr(0, take));  // descriptor pages are not file data
      bytes.remove_prefix(take);
      data_left_ -= take;
      in_data_ = data_left_ > 0;
      continue;
    }
    // One header field: a unit read big-endian, saturating (only small values are valid).
    const auto octet = static_cast<unsigned char>(bytes.front());
    bytes.remove_prefix(1);
    field_value_ = field_value_ > (std::numeric_limits<std::uint64_t>::max() >> 8)
                       ? std::numeric_limits<std::uint64_t>::max()
                       : (field_value_ << 8) | octet;
    if (++field_octets_ < unit_octets_) continue;
    if (field_index_ < fields_.size()) fields_[field_index_] = field_value_;
    field_value_ = 0;
    field_octets_ = 0;
    ++field_index_;
    if (field_index_ == 1 && fields_[0] < 4) return flow_.fail(errc::page_header_invalid);
    if (field_index_ >= 4 && field_index_ == fields_[0]) header_complete();
  }
}

void PageParser::end_file() {
  if (flow_.ec || done_) return;
  flow_.fail(field_index_ > 0 || field_octets_ > 0 || in_data_ ? errc::page_truncated : errc::page_last_missing);
}

// ---- TYPE L n packing (RFC 959 §3.1.1.4) ----

BitPacker::BitPacker(Flow& flow, Stage& next, int byte_size)
    : Forwarding(flow, next),
      first_bits_(byte_size - 8 * (static_cast<int>(unit_octets_of(byte_size)) - 1)),
      unit_octets_(unit_octets_of(byte_size)) {}

void BitPacker::push(unsigned value, int bits) {
  acc_ = (acc_ << bits) | value;
  acc_bits_ += bits;
  if (acc_bits_ >= 8) {
    acc_bits_ -= 8;
    scratch_ += static_cast<char>((acc_ >> acc_bits_) & 0xFF);
    acc_ &= (1u << acc_bits_) - 1;
  }
}

void BitPacker::data(std::string_view bytes) {
  scratch_.clear();
  for (char c : bytes) {
    const auto octet = static_cast<unsigned char>(c);
    if (unit_pos_ == 0) {
      if ((octet >> first_bits_) != 0) return flow_.fail(errc::local_byte_too_wide);
      push(octet, first_bits_);
    } else {
      push(octet, 8);
    }
    unit_pos_ = (unit_pos_ + 1) % unit_octets_;
  }
  if (!scratch_.empty()) next_.data(scratch_);
}

void BitPacker::pad() {
  if (unit_pos_ != 0) return flow_.fail(errc::local_byte_incomplete);
  if (acc_bits_ == 0) return;
  const char last = static_cast<char>((acc_ << (8 - acc_bits_)) & 0xFF);
  acc_ = 0;
  acc_bits_ = 0;
  next_.data(std::string_view(&last, 1));
}

void BitPacker::end_record() {
  pad();  // each record ends on a transfer byte (RFC 959 §3.1.1.3)
  if (!flow_.ec) next_.end_record();
}

void BitPacker::end_file() {
  pad();
  if (!flow_.ec) next_.end_file();
}

void BitPacker::restart_marker(std::string_view marker) {
  if (unit_pos_ == 0 && acc_bits_ == 0) next_.restart_marker(marker);  // else: not on a byte boundary
}

BitUnpacker::BitUnpacker(Flow& flow, Stage& next, int byte_size)
    : Forwarding(flow, next),
      first_bits_(byte_size - 8 * (static_cast<int>(unit_octets_of(byte_size)) - 1)),
      unit_octets_(unit_octets_of(byte_size)) {}

void BitUnpacker::data(std::string_view bytes) {
  scratch_.clear();
  for (char c : bytes) {
    acc_ = (acc_ << 8) | static_cast<unsigned char>(c);
    acc_bits_ += 8;
    for (;;) {
      const int need = unit_.empty() ? first_bits_ : 8;
      if (acc_bits_ < need) break;
      acc_bits_ -= need;
      unit_ += static_cast<char>((acc_ >> acc_bits_) & ((1u << need) - 1));
      acc_ &= (1u << acc_bits_) - 1;
      if (unit_.size() == unit_octets_) {
        scratch_ += unit_;
        unit_.clear();
      }
    }
  }
  if (!scratch_.empty()) next_.data(scratch_);
}

bool BitUnpacker::check_padding() {
  // What is left (bits of a started unit plus bits not yet taken) must be < 8 zero bits.
  const int started = unit_.empty() ? 0 : first_bits_ + 8 * (static_cast<int>(unit_.size()) - 1);
  const bool zero = acc_ == 0 && unit_.find_first_not_of('\0') == std::string::npos;
  unit_.clear();
  acc_ = 0;
  const bool valid = zero && started + acc_bits_ < 8;
  acc_bits_ = 0;
  if (!valid) flow_.fail(errc::logical_byte_padding_invalid);
  return valid;
}

void BitUnpacker::end_record() {
  if (check_padding()) next_.end_record();
}

void BitUnpacker::end_file() {
  if (check_padding()) next_.end_file();
}

}  // namespace ftpspec::codec::detail
