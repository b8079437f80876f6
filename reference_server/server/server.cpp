// The listener, the session registry and the io_context's lifetime.
#include "server/server.hpp"

#include <list>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/control_session.hpp"

namespace ftpspecd {

namespace {
/// Keeps the session alive for as long as its coroutine runs.
asio::awaitable<void> serve(std::shared_ptr<ControlSession> session) { co_await session->run(); }
}  // namespace

struct Server::Impl {
  explicit Impl(Config c) : config(std::move(c)) {}

  asio::awaitable<void> accept_loop() {
    while (acceptor.is_open()) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (!acceptor.is_open() || ec == asio::error::operation_aborted) co_return;
        continue;  // e.g. EMFILE: keep serving the sessions we have
      }
      auto session = std::make_shared<ControlSession>(config, std::move(socket));
      sessions.remove_if([](const auto& weak) { return weak.expired(); });
      sessions.push_back(session);  // weak: the coroutine owns the session
      asio::co_spawn(io, serve(std::move(session)), asio::detached);
    }
  }

  std::uint16_t bind() {
    if (config.users.empty() && !config.anonymous) throw std::invalid_argument("ftpspecd: no user and no anonymous access");
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
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{io.get_executor()};
  std::list<std::weak_ptr<ControlSession>> sessions;
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
