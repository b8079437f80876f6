// The server under test, from a URL ftp://USER:PASS@HOST:PORT (RFC 1738 §3.2: user and password
// percent-encoded; an IPv6 literal in brackets, RFC 3986 §3.2.2). ftps://... is implicit FTPS (TLS
// from the first byte); ftp://...?tls=explicit secures every session with AUTH TLS (RFC 4217 §4).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ftpspec::run {

/// How every session of a run is secured (RFC 4217).
enum class TlsMode {
  none,      ///< clear control and data connections, unless a case asks for TLS itself
  explicit_, ///< connect in clear, AUTH TLS, then login and PBSZ 0 + PROT P (RFC 4217 §4, §9)
  implicit,  ///< TLS from the first byte (ftps://, port 990 by custom), then PBSZ 0 + PROT P
};

/// "none", "explicit", "implicit".
std::string_view to_string(TlsMode mode) noexcept;
/// Parses "none", "explicit" or "implicit".
std::optional<TlsMode> parse_tls_mode(std::string_view text) noexcept;

struct Target {
  std::string user = "anonymous";
  std::string password = "ftpspec@";
  std::string host;
  std::uint16_t port = 21;
  std::string dir = "/";  ///< a directory the user may write into (${dir})
  TlsMode tls = TlsMode::none;

  /// "ftp://user@host:port" without the password (for reports); IPv6 hosts bracketed; ftps:// when
  /// implicit, "?tls=explicit" appended when explicit.
  std::string display_url() const;
};

/// Parses an ftp:// or ftps:// URL (query: `tls=explicit|implicit|none`); on failure returns
/// nullopt and says why in `error`.
std::optional<Target> parse_target(std::string_view url, std::string& error);

/// Decodes %HH escapes; nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace ftpspec::run
