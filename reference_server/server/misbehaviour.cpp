#include "server/misbehaviour.hpp"

#include <charconv>

#include <boost/asio/ip/address_v4.hpp>

namespace ftpspecd {
namespace {

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string_view misbehaviour_names() noexcept {
  return "delay-replies=MS, multiline-codes, lf-only, split-replies=BYTES, preliminary-then-4xx, pasv-unroutable, "
         "pasv-address=IPV4, drop-data=BYTES, close-421=N, throttle=BYTES_PER_SEC, list-format=unix|dos|eplf";
}

std::string apply_misbehaviour(std::string_view spec, Misbehaviour& into) {
  const auto equals = spec.find('=');
  const std::string_view name = spec.substr(0, equals);
  const bool has_value = equals != std::string_view::npos;
  const std::string_view value = has_value ? spec.substr(equals + 1) : std::string_view{};
  const std::string quoted = "misbehaviour '" + std::string(name) + "'";

  auto flag = [&](bool& target) -> std::string {
    if (has_value) return quoted + " takes no value";
    target = true;
    return {};
  };
  auto number = [&](std::uint64_t minimum) -> std::optional<std::uint64_t> {
    auto parsed = parse_number(value);
    if (!parsed || *parsed < minimum) return std::nullopt;
    return parsed;
  };

  if (name == "multiline-codes") return flag(into.replies.code_on_every_line);
  if (name == "lf-only") return flag(into.replies.lf_only);
  if (name == "preliminary-then-4xx") return flag(into.preliminary_then_4xx);
  if (name == "pasv-unroutable") {
    if (has_value) return quoted + " takes no value";
    into.pasv_address = "0.0.0.0";
    return {};
  }
  if (name == "pasv-address") {
    // 227 carries IPv4 only (RFC 959 §4.1.2 h1,h2,h3,h4).
    boost::system::error_code ec;
    boost::asio::ip::make_address_v4(std::string(value), ec);
    if (ec) return quoted + " needs an IPv4 address, got '" + std::string(value) + "'";
    into.pasv_address = std::string(value);
    return {};
  }
  if (name == "delay-replies") {
    const auto ms = number(0);
    if (!ms) return quoted + " needs milliseconds, got '" + std::string(value) + "'";
    into.replies.delay = std::chrono::milliseconds(*ms);
    return {};
  }
  if (name == "split-replies") {
    const auto bytes = number(1);
    if (!bytes || *bytes > 65536) return quoted + " needs a segment size in bytes (1-65536), got '" + std::string(value) + "'";
    into.replies.segment = static_cast<std::size_t>(*bytes);
    return {};
  }
  if (name == "drop-data") {
    const auto bytes = number(0);
    if (!bytes) return quoted + " needs a byte count, got '" + std::string(value) + "'";
    into.data.drop_after = *bytes;
    return {};
  }
  if (name == "throttle") {
    const auto rate = number(1);
    if (!rate) return quoted + " needs bytes per second (>= 1), got '" + std::string(value) + "'";
    into.data.bytes_per_second = *rate;
    return {};
  }
  if (name == "close-421") {
    const auto n = number(1);
    if (!n || *n > 1'000'000) return quoted + " needs a command number (>= 1), got '" + std::string(value) + "'";
    into.close_421_at = static_cast<unsigned>(*n);
    return {};
  }
  if (name == "list-format") {
    if (value == "unix") into.list_format = ListFormat::unix_ls;
    else if (value == "dos") into.list_format = ListFormat::dos;
    else if (value == "eplf") into.list_format = ListFormat::eplf;
    else return quoted + " needs unix, dos or eplf, got '" + std::string(value) + "'";
    return {};
  }
  return "unknown misbehaviour '" + std::string(name) + "' (known: " + std::string(misbehaviour_names()) + ")";
}

std::string apply_misbehaviour_list(std::string_view specs, Misbehaviour& into) {
  while (!specs.empty()) {
    const auto comma = specs.find(',');
    const std::string_view one = specs.substr(0, comma);
    if (!one.empty()) {
      if (auto error = apply_misbehaviour(one, into); !error.empty()) return error;
    }
    if (comma == std::string_view::npos) break;
    specs.remove_prefix(comma + 1);
  }
  return {};
}

}  // namespace ftpspecd
