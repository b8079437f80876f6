#include "net/timed_socket.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/write.hpp>

namespace ftpspec::net {
namespace {
using Clock = std::chrono::steady_clock;

std::chrono::milliseconds remaining(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? left : std::chrono::milliseconds{0};
}

/// The result an operation reports: its own error, or timed_out when the deadline cancelled it.
error_code outcome(bool in_time, const error_code& ec) {
  if (!in_time && (ec == asio::error::operation_aborted || !ec)) return asio::error::timed_out;
  return ec;
}
}  // namespace

bool run_until_complete(asio::io_context& io, std::chrono::milliseconds timeout, const std::function<void()>& cancel) {
  io.restart();
  io.run_for(timeout);
  if (io.stopped()) return true;  // out of work: the operation's handler has run
  cancel();
  io.restart();
  io.run();  // let the aborted handler run so no operation outlives this call
  return false;
}

std::string endpoint_text(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  if (address.is_v6()) return "[" + address.to_string() + "]:" + std::to_string(endpoint.port());
  return address.to_string() + ":" + std::to_string(endpoint.port());
}

error_code TimedSocket::connect(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
  error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (!ec) return connect(tcp::endpoint(address, port), timeout);

  const auto deadline = Clock::now() + timeout;
  tcp::resolver resolver(io_);
  tcp::resolver::results_type endpoints;
  bool done = false;
  resolver.async_resolve(host, std::to_string(port), [&](const error_code& e, tcp::resolver::results_type r) {
    ec = e;
    endpoints = std::move(r);
    done = true;
  });
  const bool in_time = run_until_complete(io_, remaining(deadline), [&] { resolver.cancel(); });
  if (!in_time && !done) return asio::error::timed_out;
  if ((ec = outcome(in_time, ec))) return ec;

  asio::async_connect(socket_, endpoints, [&](const error_code& e, const tcp::endpoint&) { ec = e; });
  const bool connected_in_time = run_until_complete(io_, remaining(deadline), [&] { socket_.close(); });
  ec = outcome(connected_in_time, ec);
  if (ec) close();
  else disable_nagle();
  return ec;
}

error_code TimedSocket::connect(const tcp::endpoint& endpoint, std::chrono::milliseconds timeout) {
  close();
  error_code ec;
  socket_.async_connect(endpoint, [&](const error_code& e) { ec = e; });
  const bool in_time = run_until_complete(io_, timeout, [&] { socket_.close(); });
  ec = outcome(in_time, ec);
  if (ec) close();
  else disable_nagle();
  return ec;
}

void TimedSocket::disable_nagle() {
  // Commands, replies and TLS close_notify are small: without TCP_NODELAY each can wait ~40 ms
  // for the peer's delayed ACK of the previous segment.
  error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
}

std::size_t TimedSocket::read_some(std::span<char> buffer, std::chrono::milliseconds timeout, error_code& ec) {
  std::size_t got = 0;
  ec = {};
  socket_.async_read_some(asio::buffer(buffer.data(), buffer.size()), [&](const error_code& e, std::size_t n) {
    ec = e;
    got = n;
  });
  const bool in_time = run_until_complete(io_, timeout, [&] {
    error_code ignored;
    socket_.cancel(ignored);
  });
  if (got == 0) ec = outcome(in_time, ec);
  else ec = {};  // bytes arrived just as the deadline expired: keep them
  return got;
}

error_code TimedSocket::write_all(std::string_view bytes, std::chrono::milliseconds timeout) {
  error_code ec;
  asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()),
                    [&](const error_code& e, std::size_t) { ec = e; });
  // A partial write cannot be resumed sensibly, so expiry closes the connection.
  const bool in_time = run_until_complete(io_, timeout, [&] { close(); });
  return outcome(in_time, ec);
}

error_code TimedSocket::send_urgent(std::string_view bytes, std::chrono::milliseconds timeout) {
  error_code ec;
  socket_.async_send(asio::buffer(bytes.data(), bytes.size()), tcp::socket::message_out_of_band,
                     [&](const error_code& e, std::size_t) { ec = e; });
  const bool in_time = run_until_complete(io_, timeout, [&] { close(); });
  return outcome(in_time, ec);
}

void TimedSocket::shutdown_send() noexcept {
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
}

void TimedSocket::close() noexcept {
  error_code ignored;
  socket_.close(ignored);
}

void TimedSocket::reset() noexcept {
  error_code ignored;
  socket_.set_option(asio::socket_base::linger(true, 0), ignored);
  socket_.close(ignored);
}

tcp::endpoint TimedSocket::local_endpoint() const {
  error_code ignored;
  return socket_.local_endpoint(ignored);
}

tcp::endpoint TimedSocket::remote_endpoint() const {
  error_code ignored;
  return socket_.remote_endpoint(ignored);
}

error_code TimedAcceptor::listen(const tcp::endpoint& endpoint) {
  error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) close();
  return ec;
}

error_code TimedAcceptor::accept(TimedSocket& into, std::chrono::milliseconds timeout) {
  into.close();
  error_code ec;
  acceptor_.async_accept(into.socket(), [&](const error_code& e) { ec = e; });
  const bool in_time = run_until_complete(io_, timeout, [&] { close(); });
  ec = outcome(in_time, ec);
  if (ec) into.close();
  return ec;
}

tcp::endpoint TimedAcceptor::local_endpoint() const {
  error_code ignored;
  return acceptor_.local_endpoint(ignored);
}

void TimedAcceptor::close() noexcept {
  error_code ignored;
  acceptor_.close(ignored);
}

}  // namespace ftpspec::net
