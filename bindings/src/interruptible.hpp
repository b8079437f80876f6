// Blocking engine calls that Ctrl-C can interrupt.
//
// The engine's blocking calls (a transfer, a whole suite run) may wait for tens of seconds, and a
// thread inside C++ never sees Python's signal handlers. So the call runs on a worker thread while
// the calling thread, holding no GIL, waits in 100 ms slices and, with the GIL taken back for an
// instant, runs PyErr_CheckSignals() each slice. When a handler raises (SIGINT: KeyboardInterrupt)
// the caller stops waiting and the exception propagates at once.
//
// The engine cannot be cancelled from another thread: session::Session is single-threaded (its
// close() touches the io_context the worker is running, and io_context::stop() would break the
// "drain the aborted handler" step of net::run_until_complete). So the interrupted call is
// *abandoned*: `on_interrupt` tells the worker's owner (a session marks itself closed, a suite run
// stops taking cases), the worker is detached, and it ends on its own within the engine's timeouts.
// That is why `work` must own everything it touches: it may outlive the Python call.
#pragma once
#include <pybind11/pybind11.h>

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>

namespace ftpspec::python {

/// How long the waiting thread sleeps between two checks for a pending signal.
inline constexpr std::chrono::milliseconds kSignalPollInterval{100};

namespace detail {

/// What the worker hands back: its value or its exception. Shared, since it may outlive the caller.
template <class Result>
struct PendingCall {
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  std::optional<Result> value;
  std::exception_ptr error;
};

}  // namespace detail

/// Runs `work()` on a new thread and returns its result (or rethrows its exception), waiting
/// without the GIL. If a signal handler raises meanwhile, runs `on_interrupt` (GIL held; it must be
/// quick), detaches the worker and throws that exception (py::error_already_set). Must be called
/// with the GIL held. `work` must not touch Python objects and must own its inputs (copies,
/// shared_ptrs): after an interrupt it keeps running on its own.
template <class Work>
auto call_interruptibly(Work work, const std::function<void()>& on_interrupt = {}) {
  namespace py = pybind11;
  using Raw = std::invoke_result_t<Work&>;
  using Result = std::conditional_t<std::is_void_v<Raw>, std::monostate, Raw>;
  auto call = std::make_shared<detail::PendingCall<Result>>();

  std::thread worker([call, work = std::move(work)]() mutable {
    std::optional<Result> value;
    std::exception_ptr error;
    try {
      if constexpr (std::is_void_v<Raw>) {
        work();
        value.emplace();
      } else {
        value.emplace(work());
      }
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard lock(call->mutex);
    call->value = std::move(value);
    call->error = error;
    call->done = true;
    call->finished.notify_all();
  });

  bool interrupted = false;
  {
    py::gil_scoped_release nogil;
    std::unique_lock lock(call->mutex);
    while (!call->finished.wait_for(lock, kSignalPollInterval, [&] { return call->done; })) {
      lock.unlock();
      {
        py::gil_scoped_acquire gil;
        // Non-zero: a handler raised; the exception is now set on this thread.
        interrupted = PyErr_CheckSignals() != 0;
      }
      lock.lock();
      if (interrupted) break;
    }
  }
  if (interrupted) {
    worker.detach();
    if (on_interrupt) on_interrupt();
    throw py::error_already_set();
  }
  worker.join();
  if (call->error) std::rethrow_exception(call->error);
  if constexpr (std::is_void_v<Raw>) {
    return;
  } else {
    return std::move(*call->value);
  }
}

}  // namespace ftpspec::python
