// The user-PI and user-DTP of RFC 959 §2.3 over Boost.Asio: a blocking API whose every wait has a
// timeout (the io_context runs only inside calls, Asio's blocking_tcp_client pattern). One Session
// is one control connection; it is not thread-safe (use one per thread), but many run in parallel.
//
// Session::interrupt() is the one exception to "not thread-safe": another thread may call it to end
// the call in progress (Ctrl-C in the Python binding).
//
// All bytes go through the protocol core (proto::encode_command / proto::ReplyParser) and the data
// codecs (codec::make_encoder / make_decoder), and into the Transcript.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "codec/codec.hpp"
#include "codec/representation.hpp"
#include "proto/deviation.hpp"
#include "proto/reply.hpp"
#include "proto/reply_parser.hpp"
#include "session/transcript.hpp"

namespace ftpspec::session {

/// Harness-side failures (not findings about the server): timeouts, closed or refused connections,
/// unparseable replies. `code()` is one of session::errc or a system/Asio error.
enum class errc {
  timeout = 1,
  connection_closed,       ///< the server closed the control connection
  malformed_reply,         ///< a reply the parser rejected (the ReplyParser error is in what())
  bad_passive_reply,       ///< 227/229 reply whose address could not be parsed
  unexpected_reply,        ///< e.g. a 2yz where a transfer needed 1yz first
  not_connected,
  invalid_argument,        ///< e.g. CR/LF inside a command argument
  reply_too_long,          ///< a reply line or reply beyond the parser limits (the session closes)
  tls_failed,              ///< a TLS handshake failed or the certificate was refused (RFC 4217 §4)
  interrupted,             ///< Session::interrupt() ended the wait (the session stays usable)
};
const std::error_category& category() noexcept;
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), category()}; }

class Error : public std::system_error {
 public:
  using std::system_error::system_error;
};

struct Timeouts {
  std::chrono::milliseconds connect{5000};
  std::chrono::milliseconds reply{10000};
  std::chrono::milliseconds data{30000};   ///< longest silence on a data connection
  /// Longest data phase of one transfer, however steadily bytes trickle in; 0: no limit.
  std::chrono::milliseconds transfer{0};
  /// Wait for a reply that should already be on its way: the final reply after the client gave up
  /// on a data connection, and the rest of the data after a 4yz/5yz arrived while it flowed.
  std::chrono::milliseconds drain{500};
};

/// Client TLS settings (RFC 4217). Verification is off by default: a test harness talks to servers
/// with self-signed certificates; turn it on to check a server's certificate chain and name.
struct TlsOptions {
  bool verify = false;         ///< verify the chain and the host name (RFC 4217 §15.1.1)
  std::string ca_file;         ///< PEM trust anchors for `verify` (empty: the system's)
  std::string server_name;     ///< SNI and the name to verify (empty: the host given to connect)
  bool reuse_session = true;   ///< data connections resume the control connection's TLS session
};

/// Supplies an upload's local bytes piece by piece: fills `buffer` (from the start) and returns how
/// many bytes it wrote; 0 at the end. An upload from a source runs in bounded memory at any size.
using UploadSource = std::function<std::size_t(std::span<char> buffer)>;

/// The default cap on the bytes a download keeps or hands to a sink (TransferOptions::max_bytes).
inline constexpr std::uint64_t default_max_download = 256ull * 1024 * 1024;

/// How the data connection is set up (RFC 959 §3.2, RFC 2428). `kept`: no PASV/PORT; the
/// transfer uses the connection an earlier MODE B/C transfer left open (TransferOptions::keep_open,
/// RFC 959 §3.3), and throws Error(invalid_argument) when there is none.
enum class DataConnection { pasv, epsv, port, eprt, kept };
/// "pasv", "epsv", "port", "eprt", "kept": the names scenarios and the Python binding use.
std::string_view to_string(DataConnection connection) noexcept;

struct TransferOptions {
  DataConnection connection = DataConnection::epsv;
  /// Applied with TYPE/STRU/MODE before the transfer when it differs from the session's current
  /// one (nullopt: leave the session's representation as it is).
  std::optional<codec::Representation> representation;
  /// How TYPE is spelt when it is sent: "TYPE A" as clients send it, or "TYPE A N" on request.
  codec::FormCode type_form = codec::FormCode::implied;
  std::optional<std::uint64_t> restart;    ///< send REST n first (RFC 3659 §5 stream restart)
  /// Receives the local-form bytes of a download as they arrive, instead of TransferResult::data.
  std::function<void(std::string_view)> sink;
  /// A download stops (TransferResult::truncated) once this many local bytes arrived, so an endless
  /// data connection cannot exhaust memory.
  std::uint64_t max_bytes = default_max_download;
  /// RFC 959 §3.5: an upload in MODE B/C puts a restart marker in the data before each further
  /// byte every this many local bytes; the marker text is the decimal file offset (REST value,
  /// counting `restart`). 0: none.
  std::uint64_t restart_marker_interval = 0;
  /// RFC 959 §3.3 "Reuse of the Data Connection": in MODE B/C, in clear, the data ends at the EOF
  /// marker and the client leaves the connection open; a final 250 keeps it for the next transfer
  /// with DataConnection::kept (226, "closing data connection", or a failure closes it). Off: the
  /// client closes after the EOF marker, which every server understands.
  bool keep_open = false;
};

struct TransferResult {
  std::vector<proto::Reply> replies;  ///< every reply of the exchange: REST 350, 1yz, final
  proto::Reply final_reply;           ///< the completion reply (226/250, or the failure)
  /// The command line `final_reply` answered: the transfer command, or the TYPE/STRU/MODE,
  /// PASV/EPSV/PORT/EPRT or REST that was refused before it.
  std::string final_command;
  std::string data;                   ///< local-form bytes received (RETR/LIST/NLST)
  std::uint64_t wire_bytes = 0;       ///< bytes that crossed the data connection
  std::error_code codec_error;        ///< set if the received wire data could not be decoded
  /// The download reached TransferOptions::max_bytes: the client closed the data connection and
  /// `data` holds the first max_bytes bytes.
  bool truncated = false;
  bool tls = false;                   ///< the data connection ran over TLS (PROT P, RFC 4217 §9)
  /// The data connection's TLS handshake resumed the control connection's session (RFC 4217 §10.2).
  bool tls_resumed = false;
  /// A TLS data connection ended without close_notify (RFC 4217 §12.6 TLSshutdown): the client
  /// cannot tell a complete download from a truncated one by the data connection alone.
  bool tls_truncated = false;
  std::error_code data_error;         ///< the data connection failed (e.g. reset) before its end
  /// RFC 959 §3.5: restart markers found in downloaded MODE B/C data, with the local offset
  /// (counted from this transfer's first byte) where each arrived. The server's "110 MARK"
  /// replies to an upload's markers are in `replies`.
  std::vector<codec::RestartMark> restart_marks;
  /// The data connection stayed open for the next transfer (TransferOptions::keep_open and a 250).
  bool data_connection_kept = false;
  /// A 2yz completion (code 0 when none arrived), nothing cut short, every byte decodable.
  bool ok() const noexcept { return final_reply.code / 100 == 2 && !codec_error && !truncated && !data_error; }
};

class Session {
 public:
  explicit Session(Timeouts timeouts = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Connects (IPv4 or IPv6 literal, or a name) and reads the greeting: any 120 replies, then the
  /// 220 (or 421) that is returned. All greeting replies are kept in greeting_replies().
  proto::Reply connect(const std::string& host, std::uint16_t port);
  /// Implicit FTPS (ftps://): connects, runs the TLS handshake from the first byte, then reads the
  /// greeting as connect() does. Data connections stay clear until secure_data().
  proto::Reply connect_tls(const std::string& host, std::uint16_t port);
  /// AUTH TLS (RFC 4217 §4.1); on 234 runs the TLS handshake on the control connection (throws
  /// Error(tls_failed) when it fails). Any other reply is returned as is, the connection clear.
  proto::Reply auth_tls();
  /// PBSZ 0 then PROT `level` (RFC 4217 §8-9: 'C' clear, 'P' private); the replies. From a 2yz to
  /// PROT on, data connections use TLS when the level is 'P' (also when PROT goes via command()).
  std::vector<proto::Reply> secure_data(char level = 'P');
  /// CCC (RFC 4217 §5): on 200, TLS shutdown on the control connection (close_notify both ways),
  /// which then continues in clear. The reply.
  proto::Reply ccc();
  void set_tls_options(const TlsOptions& options);
  const TlsOptions& tls_options() const noexcept;
  bool control_secure() const noexcept;  ///< the control connection runs over TLS
  char data_protection() const noexcept; ///< the PROT level in force: 'C' or 'P'
  /// Reply parser limits (line length, lines and bytes per reply): replies beyond them end the
  /// session with Error(reply_too_long) instead of growing without bound.
  void set_reply_limits(const proto::ReplyParserLimits& limits);
  /// USER, then PASS if 331, then ACCT if 332 (RFC 959 §5.4 login sequence); the last reply.
  proto::Reply login(const std::string& user, const std::string& password, const std::string& account = {});
  /// Sends one command line ("TYPE A N") and reads its first reply.
  proto::Reply command(std::string_view line);
  /// Sends verb + argument through proto::encode_command (0xFF doubled) and reads the first reply.
  proto::Reply command(std::string_view verb, std::string_view arg);
  /// Sends bytes exactly as given (malformed input on purpose), reading nothing.
  void send_raw(std::string_view bytes);
  /// Sends bytes as TCP urgent data (Telnet Synch, RFC 959 §4.1.3 ABOR).
  void send_urgent(std::string_view bytes);
  /// RFC 959 §4.1.3 ABOR as the RFC asks for it during a transfer: Telnet IP (IAC IP), the Synch
  /// (IAC as TCP urgent data, then DM, RFC 854) and "ABOR". Reads nothing: a transfer in progress
  /// answers 426 then 226, an idle server 225 or 226.
  void send_abort();
  /// Reads the next reply. Throws Error(timeout) when none completes in time.
  proto::Reply read_reply(std::optional<std::chrono::milliseconds> timeout = {});
  /// Deviations the reply parser tolerated since the last call.
  std::vector<proto::Deviation> take_deviations();

  // Data transfers (RFC 959 §4.1.3), through the session's representation.
  TransferResult retr(const std::string& path, const TransferOptions& options = {});
  /// RETR whose local bytes go to `sink` as they arrive (TransferResult::data stays empty).
  TransferResult retr_to(const std::string& path, std::function<void(std::string_view)> sink,
                         TransferOptions options = {});
  TransferResult stor(const std::string& path, std::string_view local_data, const TransferOptions& options = {});
  /// STOR whose local bytes come from `source` as the data connection takes them.
  TransferResult stor_from(const std::string& path, UploadSource source, const TransferOptions& options = {});
  TransferResult appe(const std::string& path, std::string_view local_data, const TransferOptions& options = {});
  /// STOU: the file name the server chose is in the replies (RFC 1123 §4.1.2.9 "FILE: name").
  TransferResult stou(std::string_view local_data, const TransferOptions& options = {});
  TransferResult list(const std::string& path = {}, const TransferOptions& options = {});
  TransferResult nlst(const std::string& path = {}, const TransferOptions& options = {});
  /// Any transfer command: `line` is sent after the data connection is prepared; `upload` is
  /// sent (encoded) when the server answers 1yz, or the data is received when it is nullopt.
  TransferResult transfer(std::string_view line, std::optional<std::string_view> upload,
                          const TransferOptions& options = {});
  /// An upload command (STOR, APPE, STOU...) whose local bytes come from `source`.
  TransferResult transfer_from(std::string_view line, UploadSource source, const TransferOptions& options = {});

  /// Sends TYPE/STRU/MODE as needed so the session uses `rep`; returns the replies (empty if none
  /// was needed), stopping at the first refusal, which is then the last reply and answers
  /// last_command(). Throws nothing on refusal: the caller judges the replies. TYPE spells
  /// Non-print as `form` says ("TYPE A" by default, as clients in the field send it).
  std::vector<proto::Reply> set_representation(const codec::Representation& rep,
                                               codec::FormCode form = codec::FormCode::implied);
  const codec::Representation& representation() const noexcept;

  /// Thread-safe: ends the blocking call in progress on another thread, at once. A transfer closes
  /// its data connection (the server sees the client abandon it, RFC 959 §4.1.3, and answers 426,
  /// which the call reads for up to Timeouts::drain) and throws Error(errc::interrupted); a wait for
  /// a reply throws Error(errc::interrupted) and leaves the control connection open. The session
  /// stays usable. An interrupt that arrives between calls ends the next wait instead: call
  /// discard_interrupt() (on the session's thread) to drop one the call did not take.
  void interrupt();
  /// Drops an interrupt() that no wait took (the call it aimed at ended first).
  void discard_interrupt();

  /// QUIT, a second or so for the reply, and close (ignores errors); the destructor closes without QUIT.
  void quit();
  void close();
  bool connected() const noexcept;
  /// A data connection kept open by the last transfer (TransferOptions::keep_open) is ready for
  /// DataConnection::kept.
  bool data_connection_kept() const noexcept;

  Transcript& transcript() noexcept;
  const Transcript& transcript() const noexcept;
  const std::vector<proto::Reply>& greeting_replies() const noexcept;
  const Timeouts& timeouts() const noexcept;
  void set_timeouts(const Timeouts& timeouts);
  /// The last command line the session sent itself (command(), login(), transfers; not send_raw):
  /// what a reply, or a protocol violation thrown as Error, answered.
  const std::string& last_command() const noexcept;
  /// The local and remote addresses of the control connection (numeric host text).
  std::string local_address() const;
  std::string remote_address() const;

 private:
  /// transfer() and transfer_from(): a download when `source` is null.
  TransferResult run_transfer(std::string_view line, const UploadSource* source, const TransferOptions& options);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ftpspec::session

template <>
struct std::is_error_code_enum<ftpspec::session::errc> : std::true_type {};
