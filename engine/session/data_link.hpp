// Internal: one data connection of a transfer (the user-DTP of RFC 959 §2.3), in clear or over
// TLS when PROT P is in force (RFC 4217 §9). Every wait on it also watches the control connection,
// so a 4yz/5yz that arrives instead of (or during) the data ends the wait at once (RFC 959 §5.4).
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "codec/codec.hpp"
#include "net/transport.hpp"
#include "session/session.hpp"
#include "session/session_impl.hpp"

namespace ftpspec::session {

/// How a wait on the data connection ended.
enum class DataWait {
  done,            ///< the data operation completed (successfully or with its own error)
  ended_by_reply,  ///< a final reply on the control connection ended the wait (see final_reply())
  failed,          ///< the deadline passed, TLS failed or Session::interrupt() came (see failure())
};

/// A data-side failure for the caller to throw after resynchronising the control connection.
struct DataFailure {
  std::error_code code;
  std::string what;
};

class DataLink {
 public:
  DataLink(SessionState& session, TransferResult& result);
  ~DataLink();
  DataLink(const DataLink&) = delete;
  DataLink& operator=(const DataLink&) = delete;

  /// Sends PASV/EPSV/PORT/EPRT (replies into the result), closing any kept connection first; or,
  /// for `kept`, takes the session's kept connection. Returns the refusing reply when the server
  /// does not agree (no transfer then), nullopt when the data connection is ready to be used.
  std::optional<proto::Reply> prepare(DataConnection kind);
  /// After the 1yz: accepts the server's connection (PORT/EPRT), then runs the TLS handshake when
  /// PROT P is in force, resuming the control connection's session (RFC 4217 §10.2).
  DataWait open();
  /// Reads to end of file (or the codec's EOF mark, MODE B/C) through `decoder`, handing local
  /// bytes to options.sink or TransferResult::data, up to options.max_bytes. With
  /// options.keep_open the connection stays open after an EOF mark (see keep()).
  DataWait download(codec::Decoder& decoder, const TransferOptions& options);
  /// Encodes and writes what `source` supplies until it ends, then ends the data: close_notify
  /// under TLS, then TCP close. With `marker_interval` > 0 (MODE B/C) a restart marker
  /// "<first_offset + local offset>" goes before the first byte past every `marker_interval`
  /// local bytes (RFC 959 §3.5).
  /// With `keep_open` in MODE B/C in clear, the EOF marker ends the data and the connection stays
  /// open (see keep()).
  DataWait upload(codec::Encoder& encoder, const UploadSource& source, std::uint64_t marker_interval = 0,
                  std::uint64_t first_offset = 0, bool keep_open = false);
  /// After the final reply: a connection left open by download/upload goes to the session for the
  /// next transfer when `final_code` is 250 (RFC 959 §3.3), else it is closed. True when kept.
  bool keep(int final_code);

  /// A final reply read on the control connection while waiting (already in the result's replies).
  const std::optional<proto::Reply>& final_reply() const noexcept { return final_; }
  /// Why the last wait timed out or failed; set when the transfer must end with an Error.
  const std::optional<DataFailure>& failure() const noexcept { return failure_; }
  void close(const std::string& why);
  /// Cancels the pending data operation (Session::interrupt, run on the session's io thread).
  void cancel() noexcept;

 private:
  using Clock = std::chrono::steady_clock;
  /// Starts one data operation (it sets `done` in its handler), then runs the io_context until it
  /// completes, a final reply ends the wait, or `deadline` passes. `patient`: after a 4yz/5yz keep
  /// waiting up to Timeouts::drain (data still flowing) instead of stopping at once.
  DataWait wait(const std::function<void(bool& done)>& start, Clock::time_point deadline, bool patient);
  /// Parses buffered control bytes; true when a final reply is now known.
  bool take_control_replies();
  /// Hands local bytes to the sink or the result; false once max_bytes is reached.
  bool deliver(std::string& local, const TransferOptions& options);
  DataWait write(std::string_view wire);
  /// Records why the data side failed, closes it and returns DataWait::failed.
  DataWait failed(std::error_code code, std::string what);
  Clock::time_point data_deadline() const;
  std::optional<proto::Reply> passive(bool extended);
  std::optional<proto::Reply> active(bool extended);
  proto::Reply command(std::string_view verb, std::string_view arg);
  [[noreturn]] void bad_passive(const proto::Reply& reply);
  [[noreturn]] void fail(const net::error_code& ec, const std::string& doing);
  void event(const std::string& what);

  SessionState& s_;
  TransferResult& result_;
  std::unique_ptr<net::Transport> transport_;  ///< the session's kept one after prepare(kept)
  net::TimedAcceptor acceptor_;
  std::vector<char> buffer_;
  bool listening_ = false;
  bool left_open_ = false;          ///< the data ended at an EOF marker and the connection is open
  bool watching_ = true;            ///< still reading the control connection for a final reply
  std::optional<proto::Reply> final_;
  std::optional<DataFailure> failure_;
  std::uint64_t delivered_ = 0;     ///< local bytes handed on so far
  Clock::time_point phase_end_ = Clock::time_point::max();  ///< Timeouts::transfer
};

}  // namespace ftpspec::session
