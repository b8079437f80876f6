#include "reports/transcript_lines.hpp"

#include <charconv>

namespace ftpspec::reports {

namespace {

struct Prefix {
  std::string_view text;
  LineKind kind;
};
// Longest first is not needed: no prefix is a prefix of another.
constexpr Prefix kPrefixes[] = {{"C> ", LineKind::client_control}, {"S> ", LineKind::server_control},
                                {"D> ", LineKind::client_data},    {"D< ", LineKind::server_data},
                                {"** control: ", LineKind::control_event}, {"** data: ", LineKind::data_event}};

/// "+12.000345 " -> micros; false when the line does not start with a timestamp.
bool read_timestamp(std::string_view& line, std::int64_t& micros) {
  if (line.size() < 10 || line.front() != '+') return false;
  const std::size_t dot = line.find('.');
  const std::size_t space = line.find(' ');
  if (dot == std::string_view::npos || space == std::string_view::npos || dot > space || space - dot != 7) return false;
  std::int64_t seconds = 0, fraction = 0;
  const char* begin = line.data();
  if (std::from_chars(begin + 1, begin + dot, seconds).ptr != begin + dot) return false;
  if (std::from_chars(begin + dot + 1, begin + space, fraction).ptr != begin + space) return false;
  micros = seconds * 1'000'000 + fraction;
  line.remove_prefix(space + 1);
  return true;
}

TranscriptLine parse_line(std::string_view line) {
  std::string_view rest = line;
  std::int64_t micros = 0;
  if (read_timestamp(rest, micros)) {
    for (const Prefix& prefix : kPrefixes)
      if (rest.substr(0, prefix.text.size()) == prefix.text)
        return {micros, prefix.kind, std::string(rest.substr(prefix.text.size()))};
    // render() writes "C> " + text; an empty text leaves the trailing space.
    for (const Prefix& prefix : kPrefixes)
      if (rest == prefix.text.substr(0, prefix.text.size() - 1)) return {micros, prefix.kind, ""};
  }
  return {0, LineKind::other, std::string(line)};
}

}  // namespace

std::vector<TranscriptLine> parse_transcript(std::string_view rendered) {
  std::vector<TranscriptLine> lines;
  std::size_t start = 0;
  while (start < rendered.size()) {
    std::size_t end = rendered.find('\n', start);
    if (end == std::string_view::npos) end = rendered.size();
    if (end > start) lines.push_back(parse_line(rendered.substr(start, end - start)));
    start = end + 1;
  }
  return lines;
}

std::string_view marker(LineKind kind) noexcept {
  switch (kind) {
    case LineKind::client_control: return "C>";
    case LineKind::server_control: return "S>";
    case LineKind::client_data: return "D>";
    case LineKind::server_data: return "D<";
    case LineKind::control_event:
    case LineKind::data_event: return "**";
    case LineKind::other: break;
  }
  return "";
}

std::string_view css_class(LineKind kind) noexcept {
  switch (kind) {
    case LineKind::client_control: return "c";
    case LineKind::server_control: return "s";
    case LineKind::client_data: return "dc";
    case LineKind::server_data: return "ds";
    case LineKind::control_event:
    case LineKind::data_event: return "ev";
    case LineKind::other: break;
  }
  return "other";
}

}  // namespace ftpspec::reports
