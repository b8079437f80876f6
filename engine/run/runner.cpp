#include "run/runner.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace ftpspec::run {

std::vector<std::string> parse_feat_reply(const proto::Reply& reply) {
  std::vector<std::string> features;
  if (reply.code != 211) return features;
  for (std::size_t i = 1; i + 1 < reply.lines.size(); ++i) {
    std::string line = reply.lines[i];
    std::size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    features.push_back(line.substr(start));
  }
  return features;
}

namespace {

std::string utc_now() {
  auto now = std::chrono::system_clock::now();
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::chrono::system_clock::to_time_t(now)));
}

}  // namespace

RunResult probe(const RunOptions& options) {
  RunResult result;
  result.target = options.target.display_url();
  result.tool_version = options.tool_version;
  result.started_at = utc_now();
  session::Session session(options.timeouts);
  try {
    proto::Reply greeting = session.connect(options.target.host, options.target.port);
    for (const auto& reply : session.greeting_replies())
      result.greeting.insert(result.greeting.end(), reply.lines.begin(), reply.lines.end());
    if (greeting.code != 220) throw TargetUnreachable(fmt::format("{} greeted with {}", result.target, greeting.code));
    proto::Reply login = session.login(options.target.user, options.target.password);
    if (login.code / 100 != 2)
      throw TargetUnreachable(fmt::format("login as {} failed: {}", options.target.user,
                                          login.lines.empty() ? std::to_string(login.code) : login.lines.front()));
    result.features = parse_feat_reply(session.command("FEAT"));
    session.quit();
  } catch (const session::Error& e) {
    throw TargetUnreachable(fmt::format("{}: {}", result.target, e.what()));
  }
  return result;
}

RunResult run_suite(const std::vector<scenario::Case>& cases, const RunOptions& options, const ProgressCallback& progress) {
  const auto started = std::chrono::steady_clock::now();
  RunResult result = probe(options);
  CaseContext context{options.target, options.timeouts, result.features};
  result.cases.resize(cases.size());

  std::atomic<std::size_t> next{0};
  std::size_t done = 0;
  std::mutex progress_mutex;
  auto worker = [&] {
    for (std::size_t i = next++; i < cases.size(); i = next++) {
      result.cases[i] = run_case(cases[i], context);
      std::lock_guard lock(progress_mutex);
      ++done;
      if (progress) progress(result.cases[i], done, cases.size());
    }
  };
  unsigned jobs = std::max(1u, std::min<unsigned>(options.jobs, static_cast<unsigned>(std::max<std::size_t>(cases.size(), 1))));
  std::vector<std::thread> pool;
  for (unsigned j = 1; j < jobs; ++j) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  return result;
}

}  // namespace ftpspec::run
