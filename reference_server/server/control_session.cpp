#include "server/control_session.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "proto/error.hpp"
#include "server/command_table.hpp"

namespace ftpspecd {

ControlSession::ControlSession(const Config& config, tcp::socket socket, ssl::context* tls, BlockingCalls& blocking,
                               PassivePorts& ports, UploadLocks& uploads)
    : config_(config),
      tls_(tls),
      blocking_(blocking),
      uploads_(uploads),
      stream_(std::make_shared<SwitchableStream>(std::move(socket))),
      socket_sink_(std::make_shared<SocketReplySink>(stream_)),
      misbehaving_sink_(std::make_shared<MisbehavingReplySink>(socket_sink_, stream_->socket().get_executor())),
      sink_(misbehaving_sink_),
      misbehaviour_(config.misbehaviour),
      parser_(ftpspec::proto::CommandParserLimits{config.max_command_line}),
      data_(stream_->socket().get_executor(), ports),
      transfer_done_(stream_->socket().get_executor()),
      control_watch_(stream_->socket().get_executor()) {
  boost::system::error_code ec;
  auto& control = stream_->socket();
  control.set_option(tcp::no_delay(true), ec);  // replies are small and must not wait for ACKs (Nagle)
  set_urgent_inline(true);
  local_ = control.local_endpoint(ec);
  remote_ = control.remote_endpoint(ec);
  misbehaving_sink_->set_rules(misbehaviour_.replies);
}

void ControlSession::adopt_user_misbehaviour(const std::vector<std::string>& specs) {
  misbehaviour_ = config_.misbehaviour;
  for (const auto& list : specs) (void)apply_misbehaviour_list(list, misbehaviour_);
  misbehaving_sink_->set_rules(misbehaviour_.replies);
}

void ControlSession::set_urgent_inline(bool inline_urgent) {
  boost::system::error_code ignored;
  stream_->socket().set_option(asio::socket_base::out_of_band_inline(inline_urgent), ignored);
}

asio::awaitable<bool> ControlSession::secure_control() {
  co_await sink_->flush();
  // RFC 4217 §14: under TLS even Telnet commands travel inside the TLS session; an urgent byte a
  // client still sends out of band must not land inside the TLS records.
  set_urgent_inline(false);
  const auto ec = co_await stream_->start_tls(*tls_, config_.data_timeout);
  if (ec) {
    // RFC 4217 §10.1: after a failed handshake the connection's state is unknown: drop it.
    closing_ = true;
    stream_->close();
    co_return false;
  }
  co_return true;
}

asio::awaitable<void> ControlSession::clear_control() {
  co_await sink_->flush();
  co_await stream_->stop_tls(config_.data_timeout);
  set_urgent_inline(true);
}

void ControlSession::arm_idle_timer() {
  std::weak_ptr<ControlSession> weak = weak_from_this();
  idle_ = Watchdog::start(stream_->socket().get_executor(), config_.idle_timeout, [weak] {
    auto self = weak.lock();
    if (!self || self->closing_) return;
    if (self->transfer_running()) {  // a long transfer is not idleness
      self->arm_idle_timer();
      return;
    }
    self->reply(421, "Idle timeout, closing control connection");
    self->close_after_replies();
  });
}

asio::awaitable<void> ControlSession::run() {
  reply(220, config_.greeting);
  arm_idle_timer();
  std::array<char, 4096> buffer{};
  while (!closing_) {
    boost::system::error_code ec;
    const std::size_t n =
        co_await stream_->read_some(asio::buffer(buffer), ec);
    ++control_reads_;  // a sign of life, or of death, that a finishing upload waits for
    if (ec == asio::error::connection_reset) control_reset_ = true;
    control_watch_.cancel();
    if (ec || closing_) break;
    std::span<const char> rest(buffer.data(), n);
    while (!rest.empty() && !closing_) {
      std::error_code parse_ec;
      rest = rest.subspan(parser_.put(rest, parse_ec));
      if (parse_ec == ftpspec::proto::errc::line_too_long) {
        reply(500, "Command line too long");  // the rest of the line is discarded
        continue;
      }
      if (!parser_.done()) continue;
      const ftpspec::proto::Command command = parser_.release();
      // Only a complete command counts as activity: a line trickled in a byte at a time
      // (slowloris) must still reach the idle timeout.
      idle_->touch();
      parser_.take_interrupt();  // Telnet IP / Synch before ABOR carry no extra meaning here
      if (++commands_received_ == misbehaviour_.close_421_at) {
        // Misbehaviour close-421: RFC 959 §4.2 lets a server answer any command 421 and close.
        reply(421, "Service not available, closing control connection");
        close_after_replies();
        break;
      }
      co_await dispatch_command(*this, command);
    }
  }
  closing_ = true;
  if (idle_) idle_->stop();
  if (transfer_running()) co_await abort_transfer();
  data_.reset();
  co_await sink_->flush();
  boost::system::error_code ignored;
  stream_->socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_->close();
}

void ControlSession::shutdown() {
  closing_ = true;
  if (idle_) idle_->stop();
  if (transfer_) transfer_->aborted = true;
  if (data_stream_) data_stream_->close();
  data_.cancel();
  data_.reset();
  stream_->close();
}

std::optional<ResolvedPath> ControlSession::resolve_or_reply(std::string_view client_path, int refusal_code) {
  ResolveError error = ResolveError::none;
  auto resolved = state_.vfs.resolve(state_.cwd, client_path, error);
  if (!resolved) reply(refusal_code, describe(error));
  return resolved;
}

void ControlSession::start_transfer(TransferJob job) {
  transfer_ = std::make_shared<TransferState>();
  transfer_->shaper = DataShaper(misbehaviour_.data);
  transfer_->restart_marker_interval = config_.restart_marker_interval;
  if (job.kind == TransferJob::Kind::receive_file) {
    // RFC 959 §4.2.1 note: "110 MARK yyyy = mmmm", the sender's marker and our file offset.
    transfer_->on_restart_mark = [this, base = job.offset](const ftpspec::codec::RestartMark& mark) {
      reply(110, fmt::format("MARK {} = {}", mark.marker, base + mark.local_offset));
    };
  }
  asio::co_spawn(stream_->socket().get_executor(), run_transfer(shared_from_this(), std::move(job)), asio::detached);
}

asio::awaitable<void> ControlSession::run_transfer(std::shared_ptr<ControlSession> self, TransferJob job) {
  auto state = transfer_;
  try {
    co_await transfer_body(state, std::move(job));
  } catch (const std::exception& e) {
    // co_spawn(detached) would swallow the exception silently and leave transfer_ set: every
    // command waiting for the transfer (and the close after a half-close) would wait forever.
    reply(451, std::string("Requested action aborted: local error: ") + e.what());
  }
  if (transfer_ == state) transfer_.reset();
  transfer_done_.notify_all();
  (void)self;
}

asio::awaitable<void> ControlSession::transfer_body(std::shared_ptr<TransferState> state, TransferJob job) {
  std::string error;
  std::optional<tcp::socket> socket;
  // An ABOR or half-close handled before this coroutine first ran (co_spawn starts it later)
  // found no accept to cancel: do not start one now, or it would wait for the whole data timeout.
  if (!state->aborted) socket = co_await data_.open(local_.address(), remote_.address(), config_.data_timeout, error);
  else data_.drop_passive();  // a passive listener serves one transfer, aborted or not
  if (!socket || state->aborted) {
    // RFC 959 §5.4: 425 when the data connection cannot be opened; 426 when ABOR closed it.
    TransferResult result{TransferOutcome::not_opened, error};
    if (state->aborted) result = {TransferOutcome::connection_lost, "Connection closed; transfer aborted"};
    if (job.upload) co_await end_upload(*state, *job.upload, result, false);
    else reply_transfer_result(result, false, *state);
    co_return;
  }
  TransferResult result;
  SwitchableStream data(std::move(*socket));
  data_stream_ = &data;
  if (job.representation.mode != ftpspec::codec::Mode::stream) {
    // MODE B/C: the EOF marker ends the file, and no close flushes it: under Nagle its last small
    // segment would wait for the client's delayed ACK (~40 ms per transfer, measured).
    boost::system::error_code ignored;
    data.socket().set_option(tcp::no_delay(true), ignored);
  }
  state->watchdog = Watchdog::start(stream_->socket().get_executor(), config_.data_timeout, [&data] { data.close(); });
  // RFC 4217 §9: PROT P protects the data connection; the client is the TLS client.
  bool ready = true;
  if (state_.prot_private) {
    if (const auto ec = co_await data.start_tls(*tls_, config_.data_timeout, false); ec) {
      ready = false;
      result = {TransferOutcome::not_opened, "Can't open data connection: TLS handshake failed: " + ec.message()};
    }
  }
  if (ready && state->aborted) {
    ready = false;
    result = {TransferOutcome::connection_lost, "Connection closed; transfer aborted"};
  }
  if (ready && misbehaviour_.preliminary_then_4xx && job.kind != TransferJob::Kind::receive_file) {
    // Misbehaviour preliminary-then-4xx: the 150 promised data; none comes, then 451 (§4.2).
    ready = false;
    result = {TransferOutcome::local_error, "local error in processing (misbehaviour preliminary-then-4xx)"};
  }
  if (ready) {
    switch (job.kind) {
      case TransferJob::Kind::send_file:
        result = co_await send_file(data, job.file.get(), job.offset, job.representation, *state, job.size);
        break;
      case TransferJob::Kind::send_text:
        result = co_await send_text(data, std::move(job.text), job.representation, *state);
        break;
      case TransferJob::Kind::receive_file:
        result = co_await receive_file(data, job.upload->fd(), job.representation, *state);
        break;
    }
  }
  state->watchdog->stop();
  data_stream_ = nullptr;
  // RFC 959 §3.3: a complete MODE B/C transfer leaves its connection open for the next one
  // (not after a shaped one: drop-data and throttle are about this connection only).
  const bool kept = result.outcome == TransferOutcome::complete && !state->aborted && !state->shaper.active() &&
                    keeps_connection_open(job.representation, data.secure());
  if (kept) data_.keep(std::move(data.socket()));
  else data.close();
  if (job.upload) {
    co_await end_upload(*state, *job.upload, std::move(result), kept);
    co_return;
  }
  if (!job.file.close() && result.outcome == TransferOutcome::complete) {
    result = {TransferOutcome::local_error, std::string("Closing the file failed: ") + std::strerror(errno)};
  }
  reply_transfer_result(result, kept, *state);
}

asio::awaitable<void> ControlSession::end_upload(TransferState& state, Upload& upload, TransferResult result,
                                                 bool kept) {
  // RFC 959 §4.2: 226 after STOR promises the file is complete, so close it first. After an
  // upload close(2) can flush the file, so it runs off the io thread, as every step that may
  // move or free a large file's data; commit() only changes directory entries.
  const SyscallResult closed = co_await blocking_.run([&upload] { return upload.close_file() ? 0 : -1; });
  if (!closed.ok() && result.outcome == TransferOutcome::complete) {
    const bool full = closed.error == ENOSPC || closed.error == EDQUOT;  // e.g. NFS reports it at close
    result = {full ? TransferOutcome::storage_exceeded : TransferOutcome::local_error,
              std::string("Closing the file failed: ") + std::strerror(closed.error)};
  }
  // In stream mode a killed client's data connection ends with a FIN as if the file were
  // complete (RFC 959 §3.4.1); its control connection closes at the same moment. Only a client
  // still there to read the completion reply has an upload that counts.
  if (result.outcome == TransferOutcome::complete && (state.aborted || peer_has_closed(stream_->socket()))) {
    result = {TransferOutcome::connection_lost,
              state.aborted ? "Connection closed; transfer aborted"
                            : "Connection closed; transfer aborted: the control connection closed before the upload "
                              "was acknowledged"};
  }
  if (state.aborted) data_.drop_kept();  // RFC 959 §4.1.3: ABOR closes the data connection
  if (result.outcome == TransferOutcome::complete) {
    if (!upload.commit()) {
      result = {TransferOutcome::local_error, std::string("Storing the file failed: ") + std::strerror(errno)};
    }
  }
  if (result.outcome != TransferOutcome::complete) {
    co_await blocking_.run([&upload] { return (upload.abandon(), 0); });
    upload.unlock();  // settled before the reply: a retry from another session finds the file free
    reply_transfer_result(result, false, state);
    co_return;
  }
  // The file is visible (a client reading it after the 226 sees it) and free for the next
  // writer before the reply goes out; rollback() takes it back only if nobody has changed it since.
  upload.unlock();
  const std::uint64_t reads_before = control_reads_;
  reply_transfer_result(result, kept, state);
  bool acknowledged = co_await replies_delivered();
  if (acknowledged) acknowledged = co_await client_outlived_reply(state, reads_before);
  if (acknowledged && !upload.finish_frees_data()) {
    upload.finish();  // a second link of a new file, or a small replaced one
  } else {
    co_await blocking_.run([&upload, acknowledged] { return (acknowledged ? upload.finish() : upload.rollback(), 0); });
  }
}

asio::awaitable<bool> ControlSession::replies_delivered() {
  if (!sink_->drained()) {  // usually written at once
    // A client that reads no replies must not keep the upload undecided: after data_timeout the
    // control connection is closed, the write fails, and the upload is rolled back.
    auto dog = Watchdog::start(stream_->socket().get_executor(), config_.data_timeout,
                               [stream = stream_] { stream->close(); });
    co_await sink_->flush();
    dog->stop();
  }
  co_return !sink_->failed();
}

asio::awaitable<bool> ControlSession::client_outlived_reply(const TransferState& state, std::uint64_t reads_before) {
  // The FINs of a killed client come microseconds apart (its kernel closes the data socket
  // first), often after the check before commit(). Its kernel then answers the reply with RST.
  // A live client sends its next command (no wait at all), or reads the reply and maybe closes
  // (a FIN, no RST), or stays idle: then nobody waits for this session.
  std::chrono::microseconds round_trip{0};
  PeerState peer = peer_state(stream_->socket(), &round_trip);
  control_watch_.expires_after(std::chrono::milliseconds(100) + 2 * round_trip);
  while (true) {
    if (control_reset_ || sink_->failed() || peer == PeerState::reset) co_return false;
    // A command after the reply: alive. An end of the stream (FIN) waits out the grace period
    // for the RST that follows when the client died instead of closing.
    if (control_reads_ != reads_before && peer == PeerState::open && !state.aborted) co_return true;
    boost::system::error_code woken;  // operation_aborted: a control read, or ABOR
    co_await control_watch_.async_wait(asio::redirect_error(asio::use_awaitable, woken));
    peer = peer_state(stream_->socket());
    if (!woken) co_return peer != PeerState::reset;  // the grace period passed
  }
}

void ControlSession::reply_transfer_result(const TransferResult& result, bool kept, const TransferState& state) {
  switch (result.outcome) {
    case TransferOutcome::complete:
      // RFC 959 §4.2: 226 says the data connection is closed; 250 leaves it open.
      if (kept) reply(250, "Transfer complete; data connection stays open (RFC 959 §3.3)");
      else reply(226, "Transfer complete" + state.shaper.summary());
      break;
    case TransferOutcome::connection_lost: reply(426, result.detail); break;
    case TransferOutcome::not_opened: reply(425, result.detail); break;
    case TransferOutcome::local_error: reply(451, "Requested action aborted: " + result.detail); break;
    case TransferOutcome::storage_exceeded:
      reply(552, "Requested file action aborted: exceeded storage allocation (" + result.detail + ")");
      break;
    case TransferOutcome::decode_error: reply(451, "Requested action aborted: " + result.detail); break;
  }
}

asio::awaitable<void> ControlSession::wait_for_transfer() {
  while (transfer_running()) co_await transfer_done_.wait();
}

asio::awaitable<void> ControlSession::abort_transfer() {
  if (!transfer_) co_return;
  transfer_->aborted = true;
  if (data_stream_) data_stream_->close();
  data_.cancel();
  control_watch_.cancel();
  co_await wait_for_transfer();
}

void ControlSession::close_after_replies() {
  if (closing_) return;
  closing_ = true;
  asio::co_spawn(stream_->socket().get_executor(), close_soon(shared_from_this()), asio::detached);
}

asio::awaitable<void> ControlSession::close_soon(std::shared_ptr<ControlSession> self) {
  co_await sink_->flush();
  boost::system::error_code ignored;
  stream_->socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_->close();
  (void)self;
}

void ControlSession::reset() {
  data_.reset();
  const unsigned failed_logins = state_.failed_logins;  // REIN must not reset the guessing limit
  state_ = SessionState{};
  state_.failed_logins = failed_logins;
  adopt_user_misbehaviour({});  // a user's own misbehaviours end with its login
}

asio::awaitable<void> ControlSession::sleep(std::chrono::milliseconds duration) {
  asio::steady_timer timer(stream_->socket().get_executor(), duration);
  boost::system::error_code ignored;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

}  // namespace ftpspecd
