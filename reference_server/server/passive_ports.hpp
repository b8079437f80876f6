// Passive listeners (PASV/EPSV/LPSV) bound to an explicit port from a range, chosen by a rotating
// cursor shared by every session. Why not bind(port 0): Linux (6.18 here) then scans the bind buckets of
// the whole ephemeral range, and every TIME-WAIT socket a finished download leaves on its passive
// port sits in them; at 10,000-20,000 of those, that scan was 63-85 % of ftpspecd's CPU
// (docs/performance.md). An explicit port is one bucket lookup.
#pragma once
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/ip/tcp.hpp>

#include "server/config.hpp"
#include "server/unique_fd.hpp"

namespace ftpspecd {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

/// "LOW-HIGH" (1024 <= LOW <= HIGH <= 65535) or "0" (kernel's choice); nullopt when malformed.
std::optional<PortRange> parse_port_range(std::string_view text);

/// The kernel's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range), 32768-60999 if unreadable.
PortRange kernel_ephemeral_range();

/// A passive listening socket (non-blocking, close-on-exec) and the endpoint it is bound to. It is
/// registered with no reactor: a client connects to the passive port right after the 227/229,
/// before its RETR/STOR, and a watched listener would wake its io thread for that connection only
/// to be accepted at the next command, one extra wakeup per file (docs/performance.md, run F).
/// Only a transfer that has to wait for its connection registers it (DataChannel::open).
struct PassiveListener {
  UniqueFd fd;
  tcp::endpoint endpoint;
};

class PassivePorts {
 public:
  explicit PassivePorts(PortRange range);
  /// A listener on `local` at the next free port of the range (SO_REUSEADDR, so a TIME-WAIT left
  /// on that port by an earlier transfer does not block it). Ports in use (EADDRINUSE at bind or
  /// listen) are skipped; after one full turn of the range it gives up.
  std::optional<PassiveListener> open(const asio::ip::address& local, std::string& error);
  PortRange range() const noexcept { return range_; }

 private:
  PortRange range_;
  std::atomic<std::uint32_t> cursor_;  ///< shared by the io threads
};

/// The connection waiting on a non-blocking `listener`, taken with one accept4(2) (non-blocking and
/// close-on-exec already: no ioctl, and no reactor registration until someone has to wait on it),
/// its address in `peer`. An invalid UniqueFd when none is waiting (`ec` clear) or on an error.
UniqueFd accept_waiting(const PassiveListener& listener, tcp::endpoint& peer, boost::system::error_code& ec);

}  // namespace ftpspecd
