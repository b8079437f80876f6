// Incremental parser for server replies (RFC 959 §4.2), fed any split of the control-connection
// bytes, one byte at a time included. Sans-I/O: it never reads a socket.
//
// Rules (RFC 959 §4.2):
//   single line : ddd<SP>text<CRLF>
//   multi-line  : ddd-text<CRLF> ... ddd<SP>text<CRLF>  — the reply ends only at a line that starts
//                 with the *same* code followed by SP; inner lines may begin with digits (even
//                 another code followed by SP) and are plain text.
// Tolerated, reported as Deviation: a bare LF line end; a line that is just "ddd".
// Rejected with an error: a first line that is not ddd<SP> or ddd-, first digit outside 1-5,
// lines or replies longer than the limits, malformed Telnet sequences.
#pragma once
#include <cstddef>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "proto/deviation.hpp"
#include "proto/reply.hpp"
#include "proto/telnet.hpp"

namespace ftpspec::proto {

struct ReplyParserLimits {
  std::size_t max_line = 64 * 1024;        ///< bytes in one line
  std::size_t max_lines = 100'000;         ///< lines in one multi-line reply
  std::size_t max_bytes = 16 * 1024 * 1024;///< bytes in one reply
};

class ReplyParser {
 public:
  explicit ReplyParser(ReplyParserLimits limits = {}) : limits_(limits) {}

  /// Consumes bytes up to and including the end of one reply, and returns how many it consumed.
  /// Bytes after a complete reply are left for the next call (after release()). `ec` is cleared on
  /// success and when more bytes are needed (check done()); it is set and sticky after a violation.
  std::size_t put(std::span<const char> bytes, std::error_code& ec);
  /// True once a complete reply is ready.
  bool done() const noexcept { return done_; }
  /// Takes the reply and readies the parser for the next one (Telnet state is kept).
  Reply release();
  /// Deviations seen since the last call, with stream offsets.
  std::vector<Deviation> take_deviations() { return std::exchange(deviations_, {}); }
  /// Total bytes consumed since construction (offsets in Deviation are relative to this).
  std::size_t offset() const noexcept { return offset_; }
  /// Forget everything, including a sticky error.
  void reset();

 private:
  void finish_line(std::error_code& ec);

  ReplyParserLimits limits_;
  TelnetFilter telnet_;
  std::string line_;
  Reply reply_;
  std::size_t reply_bytes_ = 0;
  std::size_t offset_ = 0;
  std::vector<Deviation> deviations_;
  std::error_code error_;
  bool done_ = false;
};

}  // namespace ftpspec::proto
