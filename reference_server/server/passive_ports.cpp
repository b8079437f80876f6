#include "server/passive_ports.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <random>

namespace ftpspecd {

namespace {
std::optional<unsigned> number(std::string_view text) {
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

boost::system::error_code last_error() { return {errno, boost::system::system_category()}; }

/// Binds and listens on exactly `endpoint` (port 0: the kernel's choice, read back); an invalid
/// listener with `ec` set when the port is taken.
PassiveListener listen_on(const tcp::endpoint& endpoint, bool reuse, boost::system::error_code& ec) {
  PassiveListener listener{UniqueFd(::socket(endpoint.protocol().family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)),
                           endpoint};
  const int one = 1;
  bool ok = listener.fd.get() >= 0 &&
            (!reuse || ::setsockopt(listener.fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0) &&
            ::bind(listener.fd.get(), endpoint.data(), static_cast<socklen_t>(endpoint.size())) == 0 &&
            // Two sockets with SO_REUSEADDR may both bind a port; only one can listen: the other
            // gets EADDRINUSE here and moves on.
            ::listen(listener.fd.get(), 1) == 0;
  if (ok && endpoint.port() == 0) {
    socklen_t length = static_cast<socklen_t>(listener.endpoint.capacity());
    ok = ::getsockname(listener.fd.get(), listener.endpoint.data(), &length) == 0;
    if (ok) listener.endpoint.resize(length);
  }
  if (!ok) {
    ec = last_error();
    listener.fd.close();
  }
  return listener;
}
}  // namespace

std::optional<PortRange> parse_port_range(std::string_view text) {
  if (text == "0") return PortRange{};
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto low = number(text.substr(0, dash));
  const auto high = number(text.substr(dash + 1));
  if (!low || !high || *low < 1024 || *low > *high || *high > 65535) return std::nullopt;
  return PortRange{static_cast<std::uint16_t>(*low), static_cast<std::uint16_t>(*high)};
}

PortRange kernel_ephemeral_range() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  unsigned low = 0;
  unsigned high = 0;
  if (in >> low >> high && low >= 1024 && low <= high && high <= 65535) {
    return {static_cast<std::uint16_t>(low), static_cast<std::uint16_t>(high)};
  }
  return {32768, 60999};
}

PassivePorts::PassivePorts(PortRange range) : range_(range), cursor_(0) {
  // Start at a random place: several servers on one host then rarely probe the same ports.
  if (!range_.kernel_chooses()) cursor_ = std::random_device{}() % (range_.high - range_.low + 1u);
}

std::optional<PassiveListener> PassivePorts::open(const asio::ip::address& local, std::string& error) {
  boost::system::error_code ec;
  if (range_.kernel_chooses()) {
    if (auto listener = listen_on(tcp::endpoint(local, 0), false, ec); listener.fd.get() >= 0) return listener;
    error = "Cannot open passive listener: " + ec.message();
    return std::nullopt;
  }
  const std::uint32_t size = range_.high - range_.low + 1u;
  for (std::uint32_t tried = 0; tried < size; ++tried) {
    const auto port = static_cast<std::uint16_t>(range_.low + cursor_.fetch_add(1, std::memory_order_relaxed) % size);
    if (auto listener = listen_on(tcp::endpoint(local, port), true, ec); listener.fd.get() >= 0) return listener;
    if (ec != asio::error::address_in_use && ec != asio::error::access_denied) break;
  }
  error = "Cannot open passive listener: " + (ec ? ec.message() : std::string("no free port in the passive range"));
  return std::nullopt;
}

UniqueFd accept_waiting(const PassiveListener& listener, tcp::endpoint& peer, boost::system::error_code& ec) {
  ec.clear();
  socklen_t length = static_cast<socklen_t>(peer.capacity());
  int fd = -1;
  do {
    fd = ::accept4(listener.fd.get(), peer.data(), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd >= 0) {
    peer.resize(length);
    return UniqueFd(fd);
  }
  // Nothing waiting yet; ECONNABORTED is a connection that went away while queued (accept(2)).
  if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED) ec = last_error();
  return UniqueFd();
}

}  // namespace ftpspecd
