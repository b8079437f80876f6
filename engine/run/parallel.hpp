// Running a suite's cases a few at a time: the one worker pool of `ftpspec run` and `ftpspec client`.
// The pool runs fewer at a time when a task says the server is at its limit, and runs that task
// again later, as lftp lowers its connection limit on "too many connections".
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

namespace ftpspec::run {

/// One attempt at a task, as the pool started it.
struct Attempt {
  std::size_t index = 0;  ///< the task
  unsigned number = 0;    ///< 0 for the first attempt, 1 for the second, ...
  unsigned others = 0;    ///< how many other tasks were running when this attempt started
  /// The most other tasks running beside this attempt so far (the pool raises it as tasks start).
  const std::atomic<unsigned>* peak = nullptr;

  /// The most other tasks seen running beside the attempt, from its start until now.
  unsigned others_seen() const noexcept { return std::max(others, peak ? peak->load() : 0u); }
};

/// What a task tells the pool after an attempt.
struct AttemptOutcome {
  bool done = true;    ///< false: run the task again, after the tasks already waiting
  unsigned limit = 0;  ///< when not 0: from now on at most this many tasks at a time (never raised)
};

using AttemptTask = std::function<AttemptOutcome(const Attempt& attempt)>;

/// Runs the tasks `order` names, in that order, at most `jobs` at a time on `jobs` threads (the
/// caller's one of them), lowering that limit and re-queueing tasks as their outcomes ask.
/// `done(i, count_done)` follows each task's last attempt, one call at a time. Tasks not started
/// when `stop` is set are skipped. Returns the limit in force at the end.
unsigned run_adaptively(const std::vector<std::size_t>& order, unsigned jobs, const AttemptTask& task,
                        const std::function<void(std::size_t, std::size_t)>& done,
                        const std::shared_ptr<const std::atomic<bool>>& stop);

/// The same with a fixed limit: each task runs once.
void for_each_in_parallel(const std::vector<std::size_t>& order, unsigned jobs,
                          const std::function<void(std::size_t)>& task,
                          const std::function<void(std::size_t, std::size_t)>& done,
                          const std::shared_ptr<const std::atomic<bool>>& stop);

}  // namespace ftpspec::run
