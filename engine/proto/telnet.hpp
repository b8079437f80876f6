// RFC 854 Telnet layer of the FTP control connection (RFC 959 §4.1 / §5.2: the control connection
// follows the Telnet protocol). A byte-at-a-time filter that separates data bytes from IAC
// command sequences, shared by the reply parser (client) and the command parser (server).
#pragma once
#include <cstdint>

namespace ftpspec::proto {

namespace telnet {
inline constexpr unsigned char IAC = 255, DONT = 254, DO = 253, WONT = 252, WILL = 251, SB = 250,
                               GA = 249, EL = 248, EC = 247, AYT = 246, AO = 245, IP = 244,
                               BRK = 243, DM = 242, NOP = 241, SE = 240;
}

class TelnetFilter {
 public:
  enum class Result : std::uint8_t {
    data,        ///< `byte` is a data byte (IAC IAC yields a data 0xFF)
    none,        ///< consumed as part of a command sequence
    command,     ///< `byte` is a complete Telnet command (IP, DM, AYT, ...; option verbs drop the option)
    invalid,     ///< IAC followed by a byte below 240 (RFC 854 lists no such command)
  };
  /// Feeds one byte. On Result::data or Result::command, the byte out-parameter holds it.
  Result feed(unsigned char in, unsigned char& out) noexcept;
  void reset() noexcept { state_ = State::data; }

 private:
  enum class State : std::uint8_t { data, iac, option, subneg, subneg_iac };
  State state_ = State::data;
};

}  // namespace ftpspec::proto
