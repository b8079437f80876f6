#include "proto/address.hpp"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <vector>

namespace ftpspec::proto {
namespace {

/// Parses "n,n,n,..." exactly (each 0-255); nullopt on any other character.
std::optional<std::vector<unsigned>> parse_byte_list(std::string_view s) {
  std::vector<unsigned> out;
  const char* p = s.data();
  const char* end = s.data() + s.size();
  while (true) {
    unsigned value = 0;
    auto [next, ec] = std::from_chars(p, end, value);
    if (ec != std::errc{} || value > 255 || next == p) return std::nullopt;
    out.push_back(value);
    p = next;
    if (p == end) return out;
    if (*p != ',') return std::nullopt;
    ++p;
  }
}

std::optional<std::string> ipv4_text(const unsigned* b) {
  return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) + "." + std::to_string(b[3]);
}

bool valid_ip(std::string_view text, int family) {
  std::array<unsigned char, 16> buf{};
  const std::string s(text);
  return ::inet_pton(family, s.c_str(), buf.data()) == 1;
}

std::string ipv4_commas(const std::string& host) {
  std::string out = host;
  for (char& c : out)
    if (c == '.') c = ',';
  return out;
}

std::string long_form(const HostPort& hp) {
  std::array<unsigned char, 16> raw{};
  const bool v6 = hp.ipv6();
  ::inet_pton(v6 ? AF_INET6 : AF_INET, hp.host.c_str(), raw.data());
  const int len = v6 ? 16 : 4;
  std::string out = v6 ? "6,16" : "4,4";
  for (int i = 0; i < len; ++i) out += "," + std::to_string(raw[static_cast<std::size_t>(i)]);
  out += ",2," + std::to_string(hp.port >> 8) + "," + std::to_string(hp.port & 0xFF);
  return out;
}

}  // namespace

std::optional<HostPort> parse_port_argument(std::string_view arg) {
  const auto bytes = parse_byte_list(arg);
  if (!bytes || bytes->size() != 6) return std::nullopt;
  const auto& b = *bytes;
  return HostPort{*ipv4_text(b.data()), static_cast<std::uint16_t>(b[4] << 8 | b[5])};
}

std::string format_port_argument(const HostPort& hp) {
  return ipv4_commas(hp.host) + "," + std::to_string(hp.port >> 8) + "," + std::to_string(hp.port & 0xFF);
}

std::optional<HostPort> parse_pasv_reply(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') continue;
    if (i > 0 && text[i - 1] >= '0' && text[i - 1] <= '9') continue;
    std::size_t j = i;
    while (j < text.size() && ((text[j] >= '0' && text[j] <= '9') || text[j] == ',')) ++j;
    std::string_view run = text.substr(i, j - i);
    while (!run.empty() && run.back() == ',') run.remove_suffix(1);
    if (auto hp = parse_port_argument(run)) return hp;
    i = j;
  }
  return std::nullopt;
}

std::string format_pasv_reply(const HostPort& hp) {
  return "Entering Passive Mode (" + format_port_argument(hp) + ").";
}

std::optional<HostPort> parse_eprt_argument(std::string_view arg) {
  if (arg.size() < 7) return std::nullopt;
  const char d = arg.front();
  if (d < 33 || d > 126 || arg.back() != d) return std::nullopt;
  std::array<std::string_view, 3> fields;
  std::size_t pos = 1;
  for (auto& field : fields) {
    const std::size_t end = arg.find(d, pos);
    if (end == std::string_view::npos) return std::nullopt;
    field = arg.substr(pos, end - pos);
    pos = end + 1;
  }
  if (pos != arg.size()) return std::nullopt;
  int family = 0;
  if (fields[0] == "1") family = AF_INET;
  else if (fields[0] == "2") family = AF_INET6;
  else return std::nullopt;
  if (!valid_ip(fields[1], family)) return std::nullopt;
  unsigned port = 0;
  auto [p, ec] = std::from_chars(fields[2].data(), fields[2].data() + fields[2].size(), port);
  if (ec != std::errc{} || p != fields[2].data() + fields[2].size() || port == 0 || port > 65535) return std::nullopt;
  return HostPort{std::string(fields[1]), static_cast<std::uint16_t>(port)};
}

std::string format_eprt_argument(const HostPort& hp) {
  return std::string("|") + (hp.ipv6() ? "2" : "1") + "|" + hp.host + "|" + std::to_string(hp.port) + "|";
}

std::optional<std::uint16_t> parse_epsv_reply(std::string_view text) {
  const std::size_t open = text.find('(');
  if (open == std::string_view::npos || open + 5 > text.size()) return std::nullopt;
  const char d = text[open + 1];
  if (d < 33 || d > 126 || text[open + 2] != d || text[open + 3] != d) return std::nullopt;
  const std::size_t start = open + 4;
  const std::size_t end = text.find(d, start);
  if (end == std::string_view::npos || end + 1 >= text.size() || text[end + 1] != ')') return std::nullopt;
  unsigned port = 0;
  auto [p, ec] = std::from_chars(text.data() + start, text.data() + end, port);
  if (ec != std::errc{} || p != text.data() + end || port == 0 || port > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(port);
}

std::string format_epsv_reply(std::uint16_t port) {
  return "Entering Extended Passive Mode (|||" + std::to_string(port) + "|)";
}

std::optional<HostPort> parse_lprt_argument(std::string_view arg) {
  const auto bytes = parse_byte_list(arg);
  if (!bytes || bytes->size() < 2) return std::nullopt;
  const auto& b = *bytes;
  const unsigned af = b[0], hal = b[1];
  if (!((af == 4 && hal == 4) || (af == 6 && hal == 16))) return std::nullopt;
  if (b.size() != 2 + hal + 3 || b[2 + hal] != 2) return std::nullopt;
  std::array<unsigned char, 16> raw{};
  for (unsigned i = 0; i < hal; ++i) raw[i] = static_cast<unsigned char>(b[2 + i]);
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(af == 4 ? AF_INET : AF_INET6, raw.data(), text, sizeof text);
  const unsigned port = b[3 + hal] << 8 | b[4 + hal];
  return HostPort{text, static_cast<std::uint16_t>(port)};
}

std::string format_lprt_argument(const HostPort& hp) { return long_form(hp); }

std::optional<HostPort> parse_lpsv_reply(std::string_view text) {
  const std::size_t open = text.find('(');
  const std::size_t close = text.find(')', open);
  if (open == std::string_view::npos || close == std::string_view::npos) return std::nullopt;
  return parse_lprt_argument(text.substr(open + 1, close - open - 1));
}

std::string format_lpsv_reply(const HostPort& hp) { return "Entering Long Passive Mode (" + long_form(hp) + ")"; }

}  // namespace ftpspec::proto
