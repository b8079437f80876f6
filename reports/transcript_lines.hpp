// Reads back the rendered transcript (session::Transcript::render: "+S.UUUUUU C> text") that
// CaseResult and the JSON report carry, so the HTML report and the sequence diagram work the same
// from a live run and from a JSON file read back.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ftpspec::reports {

/// Who sent a transcript line, on which connection (RFC 959 §2.3: the control connection between
/// user-PI and server-PI, the data connection between the DTPs).
enum class LineKind {
  client_control,  ///< "C>" a command the client sent
  server_control,  ///< "S>" a reply the server sent
  client_data,     ///< "D>" payload the client sent (STOR)
  server_data,     ///< "D<" payload the client received (RETR, LIST)
  control_event,   ///< "** control:" connect, close, timeout, TLS
  data_event,      ///< "** data:" connect, accept, close, payload counts
  other,           ///< a line that does not follow the format, kept as it is
};

struct TranscriptLine {
  std::int64_t micros = 0;  ///< since the session started (0 for `other`)
  LineKind kind = LineKind::other;
  std::string text;         ///< as rendered: escape_bytes form (\r, \n, \xHH), never raw bytes
};

/// Splits a rendered transcript into lines; never fails (unknown lines become LineKind::other).
std::vector<TranscriptLine> parse_transcript(std::string_view rendered);

/// The marker shown for a kind: "C>", "S>", "D>", "D<", "**", "".
std::string_view marker(LineKind kind) noexcept;

/// CSS class name for a kind: "c", "s", "dc", "ds", "ev", "ev", "other".
std::string_view css_class(LineKind kind) noexcept;

}  // namespace ftpspec::reports
