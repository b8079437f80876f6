// Blocking engine calls that Ctrl-C can interrupt.
//
// The engine's blocking calls (a transfer, a whole suite run) may wait for tens of seconds, and a
// thread inside C++ never sees Python's signal handlers. So the call runs on a worker thread while
// the calling thread, holding no GIL, waits in 100 ms slices and, with the GIL taken back for an
// instant, runs PyErr_CheckSignals() each slice. When a handler raises (SIGINT: KeyboardInterrupt)
// the caller asks the work to stop (`Interruption::request`: Session::interrupt() closes the data
// connection and ends the wait, a suite run stops taking cases), gives it `grace` to end, and then
// raises. Work that did not end in time is *abandoned*: `abandoned` tells its owner, the worker is
// detached and ends on its own within the engine's timeouts. That is why `work` must own everything
// it touches: it may outlive the Python call.
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

/// What happens when Ctrl-C arrives during an interruptible call.
struct Interruption {
  /// Asks the work to stop (GIL held; must be quick and thread-safe).
  std::function<void()> request;
  /// How long to wait for the work to end after `request` before abandoning it.
  std::chrono::milliseconds grace{0};
  /// The work did not end within `grace` and goes on alone (GIL held; must be quick).
  std::function<void()> abandoned;
};

/// Runs `work()` on a new thread and returns its result (or rethrows its exception), waiting
/// without the GIL. If a signal handler raises meanwhile, applies `interruption` and throws that
/// exception (py::error_already_set); what the work returned or threw after the request is dropped.
/// Must be called with the GIL held. `work` must not touch Python objects and must own its inputs
/// (copies, shared_ptrs): if abandoned it keeps running on its own.
template <class Work>
auto call_interruptibly(Work work, const Interruption& interruption = {}) {
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
    // The pending KeyboardInterrupt is held aside while `request` runs, then raised.
    py::error_already_set pending;
    if (interruption.request) interruption.request();
    bool ended = false;
    {
      py::gil_scoped_release nogil;
      std::unique_lock lock(call->mutex);
      ended = call->finished.wait_for(lock, interruption.grace, [&] { return call->done; });
    }
    if (ended) {
      worker.join();
    } else {
      worker.detach();
      if (interruption.abandoned) interruption.abandoned();
    }
    throw pending;
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
