// Escaping for the report formats. Server bytes are arbitrary: invalid UTF-8 and control bytes are
// shown visibly as the text \xHH rather than dropped or passed through.
#pragma once
#include <string>
#include <string_view>

namespace ftpspec::reports {

/// Valid UTF-8 for formats that require it (JSON, RFC 8259 §8.1): the text as is, except that bytes
/// that are not UTF-8 become the visible four characters "\xHH".
std::string valid_utf8(std::string_view text);

/// XML 1.0 character data or attribute text: & < > " ' as entities; TAB/LF/CR kept (as &#9;
/// &#10; &#13; when `attribute`); other C0 controls, which XML 1.0 forbids even as references
/// (§2.2), and invalid UTF-8 bytes become the visible text "\xHH".
std::string xml_escape(std::string_view text, bool attribute = false);

/// HTML text or attribute value (double-quoted): the attribute form of xml_escape, so markup such as
/// "</script>" and quotes can never leave the element or attribute they are written into.
std::string html_escape(std::string_view text);

/// A Markdown table cell: html_escape, with "|" as "\\|" and line breaks as "<br>".
std::string markdown_cell(std::string_view text);

}  // namespace ftpspec::reports
