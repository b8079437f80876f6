// The server-PI's command table (RFC 959 §4.1, §5.3.1): verb -> rules and handler. Dispatch turns
// the rules into replies so handlers only see well-formed, permitted commands:
//   unknown verb -> 500, known but unimplemented -> 502, missing/extra argument -> 501,
//   not logged in -> 530 (RFC 959 §5.4 lists 530 for every command that needs it).
#pragma once
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "proto/command.hpp"

namespace ftpspecd {

class ControlSession;

using CommandHandler = boost::asio::awaitable<void> (*)(ControlSession&, const ftpspec::proto::Command&);

enum class ArgRule { none, required, optional };

struct CommandSpec {
  std::string_view verb;
  bool needs_login = true;
  ArgRule arg = ArgRule::none;
  CommandHandler handler = nullptr;  ///< nullptr: recognised but not implemented (502)
  bool during_transfer = false;      ///< handled while a transfer runs (ABOR, STAT, QUIT)
  std::string_view help;             ///< argument syntax for HELP
};

/// The entry for an upper-cased verb, or nullptr.
const CommandSpec* find_command(std::string_view verb) noexcept;
/// Every entry, in table order (HELP, FEAT).
std::span<const CommandSpec> all_commands() noexcept;
/// Applies the table's rules, then runs the handler.
boost::asio::awaitable<void> dispatch_command(ControlSession& session, const ftpspec::proto::Command& command);

}  // namespace ftpspecd
