// Where a session's replies go (RFC 959 §4.2). Every reply passes through one ReplySink so later
// misbehaviours (delayed, split or malformed replies for client testing) can wrap it.
#pragma once
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "server/async_event.hpp"
#include "server/misbehaviour.hpp"
#include "server/tls.hpp"

namespace ftpspecd {

class ReplySink {
 public:
  virtual ~ReplySink() = default;
  /// Queues one reply, formatted per RFC 959 §4.2 (multi-line when `text` holds '\n').
  virtual void send(int code, std::string_view text);
  /// Queues raw bytes exactly as given (for deliberate misbehaviour).
  virtual void send_raw(std::string bytes) = 0;
  /// Completes when everything queued so far has been written (or the connection failed).
  virtual asio::awaitable<void> flush() = 0;
  /// True once a write failed: the connection is gone and replies are dropped.
  virtual bool failed() const noexcept = 0;
  /// True when everything queued has been written (flush() would not wait).
  virtual bool drained() const noexcept = 0;
};

/// Writes replies to the control connection in order; writes never overlap even when the control
/// loop and a transfer coroutine reply at the same time.
class SocketReplySink final : public ReplySink, public std::enable_shared_from_this<SocketReplySink> {
 public:
  /// Sees every write: the bytes written and the time taken just before the write call (so a
  /// peer's answer can never look older than what it answers). Recorder's view of the replies.
  using WriteObserver = std::function<void(std::string_view bytes, std::chrono::steady_clock::time_point before)>;

  explicit SocketReplySink(std::shared_ptr<SwitchableStream> stream);
  void send_raw(std::string bytes) override;
  asio::awaitable<void> flush() override;
  bool failed() const noexcept override { return failed_; }
  bool drained() const noexcept override { return !writing_; }
  void observe_writes(WriteObserver observer) { observer_ = std::move(observer); }
  /// Bytes written to the connection so far.
  std::uint64_t bytes_written() const noexcept { return written_; }

 private:
  asio::awaitable<void> drain(std::shared_ptr<SocketReplySink> self);
  void wrote(std::string_view bytes, std::chrono::steady_clock::time_point before);

  std::shared_ptr<SwitchableStream> stream_;
  WriteObserver observer_;
  std::uint64_t written_ = 0;
  std::deque<std::string> queue_;
  AsyncEvent drained_;
  bool writing_ = false;
  bool failed_ = false;
};

/// Wraps another sink and applies the reply misbehaviours (delay-replies, multiline-codes,
/// lf-only, split-replies) to everything sent through it; with no rules set it passes replies
/// straight on. Rules may change between replies (a user's own misbehaviours start at login);
/// order is kept.
class MisbehavingReplySink final : public ReplySink, public std::enable_shared_from_this<MisbehavingReplySink> {
 public:
  /// Between two segments of one split reply: long enough that each leaves as its own TCP
  /// segment (the control socket has TCP_NODELAY) and is usually read on its own.
  static constexpr std::chrono::milliseconds kSegmentPause{2};

  MisbehavingReplySink(std::shared_ptr<ReplySink> inner, asio::any_io_executor executor);
  void set_rules(const ReplyMisbehaviour& rules) { rules_ = rules; }
  const ReplyMisbehaviour& rules() const noexcept { return rules_; }
  /// RFC 959 §4.2 formatting, bent by the rules: "CODE-" on every inner line, bare LF endings.
  void send(int code, std::string_view text) override;
  void send_raw(std::string bytes) override;
  /// Queues `bytes` after the rules' delay, in segments of `segment` bytes kSegmentPause apart
  /// (0: the rules' segmentation). Scripted replies and raw bytes go this way.
  void send_paced(std::string bytes, std::size_t segment);
  asio::awaitable<void> flush() override;
  bool failed() const noexcept override { return inner_->failed(); }
  bool drained() const noexcept override { return !releasing_ && inner_->drained(); }

 private:
  struct Piece {
    std::string bytes;
    std::chrono::milliseconds delay{0};  ///< waited before this piece is passed on
  };
  asio::awaitable<void> release_delayed(std::shared_ptr<MisbehavingReplySink> self);

  std::shared_ptr<ReplySink> inner_;
  asio::any_io_executor executor_;
  ReplyMisbehaviour rules_;
  std::deque<Piece> delayed_;  ///< pieces waiting out a delay or a segment pause, in order
  AsyncEvent released_;
  bool releasing_ = false;
};

/// The bytes of one reply under `rules` (no delay applied): RFC 959 §4.2's multi-line form with
/// the code on every line when code_on_every_line, LF instead of CRLF when lf_only.
std::string format_misbehaving_reply(int code, std::string_view text, const ReplyMisbehaviour& rules);

}  // namespace ftpspecd
