#include "run/target.hpp"

#include <fmt/format.h>

#include <charconv>

namespace ftpspec::run {

std::string_view to_string(TlsMode mode) noexcept {
  switch (mode) {
    case TlsMode::none: return "none";
    case TlsMode::explicit_: return "explicit";
    case TlsMode::implicit: return "implicit";
  }
  return "none";
}

std::optional<TlsMode> parse_tls_mode(std::string_view text) noexcept {
  if (text == "none") return TlsMode::none;
  if (text == "explicit") return TlsMode::explicit_;
  if (text == "implicit") return TlsMode::implicit;
  return std::nullopt;
}

std::string Target::display_url() const {
  std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return fmt::format("{}://{}@{}:{}{}", tls == TlsMode::implicit ? "ftps" : "ftp", user, shown_host, port,
                     tls == TlsMode::explicit_ ? "?tls=explicit" : "");
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= text.size()) return std::nullopt;
    auto [end, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
    if (ec != std::errc{} || end != text.data() + i + 3) return std::nullopt;
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

std::optional<Target> parse_target(std::string_view url, std::string& error) {
  constexpr std::string_view clear_scheme = "ftp://";
  constexpr std::string_view tls_scheme = "ftps://";
  Target target;
  std::string_view rest;
  if (url.substr(0, clear_scheme.size()) == clear_scheme) {
    rest = url.substr(clear_scheme.size());
  } else if (url.substr(0, tls_scheme.size()) == tls_scheme) {
    rest = url.substr(tls_scheme.size());
    target.tls = TlsMode::implicit;
    target.port = 990;  // ftps, IANA
  } else {
    error = "the target must be an ftp:// or ftps:// URL, e.g. ftp://user:pass@127.0.0.1:2121";
    return std::nullopt;
  }
  // The query: only tls=none|explicit|implicit is known.
  if (std::size_t question = rest.find('?'); question != std::string_view::npos) {
    std::string_view query = rest.substr(question + 1);
    rest = rest.substr(0, question);
    while (!query.empty()) {
      std::size_t amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
      constexpr std::string_view key = "tls=";
      auto mode = pair.substr(0, key.size()) == key ? parse_tls_mode(pair.substr(key.size())) : std::nullopt;
      if (!mode) {
        error = fmt::format("unknown URL query '{}': expected tls=none, tls=explicit or tls=implicit", pair);
        return std::nullopt;
      }
      target.tls = *mode;
    }
  }
  if (std::size_t slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
  // The userinfo ends at the last '@' (an unencoded '@' in a password is common).
  if (std::size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    std::size_t colon = userinfo.find(':');
    auto user = percent_decode(userinfo.substr(0, colon));
    auto password = colon == std::string_view::npos ? std::optional<std::string>(std::string{})
                                                     : percent_decode(userinfo.substr(colon + 1));
    if (!user || !password || user->empty()) {
      error = "malformed user or password in the URL (percent-escapes are %HH)";
      return std::nullopt;
    }
    target.user = std::move(*user);
    target.password = std::move(*password);
  }
  std::string_view port_text;
  if (!rest.empty() && rest.front() == '[') {
    std::size_t close = rest.find(']');
    if (close == std::string_view::npos) {
      error = "unterminated IPv6 literal: expected ']'";
      return std::nullopt;
    }
    target.host = std::string(rest.substr(1, close - 1));
    std::string_view after = rest.substr(close + 1);
    if (!after.empty() && after.front() != ':') {
      error = "expected ':PORT' after the IPv6 literal";
      return std::nullopt;
    }
    if (!after.empty()) port_text = after.substr(1);
  } else {
    std::size_t colon = rest.find(':');
    target.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port_text = rest.substr(colon + 1);
  }
  if (target.host.empty()) {
    error = "the URL has no host";
    return std::nullopt;
  }
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
      error = fmt::format("invalid port '{}'", port_text);
      return std::nullopt;
    }
    target.port = static_cast<std::uint16_t>(port);
  }
  return target;
}

}  // namespace ftpspec::run
