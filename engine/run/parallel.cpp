#include "run/parallel.hpp"

#include <algorithm>
#include <mutex>
#include <thread>

namespace ftpspec::run {

void for_each_in_parallel(const std::vector<std::size_t>& order, unsigned jobs,
                          const std::function<void(std::size_t)>& task,
                          const std::function<void(std::size_t, std::size_t)>& done,
                          const std::shared_ptr<const std::atomic<bool>>& stop) {
  std::atomic<std::size_t> next{0};
  std::size_t finished = 0;
  std::mutex done_mutex;
  auto worker = [&] {
    for (std::size_t n = next++; n < order.size() && !(stop && *stop); n = next++) {
      task(order[n]);
      std::lock_guard lock(done_mutex);
      if (done) done(order[n], ++finished);
    }
  };
  jobs = std::max(1u, std::min<unsigned>(jobs, static_cast<unsigned>(std::max<std::size_t>(order.size(), 1))));
  std::vector<std::thread> pool;
  for (unsigned j = 1; j < jobs; ++j) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();
}

}  // namespace ftpspec::run
