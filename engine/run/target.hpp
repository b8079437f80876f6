// The server under test, from a URL ftp://USER:PASS@HOST:PORT (RFC 1738 §3.2: user and password
// percent-encoded; an IPv6 literal in brackets, RFC 3986 §3.2.2).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ftpspec::run {

struct Target {
  std::string user = "anonymous";
  std::string password = "ftpspec@";
  std::string host;
  std::uint16_t port = 21;
  std::string dir = "/";  ///< a directory the user may write into (${dir})

  /// "ftp://user@host:port" without the password (for reports); IPv6 hosts bracketed.
  std::string display_url() const;
};

/// Parses an ftp:// URL; on failure returns nullopt and says why in `error`.
std::optional<Target> parse_target(std::string_view url, std::string& error);

/// Decodes %HH escapes; nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace ftpspec::run
