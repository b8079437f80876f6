// Deliberate misbehaviours for testing FTP *clients* (h2spec's client mode idea): a server that is
// slow, formats replies in legal-but-unusual ways (RFC 959 §4.2), fails transfers after the 150,
// announces odd PASV addresses, cuts or throttles data connections, or lists directories in the
// DOS or EPLF formats. Each is opt-in (`--misbehave NAME[=VALUE]`, or per user in the config
// file). This file only parses them: compile_misbehaviour (script.hpp) turns them into the script
// rules a client case uses too, so each deviation has one implementation (replies in
// MisbehavingReplySink, data in DataShaper, the rest in ControlSession's rule runner).
// docs/ftpspecd.md lists them.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ftpspecd {

/// The LIST format (RFC 959 §4.1.3 leaves it to the server).
enum class ListFormat {
  unix_ls,  ///< "-rw-r--r-- 1 ftp ftp 5 Jan 02 03:04 name" (the default)
  dos,      ///< "01-02-24  03:04PM                    5 name", directories as "<DIR>"
  eplf,     ///< "+i<dev>.<ino>,m<unix time>,r,s<size>,\tname" (Easily Parsed LIST Format)
};

/// How replies are sent (MisbehavingReplySink).
struct ReplyMisbehaviour {
  std::chrono::milliseconds delay{0};  ///< delay-replies=MS: wait before every reply
  bool code_on_every_line = false;     ///< multiline-codes: "211-" on every line but the last
  bool lf_only = false;                ///< lf-only: lines end with a bare LF instead of CRLF
  std::size_t segment = 0;             ///< split-replies=N: N bytes per TCP segment, paced (0: whole replies)
  bool any() const noexcept { return delay.count() > 0 || code_on_every_line || lf_only || segment > 0; }
};

/// How data connections behave (DataShaper).
struct DataMisbehaviour {
  std::optional<std::uint64_t> drop_after;  ///< drop-data=BYTES: close after BYTES, reply 426
  std::uint64_t bytes_per_second = 0;       ///< throttle=RATE: 0 = unlimited
  bool any() const noexcept { return drop_after.has_value() || bytes_per_second > 0; }
};

/// Every misbehaviour of one session; the default is a well-behaved server.
struct Misbehaviour {
  ReplyMisbehaviour replies;
  DataMisbehaviour data;
  bool preliminary_then_4xx = false;   ///< RETR/LIST/NLST/MLSD: 150, then 451 with no data
  std::optional<std::string> pasv_address;  ///< pasv-unroutable (0.0.0.0) / pasv-address=IP in 227
  unsigned close_421_at = 0;           ///< close-421=N: the Nth command gets 421 and a close (0: off)
  ListFormat list_format = ListFormat::unix_ls;
};

/// Applies one "NAME[=VALUE]" to `into`. Returns an error message (unknown name, missing or bad
/// value), or an empty string on success.
std::string apply_misbehaviour(std::string_view spec, Misbehaviour& into);

/// Applies a comma-separated list "a,b=1,c"; stops at the first error and returns it.
std::string apply_misbehaviour_list(std::string_view specs, Misbehaviour& into);

/// The names with their value syntax, for --help and error messages.
std::string_view misbehaviour_names() noexcept;

}  // namespace ftpspecd
