#include "server/passive_ports.hpp"

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

/// Binds and listens on exactly `endpoint`; false with `ec` set when the port is taken.
bool listen_on(tcp::acceptor& acceptor, const tcp::endpoint& endpoint, bool reuse, boost::system::error_code& ec) {
  acceptor.open(endpoint.protocol(), ec);
  if (!ec && reuse) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  // Two sockets with SO_REUSEADDR may both bind a port; only one can listen: the other gets
  // EADDRINUSE here and moves on.
  if (!ec) acceptor.listen(1, ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    return false;
  }
  return true;
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

std::optional<tcp::acceptor> PassivePorts::open(const asio::ip::address& local, std::string& error) {
  tcp::acceptor acceptor(unwatched_);
  boost::system::error_code ec;
  if (range_.kernel_chooses()) {
    if (listen_on(acceptor, tcp::endpoint(local, 0), false, ec)) return acceptor;
    error = "Cannot open passive listener: " + ec.message();
    return std::nullopt;
  }
  const std::uint32_t size = range_.high - range_.low + 1u;
  for (std::uint32_t tried = 0; tried < size; ++tried) {
    const auto port = static_cast<std::uint16_t>(range_.low + cursor_.fetch_add(1, std::memory_order_relaxed) % size);
    if (listen_on(acceptor, tcp::endpoint(local, port), true, ec)) return acceptor;
    if (ec != asio::error::address_in_use && ec != asio::error::access_denied) break;
  }
  error = "Cannot open passive listener: " + (ec ? ec.message() : std::string("no free port in the passive range"));
  return std::nullopt;
}

std::optional<tcp::acceptor> take_connection(tcp::acceptor& listener, tcp::socket& socket, tcp::endpoint& peer,
                                             boost::system::error_code& ec) {
  ec.clear();
  if (!listener.non_blocking()) listener.non_blocking(true, ec);  // a reused listener already is
  if (!ec) listener.accept(socket, peer, ec);
  if (ec != asio::error::would_block && ec != asio::error::try_again) return std::nullopt;
  const auto protocol = listener.local_endpoint(ec).protocol();
  if (ec) return std::nullopt;
  const auto handle = listener.release(ec);
  if (ec) return std::nullopt;
  return tcp::acceptor(socket.get_executor(), protocol, handle);
}

}  // namespace ftpspecd
