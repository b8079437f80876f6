// The listener, the session registry and the io threads' lifetime.
#include "server/server.hpp"

#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <vector>
#include <algorithm>
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
#include "server/io_loop.hpp"
#include "server/passive_ports.hpp"
#include "server/tls.hpp"

namespace ftpspecd {

namespace {
/// Counts open control connections, in total and per client address (Config::max_sessions*).
/// Sessions end on their own io threads, so the counts are guarded.
class SessionCounter {
 public:
  /// Takes a slot, or returns why not (the 421 text).
  std::optional<std::string> admit(const Config& config, const asio::ip::address& client) {
    std::lock_guard lock(mutex_);
    if (config.max_sessions > 0 && total_ >= config.max_sessions) return "421 Too many connections, try again later\r\n";
    auto& mine = per_address_[client];
    if (config.max_sessions_per_address > 0 && mine >= config.max_sessions_per_address) {
      if (mine == 0) per_address_.erase(client);
      return "421 Too many connections from your address\r\n";
    }
    ++total_;
    ++mine;
    return std::nullopt;
  }
  void release(const asio::ip::address& client) {
    std::lock_guard lock(mutex_);
    --total_;
    if (--per_address_[client] == 0) per_address_.erase(client);
  }

 private:
  std::mutex mutex_;
  std::size_t total_ = 0;
  std::map<asio::ip::address, std::size_t> per_address_;
};

/// RFC 959 §5.4 lets a server answer a connection 421 (service not available) instead of 220.
asio::awaitable<void> refuse(tcp::socket socket, std::string reply) {
  boost::system::error_code ec;
  co_await asio::async_write(socket, asio::buffer(reply), asio::redirect_error(asio::use_awaitable, ec));
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

std::size_t thread_count(const Config& config) {
  if (config.io_threads > 0) return config.io_threads;
  return std::max(1u, std::thread::hardware_concurrency());
}
}  // namespace

/// One io_context per thread; each session lives on one of them for its whole life, so a
/// session's coroutines (control loop, transfer, reply writer, watchdogs) never run in parallel
/// with each other and need no strand. What the threads share is guarded: the session counter
/// and registry (mutex), the passive-port cursor (atomic), the blocking-call pool, the TLS
/// context (OpenSSL's SSL_CTX is thread-safe), and the read-only Config.
struct Server::Impl {
  explicit Impl(Config c)
      : config(std::move(c)),
        ports(config.passive_ports.value_or(kernel_ephemeral_range())),
        // A script's rules first, then the misbehaviours': one set of rules for every session.
        script(std::make_shared<ScriptInstance>(
            combine(config.script ? *config.script : Script{}, compile_misbehaviour(config.misbehaviour)))) {
    for (auto& io : ios) work.emplace_back(io->get_executor());
  }

  static std::vector<std::unique_ptr<asio::io_context>> make_contexts(std::size_t count) {
    std::vector<std::unique_ptr<asio::io_context>> out;
    for (std::size_t i = 0; i < count; ++i) out.push_back(std::make_unique<asio::io_context>(1));
    return out;
  }

  /// Keeps the session alive for as long as its coroutine runs, and its slot counted. Runs on
  /// the session's own io thread.
  asio::awaitable<void> serve(tcp::socket socket, asio::ip::address client) {
    auto session = std::make_shared<ControlSession>(config, std::move(socket), tls.get(), blocking, ports, uploads, script);
    {
      std::lock_guard lock(sessions_mutex);
      sessions.remove_if([](const auto& weak) { return weak.expired(); });
      sessions.push_back(session);  // weak: the coroutine owns the session
      if (closed) session->shutdown();  // stop() ran between the accept and now
    }
    try {
      co_await session->run();
    } catch (const std::exception&) {
      session->shutdown();  // an unexpected error ends this session only, and frees its slot
    }
    counter.release(client);
  }

  asio::awaitable<void> accept_loop() {
    std::size_t next = 0;
    while (acceptor.is_open()) {
      boost::system::error_code ec;
      // The new connection belongs to the next io thread in turn from its first byte on.
      asio::io_context& home = *ios[next++ % ios.size()];
      tcp::socket socket = co_await acceptor.async_accept(home, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (!acceptor.is_open() || ec == asio::error::operation_aborted) co_return;
        // Out of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM): the pending connection
        // stays queued and accept would fail again at once, spinning a core. Keep serving the
        // sessions we have and retry a little later.
        asio::steady_timer backoff(*ios.front(), std::chrono::milliseconds(100));
        co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      const auto client = socket.remote_endpoint(ec).address();
      if (ec) continue;
      if (auto refusal = counter.admit(config, client)) {
        asio::co_spawn(home, refuse(std::move(socket), std::move(*refusal)), asio::detached);
        continue;
      }
      asio::co_spawn(home, serve(std::move(socket), client), asio::detached);
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
    acceptor.listen(asio::socket_base::max_listen_connections);
    bound_port = acceptor.local_endpoint().port();
    asio::co_spawn(*ios.front(), accept_loop(), asio::detached);
    return bound_port;
  }

  /// On the first io thread: closes the listener, shuts every session down on its own thread,
  /// then lets each io_context run out (the stop goes after the shutdowns in each queue).
  void close_everything() {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    {
      std::lock_guard lock(sessions_mutex);
      closed = true;
      for (auto& weak : sessions) {
        if (auto session = weak.lock()) asio::post(session->executor(), [session] { session->shutdown(); });
      }
      sessions.clear();
    }
    for (auto& guard : work) guard.reset();
    for (auto& io : ios) {
      // Two turns of each queue: the sessions unwind first, then the context stops.
      asio::post(*io, [io = io.get()] { asio::post(*io, [io] { io->stop(); }); });
    }
  }

  void start_threads(bool include_caller) {
    for (std::size_t i = include_caller ? 1 : 0; i < ios.size(); ++i) {
      threads.emplace_back([io = ios[i].get(), spin = config.io_spin] { run_io_thread(*io, spin); });
    }
  }

  Config config;
  PassivePorts ports;
  UploadLocks uploads;  ///< before `ios`: a session's frames (holding locks) die with its io_context
  std::shared_ptr<ScriptInstance> script;  ///< shared by every session (rule counters are server-wide)
  std::shared_ptr<ssl::context> tls;  ///< null without a certificate
  /// One per io thread; the first one also runs the acceptor.
  std::vector<std::unique_ptr<asio::io_context>> ios = make_contexts(thread_count(config));
  BlockingCalls blocking;  ///< joined before `ios` are destroyed: its tasks post back to them
  tcp::acceptor acceptor{*ios.front()};
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::mutex sessions_mutex;
  std::list<std::weak_ptr<ControlSession>> sessions;
  bool closed = false;  ///< guarded by sessions_mutex
  SessionCounter counter;
  std::vector<std::thread> threads;
  std::once_flag stop_once;
  std::uint16_t bound_port = 0;
};

Server::Server(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Server::~Server() {
  stop();
  for (auto& thread : impl_->threads) {
    if (thread.joinable() && thread.get_id() != std::this_thread::get_id()) thread.join();
  }
}

std::uint16_t Server::start() {
  const std::uint16_t port = impl_->bind();
  impl_->start_threads(false);
  return port;
}

void Server::run() {
  impl_->bind();
  impl_->start_threads(true);
  run_io_thread(*impl_->ios.front(), impl_->config.io_spin);
  for (auto& thread : impl_->threads) thread.join();
}

void Server::stop() {
  std::call_once(impl_->stop_once, [this] {
    asio::post(*impl_->ios.front(), [impl = impl_.get()] { impl->close_everything(); });
    // From another thread: wait for every io thread (run() joins them itself).
    for (auto& thread : impl_->threads) {
      if (thread.joinable() && thread.get_id() != std::this_thread::get_id()) thread.join();
    }
  });
}

std::uint16_t Server::port() const noexcept { return impl_->bound_port; }

}  // namespace ftpspecd
