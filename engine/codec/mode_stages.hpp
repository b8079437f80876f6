// Internal: transfer-mode framing for MODE B (RFC 959 §3.4.2) and MODE C (§3.4.3). MODE S needs
// no stage of its own: STRU F/P data passes as is, STRU R uses RecordEscapeWriter/Parser.
#pragma once
#include <cstdint>
#include <string>

#include "codec/stage.hpp"

namespace ftpspec::codec::detail {

/// Block descriptor codes, RFC 959 §3.4.2 (also the escape descriptors of §3.4.3).
enum Descriptor : unsigned char {
  descriptor_eor = 128,
  descriptor_eof = 64,
  descriptor_suspect = 32,
  descriptor_restart = 16,
};

/// Events -> blocks: data is gathered into blocks of at most 65535 bytes; EOR/EOF flag the block
/// holding the record's / file's last bytes (an empty block when there is none); a restart
/// marker is a block of its own with descriptor 16.
class BlockFramer final : public Stage {
 public:
  explicit BlockFramer(Flow& flow) : flow_(flow) {}
  void data(std::string_view bytes) override;
  void end_record() override;
  void end_file() override;
  void restart_marker(std::string_view marker) override;

 private:
  void write_block(unsigned char descriptor, std::string_view payload);
  void flush();
  Flow& flow_;
  std::string pending_;
  bool pending_eor_ = false;
};

/// Blocks -> events. Block data streams through as it arrives; only a marker block's text is
/// held (at most 65535 bytes).
class BlockParser final : public Forwarding {
 public:
  using Forwarding::Forwarding;
  void data(std::string_view bytes) override;
  void end_file() override;  ///< the input ended

 private:
  void block_complete();
  unsigned char header_[3] = {};
  std::size_t header_size_ = 0;
  std::size_t data_left_ = 0;
  bool in_data_ = false;
  bool done_ = false;
  std::string marker_;
};

/// Events -> compressed mode: byte strings (0nnnnnnn), replicated bytes (10nnnnnn d) for runs of
/// 3 or more, filler strings (11nnnnnn) for runs of 2 or more filler bytes, and escapes 0x00 + descriptor
/// after the last byte of a record (EOR), of the file (EOF), and before a marker byte string.
class CompressedFramer final : public Stage {
 public:
  CompressedFramer(Flow& flow, unsigned char filler) : flow_(flow), filler_(filler) {}
  void data(std::string_view bytes) override;
  void end_record() override;
  void end_file() override;
  void restart_marker(std::string_view marker) override;

 private:
  void close_run();
  void flush_literal();
  /// Appends bytes to the literal, flushing it each time it reaches max_literal.
  void append_literal(std::string_view bytes);
  void flush_all();
  void escape(unsigned char descriptor);
  Flow& flow_;
  unsigned char filler_;
  std::string literal_;        ///< at most 127 bytes
  unsigned char run_byte_ = 0;
  unsigned run_length_ = 0;    ///< at most 63
  bool pending_eor_ = false;
};

/// Compressed mode -> events.
class CompressedParser final : public Forwarding {
 public:
  CompressedParser(Flow& flow, Stage& next, unsigned char filler) : Forwarding(flow, next), filler_(filler) {}
  void data(std::string_view bytes) override;
  void end_file() override;  ///< the input ended

 private:
  enum class State { header, literal, replicated_byte, descriptor, marker_header, marker, done };
  void apply_descriptor(unsigned char descriptor);
  unsigned char filler_;
  State state_ = State::header;
  std::size_t count_ = 0;
  unsigned char descriptor_ = 0;  ///< flags of an escape carrying a restart marker
  std::string marker_;
  std::string scratch_;
};

}  // namespace ftpspec::codec::detail
