#include "run/parallel.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace ftpspec::run {

unsigned run_adaptively(const std::vector<std::size_t>& order, unsigned jobs, const AttemptTask& task,
                        const std::function<void(std::size_t, std::size_t)>& done,
                        const std::shared_ptr<const std::atomic<bool>>& stop) {
  jobs = std::max(1u, std::min<unsigned>(jobs, static_cast<unsigned>(std::max<std::size_t>(order.size(), 1))));
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Attempt> waiting;
  for (std::size_t index : order) waiting.push_back({index, 0, 0, nullptr});
  unsigned limit = jobs;
  unsigned running = 0;
  std::size_t finished = 0;
  // Per worker: whether it runs an attempt, and the most others seen beside that attempt.
  std::vector<bool> busy(jobs, false);
  std::vector<std::atomic<unsigned>> peak(jobs);

  auto stopped = [&] { return stop && *stop; };
  auto worker = [&](unsigned self) {
    std::unique_lock lock(mutex);
    for (;;) {
      // Wait for a task and a free place; with none waiting and none running, the work is over
      // (a running task may still put itself back, so an empty queue alone is not the end).
      changed.wait(lock, [&] { return (stopped() || (!waiting.empty() && running < limit)) || (waiting.empty() && running == 0); });
      if (stopped() || waiting.empty()) break;
      Attempt attempt = waiting.front();
      waiting.pop_front();
      for (unsigned other = 0; other < jobs; ++other)
        if (busy[other]) peak[other] = std::max(peak[other].load(), running);  // `running` others beside it now
      attempt.others = running++;
      busy[self] = true;
      peak[self] = attempt.others;
      attempt.peak = &peak[self];
      lock.unlock();
      AttemptOutcome outcome = task(attempt);
      lock.lock();
      busy[self] = false;
      --running;
      if (outcome.limit != 0) limit = std::max(1u, std::min(limit, outcome.limit));
      if (outcome.done) {
        if (done) done(attempt.index, ++finished);
      } else {
        waiting.push_back({attempt.index, attempt.number + 1, 0, nullptr});
      }
      changed.notify_all();
    }
    changed.notify_all();
  };
  std::vector<std::thread> pool;
  for (unsigned j = 1; j < jobs; ++j) pool.emplace_back(worker, j);
  worker(0);
  for (auto& thread : pool) thread.join();
  return limit;
}

void for_each_in_parallel(const std::vector<std::size_t>& order, unsigned jobs,
                          const std::function<void(std::size_t)>& task,
                          const std::function<void(std::size_t, std::size_t)>& done,
                          const std::shared_ptr<const std::atomic<bool>>& stop) {
  run_adaptively(
      order, jobs,
      [&](const Attempt& attempt) {
        task(attempt.index);
        return AttemptOutcome{};
      },
      done, stop);
}

}  // namespace ftpspec::run
