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

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "server/config.hpp"

namespace ftpspecd {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

/// "LOW-HIGH" (1024 <= LOW <= HIGH <= 65535) or "0" (kernel's choice); nullopt when malformed.
std::optional<PortRange> parse_port_range(std::string_view text);

/// The kernel's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range), 32768-60999 if unreadable.
PortRange kernel_ephemeral_range();

class PassivePorts {
 public:
  explicit PassivePorts(PortRange range);
  /// A listening acceptor on `local` at the next free port of the range (SO_REUSEADDR, so a
  /// TIME-WAIT left on that port by an earlier transfer does not block it). Ports in use
  /// (EADDRINUSE at bind or listen) are skipped; after one full turn of the range it gives up.
  /// The acceptor is unwatched: see take_connection().
  std::optional<tcp::acceptor> open(const asio::ip::address& local, std::string& error);
  PortRange range() const noexcept { return range_; }

 private:
  PortRange range_;
  std::atomic<std::uint32_t> cursor_;  ///< shared by the io threads
  /// Never run: the listeners it owns are registered with a reactor nobody waits on. A client
  /// connects to the passive port right after the 227/229, before its RETR/STOR; a watched
  /// listener would wake its io thread for that connection only to be accepted at the next
  /// command, one extra wakeup per file (docs/performance.md, run F).
  asio::io_context unwatched_;
};

/// Takes the connection waiting on an unwatched passive `listener` with one non-blocking accept
/// into `socket` (and its address into `peer`). When none has arrived yet it moves the listening
/// socket to `socket`'s executor and returns that acceptor, for an asynchronous accept; nullopt
/// when `socket` is connected (or `ec` says why neither happened).
std::optional<tcp::acceptor> take_connection(tcp::acceptor& listener, tcp::socket& socket, tcp::endpoint& peer,
                                             boost::system::error_code& ec);

}  // namespace ftpspecd
