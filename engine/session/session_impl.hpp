// Internal: the state behind session::Session, shared by the control side (session.cpp, the
// user-PI) and the data side (user_dtp.cpp, the user-DTP). Not part of the public API.
#pragma once
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "net/timed_socket.hpp"
#include "proto/reply_parser.hpp"
#include "session/session.hpp"

namespace ftpspec::session {

/// Everything a session holds; Session::Impl is this under the name the public header declares.
struct SessionState {
  explicit SessionState(Timeouts t) : timeouts(t) {}

  boost::asio::io_context io;  ///< runs only inside calls (net::run_until_complete)
  net::TimedSocket control{io};
  proto::ReplyParser parser;
  std::string pending;         ///< bytes received but not yet parsed (a pipelined next reply)
  std::string reply_bytes;     ///< the current reply's bytes so far, for malformed_reply messages
  Transcript transcript;
  codec::Representation representation;
  std::vector<proto::Reply> greeting;
  std::vector<proto::Deviation> deviations;
  Timeouts timeouts;

  /// Throws Error(not_connected) when there is no control connection.
  void require_connected() const;
  /// Records a control event, closes the control connection and throws.
  [[noreturn]] void fail_control(std::error_code code, const std::string& what);
  /// Maps a network error to the session's error and throws (timeouts -> errc::timeout; a peer
  /// that closed or reset -> errc::connection_closed on the control connection).
  [[noreturn]] void throw_control_error(const net::error_code& ec, const std::string& doing);

  /// Writes raw bytes on the control connection (recorded as C>).
  void send_bytes(std::string_view bytes);
  /// proto::encode_command + send_bytes; Error(invalid_argument) if the command cannot be encoded.
  void send_command(std::string_view verb, std::string_view arg);
  /// "VERB arg" as a human writes it, split at the first space.
  void send_line(std::string_view line);
  /// Reads one complete reply (RFC 959 §4.2) within `timeout` from now.
  proto::Reply read_reply(std::chrono::milliseconds timeout);
  proto::Reply read_reply() { return read_reply(timeouts.reply); }
  /// Parses buffered bytes; true with `reply` set when one completed.
  bool parse_pending(proto::Reply& reply);

  std::string remote_host() const { return control.remote_endpoint().address().to_string(); }
  std::string local_host() const { return control.local_endpoint().address().to_string(); }
};

struct Session::Impl : SessionState {
  using SessionState::SessionState;
};

}  // namespace ftpspec::session
