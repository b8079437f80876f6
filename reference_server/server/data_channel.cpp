#include "server/data_channel.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <utility>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "server/async_event.hpp"

namespace ftpspecd {

namespace {
asio::ip::address unmapped(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  return a;
}
}  // namespace

std::string refuse_active_target(const tcp::endpoint& target, const asio::ip::address& client) {
  if (unmapped(target.address()) != unmapped(client)) {
    return fmt::format("Refused: data address {} is not the client's address {} (RFC 2577 §3)",
                       target.address().to_string(), client.to_string());
  }
  if (target.port() < 1024) {
    return fmt::format("Refused: data port {} is a privileged port below 1024 (RFC 2577 §3)", target.port());
  }
  return {};
}

std::optional<tcp::endpoint> DataChannel::open_passive(const asio::ip::address& local, std::string& error) {
  reset();
  // A new listener per transfer. Answering the next PASV/EPSV with the last transfer's listener
  // saved ~20 us per file, but curl 7.88.1 stalls 1 s before a data connection whenever the 229
  // is readable as it sends EPSV, and the faster reply stalled it more often in two of three
  // paired runs (docs/performance.md, small files).
  auto listener = ports_.open(local, error);
  if (!listener) return std::nullopt;
  // A download's data and FIN then leave in one segment (set_cork); 4 KiB files took two.
  const int cork = 1;
  (void)::setsockopt(listener->fd.get(), IPPROTO_TCP, TCP_CORK, &cork, sizeof cork);
  passive_ = std::move(listener);
  return passive_->endpoint;
}

void DataChannel::set_active(const tcp::endpoint& target) {
  reset();
  active_ = target;
}

void set_cork(tcp::socket& socket, bool on) noexcept {
  const int value = on ? 1 : 0;
  (void)::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_CORK, &value, sizeof value);
}

PeerState peer_state(tcp::socket& socket, std::chrono::microseconds* round_trip) {
  tcp_info info {};
  socklen_t length = sizeof info;
  if (::getsockopt(socket.native_handle(), IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return PeerState::closed;
  if (round_trip) *round_trip = std::chrono::microseconds(info.tcpi_rtt);
  int unread = 0;
  switch (info.tcpi_state) {
    case TCP_ESTABLISHED: return PeerState::open;
    case TCP_CLOSE_WAIT:
      if (::ioctl(socket.native_handle(), FIONREAD, &unread) == 0 && unread > 0) return PeerState::open;
      return PeerState::closed;
    default: return PeerState::reset;  // TCP_CLOSE after a RST; nothing else is a connection we read from
  }
}

bool DataChannel::configured() {
  // The client may have closed the kept connection since (it need not reuse it); bytes waiting
  // (an eager upload) mean it is still open.
  if (kept_ && peer_has_closed(*kept_)) drop_kept();
  return passive_.has_value() || accepted_.has_value() || active_.has_value() || kept_.has_value();
}

void DataChannel::keep(tcp::socket connection) {
  drop_kept();
  kept_ = std::move(connection);
}

bool DataChannel::drop_kept() {
  if (!kept_) return false;
  boost::system::error_code ignored;
  kept_->close(ignored);
  kept_.reset();
  return true;
}

void DataChannel::accept_waiting_connection() {
  if (!passive_) return;
  boost::system::error_code ec;
  Accepted accepted;
  accepted.fd = accept_waiting(*passive_, accepted.peer, ec);
  if (accepted.fd.get() >= 0) accepted_ = std::move(accepted);
  if (accepted_ || ec) passive_.reset();  // the listener serves one transfer
}

UniqueFd DataChannel::take_ready(const asio::ip::address& client, tcp::endpoint& peer) {
  accept_waiting_connection();
  if (!accepted_ || unmapped(accepted_->peer.address()) != unmapped(client)) return UniqueFd();
  peer = accepted_->peer;
  UniqueFd fd = std::move(accepted_->fd);
  accepted_.reset();
  return fd;
}

asio::awaitable<std::optional<tcp::socket>> DataChannel::open(const asio::ip::address& local,
                                                              const asio::ip::address& client,
                                                              std::chrono::milliseconds timeout, std::string& error) {
  boost::system::error_code ec;
  if (kept_) co_return std::exchange(kept_, std::nullopt);
  if (passive_ || accepted_) {
    // The usual case: the client connected before its command, and one accept takes it.
    accept_waiting_connection();
    tcp::socket socket(executor_);
    tcp::endpoint peer;
    if (accepted_) {
      peer = accepted_->peer;
      adopt(socket, peer.protocol(), accepted_->fd, ec);
      accepted_.reset();
    } else if (passive_) {
      // Not there yet: only now is the listener registered with the reactor, to wait for it.
      PassiveListener listener = std::move(*passive_);
      passive_.reset();
      tcp::acceptor acceptor(executor_);
      adopt(acceptor, listener.endpoint.protocol(), listener.fd, ec);
      if (!ec) {
        accepting_ = &acceptor;
        auto dog = Watchdog::start(executor_, timeout, [&acceptor] {
          boost::system::error_code ignored;
          acceptor.close(ignored);
        });
        co_await acceptor.async_accept(socket, peer, asio::redirect_error(asio::use_awaitable, ec));
        dog->stop();
        accepting_ = nullptr;
      }
    }
    if (!socket.is_open()) {
      error = "Can't open data connection: no connection to the passive port";
      co_return std::nullopt;
    }
    if (ec || unmapped(peer.address()) != unmapped(client)) {
      error = "Can't open data connection: connection from a host other than the client (RFC 2577 §3)";
      co_return std::nullopt;
    }
    co_return std::optional<tcp::socket>(std::move(socket));
  }
  if (active_) {
    tcp::socket socket(executor_);
    socket.open(active_->protocol(), ec);
    if (!ec && local.is_v4() == active_->address().is_v4()) socket.bind(tcp::endpoint(local, 0), ec);
    if (ec) {
      error = "Can't open data connection: " + ec.message();
      co_return std::nullopt;
    }
    connecting_ = &socket;
    auto dog = Watchdog::start(executor_, timeout, [&socket] {
      boost::system::error_code ignored;
      socket.close(ignored);
    });
    co_await socket.async_connect(*active_, asio::redirect_error(asio::use_awaitable, ec));
    dog->stop();
    connecting_ = nullptr;
    if (ec || !socket.is_open()) {
      error = "Can't open data connection: " + (ec ? ec.message() : std::string("timed out"));
      co_return std::nullopt;
    }
    co_return std::optional<tcp::socket>(std::move(socket));
  }
  error = "Use PORT, PASV, EPRT or EPSV first";
  co_return std::nullopt;
}

void DataChannel::cancel() {
  boost::system::error_code ignored;
  if (accepting_) accepting_->close(ignored);
  if (connecting_) connecting_->close(ignored);
}

void DataChannel::drop_passive() {
  passive_.reset();
  accepted_.reset();
}

void DataChannel::reset() {
  drop_kept();
  passive_.reset();  // the descriptors close as they are destroyed
  accepted_.reset();
  active_.reset();
}

}  // namespace ftpspecd
