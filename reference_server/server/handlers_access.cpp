// RFC 959 §4.1.1 access control commands: USER PASS ACCT CWD CDUP REIN QUIT (+ XCWD XCUP, RFC 1123).
#include <filesystem>

#include "server/control_session.hpp"
#include "server/handlers.hpp"

namespace ftpspecd {
namespace {
bool is_anonymous_name(const std::string& name) { return name == "anonymous" || name == "ftp"; }

/// Starts the logged-in state: the jail root and "/" as working directory.
bool log_in(ControlSession& session, const std::string& name, const std::filesystem::path& root, bool read_only) {
  auto& state = session.state();
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) return false;
  state.vfs = Vfs(root);
  state.user_name = name;
  state.logged_in = true;
  state.read_only = read_only;
  state.cwd = "/";
  state.pending_user.reset();
  // The user's own misbehaviours (config file `user ... misbehave=`) apply from its 230 on.
  const auto& per_user = session.config().user_misbehave;
  const auto own = per_user.find(name);
  session.adopt_user_misbehaviour(own == per_user.end() ? std::vector<std::string>{} : own->second);
  // A script's `home`: the working directory the session starts in (when it exists).
  if (const std::string& home = session.script().home; !home.empty()) {
    ResolveError error = ResolveError::none;
    auto resolved = state.vfs.resolve("/", home, error);
    if (resolved && std::filesystem::is_directory(resolved->real, ec)) state.cwd = resolved->virtual_path;
  }
  return true;
}

HandlerResult change_directory(ControlSession& session, std::string_view path, int success_code) {
  auto resolved = session.resolve_or_reply(path, 550);
  if (!resolved) co_return;
  std::error_code ec;
  if (!std::filesystem::is_directory(resolved->real, ec)) {
    session.reply(550, "No such directory");
    co_return;
  }
  session.state().cwd = resolved->virtual_path;
  session.reply(success_code, "Directory changed to " + resolved->virtual_path);
}
}  // namespace

HandlerResult handle_user(ControlSession& session, const Command& command) {
  auto& state = session.state();
  if (session.config().require_tls && !session.control_secure()) {
    // RFC 4217 §10.1 lets a policy deny USER before TLS; RFC 2228 §3: 534 "denied for policy reasons".
    session.reply(534, "Policy requires AUTH TLS before USER");
    co_return;
  }
  // A new USER starts a new login (RFC 959 §4.1.1 allows changing users).
  state.logged_in = false;
  state.user_name.clear();
  state.pending_user = command.arg;
  if (session.config().anonymous && is_anonymous_name(command.arg)) {
    session.reply(331, "Anonymous login okay, send your e-mail address as password");
  } else {
    // Same reply for unknown users: RFC 2577 §6 warns against revealing valid user names.
    session.reply(331, "Password required for " + command.arg);
  }
  co_return;
}

HandlerResult handle_pass(ControlSession& session, const Command& command) {
  auto& state = session.state();
  if (state.logged_in) {
    session.reply(202, "Already logged in");
    co_return;
  }
  if (!state.pending_user) {
    session.reply(503, "Login with USER first");
    co_return;
  }
  const std::string name = *state.pending_user;
  state.pending_user.reset();
  const Config& config = session.config();
  if (config.anonymous && is_anonymous_name(name)) {
    if (log_in(session, name, config.root, true)) session.reply(230, "Anonymous user logged in (read-only)");
    else session.reply(530, "Login incorrect: the root directory is unavailable");
    co_return;
  }
  for (const User& user : config.users) {
    if (user.name == name && user.password == command.arg) {
      const auto& root = user.root.empty() ? config.root : user.root;
      if (log_in(session, name, root, user.read_only)) session.reply(230, "User " + name + " logged in");
      else session.reply(530, "Login incorrect: the home directory is unavailable");
      co_return;
    }
  }
  // RFC 2577 §4: slow down password guessing (an async timer: other sessions keep running),
  // and end the connection after too many failures.
  ++state.failed_logins;
  if (config.login_failure_delay.count() > 0) co_await session.sleep(config.login_failure_delay);
  if (config.max_login_attempts > 0 && state.failed_logins >= config.max_login_attempts) {
    session.reply(421, "Too many failed logins, closing control connection");
    session.close_after_replies();
    co_return;
  }
  session.reply(530, "Login incorrect");
}

HandlerResult handle_acct(ControlSession& session, const Command&) {
  auto& state = session.state();
  if (!state.logged_in && !state.pending_user) session.reply(503, "Login with USER first");
  else session.reply(202, "ACCT not needed at this site");
  co_return;
}

HandlerResult handle_cwd(ControlSession& session, const Command& command) {
  co_await change_directory(session, command.arg, 250);
}

HandlerResult handle_cdup(ControlSession& session, const Command&) {
  // RFC 959 §5.4 lists 200 for CDUP's success.
  co_await change_directory(session, "..", 200);
}

HandlerResult handle_rein(ControlSession& session, const Command&) {
  session.reset();  // dispatch has waited for a running transfer (RFC 959 §4.1.1)
  session.reply(220, "Service ready for new user");
  // RFC 4217 §13: REIN clears TLS; its reply still travels protected.
  if (session.control_secure()) co_await session.clear_control();
}

HandlerResult handle_quit(ControlSession& session, const Command&) {
  // RFC 959 §4.1.1: a transfer in progress finishes (and sends its reply) before the 221.
  co_await session.wait_for_transfer();
  session.reply(221, "Goodbye");
  session.close_after_replies();
}

}  // namespace ftpspecd
