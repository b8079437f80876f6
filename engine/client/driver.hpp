// How a client is run for one case (docs/client-mode.md §Drivers): a ClientDriver turns a
// ClientRequest (the operation, the server's URL, the paths) into a ClientOutcome (exit status,
// output, whether it hung). CommandDriver runs a profile's shell command with Boost.Process; the
// Python binding plugs in a Python callable instead.
#pragma once
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "client/client_case.hpp"

namespace ftpspec::client {

/// Everything a client needs to do one case's operation against the scripted server.
struct ClientRequest {
  Operation operation = Operation::download;
  bool tls = false;                 ///< explicit FTPS (AUTH TLS; a self-signed certificate)
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string user;
  std::string password;
  std::string path;                 ///< the remote path, relative to the login directory
  std::filesystem::path local;      ///< the local file (download target, upload source)
  std::filesystem::path workdir;    ///< the client's working directory (fresh per case)
  std::filesystem::path home;       ///< $HOME for the client (fresh per case: no user config)
  /// ftp://USER:PASS@HOST:PORT/PATH, percent-encoded (RFC 1738 §3.2; a list's path ends in '/').
  std::string url() const;
  /// ftp://USER:PASS@HOST:PORT/
  std::string root_url() const;
  /// The folder part of `path` ("." when it has none).
  std::string remote_dir() const;
};

/// What the client left behind besides files.
struct ClientOutcome {
  std::optional<int> exit_status;   ///< none when killed (or when it never ran)
  bool hung = false;                ///< still running at the deadline: killed
  bool not_found = false;           ///< the command could not be run at all (sh: 126/127)
  std::string command;              ///< what was run, for the evidence (not part of `output`)
  std::string output;               ///< stdout and stderr (the first 64 KiB of each)
  std::chrono::milliseconds duration{0};
  std::string describe() const;     ///< "exit 0 after 0.3 s", "killed after 15 s (hung)"
};

class ClientDriver {
 public:
  virtual ~ClientDriver() = default;
  /// The client's name, for reports ("curl", "python:mymodule.download").
  virtual std::string name() const = 0;
  /// A line naming the client's version (the report's greeting line); may be empty.
  virtual std::string version() const { return {}; }
  /// Whether the client can do `operation` (over TLS when `tls`); a case it cannot do is
  /// `unsupported`. When false, `why` says what is missing.
  virtual bool supports(Operation operation, bool tls, std::string& why) const = 0;
  /// Runs the client once; returns within about `deadline` whatever the client does.
  virtual ClientOutcome run(const ClientRequest& request, std::chrono::milliseconds deadline) = 0;
  /// Whether run() may be called from several threads at once (cases in parallel).
  virtual bool parallel() const { return true; }
};

}  // namespace ftpspec::client
