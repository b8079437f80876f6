// Internal: the representation-type stages for TYPE A and E (RFC 959 §3.1.1.1, §3.1.1.2,
// §3.1.1.5). Inside these stages end_record() means "end of line"; the pipeline turns it into
// CRLF / NL (STRU F, P) or passes it on as EOR (STRU R).
#pragma once
#include <array>
#include <string>

#include "codec/stage.hpp"

namespace ftpspec::codec::detail {

/// Splits text into lines: data without the terminator, then end_record(). `crlf` selects the
/// NVT terminator CR LF (a CR not followed by LF stays data); otherwise LF ends a line.
/// With `close_last_line`, a final line without terminator still gets its end_record().
class LineSplitter final : public Forwarding {
 public:
  LineSplitter(Flow& flow, Stage& next, bool crlf, bool close_last_line)
      : Forwarding(flow, next), crlf_(crlf), close_last_line_(close_last_line) {}
  void data(std::string_view bytes) override;
  void end_file() override;

 private:
  bool crlf_;
  bool close_last_line_;
  bool pending_cr_ = false;
  bool line_open_ = false;
};

/// Turns end_record() into the bytes `line_end` (CRLF, EBCDIC NL, or local LF).
class LineJoiner final : public Forwarding {
 public:
  LineJoiner(Flow& flow, Stage& next, std::string_view line_end) : Forwarding(flow, next), line_end_(line_end) {}
  void end_record() override { next_.data(line_end_); }

 private:
  std::string_view line_end_;
};

/// Translates every byte through a 256-entry table (TYPE E code page, RFC 959 §3.1.1.2).
class Translator final : public Forwarding {
 public:
  Translator(Flow& flow, Stage& next, const std::array<unsigned char, 256>& table)
      : Forwarding(flow, next), table_(table) {}
  void data(std::string_view bytes) override;

 private:
  const std::array<unsigned char, 256>& table_;
  std::string scratch_;
};

/// Local text -> ASA lines (RFC 959 §3.1.1.5.2): each line starts with ' '; a line whose first
/// byte is FF starts with '1' instead (the FF is dropped); a CR ends the line and starts an
/// overprint line '+'.
class AsaEncoder final : public Forwarding {
 public:
  using Forwarding::Forwarding;
  void data(std::string_view bytes) override;
  void end_record() override;
  void end_file() override;

 private:
  void emit_control();
  char control_ = ' ';        ///< control character of the current line
  bool control_sent_ = false;  ///< the current line's control character is on its way
  bool line_open_ = false;     ///< a line exists even if empty (started by CR)
};

/// ASA lines -> local text, the inverse of AsaEncoder: ' ' new line, '0' blank line first,
/// '1' FF first, '+' CR (overprint). The LF ending a line is held until the next control
/// character says whether it is a LF or a CR.
class AsaDecoder final : public Forwarding {
 public:
  using Forwarding::Forwarding;
  void data(std::string_view bytes) override;
  void end_record() override;
  void end_file() override;

 private:
  bool at_line_start_ = true;
  bool pending_line_end_ = false;
};

}  // namespace ftpspec::codec::detail
