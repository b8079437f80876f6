// Internal: the state behind session::Session, shared by the control side (session.cpp, the
// user-PI; secure.cpp, RFC 4217) and the data side (data_link.cpp and user_dtp.cpp, the user-DTP).
// Not part of the public API.
#pragma once
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/transport.hpp"
#include "proto/reply_parser.hpp"
#include "session/session.hpp"

namespace ftpspec::session {

/// Everything a session holds; Session::Impl is this under the name the public header declares.
struct SessionState {
  explicit SessionState(Timeouts t) : timeouts(t) {}

  boost::asio::io_context io;  ///< runs only inside calls (net::run_until_complete)
  net::Transport control{io};
  proto::ReplyParserLimits reply_limits;
  proto::ReplyParser parser;
  std::string pending;         ///< bytes received but not yet parsed (a pipelined next reply)
  std::string reply_bytes;     ///< the current reply's bytes so far, for malformed_reply messages
  Transcript transcript;
  codec::Representation representation;
  std::vector<proto::Reply> greeting;
  std::vector<proto::Deviation> deviations;
  Timeouts timeouts;

  // RFC 4217
  TlsOptions tls_options;
  std::optional<net::ssl::context> tls_context;  ///< made from tls_options when first needed
  std::string server_host;      ///< the host given to connect: SNI and name verification
  std::string last_command;     ///< the last command line sent through send_command ("TYPE A")
  char data_protection = 'C';   ///< PROT level in force (RFC 4217 §9)

  // Session::interrupt(): its handler runs inside a wait on `io` (any thread may post it), sets
  // `interrupted` and cancels what is pending; each wait checks the flag before it starts.
  bool interrupted = false;
  class DataLink* data_link = nullptr;  ///< the transfer's data connection, while one is set up
  /// RFC 959 §3.3: the data connection a MODE B/C transfer left open (TransferOptions::keep_open).
  std::unique_ptr<net::Transport> kept_data;
  /// Closes kept_data if there is one (a new data connection, or the end of the control connection).
  void drop_kept_data(std::string_view why);
  /// The posted handler of Session::interrupt().
  void on_interrupt();
  /// When `interrupted` is set: clears it, records it and throws Error(errc::interrupted).
  void throw_if_interrupted(std::string_view doing);

  // Watching the control connection during a data wait (see ControlWatch in data_link.hpp).
  std::vector<char> watch_buffer = std::vector<char>(16 * 1024);

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
  /// Resets the per-connection state and opens the control connection (no greeting read yet).
  void open_control(const std::string& host, std::uint16_t port);
  /// Any 120 replies, then the 220 (or 421) that is returned (RFC 959 §5.4); kept in `greeting`.
  proto::Reply read_greeting();
  /// Parses buffered bytes; true with `reply` set when one completed. Throws on a malformed reply.
  bool parse_pending(proto::Reply& reply);
  /// Control bytes that arrived: recorded in the transcript and queued for the parser.
  void received(std::string_view bytes);
  /// Forgets parser state and buffered bytes (a new connection).
  void reset_parser();

  /// The client TLS context for tls_options (made on first use).
  net::ssl::context& client_tls_context();
  /// How a connection to the server starts TLS (SNI, verification, resumption).
  net::TlsClientStart tls_start(SSL_SESSION* resume) const;
  /// Records a finished handshake's version, cipher and resumption on `channel`.
  void record_handshake(Channel channel, const net::Transport& transport);
  /// TLS handshake on the control connection; throws Error(tls_failed) (and closes) on failure.
  void secure_control();

  std::string remote_host() const { return control.tcp().remote_endpoint().address().to_string(); }
  std::string local_host() const { return control.tcp().local_endpoint().address().to_string(); }
};

struct Session::Impl : SessionState {
  using SessionState::SessionState;
};

/// True when `ec` means the peer closed or reset the connection (a TLS close without close_notify
/// included).
bool closed_by_peer(const net::error_code& ec);

}  // namespace ftpspec::session
