// ftpspecd's configuration: what the command line (and, later, a config file) sets.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/misbehaviour.hpp"
#include "server/recorder.hpp"
#include "server/script.hpp"

namespace ftpspecd {

struct User {
  std::string name;
  std::string password;
  std::filesystem::path root;  ///< empty: the server's root
  bool read_only = false;
};

/// An inclusive port range; {0, 0} means "let the kernel choose" (bind to port 0).
struct PortRange {
  std::uint16_t low = 0;
  std::uint16_t high = 0;
  bool kernel_chooses() const noexcept { return low == 0; }
};

/// io_threads' upper bound (--threads, io_threads).
constexpr unsigned kMaxIoThreads = 256;
/// io_spin's upper bound (--spin-us, io_spin_us): past it, sleeping costs less than polling.
constexpr unsigned kMaxIoSpinMicroseconds = 1000;

struct Config {
  std::string listen_host = "127.0.0.1";
  std::uint16_t port = 0;                 ///< 0: an ephemeral port (Server::start returns it)
  std::filesystem::path root;             ///< served to every user whose own root is empty
  std::vector<User> users;
  bool anonymous = false;                 ///< USER anonymous / ftp with any password, read-only
  std::string greeting = "ftpspecd ready";
  std::size_t max_command_line = 4096;    ///< longer lines get 500 and are discarded
  std::chrono::milliseconds idle_timeout{300'000};
  std::chrono::milliseconds data_timeout{60'000};
  /// Ports for passive listeners (PASV/EPSV/LPSV); unset: the kernel's ephemeral range, still
  /// walked by ftpspecd's own cursor (docs/ftpspecd.md, docs/performance.md).
  std::optional<PortRange> passive_ports;
  /// Threads serving sessions (each session stays on one); 0: one per core.
  std::size_t io_threads = 0;
  /// The longest an io thread polls for more work before it sleeps (an adaptive window,
  /// io_loop.hpp); 0: it sleeps at once.
  std::chrono::microseconds io_spin{200};
  /// RFC 959 §3.5: RETR in MODE B/C puts a restart marker (the decimal file offset) in the data
  /// every this many bytes; 0: none.
  std::uint64_t restart_marker_interval = 1024 * 1024;
  /// An upload that failed or was never acknowledged (no 226/250 reached a live control
  /// connection) leaves what arrived under the target name, for REST + STOR (RFC 3659 §5). Off:
  /// it changes nothing, an existing file stays as it was (upload.hpp, docs/ftpspecd.md).
  bool keep_partial_uploads = false;

  // RFC 4217 FTP over TLS (explicit, AUTH TLS). Both paths set: TLS is offered.
  std::filesystem::path tls_cert;         ///< PEM certificate chain
  std::filesystem::path tls_key;          ///< PEM private key
  bool require_tls = false;               ///< USER before AUTH TLS is refused with 534
  bool tls_enabled() const noexcept { return !tls_cert.empty() && !tls_key.empty(); }

  // Safety limits (RFC 2577 §4, §5). 0 means unlimited.
  std::size_t max_sessions = 0;              ///< more connections get 421 and are closed
  std::size_t max_sessions_per_address = 0;  ///< per client IP address
  std::chrono::milliseconds login_failure_delay{1000};  ///< wait before each 530 to PASS
  unsigned max_login_attempts = 3;           ///< failed PASS commands before 421 and close (0: no limit)

  /// Deliberate misbehaviours for client testing (`--misbehave`), for every session from its
  /// greeting on. Well-behaved by default.
  Misbehaviour misbehaviour;
  /// Per user name: "NAME[=VALUE],..." lists applied on top of `misbehaviour` from that user's 230
  /// on (config file `user ... misbehave=LIST`; validated when parsed). Kept out of User so
  /// aggregate initialisations of User elsewhere stay complete.
  std::map<std::string, std::vector<std::string>> user_misbehave;
  /// The server side of a client case (`--script FILE --case ID`, the client runner): rules run
  /// before the misbehaviours' (docs/client-mode.md). Null: none.
  std::shared_ptr<const Script> script;
  /// Records what clients send and what happens (the client runner's evidence). Null: nothing.
  std::shared_ptr<Recorder> recorder;
};

}  // namespace ftpspecd
