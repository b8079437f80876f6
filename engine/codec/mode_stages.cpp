#include "codec/mode_stages.hpp"

#include <algorithm>

namespace ftpspec::codec::detail {
namespace {
constexpr std::size_t max_block = 65535;
constexpr std::size_t max_literal = 127;
constexpr unsigned max_run = 63;
constexpr unsigned char assigned_descriptors = descriptor_eor | descriptor_eof | descriptor_suspect | descriptor_restart;
}  // namespace

bool restart_marker_valid(std::string_view marker, std::size_t max_size) noexcept {
  if (marker.empty() || marker.size() > max_size) return false;
  return std::all_of(marker.begin(), marker.end(), [](char c) { return c > ' ' && c < 0x7F; });
}

// ---- MODE B (RFC 959 §3.4.2) ----

void BlockFramer::write_block(unsigned char descriptor, std::string_view payload) {
  const char header[3] = {static_cast<char>(descriptor), static_cast<char>(payload.size() >> 8),
                          static_cast<char>(payload.size() & 0xFF)};
  flow_.out->append(header, 3);
  flow_.out->append(payload);
}

void BlockFramer::flush() {
  if (pending_.empty() && !pending_eor_) return;
  write_block(pending_eor_ ? descriptor_eor : 0, pending_);
  pending_.clear();
  pending_eor_ = false;
}

void BlockFramer::data(std::string_view bytes) {
  if (bytes.empty()) return;
  if (pending_eor_) flush();
  while (!bytes.empty()) {
    if (pending_.empty() && bytes.size() >= max_block) {  // a full block straight from the input
      write_block(0, bytes.substr(0, max_block));
      bytes.remove_prefix(max_block);
      continue;
    }
    const auto take = std::min(bytes.size(), max_block - pending_.size());
    pending_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (pending_.size() == max_block) flush();
  }
}

void BlockFramer::end_record() {
  if (pending_eor_) flush();  // the previous record ended on these bytes; this one is empty
  pending_eor_ = true;
}

void BlockFramer::end_file() {
  write_block(static_cast<unsigned char>(descriptor_eof | (pending_eor_ ? descriptor_eor : 0)), pending_);
  pending_.clear();
  pending_eor_ = false;
}

void BlockFramer::restart_marker(std::string_view marker) {
  if (!restart_marker_valid(marker, max_block)) return;
  flush();
  write_block(descriptor_restart, marker);
  flow_.marker_written = true;
}

void BlockParser::block_complete() {
  in_data_ = false;
  const unsigned char descriptor = header_[0];
  if (descriptor & descriptor_restart) {
    if (!restart_marker_valid(marker_, max_block)) return flow_.fail(errc::restart_marker_invalid);
    flow_.marks.push_back({std::move(marker_), flow_.local_bytes});
    marker_.clear();
  }
  if (descriptor & descriptor_eor) next_.end_record();
  if ((descriptor & descriptor_eof) && !flow_.ec) {
    done_ = true;
    flow_.wire_eof = true;
    next_.end_file();
  }
}

void BlockParser::data(std::string_view bytes) {
  while (!bytes.empty() && !flow_.ec) {
    if (done_) return flow_.fail(errc::data_after_eof);
    if (!in_data_) {
      header_[header_size_++] = static_cast<unsigned char>(bytes.front());
      bytes.remove_prefix(1);
      if (header_size_ < 3) continue;
      header_size_ = 0;
      if (header_[0] & ~assigned_descriptors) return flow_.fail(errc::block_descriptor_invalid);
      data_left_ = (std::size_t{header_[1]} << 8) | header_[2];
      in_data_ = true;
      if (data_left_ == 0) block_complete();
      continue;
    }
    const auto take = std::min(bytes.size(), data_left_);
    if (header_[0] & descriptor_restart) marker_.append(bytes.substr(0, take));
    else next_.data(bytes.substr(0, take));  // suspect data (32) is delivered as is
    bytes.remove_prefix(take);
    data_left_ -= take;
    if (data_left_ == 0) block_complete();
  }
}

void BlockParser::end_file() {
  if (flow_.ec || done_) return;
  if (header_size_ > 0) return flow_.fail(errc::block_header_truncated);
  if (in_data_) return flow_.fail(errc::block_data_truncated);
  flow_.fail(errc::eof_missing);
}

// ---- MODE C (RFC 959 §3.4.3) ----

void CompressedFramer::flush_literal() {
  if (literal_.empty()) return;
  flow_.out->push_back(static_cast<char>(literal_.size()));
  flow_.out->append(literal_);
  literal_.clear();
}

void CompressedFramer::close_run() {
  if (run_length_ == 0) return;
  const bool is_filler = run_byte_ == filler_;
  if (run_length_ >= (is_filler ? 2u : 3u)) {
    flush_literal();
    if (is_filler) {
      flow_.out->push_back(static_cast<char>(0xC0 | run_length_));
    } else {
      flow_.out->push_back(static_cast<char>(0x80 | run_length_));
      flow_.out->push_back(static_cast<char>(run_byte_));
    }
  } else {
    for (unsigned i = 0; i < run_length_; ++i) {
      literal_ += static_cast<char>(run_byte_);
      if (literal_.size() == max_literal) flush_literal();
    }
  }
  run_length_ = 0;
}

void CompressedFramer::escape(unsigned char descriptor) {
  flow_.out->push_back('\0');
  flow_.out->push_back(static_cast<char>(descriptor));
}

void CompressedFramer::flush_all() {
  close_run();
  flush_literal();
  if (pending_eor_) escape(descriptor_eor);
  pending_eor_ = false;
}

void CompressedFramer::append_literal(std::string_view bytes) {
  while (!bytes.empty()) {
    const std::size_t room = max_literal - literal_.size();
    const std::size_t n = std::min(room, bytes.size());
    literal_.append(bytes.data(), n);
    bytes.remove_prefix(n);
    if (literal_.size() == max_literal) flush_literal();
  }
}

// Byte-at-a-time run detection cost ~17 cycles per byte (codec_bench encode/I/F/C, see
// docs/performance.md). Same output, faster: bytes that differ from their successor can only be
// runs of one, so such a stretch goes to the literal in one append.
void CompressedFramer::data(std::string_view bytes) {
  if (bytes.empty()) return;
  if (pending_eor_) flush_all();
  const char* at = bytes.data();
  const char* const end = at + bytes.size();
  while (at < end) {
    const auto b = static_cast<unsigned char>(*at);
    if (run_length_ > 0 && b == run_byte_ && run_length_ < max_run) {
      ++run_length_;
      ++at;
      continue;
    }
    close_run();
    // Every byte of [at, single_end) differs from the next one: each is a run of one.
    const char* single_end = at;
    while (single_end + 1 < end && single_end[0] != single_end[1]) ++single_end;
    if (single_end > at) {
      append_literal(std::string_view(at, static_cast<std::size_t>(single_end - at)));
      at = single_end;
    }
    run_byte_ = static_cast<unsigned char>(*at);
    run_length_ = 1;
    ++at;
  }
}

void CompressedFramer::end_record() {
  if (pending_eor_) flush_all();
  close_run();
  flush_literal();
  pending_eor_ = true;
}

void CompressedFramer::end_file() {
  close_run();
  flush_literal();
  escape(static_cast<unsigned char>(descriptor_eof | (pending_eor_ ? descriptor_eor : 0)));
  pending_eor_ = false;
}

void CompressedFramer::restart_marker(std::string_view marker) {
  if (!restart_marker_valid(marker, max_literal)) return;
  flush_all();
  escape(descriptor_restart);
  flow_.out->push_back(static_cast<char>(marker.size()));
  flow_.out->append(marker);
  flow_.marker_written = true;
}

void CompressedParser::apply_descriptor(unsigned char descriptor) {
  state_ = State::header;
  if (descriptor & descriptor_eor) next_.end_record();
  if ((descriptor & descriptor_eof) && !flow_.ec) {
    state_ = State::done;
    flow_.wire_eof = true;
    next_.end_file();
  }
}

void CompressedParser::data(std::string_view bytes) {
  while (!bytes.empty() && !flow_.ec) {
    const auto b = static_cast<unsigned char>(bytes.front());
    switch (state_) {
      case State::done: return flow_.fail(errc::data_after_eof);
      case State::header:
        bytes.remove_prefix(1);
        if (b == 0) {
          state_ = State::descriptor;
        } else if ((b & 0x80) == 0) {
          count_ = b;
          state_ = State::literal;
        } else if ((b & 0xC0) == 0x80) {
          count_ = b & 0x3F;
          state_ = State::replicated_byte;
        } else {
          scratch_.assign(b & 0x3F, static_cast<char>(filler_));
          next_.data(scratch_);
        }
        break;
      case State::literal: {
        const auto take = std::min(bytes.size(), count_);
        next_.data(bytes.substr(0, take));
        bytes.remove_prefix(take);
        count_ -= take;
        if (count_ == 0) state_ = State::header;
        break;
      }
      case State::replicated_byte:
        bytes.remove_prefix(1);
        scratch_.assign(count_, static_cast<char>(b));
        next_.data(scratch_);
        state_ = State::header;
        break;
      case State::descriptor:
        bytes.remove_prefix(1);
        if (b & ~assigned_descriptors) return flow_.fail(errc::compressed_escape_invalid);
        if (b & descriptor_restart) {
          descriptor_ = b;
          state_ = State::marker_header;
        } else {
          apply_descriptor(b);  // suspect data (32) is delivered as is
        }
        break;
      case State::marker_header:
        bytes.remove_prefix(1);
        // The marker travels as one byte string after the escape (ftpspec's reading of §3.4.3).
        if (b == 0 || (b & 0x80) != 0) return flow_.fail(errc::compressed_escape_invalid);
        count_ = b;
        state_ = State::marker;
        break;
      case State::marker: {
        const auto take = std::min(bytes.size(), count_);
        marker_.append(bytes.substr(0, take));
        bytes.remove_prefix(take);
        count_ -= take;
        if (count_ > 0) break;
        if (!restart_marker_valid(marker_, max_literal)) return flow_.fail(errc::restart_marker_invalid);
        flow_.marks.push_back({std::move(marker_), flow_.local_bytes});
        marker_.clear();
        apply_descriptor(descriptor_);
        break;
      }
    }
  }
}

void CompressedParser::end_file() {
  if (flow_.ec || state_ == State::done) return;
  flow_.fail(state_ == State::header ? errc::eof_missing : errc::compressed_truncated);
}

}  // namespace ftpspec::codec::detail
