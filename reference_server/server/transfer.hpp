// Moving file bytes over an open data connection (RFC 959 §3.4 transmission modes), through the
// codec for every non-plain representation and sendfile(2) for TYPE I / STRU F / MODE S.
// Memory stays bounded: one chunk at a time.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "codec/codec.hpp"
#include "codec/representation.hpp"
#include "server/async_event.hpp"
#include "server/misbehaviour.hpp"
#include "server/script.hpp"
#include "server/tls.hpp"

namespace ftpspecd {

using tcp = asio::ip::tcp;

/// The data misbehaviours (drop-data, throttle) of one transfer. Every byte a transfer moves asks
/// allowance() first and reports moved() after, so both live here and nowhere else.
class DataShaper {
 public:
  DataShaper() = default;
  explicit DataShaper(DataMisbehaviour rules) : rules_(rules) {}
  /// False for a well-behaved transfer (then sendfile(2) may be used).
  bool active() const noexcept { return rules_.any(); }
  /// How many of `wanted` bytes may move next: cut at drop-data's limit, and in slices of about
  /// 1/20 s of the throttle rate (so pacing is smooth). 0 once dropped().
  std::size_t allowance(std::size_t wanted);
  /// True once drop-data's limit is reached: the transfer must close the connection (426).
  bool dropped() const noexcept { return rules_.drop_after && moved_ >= *rules_.drop_after; }
  /// Records `n` moved bytes; under throttle waits on an async timer (never blocking the io
  /// thread) until the bytes moved so far fit the rate since the transfer's first byte.
  asio::awaitable<void> moved(std::size_t n);
  /// The failure a dropped transfer reports.
  std::string drop_detail() const;
  /// " (throttled: N bytes in T ms)" under throttle, for the 226 text: the server-side rate.
  std::string summary() const;

 private:
  DataMisbehaviour rules_;
  std::uint64_t moved_ = 0;
  std::optional<std::chrono::steady_clock::time_point> start_;
  std::chrono::steady_clock::time_point last_{};
};

/// Shared between a running transfer and the control loop (ABOR, STAT, timeouts).
struct TransferState {
  DataShaper shaper;            ///< cut / throttle (a script's TransferShape::data)
  TransferShape shape;          ///< the rest of a script's deviations for this transfer
  TransferShape::End end = TransferShape::End::close;  ///< how the sender ends the data connection
  bool hold_end = false;        ///< the sender leaves the end to the caller (TransferShape::linger)
  std::string held_preliminary; ///< order=together: the 1yz, sent with the final reply
  bool final_sent = false;      ///< order=final_first: the final reply went out before the data
  std::uint64_t bytes = 0;      ///< bytes moved on the data connection so far
  bool aborted = false;         ///< set by ABOR before it closes the socket
  std::shared_ptr<Watchdog> watchdog;  ///< touched on every progress; closes the socket when idle
  /// Starts `watchdog`. watch() calls it once, before the first wait for the peer: a sendfile(2)
  /// transfer of a small file never waits, and then costs no timer and no coroutine.
  std::function<std::shared_ptr<Watchdog>()> start_watchdog;
  /// RFC 959 §3.5: send_file emits a restart marker (the decimal file offset) before each further
  /// byte every this many local bytes in MODE B/C; 0: none.
  std::uint64_t restart_marker_interval = 0;
  /// RFC 959 §3.5: receive_file calls this for each restart marker the sender put in the data,
  /// with the mark's local offset counted from the transfer's start (the caller adds REST).
  std::function<void(const ftpspec::codec::RestartMark&)> on_restart_mark;
  void watch() {
    if (!watchdog && start_watchdog) watchdog = start_watchdog();
  }
  void progressed(std::size_t n) {
    bytes += n;
    if (watchdog) watchdog->touch();
  }
};

enum class TransferOutcome {
  complete,          ///< 226
  connection_lost,   ///< 426: the peer closed / reset, or ABOR / timeout closed it
  local_error,       ///< 451: a file read or write failed
  storage_exceeded,  ///< 552: the file system is full or the quota is used up (ENOSPC, EDQUOT)
  decode_error,      ///< 451: the wire data did not match the representation
  not_opened,        ///< 425: e.g. the data connection's TLS handshake failed (RFC 4217 §9)
  tls_refused,       ///< 522: the data connection's TLS session is not acceptable (RFC 4217 §10.2)
};

struct TransferResult {
  TransferOutcome outcome = TransferOutcome::complete;
  std::string detail;
};

/// RFC 959 §3.3: a transfer in MODE B or C ends with an EOF marker, so its connection can stay open
/// for the next one. In clear only: a TLS data connection is one TLS session per transfer (RFC
/// 4217 §12.6 ends each with close_notify).
bool keeps_connection_open(const ftpspec::codec::Representation& rep, bool secure) noexcept;

/// What one sendfile_round() did: `bytes` sent, and why it stopped.
struct SendfileRound {
  enum class End {
    done,          ///< reached `size`, or the end of the file
    would_block,   ///< the socket's buffer is full (EAGAIN): wait for writability
    budget_used,   ///< `budget` bytes went out without a wait: let others run, then go on
    failed,        ///< `error` (errno) says why
  };
  End end = End::done;
  std::size_t bytes = 0;
  int error = 0;
};
/// sendfile(2) from `fd` at `position` (advanced) to the non-blocking `socket` until `size` (when
/// known) or the file's end, a full socket buffer, an error, or about `budget` bytes.
SendfileRound sendfile_round(int socket, int fd, off_t& position, std::optional<std::uint64_t> size, std::size_t budget);
/// RETR: file `fd` from `offset` to the wire. Plain binary in clear uses sendfile(2) and stops at
/// `size` (the size announced in the 150) when known, which saves the call that finds the end;
/// under TLS the bytes go through the SSL stream.
asio::awaitable<TransferResult> send_file(SwitchableStream& data, int fd, std::uint64_t offset,
                                          const ftpspec::codec::Representation& rep, TransferState& state,
                                          std::optional<std::uint64_t> size = std::nullopt);
/// LIST/NLST: local text (LF line ends) to the wire through the representation's encoder.
/// Both senders end the data as the mode says: a close in stream mode (RFC 959 §3.4.1), the EOF
/// marker alone when the connection stays open (keeps_connection_open).
asio::awaitable<TransferResult> send_text(SwitchableStream& data, std::string text,
                                          const ftpspec::codec::Representation& rep, TransferState& state);
/// STOR/APPE/STOU: the wire into `fd` through the representation's decoder. The caller closes
/// `fd` (and checks that close) before replying 226.
asio::awaitable<TransferResult> receive_file(SwitchableStream& data, int fd, const ftpspec::codec::Representation& rep,
                                             TransferState& state);

}  // namespace ftpspecd
