// One simulated FTP client of `ftpspec load`: a C++20 coroutine on an Asio io_context that logs in
// (RFC 959 §5.4 login sequence) and repeats operations from the mix until the run ends. Thousands
// of them share a few threads; each holds one control connection and, during a transfer, one data
// connection set up with EPSV (RFC 2428 §3) or PASV (RFC 959 §4.1.2).
//
// Bytes on the control connection go through proto::encode_command and proto::ReplyParser, and
// passive replies through proto/address.hpp: the same code the conformance engine uses.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "load/load_options.hpp"
#include "load/load_stats.hpp"

namespace ftpspec::load {

using Clock = std::chrono::steady_clock;

/// What the users of one I/O thread share. Only that thread touches it while the run lasts,
/// except the atomics, which all threads share.
struct ThreadContext {
  const LoadOptions* options = nullptr;
  boost::asio::ip::tcp::endpoint server;
  Clock::time_point stop_at;
  std::atomic<std::int64_t>* ops_left = nullptr;  ///< nullptr: no cap on the operation count
  std::shared_ptr<const std::string> payload;     ///< upload bytes, repeated up to file_size
  std::vector<char> scratch = std::vector<char>(256 * 1024);  ///< downloads land here, unread
  LoadStats stats;
};

/// Starts a user that runs the mix from `start` until ctx.stop_at (or the operation cap).
void spawn_mix_user(boost::asio::any_io_executor executor, ThreadContext& ctx, unsigned id,
                    Clock::time_point start);

/// Starts a user that uploads the RETR files with the given indexes once (the setup phase);
/// failures are counted in ctx.stats like any other.
void spawn_prepare_user(boost::asio::any_io_executor executor, ThreadContext& ctx, unsigned id,
                        std::vector<unsigned> file_indexes);

}  // namespace ftpspec::load
