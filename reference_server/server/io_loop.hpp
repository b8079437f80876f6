// An io thread's loop: run the io_context, and poll briefly before sleeping when sleeping would
// likely be short.
#pragma once

#include <chrono>

#include <boost/asio/io_context.hpp>

namespace ftpspecd {

/// How long an io thread keeps polling for work before it sleeps in epoll_wait. A session's
/// next command usually comes a few tens of microseconds after its reply (the client's own turn);
/// sleeping through that gap costs a wake-up, which on a virtual CPU that went idle is the
/// largest single cost of a small transfer (docs/performance.md, small files). The window adapts
/// as the kernel's haltpoll cpuidle governor does (drivers/cpuidle/governors/haltpoll.c): it
/// grows while work keeps arriving just after it closed, and shrinks while the gaps are longer
/// than the maximum, so a thread whose sessions are idle or slow stops polling at all.
class SpinWindow {
 public:
  using Duration = std::chrono::nanoseconds;
  /// `max` 0: never poll (a plain io_context::run).
  explicit SpinWindow(Duration max) noexcept : max_(max) {}

  /// How long to poll now.
  Duration current() const noexcept { return current_; }
  /// The thread ran out of work and work came `idle` later (while polling, or after sleeping).
  void idle_ended(Duration idle) noexcept;

  /// The first window after a useful short gap; windows below it are 0.
  static constexpr Duration kStart = std::chrono::microseconds(10);

 private:
  Duration max_;
  Duration current_{0};
};

/// Marks a data transfer running on the calling io thread for its lifetime. While one runs, the
/// thread sleeps as soon as it is idle: a transfer waits at its peer's pace (a full socket buffer,
/// a TLS handshake), where polling only takes the CPU from the peer; the window is for a
/// client's next command.
class TransferOnThisThread {
 public:
  TransferOnThisThread() noexcept { ++running_; }
  ~TransferOnThisThread() { --running_; }
  TransferOnThisThread(const TransferOnThisThread&) = delete;
  TransferOnThisThread& operator=(const TransferOnThisThread&) = delete;
  /// Transfers running on the calling thread.
  static int running() noexcept { return running_; }

 private:
  static thread_local int running_;
};

/// Runs `io` until it is stopped or out of work, polling for up to the adaptive window (with
/// sched_yield between polls, so a task waiting for this CPU is not held up) before each sleep
/// that no transfer on this thread is waiting through.
void run_io_thread(boost::asio::io_context& io, std::chrono::microseconds max_spin);

}  // namespace ftpspecd
