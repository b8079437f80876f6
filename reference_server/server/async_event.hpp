// Small coroutine helpers over Asio timers: an event coroutines can wait on, and a watchdog that
// enforces the "every network wait has a timeout" rule without awaitable operators (Boost 1.74).
#pragma once
#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ftpspecd {

namespace asio = boost::asio;

/// Wakes every coroutine waiting in wait() when notify_all() is called. Waiters re-check their
/// condition in a loop. Waiters and notifiers must share one io thread (a session's coroutines
/// all run on the io_context that accepted it), so check-then-wait cannot race.
class AsyncEvent {
 public:
  explicit AsyncEvent(asio::any_io_executor executor) : timer_(std::move(executor)) {
    timer_.expires_at(asio::steady_timer::time_point::max());
  }
  asio::awaitable<void> wait() {
    boost::system::error_code ignored;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  void notify_all() { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
};

/// Calls `on_expire` once when `touch()` has not been called for `period`. Shared so the watching
/// coroutine outlives whoever arms it; stop() disarms it.
class Watchdog : public std::enable_shared_from_this<Watchdog> {
 public:
  static std::shared_ptr<Watchdog> start(asio::any_io_executor executor, std::chrono::milliseconds period,
                                         std::function<void()> on_expire) {
    auto dog = std::shared_ptr<Watchdog>(new Watchdog(executor, period, std::move(on_expire)));
    dog->touch();
    asio::co_spawn(executor, dog->watch(dog), asio::detached);
    return dog;
  }
  void touch() { deadline_ = std::chrono::steady_clock::now() + period_; }
  void stop() {
    stopped_ = true;
    timer_.cancel();
  }

 private:
  Watchdog(asio::any_io_executor executor, std::chrono::milliseconds period, std::function<void()> on_expire)
      : timer_(std::move(executor)), period_(period), on_expire_(std::move(on_expire)) {}

  asio::awaitable<void> watch(std::shared_ptr<Watchdog> self) {
    while (!stopped_) {
      timer_.expires_at(deadline_);
      boost::system::error_code ec;
      co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (stopped_) break;
      if (std::chrono::steady_clock::now() >= deadline_) {
        stopped_ = true;
        if (on_expire_) on_expire_();
      }
    }
    on_expire_ = nullptr;  // drop captured state promptly
    (void)self;
  }

  asio::steady_timer timer_;
  std::chrono::milliseconds period_;
  std::chrono::steady_clock::time_point deadline_{};
  std::function<void()> on_expire_;
  bool stopped_ = false;
};

}  // namespace ftpspecd
