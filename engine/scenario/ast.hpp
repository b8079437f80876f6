// The parsed form of a `.ftpspec` scenario file (docs/scenario-format.md): cases made of steps,
// each step remembering the file:line:column it came from, so every verdict can point at it.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ftpspec::scenario {

struct SourceLoc {
  std::string file;
  int line = 0;
  int column = 0;
  /// "file:line:column" (column omitted when 0), the compiler-style prefix of diagnostics.
  std::string str() const;
};

/// A problem in a scenario file: the author's, never the server's.
struct Diagnostic {
  SourceLoc loc;
  std::string message;
  /// "scenarios/x.ftpspec:12:5: expected ..."
  std::string str() const;
};

/// Requirement level of the rule a case checks (RFC 2119 keywords as RFC 959 uses them).
enum class Level { must, should, may };

/// What a matching reply alternative yields. `fail` lets a case name a reply the RFC forbids;
/// `blocked` names a refusal of set-up the case needs but does not test (another case judges it).
enum class Outcome { pass, warn, unsupported, fail, skip, blocked };

/// One reply code pattern: three characters, each a digit or 'x' ("200", "2xx", "25x").
struct CodePattern {
  std::string pattern;
  bool matches(int code) const noexcept;
};

/// A check on a reply beyond its code.
struct TextCheck {
  enum class Kind {
    contains,      ///< `~ "re"`: the reply text has a match
    not_contains,  ///< `!~ "re"`: the reply text has none
    every_inner,   ///< `inner ~ "re"`: every line between the first and the last has a match
    multiline,     ///< `multiline`: the reply spans several lines
    min_delay,     ///< `delay >= 500ms`: the reply came at least `delay` after its command was sent
  };
  Kind kind = Kind::contains;
  std::string regex;  ///< ECMAScript syntax, validated at parse time
  std::chrono::milliseconds delay{0};  ///< for min_delay
};

/// One alternative of an expectation: `200|202 ~ "x" unsupported "why"`.
struct Alternative {
  std::vector<CodePattern> codes;     ///< any one matching is enough
  std::vector<TextCheck> checks;      ///< all must hold
  Outcome outcome = Outcome::pass;
  std::string reason;                 ///< optional author text explaining the outcome
  SourceLoc loc;
};

/// `> LINE` (a command, encoded through proto::encode_command) or `> "text"` (text + CRLF).
struct Send {
  std::string text;    ///< may hold ${variables}
  bool quoted = false; ///< sent as given + CRLF, no verb check
};

/// `>! "bytes"`: raw bytes exactly as written, no CRLF added.
struct SendRaw {
  std::string bytes;
};

/// `< ...` followed by `or ...` lines: reads one reply and grades it by the first matching
/// alternative. `closed` expects the server to close the control connection instead.
struct Expect {
  std::vector<Alternative> alternatives;
  bool closed = false;
  /// `within 30s` on the `<` line: wait this long for the reply (instead of the run's reply timeout),
  /// for replies a server delays on purpose, such as a wrong PASS (RFC 2577 §5).
  std::optional<std::chrono::milliseconds> within;
};

/// Content sent by stor/appe: literal bytes, pseudo-random bytes, or a named earlier content.
struct Content {
  enum class Kind { literal, random, named } kind = Kind::literal;
  std::string text;          ///< literal bytes, or the name for `named`
  std::size_t size = 0;      ///< for random
  std::size_t offset = 0;    ///< for named: `@name[offset:]`
};

/// A check on received data.
struct DataCheck {
  enum class Kind {
    equals,        ///< expect-data "text" | @name[off:]
    matches,       ///< expect-data ~ "re"
    crlf_lines,    ///< expect-crlf: the wire bytes are non-empty lines each ending in CRLF
    empty,         ///< expect-empty
    reply_matches, ///< expect-reply ~ "re": some reply of the exchange (1yz or final) has a match
    tls,           ///< expect-tls: the data connection ran over TLS (PROT P, RFC 4217 §9)
    clear,         ///< expect-clear: the data connection ran in clear (PROT C)
    tls_resumed,   ///< expect-tls-resumed: its TLS session resumed the control connection's (§10.2)
    close_notify,  ///< expect-close-notify: the TLS data connection ended with close_notify (§12.6)
  };
  Kind kind = Kind::equals;
  Content content;       ///< for equals
  std::string regex;     ///< for matches
};

/// retr / stor / appe / stou / list / nlst / mlsd (RFC 3659 §7) with their options (`mode=B type=I via=pasv ...`).
struct Transfer {
  enum class Verb { retr, stor, appe, list, nlst, stou, mlsd } verb = Verb::retr;
  std::string path;                        ///< may hold ${variables}; empty for stou, may be for list/nlst/mlsd
  std::optional<std::string> type;         ///< TYPE argument: "A", "A T", "I", "L 8", "E C"
  std::optional<char> stru;                ///< F R P
  std::optional<char> mode;                ///< S B C
  std::string via = "auto";                ///< pasv epsv port eprt kept; auto: pasv on IPv4, epsv on IPv6
  bool keep_open = false;                  ///< keep-open: MODE B/C connection left open on a 250 (RFC 959 §3.3)
  /// leave-reply: the transfer runs as a client runs it (data connection opened first), and its
  /// final reply — a refusal, or a completion after data — is judged by the `<` on the next line;
  /// the expect- checks run when that reply is a 2yz that passed.
  bool leave_reply = false;
  std::optional<std::uint64_t> rest;
  std::optional<Content> upload;           ///< stor/appe
  std::string save_as;                     ///< name under which the sent/received bytes are kept
  std::vector<DataCheck> checks;
};

/// `wait 100ms`
struct Wait {
  std::chrono::milliseconds duration{0};
};

/// `skip-unless feat "MDTM"`, `skip-unless accepts "MODE B"` or `skip-unless ipv4` (the control
/// connection is IPv4: PASV and PORT carry IPv4 addresses only, RFC 2428 §1).
struct SkipUnless {
  /// clear: the control connection is not protected (no TLS target, no auth-tls step before).
  enum class Kind { feat, accepts, ipv4, clear } kind = Kind::feat;
  std::string argument;
};

/// `abort-retr PATH [via=...]`: starts RETR of a large file, reads a little of its data, then sends
/// ABOR preceded by the Telnet IP and Synch signals (RFC 959 §4.1.3, RFC 854). The replies to RETR
/// and ABOR are left pending for the following `<` lines (426 then 226, or 226 then 226/225).
struct AbortRetr {
  std::string path;            ///< may hold ${variables}
  std::string via = "auto";    ///< pasv epsv (an active data connection is not offered here)
};

/// `connect` (and read the greeting, to be judged by the next `<`), `login`.
struct Connect {};
struct Login {};

/// `auth-tls`: AUTH TLS, then the TLS handshake on the control connection on 234 (RFC 4217 §4).
/// A refusal RFC 2228 §3 / RFC 4217 allows (431, 500, 502, 504, 534) makes the case `unsupported`.
struct AuthTls {};

/// `secure-data [P|C]`: PBSZ 0 then PROT P (private: data connections use TLS) or PROT C (clear),
/// RFC 4217 §8-9. Refusals of an optional level (500, 502, 504, 534, 536) are `unsupported`.
struct SecureData {
  char level = 'P';
};

/// `ccc`: CCC (RFC 4217 §5); on 200 the control connection continues in clear after a TLS
/// shutdown. 500, 502 and 534 (not allowed now) are `unsupported`.
struct Ccc {};

using StepBody = std::variant<Send, SendRaw, Expect, Transfer, Wait, SkipUnless, Connect, Login, AbortRetr, AuthTls,
                              SecureData, Ccc>;

struct Step {
  StepBody body;
  SourceLoc loc;
  std::string source;  ///< the line as written, for reports
};

/// What the runner sets up before the first step.
enum class Requirement {
  nothing,     ///< no connection: the case starts with `connect`
  connection,  ///< connected, greeting read (must be 220)
  login,       ///< and logged in with the target's credentials
  scratch,     ///< and a fresh per-case directory ${scratch} made under ${dir}
  tls_login,   ///< connected, AUTH TLS + handshake, logged in, PBSZ 0 + PROT P (RFC 4217 §4, §9)
  tls_scratch, ///< tls_login and a scratch directory
};

struct Case {
  std::string id;
  std::string title;
  std::vector<std::string> rfc;   ///< ["959 §4.1.3", "959 §5.4"]
  Level level = Level::must;
  Requirement require = Requirement::login;
  /// Why the case is run only when asked for (`intrusive "..."`: it trips a server's defences,
  /// e.g. several wrong passwords in a row); "" for a case every run includes.
  std::string intrusive;
  std::vector<Step> steps;
  SourceLoc loc;                  ///< the `case` line
  /// The RFC number of the first reference ("959"), used to group reports.
  std::string rfc_number() const;
};

std::string_view to_string(Level level) noexcept;
std::string_view to_string(Outcome outcome) noexcept;
std::string_view to_string(Requirement requirement) noexcept;
std::string_view to_string(Transfer::Verb verb) noexcept;

}  // namespace ftpspec::scenario
