// Host-port arguments and replies that set up data connections, read and written by both sides:
//   PORT h1,h2,h3,h4,p1,p2 and 227 (...) — RFC 959 §4.1.2, §4.2.2; RFC 1123 §4.1.2.6 (scan the 227 text)
//   EPRT |af|addr|port| and 229 (|||port|) — RFC 2428 §2, §3
//   LPRT / 228 af,hal,h1,...,pal,p1,p2     — RFC 1639 §2
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ftpspec::proto {

struct HostPort {
  std::string host;        ///< numeric address text: "192.0.2.1" or "2001:db8::1"
  std::uint16_t port = 0;
  bool ipv6() const noexcept { return host.find(':') != std::string::npos; }
  friend bool operator==(const HostPort&, const HostPort&) = default;
};

/// PORT argument "h1,h2,h3,h4,p1,p2" (each 0-255). IPv4 only by definition.
std::optional<HostPort> parse_port_argument(std::string_view arg);
std::string format_port_argument(const HostPort& hp);

/// Finds "h1,h2,h3,h4,p1,p2" anywhere in a 227 reply's text (RFC 1123 §4.1.2.6: the parenthesis
/// is not required, so scan for the first run of six comma-separated numbers).
std::optional<HostPort> parse_pasv_reply(std::string_view text);
/// "Entering Passive Mode (h1,h2,h3,h4,p1,p2)."
std::string format_pasv_reply(const HostPort& hp);

/// EPRT argument "<d><af><d><addr><d><port><d>", af 1 = IPv4, 2 = IPv6, any delimiter in 33-126.
std::optional<HostPort> parse_eprt_argument(std::string_view arg);
std::string format_eprt_argument(const HostPort& hp);

/// The port in a 229 reply text "... (<d><d><d>port<d>)" (RFC 2428 §3).
std::optional<std::uint16_t> parse_epsv_reply(std::string_view text);
/// "Entering Extended Passive Mode (|||port|)"
std::string format_epsv_reply(std::uint16_t port);

/// LPRT argument "af,hal,h1,...,pal,p1,p2" (RFC 1639 §2): af 4 with hal 4, or af 6 with hal 16.
std::optional<HostPort> parse_lprt_argument(std::string_view arg);
std::string format_lprt_argument(const HostPort& hp);
/// Finds the long address in a 228 reply text "Entering Long Passive Mode (af,hal,...)".
std::optional<HostPort> parse_lpsv_reply(std::string_view text);
std::string format_lpsv_reply(const HostPort& hp);

}  // namespace ftpspec::proto
