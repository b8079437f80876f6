// File-system calls that can block for a long time (ftruncate of a large file, the close(2) that
// makes ext4 flush a rewritten file) run on a small thread pool, so the io thread that serves
// a share of the sessions never waits on the disk. Measured: both took ~200 ms for a 512 MiB file, a stall
// of every other session's replies.
#pragma once
#include <cerrno>
#include <type_traits>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ftpspecd {

namespace asio = boost::asio;

/// The result of a system call made elsewhere: its return value and the errno it left.
struct SyscallResult {
  long value = 0;
  int error = 0;
  bool ok() const noexcept { return value >= 0; }
};

class BlockingCalls {
 public:
  explicit BlockingCalls(std::size_t threads = 2) : pool_(threads) {}
  ~BlockingCalls() { pool_.join(); }
  BlockingCalls(const BlockingCalls&) = delete;
  BlockingCalls& operator=(const BlockingCalls&) = delete;

  /// Runs `syscall` (returning a long, -1 with errno on failure) on the pool and resumes the
  /// awaiting coroutine on its own executor with the value and errno.
  template <class F>
  asio::awaitable<SyscallResult> run(F syscall) {
    return asio::async_initiate<decltype(asio::use_awaitable), void(SyscallResult)>(
        [this, syscall = std::move(syscall)](auto handler) mutable {
          auto work = asio::make_work_guard(asio::get_associated_executor(handler));
          asio::post(pool_, [syscall = std::move(syscall), handler = std::move(handler), work = std::move(work)]() mutable {
            errno = 0;
            SyscallResult result;
            result.value = static_cast<long>(syscall());
            result.error = errno;
            auto home = work.get_executor();
            asio::post(home, [handler = std::move(handler), result]() mutable { std::move(handler)(result); });
          });
        },
        asio::use_awaitable);
  }

 private:
  asio::thread_pool pool_;
};

}  // namespace ftpspecd
