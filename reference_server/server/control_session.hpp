// The server-PI of one control connection (RFC 959 §2.3): reads command lines with
// proto::CommandParser, dispatches them through the command table, and runs at most one transfer
// (the server-DTP) as its own coroutine so ABOR, STAT and QUIT are read while it runs (§4.1.3).
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "proto/command.hpp"
#include "server/blocking_calls.hpp"
#include "server/async_event.hpp"
#include "server/config.hpp"
#include "server/data_channel.hpp"
#include "server/misbehaviour.hpp"
#include "server/recorder.hpp"
#include "server/reply_sink.hpp"
#include "server/script.hpp"
#include "server/session_state.hpp"
#include "server/tls.hpp"
#include "server/transfer.hpp"
#include "server/unique_fd.hpp"
#include "server/upload.hpp"

namespace ftpspecd {

/// One transfer command's work, prepared by its handler before the 150 reply.
struct TransferJob {
  enum class Kind { send_file, send_text, receive_file };
  Kind kind = Kind::send_file;
  UniqueFd file;                                ///< send_file: the file to send
  std::optional<Upload> upload;                 ///< receive_file: where the bytes go
  std::uint64_t offset = 0;                     ///< REST: where the file's bytes start
  std::optional<std::uint64_t> size;            ///< send_file: the file's size told in the 150
  std::string text;                             ///< send_text payload (LF line ends)
  ftpspec::codec::Representation representation;
  TransferShape shape;                          ///< a script's deviations (the rule being served)
  /// send_file begun by send_at_once: the data connection, with `sent` bytes already on it
  /// (`offset` moved past them).
  std::optional<tcp::socket> connection;
  std::uint64_t sent = 0;
};

class ControlSession : public std::enable_shared_from_this<ControlSession> {
 public:
  /// `tls` is the server's TLS context, or nullptr when no certificate is configured; `blocking`
  /// runs the server's slow file-system calls off the io thread.
  /// `ports` hands out the passive listeners (shared by every session of the server).
  /// `uploads` are the targets the server is uploading to (shared like `ports`); `script` is the
  /// server's script (its own rules and the misbehaviours), shared by every session.
  ControlSession(const Config& config, tcp::socket socket, ssl::context* tls, BlockingCalls& blocking,
                 PassivePorts& ports, UploadLocks& uploads, std::shared_ptr<ScriptInstance> script);

  /// Greets (220), serves commands until QUIT, timeout or disconnect.
  asio::awaitable<void> run();
  /// Closes the connection and any transfer (server shutdown).
  void shutdown();

  // ---- the API handlers use ----
  const Config& config() const noexcept { return config_; }
  /// The io thread this session lives on: everything it does runs there.
  asio::any_io_executor executor() { return stream_->socket().get_executor(); }
  SessionState& state() noexcept { return state_; }
  /// For file-system calls that may block long (ftruncate, close after a large upload).
  BlockingCalls& blocking() noexcept { return blocking_; }
  /// STOR/APPE/STOU lock their target here for the whole upload (450 for a second writer).
  UploadLocks& uploads() noexcept { return uploads_; }
  DataChannel& data() noexcept { return data_; }
  /// Sends one reply through the session's ReplySink (then a served rule's `append` bytes).
  void reply(int code, std::string_view text);
  /// The script in force: the server's, or at login the user's misbehaviours on top of it.
  const Script& script() const noexcept { return script_->script(); }
  /// How the rule being served bends the handler now running (defaults when no rule fired).
  const ServeOptions& serving() const noexcept { return serving_; }
  /// A transfer's 1yz reply: `code` unless the rule says otherwise (mark), held back to go out
  /// with the final reply under order=together (TransferShape).
  void reply_preliminary(int code, const std::string& text);
  /// At login: the server's misbehaviours with the user's "NAME[=VALUE]" lists applied on top
  /// (already validated by the config parser; an invalid one is ignored).
  void adopt_user_misbehaviour(const std::vector<std::string>& specs);
  /// Records an event for the client runner (no-op without a recorder).
  void record_event(Recorder::Tag tag, std::string_view what);
  /// ServeOptions::decoy: listens on `address` at `port` until the next PASV or the session's end
  /// and records every connection that arrives there.
  void open_decoy(const asio::ip::address& address, std::uint16_t port);
  ReplySink& sink() noexcept { return *sink_; }
  const tcp::endpoint& local_endpoint() const noexcept { return local_; }
  const tcp::endpoint& remote_endpoint() const noexcept { return remote_; }

  // ---- RFC 4217 TLS ----
  /// The TLS context, or nullptr when the server has no certificate.
  ssl::context* tls_context() const noexcept { return tls_; }
  bool control_secure() const noexcept { return stream_->secure(); }
  /// AUTH TLS after its 234: flushes the replies, then runs the server handshake on the control
  /// connection. A failed handshake drops the connection (RFC 4217 §10.1).
  asio::awaitable<bool> secure_control();
  /// CCC / REIN after their reply: flushes it, then clears TLS and continues in clear (§6, §13).
  asio::awaitable<void> clear_control();

  /// Resolves a client path in the jail; on failure replies `refusal_code` with the reason.
  std::optional<ResolvedPath> resolve_or_reply(std::string_view client_path, int refusal_code);

  /// Runs `job` over a new data connection; replies 425/426/451/226 when it ends.
  void start_transfer(TransferJob job);
  bool transfer_running() const noexcept { return transfer_ != nullptr; }
  /// Bytes moved so far by the running transfer.
  std::uint64_t transfer_bytes() const noexcept { return transfer_ ? transfer_->bytes : 0; }
  /// Waits until no transfer runs (it has sent its final reply).
  asio::awaitable<void> wait_for_transfer();
  /// ABOR (RFC 959 §4.1.3): closes the data connection; the transfer replies 426; then returns.
  asio::awaitable<void> abort_transfer();
  /// Sends the queued replies, then closes the control connection (QUIT, 421).
  void close_after_replies();
  /// Waits without blocking the io thread (login failure delay).
  asio::awaitable<void> sleep(std::chrono::milliseconds duration);
  /// REIN: back to the state right after the greeting (transfer parameters included).
  void reset();

 private:
  /// The common download: RETR in plain binary, stream mode, in clear, with no script deviation,
  /// whose client connected before its command. The whole file goes out and the 226 follows here,
  /// with no coroutine, io-queue trip or reactor registration; true when done. When the socket
  /// cannot take it all at once the job keeps the connection for transfer_body.
  bool send_at_once(TransferJob& job);
  /// Runs transfer_body and then, however it ended, marks the transfer over and wakes its waiters.
  asio::awaitable<void> run_transfer(std::shared_ptr<ControlSession> self, TransferJob job);
  asio::awaitable<void> transfer_body(std::shared_ptr<TransferState> state, TransferJob job);
  /// The end of an upload whose data connection is done: the completion reply only when the
  /// control connection is still there, the upload committed only when that reply went out
  /// (upload.hpp), otherwise the upload abandoned.
  asio::awaitable<void> end_upload(TransferState& state, Upload& upload, TransferResult result, bool kept);
  /// Waits until the queued replies are written (at most data_timeout, then the control connection
  /// is closed); false when they could not be.
  asio::awaitable<bool> replies_delivered();
  /// After an upload's completion reply: false when the control connection is reset (a killed
  /// client's kernel answers the reply with RST, whether it arrived before or after its socket
  /// closed), true as soon as the client sends a command, or once the grace period (100 ms plus
  /// two round trips) passed without a reset: the client read the reply, maybe then closing.
  /// `reads_before` is control_reads_ when the reply was sent.
  asio::awaitable<bool> client_outlived_reply(const TransferState& state, std::uint64_t reads_before);
  /// The transfer's final reply (RFC 959 §4.2): 226, or 250 on a `kept` data connection, or the
  /// failure's 4xx/5xx; bent by the rule being served (TransferShape: its code, text or bytes,
  /// after final_delay, with a held 1yz for order=together), none when already sent (final_first).
  asio::awaitable<void> reply_transfer_result(const TransferResult& result, bool kept, TransferState& state);
  /// The code and text of that final reply without a script's bending; `summary` ends a 226's text.
  static std::pair<int, std::string> final_reply(const TransferResult& result, bool kept, std::string_view summary);
  /// The greeting: "220 <greeting>" or the script's; then marks it complete (the read loop waits).
  asio::awaitable<void> greet(std::shared_ptr<ControlSession> self);
  /// One command: the script's rule for it, or the command table.
  asio::awaitable<void> handle(const ftpspec::proto::Command& command);
  /// Runs a rule's (or the greeting's) actions in order.
  asio::awaitable<void> perform(const std::vector<ScriptAction>& actions, const ftpspec::proto::Command* command);
  /// RFC 4217 §4 evidence: what the client sent right after the 234 (a TLS ClientHello or not).
  asio::awaitable<void> record_first_bytes_after_auth();
  asio::awaitable<void> accept_decoy(std::shared_ptr<ControlSession> self, std::shared_ptr<tcp::acceptor> decoy);
  asio::awaitable<void> close_soon(std::shared_ptr<ControlSession> self);
  void arm_idle_timer();
  /// SO_OOBINLINE, on in clear text: a BSD client sends ABOR's Synch as "IAC" with MSG_OOB, then
  /// "DM" (RFC 959 §4.1.3, RFC 854 Synch); inline, the urgent IAC stays in the stream before its DM
  /// (as vsftpd does). Off under TLS (RFC 4217 §14), where an out-of-band byte would corrupt a record.
  void set_urgent_inline(bool inline_urgent);

  const Config& config_;
  ssl::context* tls_;
  BlockingCalls& blocking_;
  UploadLocks& uploads_;
  std::shared_ptr<SwitchableStream> stream_;
  std::shared_ptr<SocketReplySink> socket_sink_;
  std::shared_ptr<MisbehavingReplySink> misbehaving_sink_;  ///< wraps socket_sink_
  std::shared_ptr<ReplySink> sink_;
  std::shared_ptr<ScriptInstance> server_script_;  ///< the server's
  std::shared_ptr<ScriptInstance> script_;         ///< in force: the server's or the user's
  std::vector<unsigned> rule_counts_;              ///< per-connection occurrence counters
  ServeOptions serving_;                           ///< the rule being served (copied: a login may swap script_)
  std::string append_;                             ///< ServeOptions::append, after the next reply
  std::string held_preliminary_;                   ///< a 1yz held for order=together
  std::shared_ptr<tcp::acceptor> decoy_;
  std::shared_ptr<Recorder> recorder_;
  unsigned connection_ = 0;                        ///< this connection's number in the recorder
  bool greeted_ = false;
  bool interrupted_ = false;                       ///< TransferShape::interrupt sent its 421
  AsyncEvent greeting_done_;
  tcp::endpoint local_;
  tcp::endpoint remote_;
  ftpspec::proto::CommandParser parser_;
  SessionState state_;
  DataChannel data_;
  std::shared_ptr<TransferState> transfer_;
  SwitchableStream* data_stream_ = nullptr;  ///< the running transfer's data connection, for ABOR
  AsyncEvent transfer_done_;
  std::uint64_t control_reads_ = 0;  ///< reads of the control connection that completed (data, EOF or error)
  bool control_reset_ = false;       ///< one of them failed with ECONNRESET
  /// A finishing upload's grace period (client_outlived_reply); cancelled by each control read
  /// and by abort_transfer, so the upload looks again at once.
  asio::steady_timer control_watch_;
  std::shared_ptr<Watchdog> idle_;
  bool closing_ = false;
};

}  // namespace ftpspecd
