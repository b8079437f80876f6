// Every byte exchanged on a session's control and data connections, and every connection event,
// with a timestamp: the evidence behind each verdict.
#pragma once
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace ftpspec::session {

enum class Channel { control, data };
enum class Direction {
  client_to_server,  ///< bytes the user side sent
  server_to_client,  ///< bytes the server side sent
  event,             ///< a connection event: connect, accept, close, timeout, TLS handshake, ...
};

struct TranscriptEntry {
  std::chrono::microseconds at;  ///< since the transcript started
  Channel channel;
  Direction direction;
  std::string bytes;             ///< raw bytes, or the event's description
};

/// Thread-safe, append-only. Data payloads are recorded up to `data_limit` bytes per connection
/// (a 1 GiB RETR must not be kept in memory); the rest is counted in an event entry. A connection's
/// payload accounting ends at the next Channel::data event (the session records one when a data
/// connection opens and closes), which is preceded by a "N more payload bytes not recorded" event.
class Transcript {
 public:
  explicit Transcript(std::size_t data_limit = 64 * 1024);
  void record(Channel channel, Direction direction, std::string_view bytes);
  void event(Channel channel, std::string_view what);
  /// Entries since index `from` (a caller keeps the size to cut out one step's excerpt).
  std::vector<TranscriptEntry> entries(std::size_t from = 0) const;
  std::size_t size() const;
  /// A readable rendering, one line per entry: "+0.001234 C> USER anonymous\r\n" with bytes shown
  /// by escape_bytes; prefixes C> / S> (control, client / server), D> / D< (data, client sent /
  /// received), "** control:" / "** data:" (events).
  /// Entries [from, to) only with `to`.
  std::string render(std::size_t from = 0, std::size_t to = static_cast<std::size_t>(-1)) const;
  void clear();

 private:
  mutable std::mutex mutex_;
  std::chrono::steady_clock::time_point start_;
  std::vector<TranscriptEntry> entries_;
  std::size_t data_limit_;
  std::size_t data_recorded_ = 0;  ///< payload recorded for the current data connection
  std::size_t data_skipped_ = 0;
};

/// Escapes a byte string for display: CR as \r, LF as \n, backslash as \\, other controls and
/// bytes >= 0x7F as \xHH.
std::string escape_bytes(std::string_view bytes);

}  // namespace ftpspec::session
