// RFC 7151 HOST (virtual hosts) and RFC 2640 §4 LANG (the language of reply texts).
#include <cctype>
#include <regex>

#include <boost/algorithm/string/predicate.hpp>

#include "server/control_session.hpp"
#include "server/handlers.hpp"

namespace ftpspecd {

namespace {
/// RFC 1123 §2.1 host name: dot-separated labels of letters, digits and inner hyphens.
bool is_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '.') {
      if (label == 0 || name[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    if (!std::isalnum(static_cast<unsigned char>(c)) && !(c == '-' && label > 0)) return false;
    if (++label > 63) return false;
  }
  return name.back() != '-' && name.back() != '.';
}

asio::ip::address unmapped(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  return a;
}
}  // namespace

HandlerResult handle_host(ControlSession& session, const Command& command) {
  auto& state = session.state();
  if (state.logged_in || state.pending_user) {
    session.reply(503, "Bad sequence of commands: HOST must come before USER (RFC 7151 §3)");
    co_return;
  }
  std::string_view host = command.arg;
  boost::system::error_code ec;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    // RFC 7151 §3.1: an IPv6 literal in square brackets; it must be this server's address.
    const auto address = asio::ip::make_address_v6(std::string(host.substr(1, host.size() - 2)), ec);
    if (ec) {
      session.reply(501, "Syntax error: invalid IPv6 literal");
      co_return;
    }
    if (unmapped(address) != unmapped(session.local_endpoint().address())) {
      session.reply(504, "Address is not this server's address (RFC 7151 §3)");
      co_return;
    }
  } else if (const auto v4 = asio::ip::make_address_v4(std::string(host), ec); !ec) {
    if (asio::ip::address(v4) != unmapped(session.local_endpoint().address())) {
      session.reply(504, "Address is not this server's address (RFC 7151 §3)");
      co_return;
    }
  } else if (!is_host_name(host)) {
    session.reply(501, "Syntax error: invalid host name");
    co_return;
  }
  // ftpspecd serves one tree: every syntactically valid name is its (default) virtual host.
  state.virtual_host = std::string(host);
  session.reply(220, "Host " + state.virtual_host + " selected; " + session.config().greeting);
}

HandlerResult handle_lang(ControlSession& session, const Command& command) {
  // RFC 2640 §4.1: no argument returns to the default language; ftpspecd speaks English only.
  const std::string& tag = command.arg;
  // RFC 2640 §4.2: 501 for a tag that is not syntactically a language tag (RFC 1766:
  // 1*8ALPHA *("-" 1*8ALPHANUM)), 504 for a valid tag we do not speak.
  static const std::regex language_tag("[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*");
  if (command.has_arg && !tag.empty() && !std::regex_match(tag, language_tag)) {
    session.reply(501, "Syntax error in language tag");
    co_return;
  }
  if (!command.has_arg || tag.empty() || boost::algorithm::iequals(tag, "EN") ||
      boost::algorithm::istarts_with(tag, "EN-")) {
    session.reply(200, "Language set to EN");
  } else {
    session.reply(504, "Language not supported; FEAT lists LANG EN*");
  }
  co_return;
}

}  // namespace ftpspecd
