// FTP commands on the control connection (RFC 959 §4.1, §5.3): encoding for the user-PI and the
// line parser for the server-PI, so both sides share one reading of the grammar.
#pragma once
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "proto/deviation.hpp"
#include "proto/telnet.hpp"

namespace ftpspec::proto {

/// `text` with ASCII letters upper-cased (verbs and reply texts compare case-insensitively).
std::string upper_ascii(std::string_view text);

struct Command {
  std::string verb;  ///< upper-cased as the server reads it (RFC 959 §5.3: verbs are case-insensitive)
  std::string arg;   ///< everything after the first SP, Telnet-decoded
  bool has_arg = false;
};

/// `VERB[ SP arg]CRLF`, with every 0xFF in the argument doubled (IAC IAC, RFC 854 / RFC 959 §4.1
/// via RFC 2640 §3.1). Fails with argument_has_line_break when the argument holds CR or LF (that
/// would smuggle a second command: use raw bytes for that on purpose), and verb_invalid when the
/// verb is not 3-4 letters (RFC 959 §5.3.1).
std::string encode_command(std::string_view verb, std::string_view arg, std::error_code& ec);
/// Same, verb only.
std::string encode_command(std::string_view verb, std::error_code& ec);
/// Splits a full command line the way a human writes it ("TYPE A N") into verb and argument.
Command split_command_line(std::string_view line);

struct CommandParserLimits {
  std::size_t max_line = 4096;  ///< RFC 959 sets none; servers must bound it (RFC 2577 spirit)
};

/// Server-side incremental parser: one command line per call to release(). Telnet IP and DM
/// (RFC 959 §4.1.3: ABOR is preceded by IP and Synch) are reported through take_interrupt(); so
/// is a lone DM byte (0xF2, its IAC sent as urgent data and removed by the receiver's socket) at
/// the start of a line, which is stripped.
/// An over-long line yields line_too_long once and the rest of that line is discarded, so the
/// server can reply 500 and carry on (it is not sticky).
class CommandParser {
 public:
  explicit CommandParser(CommandParserLimits limits = {}) : limits_(limits) {}
  std::size_t put(std::span<const char> bytes, std::error_code& ec);
  bool done() const noexcept { return done_; }
  Command release();
  /// True if a Telnet IP or DM arrived since the last call; clears the flag.
  bool take_interrupt() noexcept { return std::exchange(interrupted_, false); }
  std::vector<Deviation> take_deviations() { return std::exchange(deviations_, {}); }

 private:
  CommandParserLimits limits_;
  TelnetFilter telnet_;
  std::string line_;
  Command command_;
  std::vector<Deviation> deviations_;
  std::size_t offset_ = 0;
  bool discarding_ = false;
  bool done_ = false;
  bool interrupted_ = false;
};

}  // namespace ftpspec::proto
