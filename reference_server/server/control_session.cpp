#include "server/control_session.hpp"

#include <sys/socket.h>
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
#include "server/io_loop.hpp"

namespace ftpspecd {

namespace {
/// send_at_once sends at most this much before it leaves the rest to transfer_body: it is for the
/// small files whose transfer is shorter than its setup.
constexpr std::size_t kSendAtOnce = 256 * 1024;
}  // namespace

ControlSession::ControlSession(const Config& config, tcp::socket socket, ssl::context* tls, BlockingCalls& blocking,
                               PassivePorts& ports, UploadLocks& uploads, std::shared_ptr<ScriptInstance> script)
    : config_(config),
      tls_(tls),
      blocking_(blocking),
      uploads_(uploads),
      stream_(std::make_shared<SwitchableStream>(std::move(socket))),
      socket_sink_(std::make_shared<SocketReplySink>(stream_)),
      misbehaving_sink_(std::make_shared<MisbehavingReplySink>(socket_sink_, stream_->socket().get_executor())),
      sink_(misbehaving_sink_),
      server_script_(std::move(script)),
      script_(server_script_),
      recorder_(config.recorder),
      greeting_done_(stream_->socket().get_executor()),
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
  misbehaving_sink_->set_rules(script_->script().replies);
  if (recorder_) {
    connection_ = recorder_->open_connection(fmt::format("{}:{}", remote_.address().to_string(), remote_.port()));
    socket_sink_->observe_writes([recorder = recorder_, connection = connection_](std::string_view bytes, auto before) {
      recorder->record(connection, Recorder::Kind::sent, bytes, Recorder::Tag::none, before);
    });
  }
}

void ControlSession::adopt_user_misbehaviour(const std::vector<std::string>& specs) {
  if (specs.empty()) {
    if (script_ != server_script_) rule_counts_.clear();  // per-connection counts belong to their script
    script_ = server_script_;
  } else {
    Misbehaviour own = config_.misbehaviour;
    for (const auto& list : specs) (void)apply_misbehaviour_list(list, own);
    // The user's misbehaviours replace the server's (their values on top); a script stays first.
    Script combined = combine(config_.script ? *config_.script : Script{}, compile_misbehaviour(own));
    script_ = std::make_shared<ScriptInstance>(std::move(combined));
    rule_counts_.clear();
  }
  misbehaving_sink_->set_rules(script().replies);
}

void ControlSession::reply(int code, std::string_view text) {
  if (serving_.code) code = *serving_.code;
  if (append_.empty()) return sink_->send(code, text);
  // One write: the appended bytes arrive in the reply's own segment (RFC 4217 §4 injection cases).
  misbehaving_sink_->send_paced(format_misbehaving_reply(code, text, misbehaving_sink_->rules()) + std::exchange(append_, {}), 0);
}

void ControlSession::reply_preliminary(int code, const std::string& text) {
  const TransferShape& shape = serving_.transfer;
  if (shape.mark) code = *shape.mark;
  if (shape.order == TransferShape::Order::together) {
    held_preliminary_ = format_misbehaving_reply(code, text, misbehaving_sink_->rules());
    return;
  }
  reply(code, text);
}

void ControlSession::record_event(Recorder::Tag tag, std::string_view what) {
  if (recorder_) recorder_->event(connection_, tag, what);
}

void ControlSession::set_urgent_inline(bool inline_urgent) {
  boost::system::error_code ignored;
  stream_->socket().set_option(asio::socket_base::out_of_band_inline(inline_urgent), ignored);
}

asio::awaitable<void> ControlSession::record_first_bytes_after_auth() {
  const std::string first = co_await stream_->peek(64, config_.data_timeout);
  // RFC 8446 §5.1: a TLS record starts with its content type, 22 for a handshake.
  if (!first.empty() && first.front() != '\x16') {
    record_event(Recorder::Tag::plaintext_after_auth, "after the 234 the client sent clear text, not a TLS handshake: " + first);
  }
}

asio::awaitable<bool> ControlSession::secure_control() {
  co_await sink_->flush();
  if (recorder_) co_await record_first_bytes_after_auth();
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

asio::awaitable<void> ControlSession::greet(std::shared_ptr<ControlSession> self) {
  if (script().greeting.empty()) reply(220, config_.greeting);
  else co_await perform(script().greeting, nullptr);
  co_await sink_->flush();
  // The number of control bytes the greeting took: the judgement finds when the last of them
  // was written, and anything the client sent before that came before the greeting.
  record_event(Recorder::Tag::greeting_complete, std::to_string(socket_sink_->bytes_written()));
  greeted_ = true;
  greeting_done_.notify_all();
  (void)self;
}

asio::awaitable<void> ControlSession::handle(const ftpspec::proto::Command& command) {
  const ScriptRule* rule = script_->match(command, rule_counts_);
  if (!rule) {
    co_await dispatch_command(*this, command);
    co_return;
  }
  const auto keep = script_;  // the rule lives in it; a login during the rule may swap script_
  const CommandSpec* spec = find_command(command.verb);
  // Scripted answers keep the order of replies: they wait for a running transfer as the command
  // table would (RFC 959 §4.1.3), except for ABOR/STAT/QUIT and rules for every command.
  const bool waits = !rule->verbs.empty() && !(spec && spec->during_transfer);
  serving_ = rule->serve;
  append_ = rule->serve.append;
  if (rule->actions.empty()) {
    co_await dispatch_command(*this, command);
  } else {
    if (waits) co_await wait_for_transfer();
    co_await perform(rule->actions, &command);
  }
  serving_ = ServeOptions{};
  append_.clear();
}

asio::awaitable<void> ControlSession::perform(const std::vector<ScriptAction>& actions,
                                              const ftpspec::proto::Command* command) {
  for (const ScriptAction& action : actions) {
    if (closing_) co_return;
    switch (action.kind) {
      case ScriptAction::Kind::reply:
        misbehaving_sink_->send_paced(format_misbehaving_reply(action.code, action.text, misbehaving_sink_->rules()),
                                      action.segment);
        break;
      case ScriptAction::Kind::send: misbehaving_sink_->send_paced(action.bytes, action.segment); break;
      case ScriptAction::Kind::wait:
        co_await sink_->flush();
        co_await sleep(action.duration);
        break;
      case ScriptAction::Kind::close: close_after_replies(); break;
      case ScriptAction::Kind::serve:
        if (command) co_await dispatch_command(*this, *command);
        break;
    }
  }
}

asio::awaitable<void> ControlSession::run() {
  asio::co_spawn(stream_->socket().get_executor(), greet(shared_from_this()), asio::detached);
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
    if (recorder_) recorder_->record(connection_, Recorder::Kind::received, std::string_view(buffer.data(), n));
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
      if (recorder_) {
        recorder_->record(connection_, Recorder::Kind::command,
                          command.has_arg ? command.verb + " " + command.arg : command.verb);
      }
      while (!greeted_ && !closing_) co_await greeting_done_.wait();  // replies never overtake the greeting
      if (closing_) break;
      co_await handle(command);
    }
  }
  closing_ = true;
  record_event(Recorder::Tag::closed, "control connection closed");
  if (decoy_) {
    boost::system::error_code ignored;
    decoy_->close(ignored);
  }
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
  greeting_done_.notify_all();
  if (decoy_) {
    boost::system::error_code ignored;
    decoy_->close(ignored);
  }
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
  job.shape = serving_.transfer;
  if (send_at_once(job)) return;
  transfer_ = std::make_shared<TransferState>();
  transfer_->shape = job.shape;
  transfer_->held_preliminary = std::exchange(held_preliminary_, {});  // order=together
  transfer_->shaper = DataShaper(job.shape.data);
  transfer_->end = job.shape.end;
  transfer_->hold_end = job.shape.linger.count() > 0;
  transfer_->restart_marker_interval = config_.restart_marker_interval;
  if (job.kind == TransferJob::Kind::receive_file) {
    // RFC 959 §4.2.1 note: "110 MARK yyyy = mmmm", the sender's marker and our file offset.
    transfer_->on_restart_mark = [this, base = job.offset](const ftpspec::codec::RestartMark& mark) {
      reply(110, fmt::format("MARK {} = {}", mark.marker, base + mark.local_offset));
    };
  }
  asio::co_spawn(stream_->socket().get_executor(), run_transfer(shared_from_this(), std::move(job)), asio::detached);
}

bool ControlSession::send_at_once(TransferJob& job) {
  if (job.kind != TransferJob::Kind::send_file || !job.size || !job.representation.is_plain_binary() ||
      state_.prot_private || job.shape.any()) {
    return false;
  }
  tcp::endpoint peer;
  UniqueFd data = data_.take_ready(remote_.address(), peer);
  if (data.get() < 0) return false;
  off_t position = static_cast<off_t>(job.offset);
  const SendfileRound round = sendfile_round(data.get(), job.file.get(), position, job.size, kSendAtOnce);
  if (round.end != SendfileRound::End::done) {
    // The rest (or the error) is transfer_body's, with a watchdog and waits as usual.
    job.offset = static_cast<std::uint64_t>(position);
    job.sent = round.bytes;
    boost::system::error_code ec;
    job.connection.emplace(stream_->socket().get_executor());
    adopt(*job.connection, peer.protocol(), data, ec);
    return false;
  }
  // RFC 959 §3.4.1: in stream mode the close ends the file. The FIN pushes out what TCP_CORK
  // (inherited from the passive listener) held back: a small file leaves in one segment with it.
  (void)::shutdown(data.get(), SHUT_WR);
  if (recorder_) {
    record_event(Recorder::Tag::data, fmt::format("data connection with {}:{}", peer.address().to_string(), peer.port()));
    record_event(Recorder::Tag::data, fmt::format("data connection: {} bytes sent, closed", round.bytes));
  }
  TransferResult result;
  if (!job.file.close()) {
    result = {TransferOutcome::local_error, std::string("Closing the file failed: ") + std::strerror(errno)};
  }
  const auto [code, text] = final_reply(result, false, {});
  reply(code, text);
  return true;  // `data` closes now, after the 226: its FIN is out (RFC 959 §4.2 226)
}

asio::awaitable<void> ControlSession::run_transfer(std::shared_ptr<ControlSession> self, TransferJob job) {
  auto state = transfer_;
  const TransferOnThisThread running;  // the io thread sleeps when idle until it ends (io_loop.hpp)
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
  const TransferShape& shape = state->shape;
  std::string error;
  std::optional<tcp::socket> socket;
  // An ABOR or half-close handled before this coroutine first ran (co_spawn starts it later)
  // found no accept to cancel: do not start one now, or it would wait for the whole data timeout.
  if (job.connection) {
    socket = std::move(job.connection);
    state->progressed(job.sent);
  } else if (!state->aborted && !shape.no_data_connection) {
    socket = co_await data_.open(local_.address(), remote_.address(), config_.data_timeout, error);
  } else {
    data_.drop_passive();  // a passive listener serves one transfer, aborted or not
    if (shape.no_data_connection) error = "Can't open data connection";
  }
  if (!socket || state->aborted) {
    // RFC 959 §5.4: 425 when the data connection cannot be opened; 426 when ABOR closed it.
    TransferResult result{TransferOutcome::not_opened, error};
    if (state->aborted) result = {TransferOutcome::connection_lost, "Connection closed; transfer aborted"};
    if (job.upload) co_await end_upload(*state, *job.upload, result, false);
    else co_await reply_transfer_result(result, false, *state);
    co_return;
  }
  TransferResult result;
  SwitchableStream data(std::move(*socket));
  data_stream_ = &data;
  if (recorder_) {
    boost::system::error_code ignored;
    const auto peer = data.socket().remote_endpoint(ignored);
    record_event(Recorder::Tag::data, fmt::format("data connection with {}:{}", peer.address().to_string(), peer.port()));
  }
  if (job.representation.mode != ftpspec::codec::Mode::stream) {
    // MODE B/C: the EOF marker ends the file, and no close flushes it: under Nagle its last small
    // segment would wait for the client's delayed ACK (~40 ms per transfer, measured).
    boost::system::error_code ignored;
    data.socket().set_option(tcp::no_delay(true), ignored);
  }
  state->start_watchdog = [this, &data] {
    return Watchdog::start(stream_->socket().get_executor(), config_.data_timeout, [&data] { data.close(); });
  };
  // Plain binary in stream mode goes through sendfile(2), which starts the watchdog when it first
  // has to wait; every other path starts it now.
  const bool zero_copy = job.kind == TransferJob::Kind::send_file && job.representation.is_plain_binary() &&
                         !state_.prot_private && !state->shaper.active();
  if (!zero_copy) state->watch();
  // Stream mode in clear ends with our FIN, which pushes what TCP_CORK (inherited from the passive
  // listener) holds back, so a small file goes out as one segment with it. Anything else (TLS
  // handshakes, MODE B/C's EOF marker on an open connection, a script's pacing) must not wait
  // for a full segment.
  if (state_.prot_private || job.representation.mode != ftpspec::codec::Mode::stream || shape.any()) {
    set_cork(data.socket(), false);
  }
  std::shared_ptr<Watchdog> interrupt;
  if (shape.interrupt.count() > 0) {
    // A script's deviation: the control connection "times out" while the data still flows.
    std::weak_ptr<ControlSession> weak = weak_from_this();
    interrupt = Watchdog::start(stream_->socket().get_executor(), shape.interrupt, [weak] {
      auto self = weak.lock();
      if (!self || self->closing_) return;
      self->interrupted_ = true;
      self->reply(421, "Idle timeout, closing control connection");
      self->close_after_replies();
      if (self->data_stream_) self->data_stream_->close();
    });
  }
  // RFC 4217 §9: PROT P protects the data connection; the client is the TLS client.
  bool ready = true;
  if (state_.prot_private) {
    if (const auto ec = co_await data.start_tls(*tls_, config_.data_timeout, TlsUse::data); ec) {
      ready = false;
      result = {TransferOutcome::not_opened, "Can't open data connection: TLS handshake failed: " + ec.message()};
    } else {
      const bool resumed = SSL_session_reused(data.native_tls()) == 1;
      record_event(Recorder::Tag::data, resumed ? "data TLS handshake: session resumed" : "data TLS handshake: new session");
      if (!resumed && script().require_tls_resumption) {
        // RFC 4217 §10.2: a server may insist on a cached TLS session; 522 after the 150 says so.
        ready = false;
        result = {TransferOutcome::tls_refused, "TLS session of data connection not resumed (RFC 4217 §10.2)"};
      }
    }
  }
  if (ready && state->aborted) {
    ready = false;
    result = {TransferOutcome::connection_lost, "Connection closed; transfer aborted"};
  }
  if (ready && shape.order == TransferShape::Order::final_first) {
    // A script's deviation: the final reply before any data (the client must still read it all).
    const TransferResult announced;  // named: a temporary in a co_await is destroyed twice by GCC 12
    co_await reply_transfer_result(announced, false, *state);
    state->final_sent = true;
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
  if (state->watchdog) state->watchdog->stop();
  state->start_watchdog = nullptr;
  if (interrupt) interrupt->stop();
  data_stream_ = nullptr;
  // RFC 959 §3.3: a complete MODE B/C transfer leaves its connection open for the next one
  // (not after a shaped one: a script's deviations are about this connection only).
  const bool kept = result.outcome == TransferOutcome::complete && !state->aborted && !shape.any() &&
                    keeps_connection_open(job.representation, data.secure());
  if (recorder_) {
    const char* how = kept ? "kept open"
                      : shape.linger.count() > 0 ? "held open"
                      : shape.end == TransferShape::End::reset ? "reset"
                      : shape.end == TransferShape::End::no_close_notify && data.secure() ? "closed without close_notify"
                                                                                          : "closed";
    record_event(Recorder::Tag::data, fmt::format("data connection: {} bytes {}, {}", state->bytes,
                                                  job.kind == TransferJob::Kind::receive_file ? "received" : "sent", how));
  }
  // A complete download in stream mode has sent its FIN (end_of_data): the 226 may go before the
  // descriptor is closed (RFC 959 §4.2: 226 "closing data connection"; the close is done).
  const bool fin_sent = result.outcome == TransferOutcome::complete && job.kind != TransferJob::Kind::receive_file &&
                        !kept && !shape.any() && !data.secure();
  if (kept) data_.keep(std::move(data.socket()));
  else if (shape.end == TransferShape::End::reset) data.reset();
  else if (shape.linger.count() == 0 && !fin_sent) data.close();
  if (job.upload) {
    co_await end_upload(*state, *job.upload, std::move(result), kept);
  } else {
    if (!job.file.close() && result.outcome == TransferOutcome::complete) {
      result = {TransferOutcome::local_error, std::string("Closing the file failed: ") + std::strerror(errno)};
    }
    co_await reply_transfer_result(result, kept, *state);
  }
  if (fin_sent) data.close();
  if (shape.linger.count() > 0 && data.socket().is_open()) {
    // A script's deviation: the data connection ends well after the final reply (a late FIN).
    co_await sink_->flush();
    co_await sleep(shape.linger);
    if (shape.end == TransferShape::End::reset) {
      data.reset();
    } else {
      co_await data.finish_sending(shape.end != TransferShape::End::no_close_notify);
      data.close();
    }
  }
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
    co_await reply_transfer_result(result, false, state);
    co_return;
  }
  // The file is visible (a client reading it after the 226 sees it) and free for the next
  // writer before the reply goes out; rollback() takes it back only if nobody has changed it since.
  upload.unlock();
  const std::uint64_t reads_before = control_reads_;
  co_await reply_transfer_result(result, kept, state);
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

std::pair<int, std::string> ControlSession::final_reply(const TransferResult& result, bool kept, std::string_view summary) {
  int code = 226;
  std::string text;
  switch (result.outcome) {
    case TransferOutcome::complete:
      // RFC 959 §4.2: 226 says the data connection is closed; 250 leaves it open.
      code = kept ? 250 : 226;
      text = kept ? "Transfer complete; data connection stays open (RFC 959 §3.3)" : "Transfer complete" + std::string(summary);
      break;
    case TransferOutcome::connection_lost: code = 426; text = result.detail; break;
    case TransferOutcome::not_opened: code = 425; text = result.detail; break;
    case TransferOutcome::local_error:
    case TransferOutcome::decode_error: code = 451; text = "Requested action aborted: " + result.detail; break;
    case TransferOutcome::storage_exceeded:
      code = 552;
      text = "Requested file action aborted: exceeded storage allocation (" + result.detail + ")";
      break;
    case TransferOutcome::tls_refused: code = 522; text = result.detail; break;
  }
  return {code, std::move(text)};
}

asio::awaitable<void> ControlSession::reply_transfer_result(const TransferResult& result, bool kept, TransferState& state) {
  const TransferShape& shape = state.shape;
  if (state.final_sent || interrupted_) co_return;  // final_first sent it; a scripted 421 ended the session
  if (shape.final_delay.count() > 0) {
    co_await sink_->flush();
    co_await sleep(shape.final_delay);
  }
  auto final = final_reply(result, kept, state.shaper.summary());
  int code = final.first;
  std::string text = std::move(final.second);
  if (!shape.any()) {
    reply(code, text);
    co_return;
  }
  // A script's deviations: another code or text, exact bytes, the held 1yz in the same write.
  if (shape.final_code) {
    code = *shape.final_code;
    text = shape.final_text.value_or(default_reply_text(code));
  } else if (shape.final_text) {
    text = *shape.final_text;
  }
  std::string bytes = shape.final_raw ? *shape.final_raw : format_misbehaving_reply(code, text, misbehaving_sink_->rules());
  bytes.insert(0, std::exchange(state.held_preliminary, {}));
  if (!bytes.empty()) misbehaving_sink_->send_raw(std::move(bytes));
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

void ControlSession::open_decoy(const asio::ip::address& address, std::uint16_t port) {
  if (decoy_) {
    boost::system::error_code ignored;
    decoy_->close(ignored);
  }
  decoy_.reset();
  try {
    auto decoy = std::make_shared<tcp::acceptor>(stream_->socket().get_executor(), tcp::endpoint(address, port));
    decoy_ = decoy;
    asio::co_spawn(stream_->socket().get_executor(), accept_decoy(shared_from_this(), std::move(decoy)), asio::detached);
  } catch (const boost::system::system_error& e) {
    record_event(Recorder::Tag::data, fmt::format("cannot listen on the decoy {}:{}: {}", address.to_string(), port, e.what()));
  }
}

asio::awaitable<void> ControlSession::accept_decoy(std::shared_ptr<ControlSession> self, std::shared_ptr<tcp::acceptor> decoy) {
  while (decoy->is_open()) {
    boost::system::error_code ec;
    tcp::socket visitor = co_await decoy->async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    const auto peer = visitor.remote_endpoint(ec);
    const auto local = visitor.local_endpoint(ec);
    record_event(Recorder::Tag::third_party, fmt::format("the client connected to the third-party address {}:{} from {}:{}",
                                                         local.address().to_string(), local.port(),
                                                         peer.address().to_string(), peer.port()));
    visitor.close(ec);
  }
  (void)self;
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
