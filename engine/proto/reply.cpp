#include "proto/reply.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace ftpspec::proto {

std::string Reply::text() const {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    const bool carries_code = i == 0 || i + 1 == lines.size();
    if (carries_code && line.size() >= 3) line.remove_prefix(std::min<std::size_t>(4, line.size()));
    if (i) out += '\n';
    out += line;
  }
  return out;
}

std::string Reply::wire() const {
  std::string out;
  for (const auto& line : lines) {
    out += line;
    out += "\r\n";
  }
  return out;
}

namespace {
constexpr std::pair<int, std::string_view> kMeanings[] = {
    {110, "Restart marker reply"},
    {120, "Service ready in nnn minutes"},
    {125, "Data connection already open; transfer starting"},
    {150, "File status okay; about to open data connection"},
    {200, "Command okay"},
    {202, "Command not implemented, superfluous at this site"},
    {211, "System status, or system help reply"},
    {212, "Directory status"},
    {213, "File status"},
    {214, "Help message"},
    {215, "NAME system type"},
    {220, "Service ready for new user"},
    {221, "Service closing control connection"},
    {225, "Data connection open; no transfer in progress"},
    {226, "Closing data connection; requested file action successful"},
    {227, "Entering Passive Mode (h1,h2,h3,h4,p1,p2)"},
    {228, "Entering Long Passive Mode (RFC 1639)"},
    {229, "Entering Extended Passive Mode (|||port|) (RFC 2428)"},
    {230, "User logged in, proceed"},
    {232, "User logged in, authorized by security data exchange (RFC 2228)"},
    {234, "Security data exchange complete (RFC 2228)"},
    {235, "Security data exchange completed successfully (RFC 2228)"},
    {250, "Requested file action okay, completed"},
    {257, "\"PATHNAME\" created"},
    {331, "User name okay, need password"},
    {332, "Need account for login"},
    {334, "Requested security mechanism is ok (RFC 2228)"},
    {335, "Security data is acceptable, more is required (RFC 2228)"},
    {336, "Username okay, need password; challenge is ... (RFC 2228)"},
    {350, "Requested file action pending further information"},
    {421, "Service not available, closing control connection"},
    {425, "Can't open data connection"},
    {426, "Connection closed; transfer aborted"},
    {431, "Need some unavailable resource to process security (RFC 2228)"},
    {450, "Requested file action not taken; file unavailable"},
    {451, "Requested action aborted: local error in processing"},
    {452, "Requested action not taken; insufficient storage space"},
    {500, "Syntax error, command unrecognized"},
    {501, "Syntax error in parameters or arguments"},
    {502, "Command not implemented"},
    {503, "Bad sequence of commands"},
    {504, "Command not implemented for that parameter"},
    {522, "Network protocol not supported (RFC 2428)"},
    {530, "Not logged in"},
    {532, "Need account for storing files"},
    {533, "Command protection level denied for policy reasons (RFC 2228)"},
    {534, "Request denied for policy reasons (RFC 2228)"},
    {535, "Failed security check (RFC 2228)"},
    {536, "Requested PROT level not supported by mechanism (RFC 2228)"},
    {550, "Requested action not taken; file unavailable"},
    {551, "Requested action aborted: page type unknown"},
    {552, "Requested file action aborted; exceeded storage allocation"},
    {553, "Requested action not taken; file name not allowed"},
    {554, "Requested action not taken: invalid REST parameter (RFC 1123 §4.1.3.4)"},
};
}  // namespace

std::string_view describe_code(int code) noexcept {
  const auto* it = std::find_if(std::begin(kMeanings), std::end(kMeanings),
                                [code](const auto& entry) { return entry.first == code; });
  return it == std::end(kMeanings) ? std::string_view{} : it->second;
}

std::string_view describe_kind(int code) noexcept {
  switch (code / 100) {
    case 1: return "Positive Preliminary";
    case 2: return "Positive Completion";
    case 3: return "Positive Intermediate";
    case 4: return "Transient Negative Completion";
    case 5: return "Permanent Negative Completion";
    default: return "Invalid";
  }
}

std::string_view describe_function(int code) noexcept {
  switch (code / 10 % 10) {
    case 0: return "Syntax";
    case 1: return "Information";
    case 2: return "Connections";
    case 3: return "Authentication and accounting";
    case 4: return "Unspecified";
    case 5: return "File system";
    default: return "Unspecified by RFC 959";
  }
}

namespace {
std::string format_reply_lines(int code, std::string_view text) {
  const std::string code_text = std::to_string(code);
  std::string out;
  if (text.find('\n') == std::string_view::npos) {
    out.reserve(text.size() + 6);
    out.append(code_text).append(" ").append(text).append("\r\n");
    return out;
  }
  std::size_t start = 0;
  bool first = true;
  while (true) {
    const std::size_t end = text.find('\n', start);
    const std::string_view line = text.substr(start, end == std::string_view::npos ? end : end - start);
    if (end == std::string_view::npos) {
      out.append(code_text).append(" ").append(line).append("\r\n");
      return out;
    }
    if (first) {
      out.append(code_text).append("-").append(line).append("\r\n");
      first = false;
    } else {
      if (!line.empty() && line.front() >= '0' && line.front() <= '9') out += ' ';
      out.append(line).append("\r\n");
    }
    start = end + 1;
  }
}
}  // namespace

std::string format_reply(int code, std::string_view text) {
  // RFC 854 (RFC 959 §4.2 replies follow Telnet): a data byte 0xFF goes on the wire as IAC IAC;
  // sent bare, a client's Telnet filter reads it as the start of a command.
  if (text.find('\xff') == std::string_view::npos) return format_reply_lines(code, text);
  std::string escaped;
  escaped.reserve(text.size() + 8);
  for (const char c : text) {
    escaped += c;
    if (c == '\xff') escaped += c;
  }
  return format_reply_lines(code, escaped);
}

}  // namespace ftpspec::proto
