// RFC 959 §4.1.2 transfer parameter commands (PORT PASV TYPE STRU MODE) and RFC 2428 EPRT/EPSV.
#include <algorithm>
#include <cctype>

#include <boost/algorithm/string/predicate.hpp>
#include <fmt/format.h>

#include "codec/codec.hpp"
#include "proto/address.hpp"
#include "server/control_session.hpp"
#include "server/handlers.hpp"

namespace ftpspecd {
namespace codec = ftpspec::codec;
namespace proto = ftpspec::proto;

namespace {
asio::ip::address control_local_address(const ControlSession& session) {
  auto address = session.local_endpoint().address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  return address;
}

/// A script's PASV/EPSV reply text: `{address}` -> "h1,h2,h3,h4,p1,p2", `{port}` -> the port.
std::string scripted_address_text(std::string text, const std::string& address, std::uint16_t port) {
  for (const auto& [name, value] : {std::pair<std::string, std::string>{"{address}", address}, {"{port}", std::to_string(port)}}) {
    for (std::size_t at = text.find(name); at != std::string::npos; at = text.find(name, at + value.size()))
      text.replace(at, name.size(), value);
  }
  return text;
}

/// RFC 2428 §4: after EPSV ALL only EPSV may set up a data connection. 501 keeps PORT and PASV
/// inside their RFC 959 §5.4 reply lists.
bool refused_by_epsv_all(ControlSession& session) {
  if (!session.state().epsv_all) return false;
  session.reply(501, "EPSV ALL in effect: only EPSV may set up data connections (RFC 2428 §4)");
  return true;
}

HandlerResult set_active(ControlSession& session, const proto::HostPort& target) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(target.host, ec);
  if (ec) {
    session.reply(501, "Syntax error in the host address");
    co_return;
  }
  const tcp::endpoint endpoint(address, target.port);
  if (auto reason = refuse_active_target(endpoint, session.remote_endpoint().address()); !reason.empty()) {
    session.reply(501, reason);
    co_return;
  }
  session.data().set_active(endpoint);
  session.reply(200, "Command okay, data connection to " + target.host + " port " + std::to_string(target.port));
}

/// TYPE, STRU and MODE: 200 when the codec can transfer the result, 504 with its reason if not.
void apply_representation(ControlSession& session, const codec::Representation& candidate, std::string_view what) {
  if (auto reason = codec::unsupported_reason(candidate); !reason.empty()) {
    session.reply(504, "Command not implemented for that parameter: " + reason);
    return;
  }
  session.state().representation = candidate;
  session.reply(200, fmt::format("{} set", what));
}
}  // namespace

HandlerResult handle_port(ControlSession& session, const Command& command) {
  if (refused_by_epsv_all(session)) co_return;
  const auto target = proto::parse_port_argument(command.arg);
  if (!target) {
    session.reply(501, "Syntax error in PORT argument (h1,h2,h3,h4,p1,p2)");
    co_return;
  }
  co_await set_active(session, *target);
}

HandlerResult handle_eprt(ControlSession& session, const Command& command) {
  if (refused_by_epsv_all(session)) co_return;
  const auto target = proto::parse_eprt_argument(command.arg);
  if (!target) {
    // RFC 2428 §2: a well-formed argument with an unknown address family is 522 naming the
    // families we support; anything not shaped <d>af<d>addr<d>port<d> is a syntax error (501).
    const std::string& arg = command.arg;
    const bool well_formed = arg.size() >= 7 && arg.front() >= 33 && arg.front() <= 126 &&
                             arg.back() == arg.front() && std::count(arg.begin(), arg.end(), arg.front()) == 4;
    const bool known_family = well_formed && (arg[1] == '1' || arg[1] == '2') && arg[2] == arg[0];
    if (well_formed && !known_family) session.reply(522, "Network protocol not supported, use (1,2)");
    else session.reply(501, "Syntax error in EPRT argument (|af|addr|port|)");
    co_return;
  }
  co_await set_active(session, *target);
}

HandlerResult handle_lprt(ControlSession& session, const Command& command) {
  if (refused_by_epsv_all(session)) co_return;
  const auto target = proto::parse_lprt_argument(command.arg);
  if (!target) {
    // RFC 1639 §2: 521 names the supported families when the family is unknown.
    const bool known_family = command.arg.starts_with("4,") || command.arg.starts_with("6,");
    if (!known_family && !command.arg.empty() && std::isdigit(static_cast<unsigned char>(command.arg[0])))
      session.reply(521, "Supported address families are (4,6)");
    else session.reply(501, "Syntax error in LPRT argument (af,hal,h1,...,pal,p1,p2)");
    co_return;
  }
  co_await set_active(session, *target);
}

HandlerResult handle_lpsv(ControlSession& session, const Command&) {
  if (refused_by_epsv_all(session)) co_return;
  const auto local = control_local_address(session);
  std::string error;
  const auto endpoint = session.data().open_passive(local, error);
  if (!endpoint) {
    session.reply(421, error + "; closing control connection");
    session.close_after_replies();
    co_return;
  }
  session.reply(228, proto::format_lpsv_reply({local.to_string(), endpoint->port()}));  // RFC 1639 §3
}

HandlerResult handle_pasv(ControlSession& session, const Command&) {
  if (refused_by_epsv_all(session)) co_return;
  const auto local = control_local_address(session);
  if (!local.is_v4()) {
    // PASV can only express IPv4 (RFC 959 §4.1.2). 522 or 425 are outside PASV's RFC 959 §5.4 list,
    // so ftpspecd answers 501 and points at EPSV (RFC 2428 §3).
    session.reply(501, "PASV needs IPv4; use EPSV on this IPv6 connection (RFC 2428)");
    co_return;
  }
  std::string error;
  const auto endpoint = session.data().open_passive(local, error);
  if (!endpoint) {
    session.reply(421, error + "; closing control connection");
    session.close_after_replies();
    co_return;
  }
  // A script (or pasv-unroutable / pasv-address=IP) may announce another address: clients should
  // use the control connection's, RFC 2577 §3's advice that lftp and basic-ftp follow.
  const ServeOptions& serving = session.serving();
  const std::string announced = serving.pasv_address.value_or(local.to_string());
  if (serving.decoy && serving.pasv_address) {
    boost::system::error_code ec;
    const auto decoy = asio::ip::make_address(*serving.pasv_address, ec);
    if (!ec) session.open_decoy(decoy, endpoint->port());
  }
  if (serving.text) {
    session.reply(227, scripted_address_text(*serving.text, proto::format_port_argument({announced, endpoint->port()}),
                                             endpoint->port()));
  } else {
    session.reply(227, proto::format_pasv_reply({announced, endpoint->port()}));
  }
}

HandlerResult handle_epsv(ControlSession& session, const Command& command) {
  const auto local = control_local_address(session);
  const char own_family = local.is_v4() ? '1' : '2';
  if (command.has_arg && !command.arg.empty()) {
    if (boost::algorithm::iequals(command.arg, "ALL")) {
      session.state().epsv_all = true;
      session.reply(200, "EPSV ALL command successful");
      co_return;
    }
    // RFC 2428 §3: a protocol number the server does not support MUST be answered 522 (with the
    // ones it does); only an argument that is no number at all is a syntax error.
    const bool is_number = command.arg.find_first_not_of("0123456789") == std::string::npos;
    if (!is_number) {
      session.reply(501, "Syntax error in EPSV argument (1, 2 or ALL)");
      co_return;
    }
    if (command.arg.size() != 1 || command.arg[0] != own_family) {
      session.reply(522, fmt::format("Network protocol not supported, use ({})", own_family));
      co_return;
    }
  }
  std::string error;
  const auto endpoint = session.data().open_passive(local, error);
  if (!endpoint) {
    session.reply(421, error + "; closing control connection");
    session.close_after_replies();
    co_return;
  }
  if (const auto& text = session.serving().text) session.reply(229, scripted_address_text(*text, {}, endpoint->port()));
  else session.reply(229, proto::format_epsv_reply(endpoint->port()));
}

HandlerResult handle_type(ControlSession& session, const Command& command) {
  const auto parsed = codec::parse_type_argument(command.arg);
  if (!parsed) {
    session.reply(501, "Syntax error in TYPE argument");
    co_return;
  }
  codec::Representation candidate = session.state().representation;
  candidate.type = parsed->type;
  candidate.format = parsed->format;
  candidate.byte_size = parsed->byte_size;
  apply_representation(session, candidate, "Type " + codec::type_argument(candidate, codec::FormCode::written));
}

HandlerResult handle_stru(ControlSession& session, const Command& command) {
  const auto parsed = codec::parse_stru_argument(command.arg);
  if (!parsed) {
    session.reply(501, "Syntax error in STRU argument");
    co_return;
  }
  codec::Representation candidate = session.state().representation;
  candidate.structure = *parsed;
  apply_representation(session, candidate, fmt::format("Structure {}", codec::stru_argument(*parsed)));
}

HandlerResult handle_mode(ControlSession& session, const Command& command) {
  const auto parsed = codec::parse_mode_argument(command.arg);
  if (!parsed) {
    session.reply(501, "Syntax error in MODE argument");
    co_return;
  }
  codec::Representation candidate = session.state().representation;
  candidate.mode = *parsed;
  apply_representation(session, candidate, fmt::format("Mode {}", codec::mode_argument(*parsed)));
}

}  // namespace ftpspecd
