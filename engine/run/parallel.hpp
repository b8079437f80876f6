// Running a suite's cases a few at a time: the one worker pool of `ftpspec run` and `ftpspec client`.
#pragma once
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

namespace ftpspec::run {

/// Calls `task(i)` for each index of `order`, in that order, on `jobs` threads (the caller's one of
/// them), and `done(i, count_done)` after each, one call at a time. Indexes not started when `stop`
/// is set are skipped. Returns once every started task has finished.
void for_each_in_parallel(const std::vector<std::size_t>& order, unsigned jobs,
                          const std::function<void(std::size_t)>& task,
                          const std::function<void(std::size_t, std::size_t)>& done,
                          const std::shared_ptr<const std::atomic<bool>>& stop);

}  // namespace ftpspec::run
