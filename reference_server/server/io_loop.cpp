#include "server/io_loop.hpp"

#include <sched.h>

#include <algorithm>

namespace ftpspecd {

thread_local int TransferOnThisThread::running_ = 0;

void SpinWindow::idle_ended(Duration idle) noexcept {
  if (max_ <= Duration::zero() || idle <= current_) return;  // caught by the poll (or polling is off)
  if (idle <= max_) {
    // A longer window would have caught it: grow (haltpoll's grow_poll_ns).
    current_ = current_ < kStart ? std::min(kStart, max_) : std::min(current_ * 2, max_);
  } else {
    // No window would have: shrink, down to not polling at all (haltpoll's shrink_poll_ns).
    current_ = current_ / 2 < kStart ? Duration::zero() : current_ / 2;
  }
}

void run_io_thread(boost::asio::io_context& io, std::chrono::microseconds max_spin) {
  if (max_spin <= std::chrono::microseconds::zero()) {
    io.run();
    return;
  }
  using Clock = std::chrono::steady_clock;
  SpinWindow window(max_spin);
  while (!io.stopped()) {
    if (io.poll() > 0) continue;  // what is ready, including what the handlers just made ready
    const auto idle_since = Clock::now();
    const auto until = idle_since + (TransferOnThisThread::running() > 0 ? SpinWindow::Duration::zero() : window.current());
    bool caught = false;
    while (!io.stopped() && Clock::now() < until) {
      if (io.poll() > 0) {
        caught = true;
        break;
      }
      sched_yield();
    }
    if (!caught && io.run_one() == 0) break;  // sleeps in epoll_wait until the next event
    window.idle_ended(Clock::now() - idle_since);
  }
}

}  // namespace ftpspecd
