// The listener, the session registry and the io_context's lifetime.
#include "server/server.hpp"

#include <list>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "server/control_session.hpp"
#include "server/tls.hpp"

namespace ftpspecd {

namespace {
/// Counts open control connections, in total and per client address (Config::max_sessions*).
struct SessionCounter {
  std::size_t total = 0;
  std::map<asio::ip::address, std::size_t> per_address;
};

/// Keeps the session alive for as long as its coroutine runs, and its slot counted.
asio::awaitable<void> serve(std::shared_ptr<ControlSession> session, SessionCounter& counter, asio::ip::address client) {
  try {
    co_await session->run();
  } catch (const std::exception&) {
    session->shutdown();  // an unexpected error ends this session only, and frees its slot
  }
  --counter.total;
  if (--counter.per_address[client] == 0) counter.per_address.erase(client);
}

/// RFC 959 §5.4 lets a server answer a connection 421 (service not available) instead of 220.
asio::awaitable<void> refuse(tcp::socket socket, std::string reply) {
  boost::system::error_code ec;
  co_await asio::async_write(socket, asio::buffer(reply), asio::redirect_error(asio::use_awaitable, ec));
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}
}  // namespace

struct Server::Impl {
  explicit Impl(Config c) : config(std::move(c)) {}

  asio::awaitable<void> accept_loop() {
    while (acceptor.is_open()) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (!acceptor.is_open() || ec == asio::error::operation_aborted) co_return;
        // Out of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM): the pending connection
        // stays queued and accept would fail again at once, spinning a core. Keep serving the
        // sessions we have and retry a little later.
        asio::steady_timer backoff(io, std::chrono::milliseconds(100));
        co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      const auto client = socket.remote_endpoint(ec).address();
      if (ec) continue;
      if (config.max_sessions > 0 && counter.total >= config.max_sessions) {
        asio::co_spawn(io, refuse(std::move(socket), "421 Too many connections, try again later\r\n"), asio::detached);
        continue;
      }
      if (config.max_sessions_per_address > 0 && counter.per_address[client] >= config.max_sessions_per_address) {
        asio::co_spawn(io, refuse(std::move(socket), "421 Too many connections from your address\r\n"), asio::detached);
        continue;
      }
      ++counter.total;
      ++counter.per_address[client];
      auto session = std::make_shared<ControlSession>(config, std::move(socket), tls.get(), blocking);
      sessions.remove_if([](const auto& weak) { return weak.expired(); });
      sessions.push_back(session);  // weak: the coroutine owns the session
      asio::co_spawn(io, serve(std::move(session), counter, client), asio::detached);
    }
  }

  std::uint16_t bind() {
    if (config.users.empty() && !config.anonymous) throw std::invalid_argument("ftpspecd: no user and no anonymous access");
    if (config.tls_enabled()) tls = make_server_tls_context(config.tls_cert, config.tls_key);
    else if (config.require_tls) throw std::invalid_argument("ftpspecd: --require-tls needs --tls-cert and --tls-key");
    const tcp::endpoint endpoint(asio::ip::make_address(config.listen_host), config.port);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    if (endpoint.address().is_v6()) acceptor.set_option(asio::ip::v6_only(true));
    acceptor.bind(endpoint);
    acceptor.listen();
    bound_port = acceptor.local_endpoint().port();
    asio::co_spawn(io, accept_loop(), asio::detached);
    return bound_port;
  }

  void close_everything() {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    for (auto& weak : sessions) {
      if (auto session = weak.lock()) session->shutdown();
    }
    sessions.clear();
    work.reset();
  }

  Config config;
  std::shared_ptr<ssl::context> tls;  ///< null without a certificate
  asio::io_context io{1};
  BlockingCalls blocking;  ///< joined before `io` is destroyed: its tasks post back to `io`
  tcp::acceptor acceptor{io};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{io.get_executor()};
  std::list<std::weak_ptr<ControlSession>> sessions;
  SessionCounter counter;
  std::thread thread;
  std::once_flag stop_once;
  std::uint16_t bound_port = 0;
};

Server::Server(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Server::~Server() { stop(); }

std::uint16_t Server::start() {
  const std::uint16_t port = impl_->bind();
  impl_->thread = std::thread([this] { impl_->io.run(); });
  return port;
}

void Server::run() {
  impl_->bind();
  impl_->io.run();
}

void Server::stop() {
  std::call_once(impl_->stop_once, [this] {
    // Close sockets on the io thread, then give the sessions a moment to unwind before stopping.
    asio::post(impl_->io, [impl = impl_.get()] { impl->close_everything(); });
    if (impl_->thread.joinable()) {
      if (impl_->thread.get_id() != std::this_thread::get_id()) {
        asio::post(impl_->io, [impl = impl_.get()] {
          asio::post(impl->io, [impl] { impl->io.stop(); });
        });
        impl_->thread.join();
      }
    } else {
      asio::post(impl_->io, [impl = impl_.get()] { asio::post(impl->io, [impl] { impl->io.stop(); }); });
    }
  });
}

std::uint16_t Server::port() const noexcept { return impl_->bound_port; }

}  // namespace ftpspecd
