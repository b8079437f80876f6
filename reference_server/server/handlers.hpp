// Command handlers, one file per RFC section. Each runs only after dispatch_command checked login
// and argument presence, and replies only with codes RFC 959 §5.4 allows for its command.
#pragma once
#include <string>

#include <boost/asio/awaitable.hpp>

#include "proto/command.hpp"

namespace ftpspecd {

class ControlSession;
using ftpspec::proto::Command;
using HandlerResult = boost::asio::awaitable<void>;

// RFC 959 §4.1.1 access control (handlers_access.cpp)
HandlerResult handle_user(ControlSession&, const Command&);
HandlerResult handle_pass(ControlSession&, const Command&);
HandlerResult handle_acct(ControlSession&, const Command&);
HandlerResult handle_cwd(ControlSession&, const Command&);
HandlerResult handle_cdup(ControlSession&, const Command&);
HandlerResult handle_rein(ControlSession&, const Command&);
HandlerResult handle_quit(ControlSession&, const Command&);

// RFC 959 §4.1.2 transfer parameters + RFC 2428 (handlers_transfer_params.cpp)
HandlerResult handle_port(ControlSession&, const Command&);
HandlerResult handle_pasv(ControlSession&, const Command&);
HandlerResult handle_eprt(ControlSession&, const Command&);
HandlerResult handle_epsv(ControlSession&, const Command&);
HandlerResult handle_type(ControlSession&, const Command&);
HandlerResult handle_stru(ControlSession&, const Command&);
HandlerResult handle_mode(ControlSession&, const Command&);

// RFC 959 §4.1.3 service commands that move data (handlers_transfer.cpp)
HandlerResult handle_retr(ControlSession&, const Command&);
HandlerResult handle_stor(ControlSession&, const Command&);
HandlerResult handle_appe(ControlSession&, const Command&);
HandlerResult handle_stou(ControlSession&, const Command&);
HandlerResult handle_list(ControlSession&, const Command&);
HandlerResult handle_nlst(ControlSession&, const Command&);
HandlerResult handle_rest(ControlSession&, const Command&);
HandlerResult handle_allo(ControlSession&, const Command&);
/// For every handler that starts a transfer (MLSD too): 425 before the 150 when no PORT/PASV/
/// EPRT/EPSV was given (RFC 959 §5.4 allows 425 first); true when it refused.
bool refuse_without_data_setup(ControlSession&);
/// The transfer's preliminary reply: 125 over a data connection kept open from the previous
/// transfer (RFC 959 §3.3, §4.2), else 150 as a new one is opened; `text` suits both.
void reply_transfer_starting(ControlSession&, const std::string& text);
/// LIST/NLST/MLSD: a served rule's listing body (TransferShape::listing_body) replaces the
/// listing, sent as the exact bytes the script gives.
struct TransferJob;
void use_scripted_listing(ControlSession&, TransferJob& job);
HandlerResult handle_abor(ControlSession&, const Command&);

// RFC 959 §4.1.3 the other service commands (handlers_service.cpp)
HandlerResult handle_rnfr(ControlSession&, const Command&);
HandlerResult handle_rnto(ControlSession&, const Command&);
HandlerResult handle_dele(ControlSession&, const Command&);
HandlerResult handle_rmd(ControlSession&, const Command&);
HandlerResult handle_mkd(ControlSession&, const Command&);
HandlerResult handle_pwd(ControlSession&, const Command&);
HandlerResult handle_site(ControlSession&, const Command&);
HandlerResult handle_syst(ControlSession&, const Command&);
HandlerResult handle_stat(ControlSession&, const Command&);
HandlerResult handle_help(ControlSession&, const Command&);
HandlerResult handle_noop(ControlSession&, const Command&);

// RFC 2389 FEAT/OPTS, RFC 3659 SIZE/MDTM (handlers_extensions.cpp)
HandlerResult handle_feat(ControlSession&, const Command&);
HandlerResult handle_opts(ControlSession&, const Command&);
HandlerResult handle_size(ControlSession&, const Command&);
HandlerResult handle_mdtm(ControlSession&, const Command&);

// RFC 7151 HOST, RFC 2640 LANG (handlers_host_lang.cpp)
HandlerResult handle_host(ControlSession&, const Command&);
HandlerResult handle_lang(ControlSession&, const Command&);

// RFC 1639 long addresses (handlers_transfer_params.cpp)
HandlerResult handle_lprt(ControlSession&, const Command&);
HandlerResult handle_lpsv(ControlSession&, const Command&);

// RFC 3659 §7 machine listings (handlers_mlst.cpp)
HandlerResult handle_mlst(ControlSession&, const Command&);
HandlerResult handle_mlsd(ControlSession&, const Command&);
/// OPTS MLST <facts> (RFC 3659 §7.9), called from handle_opts.
void reply_opts_mlst(ControlSession&, std::string_view facts);

// RFC 4217 / RFC 2228 §3 security (handlers_tls.cpp)
HandlerResult handle_auth(ControlSession&, const Command&);
HandlerResult handle_pbsz(ControlSession&, const Command&);
HandlerResult handle_prot(ControlSession&, const Command&);
HandlerResult handle_ccc(ControlSession&, const Command&);

/// RFC 959 Appendix II: a pathname in a 257 reply is quoted, with '"' doubled.
std::string quote_pathname(std::string_view path);

}  // namespace ftpspecd
