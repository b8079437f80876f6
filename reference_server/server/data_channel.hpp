// Data connection setup (RFC 959 §3.2, §3.3): passive listeners for PASV/EPSV (RFC 2428 §3) and
// active connections for PORT/EPRT (RFC 2428 §2), with the RFC 2577 §3 "bounce" protections.
#pragma once
#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "server/passive_ports.hpp"
#include "server/unique_fd.hpp"

namespace ftpspecd {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

/// Why an active target is refused (RFC 2577 §3), or empty when it is acceptable: the host must be
/// the client's own address and the port must not be a privileged one (< 1024).
std::string refuse_active_target(const tcp::endpoint& target, const asio::ip::address& client);

/// What the kernel knows of the peer of TCP `socket` (TCP_INFO's state; consumes nothing): open
/// (also after its FIN while bytes wait to be read), closed (its FIN came and everything was read;
/// also a socket this side has closed), or reset (its RST came). A RST after a FIN shows here,
/// where recv(2) would keep reporting the end of the stream.
enum class PeerState { open, closed, reset };
/// TCP_CORK on `socket`: while set, TCP sends only full segments; clearing it or a shutdown
/// pushes the rest. Passive listeners are corked, and Linux copies the option to the connections
/// they accept (as TCP_NODELAY).
void set_cork(tcp::socket& socket, bool on) noexcept;
/// `round_trip`, when given, gets the kernel's smoothed round-trip time of the connection.
PeerState peer_state(tcp::socket& socket, std::chrono::microseconds* round_trip = nullptr);
inline bool peer_has_closed(tcp::socket& socket) { return peer_state(socket) != PeerState::open; }

class DataChannel {
 public:
  DataChannel(asio::any_io_executor executor, PassivePorts& ports) : executor_(std::move(executor)), ports_(ports) {}

  /// PASV/EPSV: listens on `local` (the control connection's local address), a port from the
  /// server's passive range (PassivePorts).
  /// Replaces any earlier setup. Returns the bound endpoint, or nullopt with `error` set.
  std::optional<tcp::endpoint> open_passive(const asio::ip::address& local, std::string& error);
  /// PORT/EPRT: remembers the target (already checked with refuse_active_target).
  void set_active(const tcp::endpoint& target);
  /// A data connection is set up: a passive listener, an active target, or a kept connection
  /// that is still open (a kept one the client has closed is dropped here).
  bool configured();

  /// RFC 959 §3.3 "Reuse of the Data Connection": after a transfer in MODE B or C, whose data ends
  /// with an EOF marker instead of a close, the connection stays open for the next transfer
  /// command. PASV/EPSV/PORT/EPRT, REIN, ABOR and the session's end close it.
  void keep(tcp::socket connection);
  /// The next open() will use the kept connection ("125 Data connection already open").
  bool reusing() const noexcept { return kept_.has_value(); }
  /// Closes the kept connection; true if there was one (ABOR outside a transfer, RFC 959 §4.1.3).
  bool drop_kept();

  /// Opens the data connection for one transfer: the kept one if any, else a passive listener
  /// (used once and closed) or an active target (it stays set, RFC 959 §3.3). Only a connection
  /// from `client`'s address is accepted (RFC 2577 §3). Fails after `timeout` or cancel(), with
  /// `error` set.
  asio::awaitable<std::optional<tcp::socket>> open(const asio::ip::address& local, const asio::ip::address& client,
                                                   std::chrono::milliseconds timeout, std::string& error);
  /// The passive connection for the transfer about to start, when `client` has already made it:
  /// taken with one accept4(2) and never registered with the reactor (a small file then needs no
  /// wait on it). Invalid when none is waiting or it came from elsewhere: open() then waits for
  /// one, or refuses it, as always.
  UniqueFd take_ready(const asio::ip::address& client, tcp::endpoint& peer);
  /// Abandons a pending accept or connect (ABOR, shutdown).
  void cancel();
  /// Forgets every setup (REIN).
  void reset();
  /// Closes the passive listener without using it (a transfer aborted before it opened).
  void drop_passive();

 private:
  /// A connection accepted from the passive listener before open() (take_ready), and its peer.
  struct Accepted {
    UniqueFd fd;
    tcp::endpoint peer;
  };
  /// Moves the connection waiting on the passive listener, if one is, to accepted_ (closing the
  /// listener: it serves one transfer); on an accept error closes the listener.
  void accept_waiting_connection();
  asio::any_io_executor executor_;
  PassivePorts& ports_;
  std::optional<PassiveListener> passive_;
  std::optional<Accepted> accepted_;
  std::optional<tcp::endpoint> active_;
  std::optional<tcp::socket> kept_;
  tcp::socket* connecting_ = nullptr;
  tcp::acceptor* accepting_ = nullptr;
};

}  // namespace ftpspecd
