// The server side of a client case (docs/client-mode.md): what ftpspecd answers to which command,
// with exact bytes, segmentation, delays and data-connection behaviour. ftpspecd's misbehaviours
// (`--misbehave`, misbehaviour.hpp) are compiled into the same rules (compile_misbehaviour), so
// there is one implementation of every deviation: ControlSession runs the rules, DataShaper
// shapes data, MisbehavingReplySink bends replies.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "proto/command.hpp"
#include "server/misbehaviour.hpp"

namespace ftpspecd {

/// One thing a rule (or the greeting) does, in order.
struct ScriptAction {
  enum class Kind {
    reply,  ///< a formatted reply (RFC 959 §4.2; several lines when `text` holds '\n'), in the reply style
    send,   ///< `bytes` exactly as given
    wait,   ///< pause `duration` (after everything before it has been written)
    close,  ///< close the control connection after what was sent so far
    serve,  ///< run ftpspecd's own handler, bent by the rule's ServeOptions
  };
  Kind kind = Kind::serve;
  int code = 0;                         ///< reply
  std::string text;                     ///< reply
  std::string bytes;                    ///< send
  std::size_t segment = 0;              ///< reply/send: segments of at most this many bytes, paced (0: whole)
  std::chrono::milliseconds duration{0};  ///< wait
};

/// How a served transfer (RETR STOR APPE STOU LIST NLST MLSD) deviates.
struct TransferShape {
  DataMisbehaviour data;                     ///< cut after N bytes (then 426), throttle
  std::optional<int> mark;                   ///< the preliminary reply's code: 125 or 150 instead of the usual one
  std::optional<int> final_code;             ///< the final reply's code instead of the outcome's
  std::optional<std::string> final_text;     ///< and its text (default: a text that suits the code)
  std::optional<std::string> final_raw;      ///< these exact bytes instead of the final reply ("": none at all)
  std::chrono::milliseconds final_delay{0};  ///< wait this long before the final reply
  /// This long into the transfer, answer 421 and close the control connection (and so the
  /// transfer): a server timing the control connection out during a long transfer.
  std::chrono::milliseconds interrupt{0};
  enum class Order {
    normal,       ///< 1yz, data, final reply (RFC 959 §4.2)
    final_first,  ///< 1yz, final reply, then the data
    together,     ///< the data, then 1yz and the final reply in one segment
  } order = Order::normal;
  enum class End {
    close,            ///< stream mode: TLS close_notify (under PROT P), then FIN (RFC 959 §3.4.1)
    reset,            ///< RST instead of FIN (SO_LINGER 0)
    no_close_notify,  ///< under TLS: FIN without close_notify (a truncation, RFC 4217 §12.6)
  } end = End::close;
  std::chrono::milliseconds linger{0};       ///< hold the data connection open this long after the final reply
  bool no_data_connection = false;           ///< never accept/connect the data connection: 425 after the 1yz
  bool ignore_rest = false;                  ///< RETR from byte 0 although REST was answered 350
  std::optional<ListFormat> listing;         ///< LIST format
  std::optional<std::string> listing_body;   ///< LIST/NLST/MLSD: these exact data bytes instead of the listing
  bool any() const noexcept;
};

/// How `serve` bends ftpspecd's own handler for the command of one rule.
struct ServeOptions {
  TransferShape transfer;
  std::optional<std::string> pasv_address;  ///< PASV: announce this IPv4 address in the 227
  /// PASV with pasv_address: also listen on that address (a loopback "third party") at the same
  /// port, and record every connection there: a client that follows a 227 to another host.
  bool decoy = false;
  std::string append;  ///< raw bytes sent right after the handler's first reply (e.g. after AUTH's 234)
  /// The code of every reply the handler sends itself (a transfer's 1yz and final reply have
  /// TransferShape's mark and final): a nonstandard code, a wrong class.
  std::optional<int> code;
  /// PASV/EPSV: the reply text, with `{address}` standing for "h1,h2,h3,h4,p1,p2" and `{port}`
  /// for the port number (a 227 without parentheses, a 229 without its last delimiter).
  std::optional<std::string> text;
};

/// `on VERB[#N] [~ "REGEX"] ACTIONS`: the first rule that matches a command decides what happens.
struct ScriptRule {
  std::vector<std::string> verbs;   ///< upper case; empty: every command
  std::string argument_pattern;     ///< ECMAScript, matched against the argument; empty: any
  std::optional<std::regex> argument;
  unsigned occurrence = 0;          ///< 0: every matching command; N: only the Nth
  bool per_connection = false;      ///< count per control connection instead of across the server
  std::vector<ScriptAction> actions;  ///< empty: serve
  ServeOptions serve;
  std::string source;               ///< "file:line", for the record of what happened
};

struct Script {
  ReplyMisbehaviour replies;             ///< delay, multi-line form, LF-only, segmentation of every reply
  std::vector<ScriptAction> greeting;    ///< empty: "220 <greeting>"
  std::vector<ScriptRule> rules;         ///< in order; the first match wins
  std::string home;                      ///< working directory after login (empty: "/")
  bool require_tls_resumption = false;   ///< PROT P data connections must resume a TLS session (RFC 4217 §10.2)
  bool empty() const noexcept;
};

/// `misbehaviour` as script rules: delay-replies, multiline-codes and lf-only become the reply
/// style; drop-data, throttle, preliminary-then-4xx and list-format shape the transfer commands;
/// pasv-* bends PASV; close-421=N answers the Nth command of each connection 421 and closes.
Script compile_misbehaviour(const Misbehaviour& misbehaviour);

/// `first` with `second`'s rules after its own and `second`'s reply style where `first` sets none.
Script combine(Script first, const Script& second);

/// A script with its occurrence counters, shared by every session of a server (a client case
/// counts "the 2nd RETR" across the connections a client opens).
class ScriptInstance {
 public:
  explicit ScriptInstance(Script script);
  const Script& script() const noexcept { return script_; }
  /// Counts `command` for every rule that names it and returns the first rule that fires, or
  /// nullptr. `connection_counts` holds this connection's counters (sized by the call).
  const ScriptRule* match(const ftpspec::proto::Command& command, std::vector<unsigned>& connection_counts);

 private:
  Script script_;
  std::unique_ptr<std::atomic<unsigned>[]> counts_;
};

/// The reply text a final code gets when a script changes the code but not the text.
std::string default_reply_text(int code);

}  // namespace ftpspecd
