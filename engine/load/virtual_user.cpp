#include "load/virtual_user.hpp"

#include <fmt/format.h>

#include <array>
#include <optional>
#include <random>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "codec/codec.hpp"
#include "proto/address.hpp"
#include "proto/command.hpp"
#include "proto/reply_parser.hpp"

namespace ftpspec::load {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;

namespace {

/// The server answered, but not as a successful operation: the control connection is still in
/// step, so the user carries on with its next operation.
struct RefusedOperation {
  std::string kind;  ///< "RETR 550", "EPSV 500", "RETR short (100 of 4096 bytes)"
};

/// The control connection is out of step or gone: the user reconnects.
struct BrokenConnection : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string reply_kind(std::string_view verb, const proto::Reply& reply) {
  return fmt::format("{} {}", verb, reply.code);
}

class VirtualUser : public std::enable_shared_from_this<VirtualUser> {
 public:
  VirtualUser(asio::any_io_executor executor, ThreadContext& ctx, unsigned id)
      : ctx_(ctx), options_(*ctx.options), id_(id), control_(executor), data_(executor),
        watchdog_timer_(executor), deadline_(Clock::now() + options_.op_timeout), random_(id * 2654435761u + 1) {}

  static void start(std::shared_ptr<VirtualUser> user, awaitable<void> (VirtualUser::*body)()) {
    auto executor = user->control_.get_executor();
    asio::co_spawn(executor, user->watchdog(user), asio::detached);
    asio::co_spawn(executor, user->guarded(user, body), asio::detached);
  }

  Clock::time_point start_time;
  std::vector<unsigned> prepare_indexes;

  awaitable<void> run_mix() {
    co_await sleep_until(start_time);
    while (time_left()) {
      try {
        co_await connect_and_login();
        co_await run_operations();
        break;
      } catch (const BrokenConnection&) {
      } catch (const boost::system::system_error&) {
      }
      close_sockets();
      // A refused connection or a server that drops us: back off a little instead of spinning.
      co_await sleep_until(Clock::now() + std::chrono::milliseconds(50));
    }
    co_await quit();
  }

  awaitable<void> run_prepare() {
    try {
      co_await connect_and_login();
      for (const unsigned index : prepare_indexes) {
        try {
          const auto started = Clock::now();
          const auto bytes = co_await transfer("STOR", retr_path(options_, index), true);
          record_success(ctx_.stats.ops[std::size_t(OpKind::stor)], started, bytes);
        } catch (const RefusedOperation& refused) {
          ++ctx_.stats.ops[std::size_t(OpKind::stor)].failed;
          ctx_.stats.count_error("prepare: " + refused.kind);
        }
      }
    } catch (const std::exception& e) {
      ctx_.stats.count_error(fmt::format("prepare: {}", describe(e)));
    }
    co_await quit();
  }

 private:
  awaitable<void> guarded(std::shared_ptr<VirtualUser> self, awaitable<void> (VirtualUser::*body)()) {
    try {
      co_await (this->*body)();
    } catch (const RefusedOperation& refused) {  // e.g. a user name with CR/LF in it
      ctx_.stats.count_error(refused.kind);
    } catch (const std::exception& e) {
      ctx_.stats.count_error(fmt::format("internal: {}", e.what()));
    }
    // Always reached, so the watchdog stops and io_context::run() can return.
    finished_ = true;
    close_sockets();
    watchdog_timer_.cancel();
    (void)self;
  }

  /// Closes the sockets when a step overruns its deadline, so the pending operation fails
  /// (Asio's blocking_tcp_client "check_deadline" pattern: one timer, moved by each step).
  awaitable<void> watchdog(std::shared_ptr<VirtualUser> self) {
    while (!finished_) {
      if (Clock::now() >= deadline_) {
        timed_out_ = true;
        close_sockets();
        deadline_ = Clock::now() + options_.op_timeout;
      }
      watchdog_timer_.expires_at(deadline_);
      boost::system::error_code ignored;
      co_await watchdog_timer_.async_wait(asio::redirect_error(use_awaitable, ignored));
    }
    (void)self;
  }

  void arm() { deadline_ = Clock::now() + options_.op_timeout; }

  void close_sockets() {
    boost::system::error_code ignored;
    control_.close(ignored);
    data_.close(ignored);
  }

  /// Before the end of the run and with operations left (takes nothing from the cap).
  bool time_left() const {
    if (Clock::now() >= ctx_.stop_at) return false;
    return ctx_.ops_left == nullptr || ctx_.ops_left->load(std::memory_order_relaxed) > 0;
  }

  /// time_left(), and takes one operation from the cap.
  bool may_continue() {
    if (Clock::now() >= ctx_.stop_at) return false;
    return ctx_.ops_left == nullptr || ctx_.ops_left->fetch_sub(1, std::memory_order_relaxed) > 0;
  }

  awaitable<void> sleep_until(Clock::time_point when) {
    if (when <= Clock::now()) co_return;
    asio::steady_timer timer(control_.get_executor(), when);
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ignored));
  }

  std::string describe(const std::exception& e) const {
    if (timed_out_) return "timeout";
    if (const auto* system = dynamic_cast<const boost::system::system_error*>(&e)) {
      if (system->code() == asio::error::eof) return "connection closed by server";
      return system->code().message();
    }
    return e.what();
  }

  void record_success(OpStats& stats, Clock::time_point started, std::uint64_t bytes) {
    ++stats.ok;
    stats.bytes += bytes;
    stats.latency.record(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started));
  }

  awaitable<void> connect_and_login() {
    timed_out_ = false;
    parser_.reset();
    input_begin_ = input_end_ = 0;
    auto started = Clock::now();
    try {
      arm();
      control_ = tcp::socket(control_.get_executor());
      co_await control_.async_connect(ctx_.server, use_awaitable);
      control_.set_option(tcp::no_delay(true));
      const proto::Reply greeting = co_await read_reply();
      if (greeting.code != 220) throw BrokenConnection(reply_kind("greeting", greeting));
    } catch (const std::exception& e) {
      ++ctx_.stats.connect.failed;
      ctx_.stats.count_error("connect: " + describe(e));
      throw;
    }
    record_success(ctx_.stats.connect, started, 0);
    started = Clock::now();
    try {
      proto::Reply reply = co_await command("USER", options_.user);
      if (reply.code == 331) reply = co_await command("PASS", options_.password);
      if (reply.code != 230) throw BrokenConnection(reply_kind("login", reply));
      reply = co_await command("TYPE", "I");  // image type: the byte counts are the file sizes
      if (reply.code != 200) throw BrokenConnection(reply_kind("TYPE", reply));
      block_mode_ = false;
      if (options_.mode != DataMode::stream) {
        reply = co_await command("MODE", "B");
        block_mode_ = reply.code == 200;
        if (!block_mode_ && options_.mode == DataMode::block) throw BrokenConnection(reply_kind("MODE", reply));
        if (block_mode_) ++ctx_.stats.block_mode_logins;
      }
    } catch (const std::exception& e) {
      ++ctx_.stats.login.failed;
      ctx_.stats.count_error("login: " + describe(e));
      throw;
    }
    record_success(ctx_.stats.login, started, 0);
  }

  awaitable<void> run_operations() {
    while (may_continue()) {
      const OpKind op = options_.mix.pick(static_cast<std::uint32_t>(random_() % options_.mix.total_weight()));
      OpStats& stats = ctx_.stats.ops[static_cast<std::size_t>(op)];
      const auto started = Clock::now();
      try {
        const std::uint64_t bytes = co_await perform(op);
        record_success(stats, started, bytes);
      } catch (const RefusedOperation& refused) {
        ++stats.failed;
        ctx_.stats.count_error(refused.kind);
      } catch (const std::exception& e) {
        ++stats.failed;
        ctx_.stats.count_error(fmt::format("{}: {}", op_name(op), describe(e)));
        throw;
      }
    }
  }

  awaitable<std::uint64_t> perform(OpKind op) {
    switch (op) {
      case OpKind::retr: {
        const auto index = static_cast<unsigned>(random_() % std::max(1u, options_.files));
        const std::uint64_t bytes = co_await transfer("RETR", retr_path(options_, index), false);
        if (bytes != options_.file_size)
          throw RefusedOperation{fmt::format("RETR short ({} of {} bytes)", bytes, options_.file_size)};
        co_return bytes;
      }
      case OpKind::stor: co_return co_await transfer("STOR", stor_path(options_, id_), true);
      case OpKind::list: co_return co_await transfer("LIST", options_.dir, false);
      case OpKind::nlst: co_return co_await transfer("NLST", options_.dir, false);
      case OpKind::noop: {
        const proto::Reply reply = co_await command("NOOP", {});
        if (reply.code != 200) throw RefusedOperation{reply_kind("NOOP", reply)};
        co_return 0;
      }
    }
    co_return 0;
  }

  /// One transfer command: EPSV/PASV and a new data connection unless MODE B kept one open, the
  /// command, the data (to the close in stream mode, RFC 959 §3.4.1; to the EOF marker in block
  /// mode, §3.4.2), the completion reply. The file's bytes.
  awaitable<std::uint64_t> transfer(std::string_view verb, const std::string& path, bool upload) {
    const bool reusing = block_mode_ && data_.is_open();
    if (reusing) ++ctx_.stats.reused_data_connections;
    else co_await open_data_connection();
    const proto::Reply first = co_await command(verb, path);
    if (!first.is_preliminary()) {
      close_data();
      throw RefusedOperation{reply_kind(verb, first)};
    }
    std::uint64_t bytes = 0;
    if (block_mode_) bytes = upload ? co_await send_blocks() : co_await receive_blocks();
    else bytes = upload ? co_await send_upload() : co_await receive_download();
    const proto::Reply last = co_await read_reply();
    // RFC 959 §4.2: 250 leaves the data connection open for the next transfer (§3.3); 226 or a
    // failure closes it.
    if (last.code != 250) close_data();
    if (last.code / 100 != 2) throw RefusedOperation{reply_kind(verb, last)};
    co_return bytes;
  }

  awaitable<void> open_data_connection() {
    const std::string_view verb = options_.pasv ? "PASV" : "EPSV";
    const proto::Reply reply = co_await command(verb, {});
    tcp::endpoint endpoint;
    if (options_.pasv) {
      const auto host_port = reply.code == 227 ? proto::parse_pasv_reply(reply.text()) : std::nullopt;
      if (!host_port) throw RefusedOperation{reply_kind(verb, reply)};
      boost::system::error_code ec;
      const auto address = asio::ip::make_address(host_port->host, ec);
      if (ec) throw RefusedOperation{"PASV bad address " + host_port->host};
      endpoint = tcp::endpoint(address, host_port->port);
    } else {
      const auto port = reply.code == 229 ? proto::parse_epsv_reply(reply.text()) : std::nullopt;
      if (!port) throw RefusedOperation{reply_kind(verb, reply)};
      // RFC 2428 §3: the data connection goes to the control connection's server address.
      endpoint = tcp::endpoint(ctx_.server.address(), *port);
    }
    arm();
    data_ = tcp::socket(control_.get_executor());
    co_await data_.async_connect(endpoint, use_awaitable);
    // Block mode: an upload's EOF marker must not wait for a delayed ACK (Nagle); no close flushes it.
    if (block_mode_) data_.set_option(tcp::no_delay(true));
  }

  void close_data() {
    boost::system::error_code ignored;
    data_.close(ignored);
  }

  awaitable<std::uint64_t> receive_download() {
    std::uint64_t total = 0;
    for (;;) {
      arm();
      boost::system::error_code ec;
      const std::size_t n = co_await data_.async_read_some(asio::buffer(ctx_.scratch),
                                                           asio::redirect_error(use_awaitable, ec));
      total += n;
      if (ec == asio::error::eof) break;
      if (ec) throw boost::system::system_error(ec);
    }
    close_data();
    co_return total;
  }

  awaitable<std::uint64_t> send_upload() {
    const std::string& payload = *ctx_.payload;
    std::uint64_t left = options_.file_size;
    while (left > 0) {
      arm();
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, payload.size()));
      co_await asio::async_write(data_, asio::buffer(payload.data(), n), use_awaitable);
      left -= n;
    }
    boost::system::error_code ignored;
    data_.shutdown(tcp::socket::shutdown_send, ignored);
    close_data();
    co_return options_.file_size;
  }

  /// Block mode (RFC 959 §3.4.2) through the shared codec, up to the EOF marker; the connection
  /// stays open. The local bytes.
  awaitable<std::uint64_t> receive_blocks() {
    const auto decoder = codec::make_decoder(block_representation());
    // The user's own buffer, not the thread's shared scratch: these bytes are read, and another
    // user's read may complete into the scratch before this coroutine resumes.
    block_buffer_.resize(kBlockBufferSize);
    std::string local;
    std::uint64_t total = 0;
    while (!decoder->saw_eof()) {
      arm();
      const std::size_t n = co_await data_.async_read_some(asio::buffer(block_buffer_), use_awaitable);
      std::error_code ec;
      local.clear();
      decoder->put(std::span<const char>(block_buffer_.data(), n), local, ec);
      if (ec) throw BrokenConnection(fmt::format("block mode data: {}", ec.message()));
      total += local.size();
    }
    co_return total;
  }

  /// The upload as blocks, the last one marked EOF (RFC 959 §3.4.2); the connection stays open.
  awaitable<std::uint64_t> send_blocks() {
    const std::string& payload = *ctx_.payload;
    const auto encoder = codec::make_encoder(block_representation());
    std::string wire;
    std::uint64_t left = options_.file_size;
    do {  // an empty file is one EOF block
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, payload.size()));
      wire.clear();
      encoder->put(std::span<const char>(payload.data(), n), wire);
      left -= n;
      if (left == 0) encoder->finish(wire);
      arm();
      co_await asio::async_write(data_, asio::buffer(wire), use_awaitable);
    } while (left > 0);
    co_return options_.file_size;
  }

  static codec::Representation block_representation() {
    codec::Representation rep;
    rep.type = codec::RepType::image;
    rep.mode = codec::Mode::block;
    return rep;
  }

  awaitable<proto::Reply> command(std::string_view verb, std::string_view arg) {
    std::error_code encode_error;
    const std::string line = arg.empty() ? proto::encode_command(verb, encode_error)
                                         : proto::encode_command(verb, arg, encode_error);
    if (encode_error) throw RefusedOperation{fmt::format("{}: {}", verb, encode_error.message())};
    arm();
    co_await asio::async_write(control_, asio::buffer(line), use_awaitable);
    co_return co_await read_reply();
  }

  /// The next reply (RFC 959 §4.2), through the shared ReplyParser; 1yz replies are returned too.
  awaitable<proto::Reply> read_reply() {
    for (;;) {
      if (input_begin_ < input_end_) {
        std::error_code ec;
        input_begin_ += parser_.put(std::span<const char>(input_.data() + input_begin_, input_end_ - input_begin_), ec);
        if (ec) throw BrokenConnection(fmt::format("malformed reply: {}", ec.message()));
        if (parser_.done()) co_return parser_.release();
        continue;
      }
      arm();
      input_begin_ = 0;
      input_end_ = co_await control_.async_read_some(asio::buffer(input_), use_awaitable);
    }
  }

  awaitable<void> quit() {
    if (!control_.is_open()) co_return;
    try {
      const proto::Reply reply = co_await command("QUIT", {});
      (void)reply;
    } catch (...) {
    }
    close_sockets();
  }

  ThreadContext& ctx_;
  const LoadOptions& options_;
  unsigned id_;
  tcp::socket control_;
  tcp::socket data_;
  asio::steady_timer watchdog_timer_;
  /// Only ever moves later (each step sets now + op_timeout), so the watchdog's timer never has to
  /// wake up earlier than it planned.
  Clock::time_point deadline_;
  bool timed_out_ = false;
  bool finished_ = false;
  bool block_mode_ = false;  ///< MODE B accepted at login: the data connection may stay open
  static constexpr std::size_t kBlockBufferSize = 64 * 1024;
  std::vector<char> block_buffer_;  ///< block-mode downloads (allocated on the first one)
  std::minstd_rand random_;
  proto::ReplyParser parser_;
  std::array<char, 4096> input_{};
  std::size_t input_begin_ = 0, input_end_ = 0;
};

}  // namespace

void spawn_mix_user(asio::any_io_executor executor, ThreadContext& ctx, unsigned id, Clock::time_point start) {
  auto user = std::make_shared<VirtualUser>(std::move(executor), ctx, id);
  user->start_time = start;
  VirtualUser::start(std::move(user), &VirtualUser::run_mix);
}

void spawn_prepare_user(asio::any_io_executor executor, ThreadContext& ctx, unsigned id,
                        std::vector<unsigned> file_indexes) {
  auto user = std::make_shared<VirtualUser>(std::move(executor), ctx, id);
  user->prepare_indexes = std::move(file_indexes);
  VirtualUser::start(std::move(user), &VirtualUser::run_prepare);
}

}  // namespace ftpspec::load
