#include "reports/escape.hpp"

#include <fmt/format.h>

namespace ftpspec::reports {

namespace {

/// Length of the valid UTF-8 sequence at `at` (1-4), or 0 if the bytes there are not one.
std::size_t utf8_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(at);
  if (lead < 0x80) return 1;
  std::size_t length = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 && lead <= 0xDF ? 2 : 0;
  if (length == 0 || at + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i)
    if ((byte(at + i) & 0xC0) != 0x80) return 0;
  // Overlong 3/4-byte forms, surrogates and code points above U+10FFFF.
  if (lead == 0xE0 && byte(at + 1) < 0xA0) return 0;
  if (lead == 0xED && byte(at + 1) >= 0xA0) return 0;
  if (lead == 0xF0 && byte(at + 1) < 0x90) return 0;
  if (lead == 0xF4 && byte(at + 1) >= 0x90) return 0;
  return length;
}

std::string visible_byte(char c) { return fmt::format("\\x{:02X}", static_cast<unsigned char>(c)); }

/// Copies valid multi-byte UTF-8 through, shows invalid bytes as "\xHH" (via `invalid`), and hands
/// each ASCII byte to `ascii`, which appends its escaped form.
template <class Invalid, class Ascii>
std::string escape_utf8(std::string_view text, Invalid invalid, Ascii ascii) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_length(text, i);
    if (length == 0) out += invalid(text[i]);
    else if (length > 1) out.append(text.substr(i, length));
    else ascii(text[i], out);
    i += length == 0 ? 1 : length;
  }
  return out;
}

}  // namespace

std::string valid_utf8(std::string_view text) {
  return escape_utf8(text, visible_byte, [](char c, std::string& out) { out += c; });
}

std::string xml_escape(std::string_view text, bool attribute) {
  return escape_utf8(text, visible_byte, [attribute](char c, std::string& out) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += attribute ? "&quot;" : "\""; break;
      case '\'': out += attribute ? "&apos;" : "'"; break;
      case '\t': out += attribute ? "&#9;" : "\t"; break;
      case '\n': out += attribute ? "&#10;" : "\n"; break;
      case '\r': out += "&#13;"; break;  // a literal CR would be normalised away by the parser
      default:
        if (static_cast<unsigned char>(c) < 0x20) out += visible_byte(c);
        else out += c;
    }
  });
}

std::string html_escape(std::string_view text) { return xml_escape(text, true); }

std::string markdown_cell(std::string_view text) {
  std::string out;
  for (char c : html_escape(text)) {
    if (c == '|') out += "\\|";
    else out += c;
  }
  // xml_escape's attribute form wrote line breaks as references; show them as breaks.
  for (std::string_view reference : {"&#13;&#10;", "&#10;", "&#13;"}) {
    for (std::size_t at = out.find(reference); at != std::string::npos; at = out.find(reference, at))
      out.replace(at, reference.size(), "<br>");
  }
  return out;
}

}  // namespace ftpspec::reports
