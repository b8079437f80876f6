#include "run/cleanup.hpp"

#include <fmt/format.h>

#include <vector>

#include "proto/command.hpp"
#include "proto/listing.hpp"
#include "run/tls_steps.hpp"

namespace ftpspec::run {

std::string join_path(std::string_view dir, std::string_view name) {
  std::string out(dir);
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  if (out.empty() || out.back() != '/') out += '/';
  return out + std::string(name);
}

void open_cleanup_session(session::Session& session, const Target& target) {
  const proto::Reply greeting = open_control(session, target);
  if (greeting.code != 220)
    throw session::Error(session::errc::unexpected_reply, fmt::format("cleanup: the server greeted with {}", greeting.code));
  if (needs_auth_tls(target, scenario::Requirement::login) && session.auth_tls().code != 234)
    throw session::Error(session::errc::unexpected_reply, "cleanup: AUTH TLS was refused");
  if (session.login(target.user, target.password).code / 100 != 2)
    throw session::Error(session::errc::unexpected_reply, "cleanup: the login was refused");
  if (needs_protected_data(target, scenario::Requirement::login)) session.secure_data('P');
}

namespace {

/// Commands after which the session is in a state the cleanup knows (RFC 959 §4.1: none of them
/// changes the login, the representation, the data connection's mode or a pending sequence).
bool plain_command(std::string_view verb, std::string_view argument) {
  static constexpr std::string_view kPlain[] = {
      "MKD", "XMKD", "RMD", "XRMD", "DELE", "STOR", "RETR", "APPE", "STOU", "LIST", "NLST", "MLSD", "MLST",
      "SIZE", "MDTM", "NOOP", "PWD", "XPWD", "SYST", "FEAT", "STAT", "HELP", "ALLO", "CWD", "XCWD", "CDUP",
      "XCUP", "PASV", "PORT", "EPRT", "RNTO"};
  for (std::string_view plain : kPlain)
    if (verb == plain) return true;
  if (verb == "EPSV") return argument.empty() || argument == "1" || argument == "2";  // not EPSV ALL (RFC 2428 §4)
  if (verb == "TYPE") return argument == "A" || argument == "I" || argument == "A N";
  return false;
}

}  // namespace

bool fit_for_cleanup(const session::Session& session) {
  if (!session.connected() || session.data_connection_kept()) return false;
  int logins = 0;
  std::string_view pending;  // RNFR or REST: its sequence is still open
  for (const session::TranscriptEntry& entry : session.transcript().entries()) {
    if (entry.channel != session::Channel::control || entry.direction != session::Direction::client_to_server) continue;
    std::string_view line = entry.bytes;
    if (line.size() < 2 || line.substr(line.size() - 2) != "\r\n") return false;  // raw bytes, a partial line
    line.remove_suffix(2);
    const proto::Command command = proto::split_command_line(line);
    const std::string& verb = command.verb;
    const std::string_view argument = command.arg;
    pending = {};
    if (verb == "USER") {
      if (++logins > 1) return false;
    } else if (verb == "RNFR" || verb == "REST") {
      pending = verb == "RNFR" ? "RNFR" : "REST";
    } else if (verb == "PROT") {
      if (argument != "P") return false;  // the protection a TLS target's sessions start with
    } else if (verb != "PASS" && verb != "AUTH" && verb != "PBSZ" && !plain_command(verb, argument)) {
      return false;
    }
  }
  return pending.empty() && logins == 1;
}

namespace {

bool ipv6(const session::Session& session) { return session.remote_address().find(':') != std::string::npos; }

/// A listing over a passive data connection, the way clients open one: PASV on IPv4 (EPSV when
/// PASV is refused), EPSV on IPv6.
session::TransferResult listing(session::Session& session, bool long_form, const std::string& dir) {
  session::TransferOptions options;
  options.representation = codec::Representation{};  // TYPE A, STRU F, MODE S: what clients list in
  options.connection = ipv6(session) ? session::DataConnection::epsv : session::DataConnection::pasv;
  const auto run = [&] { return long_form ? session.list(dir, options) : session.nlst(dir, options); };
  session::TransferResult result = run();
  if (!result.ok() && options.connection == session::DataConnection::pasv) {
    options.connection = session::DataConnection::epsv;
    result = run();
  }
  return result;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\0')) line.pop_back();
    if (!line.empty()) lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

/// The last path component: NLST may answer "name", "dir/name", "/abs/dir/name" or "./name".
std::string_view base_name(std::string_view name) {
  while (name.size() > 1 && name.back() == '/') name.remove_suffix(1);
  const std::size_t slash = name.rfind('/');
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

/// The entries of `dir` worth deleting (no "." or ".."), each with whether it is known to be a
/// directory: from NLST names, or from LIST lines in any style.
std::vector<std::pair<std::string, bool>> entries(session::Session& session, const std::string& dir, bool long_form) {
  std::vector<std::pair<std::string, bool>> out;
  const auto keep = [](std::string_view name) { return !name.empty() && name != "." && name != ".."; };
  const session::TransferResult listed = listing(session, long_form, dir);
  if (!listed.ok()) return out;
  for (const std::string& line : lines_of(listed.data)) {
    if (!long_form) {
      if (const std::string_view name = base_name(line); keep(name)) out.emplace_back(std::string(name), false);
    } else if (const auto entry = proto::parse_list_line(line); entry && keep(base_name(entry->name))) {
      out.emplace_back(std::string(base_name(entry->name)), entry->type == proto::EntryType::directory);
    }
  }
  return out;
}

}  // namespace

bool remove_tree(session::Session& session, const std::string& dir, int depth) {
  // NLST first; when the directory still will not go (NLST refused, or answered in a form that
  // names something else, as Twisted names the directory itself), LIST names the entries.
  for (const bool long_form : {false, true}) {
    for (const auto& [name, is_directory] : entries(session, dir, long_form)) {
      const std::string path = join_path(dir, name);
      if (!is_directory && session.command("DELE", path).code / 100 == 2) continue;
      if (depth > 0) remove_tree(session, path, depth - 1);
    }
    if (session.command("RMD", dir).code / 100 == 2) return true;
  }
  return false;
}

}  // namespace ftpspec::run
