// RFC 959 §4.1.3 service commands on the control connection only: RNFR RNTO DELE RMD MKD PWD SITE
// SYST STAT HELP NOOP (+ XRMD XMKD XPWD, RFC 1123 §4.1.3.1).
#include <filesystem>

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/algorithm/string/predicate.hpp>
#include <fmt/format.h>

#include "codec/representation.hpp"
#include "server/command_table.hpp"
#include "server/control_session.hpp"
#include "server/handlers.hpp"
#include "server/listing.hpp"

namespace ftpspecd {
namespace fs = std::filesystem;

std::string quote_pathname(std::string_view path) {
  std::string out = "\"";
  for (char c : path) {
    out += c;
    if (c == '"') out += '"';
  }
  out += '"';
  return out;
}

namespace {
bool refuse_read_only(ControlSession& session, int code) {
  if (!session.state().read_only) return false;
  session.reply(code, "Permission denied: read-only account");
  return true;
}
}  // namespace

HandlerResult handle_rnfr(ControlSession& session, const Command& command) {
  auto& state = session.state();
  state.rename_from.reset();
  if (refuse_read_only(session, 550)) co_return;
  auto source = session.resolve_or_reply(command.arg, 550);
  if (!source) co_return;
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(source->real, ec)) || source->virtual_path == "/") {
    session.reply(550, "No such file or directory");
    co_return;
  }
  state.rename_from = std::move(source);
  session.reply(350, "Ready for RNTO");
}

HandlerResult handle_rnto(ControlSession& session, const Command& command) {
  auto& state = session.state();
  auto source = std::exchange(state.rename_from, std::nullopt);
  if (!source) {
    session.reply(503, "Bad sequence of commands: RNFR first");
    co_return;
  }
  auto target = session.resolve_or_reply(command.arg, 553);
  if (!target) co_return;
  std::error_code ec;
  fs::rename(source->real, target->real, ec);
  if (ec) {
    session.reply(553, "Rename failed: " + ec.message());
    co_return;
  }
  session.reply(250, "Renamed " + source->virtual_path + " to " + target->virtual_path);
}

HandlerResult handle_dele(ControlSession& session, const Command& command) {
  if (refuse_read_only(session, 550)) co_return;
  auto target = session.resolve_or_reply(command.arg, 550);
  if (!target) co_return;
  std::error_code ec;
  if (fs::is_directory(fs::symlink_status(target->real, ec))) {
    session.reply(550, "Is a directory: use RMD");
    co_return;
  }
  if (!fs::remove(target->real, ec) || ec) {
    session.reply(550, ec ? "Delete failed: " + ec.message() : std::string("No such file"));
    co_return;
  }
  session.reply(250, "File deleted");
}

HandlerResult handle_rmd(ControlSession& session, const Command& command) {
  if (refuse_read_only(session, 550)) co_return;
  auto target = session.resolve_or_reply(command.arg, 550);
  if (!target) co_return;
  std::error_code ec;
  if (target->virtual_path == "/" || !fs::is_directory(fs::symlink_status(target->real, ec))) {
    session.reply(550, "Not a removable directory");
    co_return;
  }
  if (!fs::remove(target->real, ec) || ec) {
    session.reply(550, "Remove failed: " + (ec ? ec.message() : std::string("not removed")));
    co_return;
  }
  session.reply(250, "Directory removed");
}

HandlerResult handle_mkd(ControlSession& session, const Command& command) {
  if (refuse_read_only(session, 550)) co_return;
  auto target = session.resolve_or_reply(command.arg, 550);
  if (!target) co_return;
  std::error_code ec;
  if (!fs::create_directory(target->real, ec) || ec) {
    session.reply(550, "Create failed: " + (ec ? ec.message() : std::string("already exists")));
    co_return;
  }
  session.reply(257, quote_pathname(target->virtual_path) + " created");  // RFC 959 Appendix II
}

HandlerResult handle_pwd(ControlSession& session, const Command&) {
  session.reply(257, quote_pathname(session.state().cwd) + " is the current directory");
  co_return;
}

HandlerResult handle_site(ControlSession& session, const Command& command) {
  if (boost::algorithm::iequals(command.arg, "HELP")) {
    session.reply(214, "The following SITE commands are recognized:\n HELP\nEnd");
  } else {
    // RFC 959 §4.1.3: SITE services are site-specific; one we do not offer is a parameter we do
    // not understand (501), not a "superfluous" 202, which would read as success.
    session.reply(501, "Unknown SITE command; SITE HELP lists them");
  }
  co_return;
}

HandlerResult handle_syst(ControlSession& session, const Command&) {
  session.reply(215, "UNIX Type: L8");  // RFC 959 §4.1.3, the form clients expect
  co_return;
}

HandlerResult handle_stat(ControlSession& session, const Command& command) {
  auto& state = session.state();
  if (command.has_arg && !command.arg.empty()) {
    // RFC 959 §4.1.3: STAT <path> is a listing sent over the control connection.
    if (!state.logged_in) {
      session.reply(530, "Not logged in");
      co_return;
    }
    auto target = session.resolve_or_reply(strip_list_options(command.arg), 450);
    if (!target) co_return;
    auto listing = make_listing(target->real, true);
    if (!listing) {
      session.reply(450, "No such file or directory");
      co_return;
    }
    session.reply(213, "Status of " + target->virtual_path + ":\n" + *listing + "End of status");
    co_return;
  }
  if (session.transfer_running()) {
    session.reply(213, fmt::format("Status: transfer in progress, {} bytes so far", session.transfer_bytes()));
    co_return;
  }
  const auto& rep = state.representation;
  std::string text = "ftpspecd status:\n";
  text += fmt::format(" Connected from {}\n", session.remote_endpoint().address().to_string());
  text += state.logged_in ? fmt::format(" Logged in as {}{}\n", state.user_name, state.read_only ? " (read-only)" : "")
                          : std::string(" Not logged in\n");
  text += fmt::format(" TYPE: {}, STRU: {}, MODE: {}\n", ftpspec::codec::type_argument(rep, ftpspec::codec::FormCode::written),
                      ftpspec::codec::stru_argument(rep.structure), ftpspec::codec::mode_argument(rep.mode));
  text += " No data connection\nEnd of status";
  session.reply(211, text);
}

HandlerResult handle_help(ControlSession& session, const Command& command) {
  if (command.has_arg && !command.arg.empty()) {
    const CommandSpec* spec = find_command(boost::algorithm::to_upper_copy(command.arg));
    if (!spec) {
      session.reply(501, "Unknown command " + command.arg);
      co_return;
    }
    session.reply(214, fmt::format("Syntax: {}{}", spec->help, spec->handler ? "" : " (not implemented)"));
    co_return;
  }
  std::string text = "The following commands are recognized:\n";
  std::string line;
  for (const auto& spec : all_commands()) {
    if (!spec.handler) continue;
    line += fmt::format(" {:<5}", spec.verb);
    if (line.size() >= 60) {
      text += line + "\n";
      line.clear();
    }
  }
  if (!line.empty()) text += line + "\n";
  text += "Help OK";
  session.reply(214, text);
}

HandlerResult handle_noop(ControlSession& session, const Command&) {
  session.reply(200, "NOOP ok");
  co_return;
}

}  // namespace ftpspecd
