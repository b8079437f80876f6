// What a client did to ftpspecd, as ftpspecd saw it: every byte received and sent on each control
// connection, the commands as parsed, and events (greeting complete, data connections, TLS, a
// connection to a decoy address). The client runner judges a client on this record and renders it
// (engine/client/record_view.hpp; docs/client-mode.md); `ftpspecd --script` echoes it live.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace ftpspecd {

class Recorder {
 public:
  enum class Kind {
    received,  ///< bytes read from a control connection (after TLS decryption)
    sent,      ///< bytes written to a control connection (the time is taken before the write)
    command,   ///< one command line as parsed (without CRLF)
    event,     ///< something that happened, described in `bytes`
  };
  enum class Tag {
    none,
    connected,              ///< a control connection opened (bytes: the peer)
    greeting_complete,      ///< the greeting is written; bytes: the number of control bytes it took
    plaintext_after_auth,   ///< after AUTH's 234 the client sent something other than a TLS handshake
    third_party,            ///< a connection to the decoy address of a 227 (ServeOptions::decoy)
    data,                   ///< a data connection event
    closed,                 ///< the control connection ended
  };
  struct Entry {
    std::chrono::microseconds at;  ///< since the recorder was made
    unsigned connection = 0;       ///< 1, 2, ... per control connection (0: not tied to one)
    Kind kind = Kind::event;
    Tag tag = Tag::none;
    std::string bytes;
  };
  using Clock = std::chrono::steady_clock;

  Recorder();
  /// A new control connection from `peer`; returns its number.
  unsigned open_connection(std::string_view peer);
  void record(unsigned connection, Kind kind, std::string_view bytes, Tag tag = Tag::none,
              Clock::time_point at = Clock::now());
  void event(unsigned connection, Tag tag, std::string_view what) { record(connection, Kind::event, what, tag); }
  std::vector<Entry> entries() const;
  /// Called (under the recorder's lock) with every entry as it is recorded: a live view.
  void set_echo(std::function<void(const Entry&)> echo);

 private:
  mutable std::mutex mutex_;
  Clock::time_point start_;
  std::vector<Entry> entries_;
  unsigned connections_ = 0;
  std::function<void(const Entry&)> echo_;
};

}  // namespace ftpspecd
