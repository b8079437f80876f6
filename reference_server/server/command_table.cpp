#include "server/command_table.hpp"

#include <array>

#include "server/control_session.hpp"
#include "server/handlers.hpp"

namespace ftpspecd {
namespace {
constexpr auto R = ArgRule::required;
constexpr auto O = ArgRule::optional;
constexpr auto N = ArgRule::none;

// NOOP, QUIT, REIN and FEAT ignore an argument: RFC 959 §5.4 allows them no 501.
// clang-format off
constexpr std::array kCommands = {
    // RFC 959 §4.1.1 access control
    CommandSpec{"USER", false, R, handle_user, false, "USER <username>"},
    CommandSpec{"PASS", false, O, handle_pass, false, "PASS <password>"},
    CommandSpec{"ACCT", false, R, handle_acct, false, "ACCT <account>"},
    CommandSpec{"CWD",  true,  R, handle_cwd,  false, "CWD <pathname>"},
    CommandSpec{"XCWD", true,  R, handle_cwd,  false, "XCWD <pathname> (RFC 1123 §4.1.3.1)"},
    CommandSpec{"CDUP", true,  N, handle_cdup, false, "CDUP"},
    CommandSpec{"XCUP", true,  N, handle_cdup, false, "XCUP (RFC 1123 §4.1.3.1)"},
    CommandSpec{"SMNT", true,  R, nullptr,     false, "SMNT <pathname>"},
    CommandSpec{"REIN", false, O, handle_rein, false, "REIN"},
    CommandSpec{"QUIT", false, O, handle_quit, true,  "QUIT"},
    // RFC 959 §4.1.2 transfer parameters, RFC 2428
    CommandSpec{"PORT", true,  R, handle_port, false, "PORT h1,h2,h3,h4,p1,p2"},
    CommandSpec{"PASV", true,  N, handle_pasv, false, "PASV"},
    CommandSpec{"EPRT", true,  R, handle_eprt, false, "EPRT |af|addr|port|"},
    CommandSpec{"EPSV", true,  O, handle_epsv, false, "EPSV [1|2|ALL]"},
    CommandSpec{"LPRT", true,  R, handle_lprt, false, "LPRT af,hal,h1,...,pal,p1,p2 (RFC 1639)"},
    CommandSpec{"LPSV", true,  N, handle_lpsv, false, "LPSV (RFC 1639)"},
    CommandSpec{"TYPE", true,  R, handle_type, false, "TYPE A|E|I|L n [N|T|C]"},
    CommandSpec{"STRU", true,  R, handle_stru, false, "STRU F|R|P"},
    CommandSpec{"MODE", true,  R, handle_mode, false, "MODE S|B|C"},
    // RFC 959 §4.1.3 service commands
    CommandSpec{"RETR", true,  R, handle_retr, false, "RETR <pathname>"},
    CommandSpec{"STOR", true,  R, handle_stor, false, "STOR <pathname>"},
    CommandSpec{"STOU", true,  O, handle_stou, false, "STOU"},
    CommandSpec{"APPE", true,  R, handle_appe, false, "APPE <pathname>"},
    CommandSpec{"ALLO", true,  R, handle_allo, false, "ALLO <decimal-integer> [R <decimal-integer>]"},
    CommandSpec{"REST", true,  R, handle_rest, false, "REST <marker>"},
    CommandSpec{"RNFR", true,  R, handle_rnfr, false, "RNFR <pathname>"},
    CommandSpec{"RNTO", true,  R, handle_rnto, false, "RNTO <pathname>"},
    CommandSpec{"ABOR", false, N, handle_abor, true,  "ABOR"},
    CommandSpec{"DELE", true,  R, handle_dele, false, "DELE <pathname>"},
    CommandSpec{"RMD",  true,  R, handle_rmd,  false, "RMD <pathname>"},
    CommandSpec{"XRMD", true,  R, handle_rmd,  false, "XRMD <pathname> (RFC 1123 §4.1.3.1)"},
    CommandSpec{"MKD",  true,  R, handle_mkd,  false, "MKD <pathname>"},
    CommandSpec{"XMKD", true,  R, handle_mkd,  false, "XMKD <pathname> (RFC 1123 §4.1.3.1)"},
    CommandSpec{"PWD",  true,  N, handle_pwd,  false, "PWD"},
    CommandSpec{"XPWD", true,  N, handle_pwd,  false, "XPWD (RFC 1123 §4.1.3.1)"},
    CommandSpec{"LIST", true,  O, handle_list, false, "LIST [<pathname>]"},
    CommandSpec{"NLST", true,  O, handle_nlst, false, "NLST [<pathname>]"},
    CommandSpec{"SITE", true,  R, handle_site, false, "SITE <string>"},
    CommandSpec{"SYST", false, N, handle_syst, false, "SYST"},
    CommandSpec{"STAT", false, O, handle_stat, true,  "STAT [<pathname>]"},
    CommandSpec{"HELP", false, O, handle_help, false, "HELP [<string>]"},
    CommandSpec{"NOOP", false, O, handle_noop, false, "NOOP"},
    // RFC 2389, RFC 3659
    CommandSpec{"FEAT", false, O, handle_feat, false, "FEAT"},
    CommandSpec{"OPTS", false, R, handle_opts, false, "OPTS <command> [<options>]"},
    CommandSpec{"SIZE", true,  R, handle_size, false, "SIZE <pathname>"},
    CommandSpec{"MDTM", true,  R, handle_mdtm, false, "MDTM <pathname>"},
    CommandSpec{"MLST", true,  O, handle_mlst, false, "MLST [<pathname>]"},
    CommandSpec{"MLSD", true,  O, handle_mlsd, false, "MLSD [<pathname>]"},
    CommandSpec{"MFMT", true,  R, nullptr,     false, "MFMT <time> <pathname>"},
    // RFC 4217 (RFC 2228 §3) security; ADAT MIC CONF ENC belong to other mechanisms
    CommandSpec{"AUTH", false, R, handle_auth, false, "AUTH TLS"},
    CommandSpec{"ADAT", false, R, nullptr,     false, "ADAT <data>"},
    CommandSpec{"PBSZ", false, R, handle_pbsz, false, "PBSZ 0"},
    CommandSpec{"PROT", false, R, handle_prot, false, "PROT C|P"},
    CommandSpec{"CCC",  false, N, handle_ccc,  false, "CCC"},
    CommandSpec{"MIC",  false, R, nullptr,     false, "MIC <data>"},
    CommandSpec{"CONF", false, R, nullptr,     false, "CONF <data>"},
    CommandSpec{"ENC",  false, R, nullptr,     false, "ENC <data>"},
    // RFC 7151, RFC 2640
    CommandSpec{"HOST", false, R, handle_host, false, "HOST <domain>"},
    CommandSpec{"LANG", false, O, handle_lang, false, "LANG [<tag>]"},
};
// clang-format on
}  // namespace

const CommandSpec* find_command(std::string_view verb) noexcept {
  for (const auto& spec : kCommands) {
    if (spec.verb == verb) return &spec;
  }
  return nullptr;
}

std::span<const CommandSpec> all_commands() noexcept { return kCommands; }

boost::asio::awaitable<void> dispatch_command(ControlSession& session, const ftpspec::proto::Command& command) {
  const CommandSpec* spec = find_command(command.verb);
  if (!spec) {
    session.reply(500, command.verb.empty() ? "Syntax error, empty command line"
                                            : "Syntax error, command unrecognized");
    co_return;
  }
  // Commands arrive in order: all but ABOR, STAT and QUIT wait for a running transfer (§4.1.3).
  if (!spec->during_transfer) co_await session.wait_for_transfer();
  if (!spec->handler) {
    session.reply(502, "Command not implemented");
    co_return;
  }
  const bool has_argument = command.has_arg && !command.arg.empty();
  if (spec->arg == ArgRule::required && !has_argument) {
    session.reply(501, "Syntax error: " + std::string(spec->verb) + " needs an argument");
    co_return;
  }
  if (spec->arg == ArgRule::none && has_argument) {
    session.reply(501, "Syntax error: " + std::string(spec->verb) + " takes no argument");
    co_return;
  }
  if (spec->needs_login && !session.state().logged_in) {
    session.reply(530, "Not logged in");
    co_return;
  }
  // RFC 959 §4.1.3: RNTO must immediately follow RNFR.
  if (spec->handler != handle_rnto && spec->handler != handle_rnfr) session.state().rename_from.reset();
  co_await spec->handler(session, command);
}

}  // namespace ftpspecd
