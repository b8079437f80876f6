#include "reports/svg_sequence.hpp"

#include <fmt/format.h>

#include "reports/escape.hpp"

namespace ftpspec::reports {

namespace {

constexpr int kWidth = 900;
constexpr int kClientX = 170, kControlX = 520, kDataX = 790;
constexpr int kHeaderHeight = 58, kRowHeight = 26;

struct Lane {
  int from_x;
  int to_x;
  std::string_view color;
  bool dashed;  ///< events: no bytes went over the wire
};

Lane lane_of(LineKind kind) {
  switch (kind) {
    case LineKind::client_control: return {kClientX, kControlX, "#1f5fbf", false};
    case LineKind::server_control: return {kControlX, kClientX, "#1a7f37", false};
    case LineKind::client_data: return {kClientX, kDataX, "#8250df", false};
    case LineKind::server_data: return {kDataX, kClientX, "#bc4c00", false};
    case LineKind::control_event: return {kClientX, kControlX, "#6e7781", true};
    case LineKind::data_event: return {kClientX, kDataX, "#6e7781", true};
    case LineKind::other: break;
  }
  return {kClientX, kClientX, "#6e7781", true};
}

/// The label without the trailing "\r\n" every command and reply line carries, cut to `limit`.
std::string label_of(const TranscriptLine& line, std::size_t limit) {
  std::string_view text = line.text;
  if (text.size() >= 4 && text.substr(text.size() - 4) == "\\r\\n") text.remove_suffix(4);
  if (text.size() <= limit) return std::string(text);
  return std::string(text.substr(0, limit)) + "\u2026";
}

std::string timestamp(std::int64_t micros) {
  return fmt::format("+{}.{:06}", micros / 1'000'000, micros % 1'000'000);
}

void lifeline(std::string& out, int x, std::string_view title, std::string_view subtitle, int height) {
  out += fmt::format(R"(<rect x="{}" y="6" width="190" height="38" rx="5" fill="#f6f8fa" stroke="#57606a"/>)", x - 95);
  out += fmt::format(R"(<text x="{}" y="22" text-anchor="middle" font-weight="bold">{}</text>)", x, title);
  out += fmt::format(R"(<text x="{}" y="37" text-anchor="middle" fill="#57606a">{}</text>)", x, subtitle);
  out += fmt::format(R"(<line x1="{0}" y1="44" x2="{0}" y2="{1}" stroke="#8c959f" stroke-dasharray="4 3"/>)", x, height - 6);
}

void arrow(std::string& out, const TranscriptLine& line, int y, const SequenceOptions& options) {
  const Lane lane = lane_of(line.kind);
  const std::string full = fmt::format("{} {} {}", timestamp(line.micros), marker(line.kind), line.text);
  out += fmt::format("<g><title>{}</title>", xml_escape(full));
  out += fmt::format(R"(<text x="8" y="{}" fill="#57606a">{}</text>)", y + 4, timestamp(line.micros));
  out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5"{}/>)", lane.from_x, y,
                     lane.to_x, y, lane.color, lane.dashed ? R"( stroke-dasharray="5 3")" : "");
  if (lane.dashed) {
    out += fmt::format(R"(<circle cx="{}" cy="{}" r="3" fill="{}"/>)", lane.to_x, y, lane.color);
  } else {
    const int direction = lane.to_x > lane.from_x ? -1 : 1;  // the head points at to_x
    out += fmt::format(R"(<polygon points="{},{} {},{} {},{}" fill="{}"/>)", lane.to_x, y, lane.to_x + direction * 9,
                       y - 4, lane.to_x + direction * 9, y + 4, lane.color);
  }
  const int middle = (lane.from_x + lane.to_x) / 2;
  out += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle" fill="{}"{}>{}</text></g>)", middle, y - 5, lane.color,
                     lane.dashed ? R"( font-style="italic")" : "", xml_escape(label_of(line, options.max_label)));
}

}  // namespace

std::string sequence_svg(const std::vector<TranscriptLine>& lines, const SequenceOptions& options) {
  std::vector<const TranscriptLine*> shown;
  std::size_t left_out = 0;
  for (const auto& line : lines) {
    if (line.kind == LineKind::other) continue;
    if (shown.size() < options.max_arrows) shown.push_back(&line);
    else ++left_out;
  }
  const int rows = static_cast<int>(shown.size()) + (left_out > 0 ? 1 : 0);
  const int height = kHeaderHeight + rows * kRowHeight + 12;
  std::string out = fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" class="sequence" viewBox="0 0 {0} {1}" width="{0}" height="{1}" )"
      R"(font-family="ui-monospace,Menlo,Consolas,monospace" font-size="11" role="img" aria-label="sequence diagram">)",
      kWidth, height);
  lifeline(out, kClientX, "client", "user-PI / user-DTP", height);
  lifeline(out, kControlX, "server control", "server-PI", height);
  lifeline(out, kDataX, "data connection", "server-DTP", height);
  int y = kHeaderHeight + kRowHeight / 2 + 4;
  for (const TranscriptLine* line : shown) {
    arrow(out, *line, y, options);
    y += kRowHeight;
  }
  if (left_out > 0)
    out += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle" fill="#57606a">… {} more transcript lines (see the transcript)</text>)",
                       kWidth / 2, y, left_out);
  out += "</svg>";
  return out;
}

}  // namespace ftpspec::reports
