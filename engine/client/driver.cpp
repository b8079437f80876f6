#include "client/driver.hpp"

#include <fmt/format.h>

namespace ftpspec::client {
namespace {

/// RFC 3986 §2.3: unreserved characters stay, everything else is %XX (so the URL is also one
/// /bin/sh word that needs no quoting). `keep_slash` for paths.
std::string percent_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

}  // namespace

std::string ClientRequest::root_url() const {
  return fmt::format("ftp://{}:{}@{}:{}/", percent_encode(user, false), percent_encode(password, false), host, port);
}

std::string ClientRequest::url() const {
  // RFC 1738 §3.2.2: the path is relative to the login directory, one CWD per segment.
  std::string url = root_url() + percent_encode(path, true);
  if (operation == Operation::list && url.back() != '/') url += '/';
  return url;
}

std::string ClientRequest::remote_dir() const {
  std::string_view trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.remove_suffix(1);
  const auto slash = trimmed.rfind('/');
  return slash == std::string_view::npos ? "." : std::string(trimmed.substr(0, slash == 0 ? 1 : slash));
}

std::string ClientOutcome::describe() const {
  const double seconds = static_cast<double>(duration.count()) / 1000.0;
  if (hung) return fmt::format("still running after {:.1f} s: killed (hung)", seconds);
  if (not_found) return fmt::format("the client command could not be run (exit {})", exit_status.value_or(-1));
  if (exit_status) return fmt::format("exit {} after {:.1f} s", *exit_status, seconds);
  return fmt::format("ended by a signal after {:.1f} s", seconds);
}

}  // namespace ftpspec::client
