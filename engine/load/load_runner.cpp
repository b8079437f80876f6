#include "load/load_runner.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <memory>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "load/virtual_user.hpp"

namespace ftpspec::load {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

/// Each session holds a control and (briefly) a data socket: ask for the hard limit if the soft
/// one is too small (the kernel's default soft limit of 1024 stops at ~500 sessions).
void raise_open_file_limit(std::uint64_t needed) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= needed) return;
  limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, needed);
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

tcp::endpoint resolve(const LoadOptions& options) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options.host, ec);
  if (!ec) return {address, options.port};
  asio::io_context io;
  tcp::resolver resolver(io);
  const auto results = resolver.resolve(options.host, std::to_string(options.port), ec);
  if (ec || results.empty()) throw LoadError("cannot resolve " + options.host + ": " + ec.message());
  return *results.begin();
}

/// Bytes uploaded by STOR: a repeating, recognisable pattern (not zeros, which a server or a
/// filesystem could treat specially).
std::shared_ptr<const std::string> make_payload(std::uint64_t file_size) {
  const std::size_t size = static_cast<std::size_t>(std::clamp<std::uint64_t>(file_size, 1, 1u << 20));
  auto payload = std::make_shared<std::string>(size, '\0');
  for (std::size_t i = 0; i < size; ++i) (*payload)[i] = static_cast<char>('a' + i % 26);
  return payload;
}

std::chrono::microseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
}

/// Uploads the files RETR reads, on one thread with a few sessions.
void prepare_files(const LoadOptions& options, const tcp::endpoint& server, LoadReport& report) {
  asio::io_context io;
  ThreadContext ctx;
  ctx.options = &options;
  ctx.server = server;
  ctx.stop_at = Clock::time_point::max();
  ctx.payload = make_payload(options.file_size);
  const unsigned uploaders = std::clamp(options.files, 1u, 4u);
  for (unsigned u = 0; u < uploaders; ++u) {
    std::vector<unsigned> indexes;
    for (unsigned i = u; i < options.files; i += uploaders) indexes.push_back(i);
    spawn_prepare_user(io.get_executor(), ctx, u, std::move(indexes));
  }
  const auto started = Clock::now();
  io.run();
  report.prepare = since(started);
  // Only failures belong to the report: the measured STOR column is for the measured phase.
  report.stats.connect.failed += ctx.stats.connect.failed;
  report.stats.login.failed += ctx.stats.login.failed;
  for (const auto& [kind, count] : ctx.stats.errors) report.stats.errors[kind] += count;
}

}  // namespace

LoadReport run_load(const LoadOptions& options) {
  LoadReport report;
  report.options = options;
  const tcp::endpoint server = resolve(options);
  raise_open_file_limit(2ull * options.sessions + 64);

  if (options.prepare && options.mix.contains(OpKind::retr) && options.files > 0) {
    prepare_files(options, server, report);
    if (!report.stats.errors.empty()) return report;  // RETR would only measure the failure
  }

  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const unsigned threads = std::clamp(options.threads ? options.threads : cores, 1u, std::max(1u, options.sessions));
  report.threads = threads;
  std::atomic<std::int64_t> ops_left{static_cast<std::int64_t>(options.max_ops)};
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::unique_ptr<ThreadContext>> thread_contexts;
  const auto payload = make_payload(options.file_size);
  const auto started = Clock::now();
  for (unsigned t = 0; t < threads; ++t) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
    auto ctx = std::make_unique<ThreadContext>();
    ctx->options = &options;
    ctx->server = server;
    ctx->stop_at = started + options.duration;
    ctx->ops_left = options.max_ops ? &ops_left : nullptr;
    ctx->payload = payload;
    thread_contexts.push_back(std::move(ctx));
  }
  for (unsigned id = 0; id < options.sessions; ++id) {
    const unsigned t = id % threads;
    const auto delay = options.ramp * id / std::max(1u, options.sessions);
    spawn_mix_user(contexts[t]->get_executor(), *thread_contexts[t], id, started + delay);
  }
  std::vector<std::thread> workers;
  for (unsigned t = 1; t < threads; ++t) workers.emplace_back([&io = *contexts[t]] { io.run(); });
  contexts[0]->run();
  for (auto& worker : workers) worker.join();
  report.elapsed = since(started);
  for (const auto& ctx : thread_contexts) report.stats.merge(ctx->stats);
  return report;
}

}  // namespace ftpspec::load
