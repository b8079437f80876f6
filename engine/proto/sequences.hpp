// The command-reply sequences of RFC 959 §5.4, extended with the codes later RFCs give their
// commands (RFC 1123, 1639, 2228/4217, 2389, 2428, 2640, 3659, 7151). One table, used by the client
// to judge a server (a code outside it is a finding) and by ftpspecd's tests to prove the server
// never leaves it.
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ftpspec::proto {

/// Where in a command's exchange a reply comes.
enum class ReplyStage {
  first,              ///< the first reply to the command
  after_preliminary,  ///< the reply that follows a 1yz (RFC 959 §4.2: "125, 150 ... 226, 250")
};

struct ReplySequence {
  std::string_view verb;
  std::string_view source;              ///< the RFC section the codes come from
  std::span<const int> first;           ///< codes allowed as the first reply
  std::span<const int> after_preliminary;  ///< codes allowed after a 1yz (empty: no 1yz allowed)
};

/// The sequence for a verb (case-insensitive), or nullopt for a verb no RFC here defines.
std::optional<ReplySequence> find_sequence(std::string_view verb) noexcept;

/// True when `code` may answer `verb` at `stage`. Any verb may also be answered 421 (RFC 959
/// §4.2.2: the service is shutting down) and 500/502 when the verb is unknown to the table.
bool is_allowed(std::string_view verb, int code, ReplyStage stage = ReplyStage::first) noexcept;

/// "200, 500, 501, 504, 421, 530" — the allowed codes at `stage`, for evidence messages.
std::string allowed_codes_text(std::string_view verb, ReplyStage stage = ReplyStage::first);

/// Whether a server must implement a command (`command` is the line as sent, "TYPE L 8"):
enum class Obligation {
  /// RFC 1123 §4.1.2.13 "Minimum Implementation": USER PASS PORT PASV TYPE MODE STRU RETR STOR APPE
  /// RNFR RNTO DELE CWD CDUP RMD MKD PWD LIST NLST SYST STAT HELP NOOP QUIT; TYPE A (Non-print), I
  /// and L 8; MODE S; STRU F (record structure only on hosts whose file systems have it).
  required,
  /// SHOULD be implemented: the X-verbs XCWD XCUP XRMD XMKD XPWD (RFC 1123 §4.1.3.1), and ACCT,
  /// which §4.1.2.13 lists but excuses where the system has no accounts.
  recommended,
  /// Everything else: ABOR, REST, STOU, SITE, SMNT, REIN, ALLO, STRU R, MODE B, TYPE E, and every
  /// extension (FEAT, EPSV, MLSD, AUTH, ...).
  optional,
};
Obligation obligation(std::string_view command) noexcept;

/// 500 (not recognised) and 502 (not implemented): the command does not exist on this server
/// (RFC 959 §4.2.1) — unless other replies show that it does (500 is also a syntax error).
constexpr bool is_not_implemented(int code) noexcept { return code == 500 || code == 502; }

/// Every verb in the table, in table order (for tests and `ftpspec list`).
std::span<const ReplySequence> all_sequences() noexcept;

}  // namespace ftpspec::proto
