#include "codec/representation.hpp"

#include <cctype>
#include <charconv>

namespace ftpspec::codec {
namespace {
char up(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }
}  // namespace

std::optional<Representation> parse_type_argument(std::string_view arg) {
  // RFC 959 §5.3.2: <form-code> ::= N | T | C ; <type-code> ::= A [<sp> <form-code>]
  //   | E [<sp> <form-code>] | I | L <sp> <byte-size>
  Representation rep;
  if (arg.empty()) return std::nullopt;
  const char code = up(arg[0]);
  std::string_view rest = arg.substr(1);
  if (code == 'A' || code == 'E') {
    rep.type = code == 'A' ? RepType::ascii : RepType::ebcdic;
    if (rest.empty()) return rep;
    if (rest.size() != 2 || rest[0] != ' ') return std::nullopt;
    switch (up(rest[1])) {
      case 'N': rep.format = FormatControl::non_print; break;
      case 'T': rep.format = FormatControl::telnet; break;
      case 'C': rep.format = FormatControl::carriage_control; break;
      default: return std::nullopt;
    }
    return rep;
  }
  if (code == 'I') {
    if (!rest.empty()) return std::nullopt;
    rep.type = RepType::image;
    return rep;
  }
  if (code == 'L') {
    if (rest.size() < 2 || rest[0] != ' ') return std::nullopt;
    int size = 0;
    auto [p, ec] = std::from_chars(rest.data() + 1, rest.data() + rest.size(), size);
    if (ec != std::errc{} || p != rest.data() + rest.size() || size < 1 || size > 255) return std::nullopt;
    rep.type = RepType::local;
    rep.byte_size = size;
    return rep;
  }
  return std::nullopt;
}

std::optional<Structure> parse_stru_argument(std::string_view arg) {
  if (arg.size() != 1) return std::nullopt;
  switch (up(arg[0])) {
    case 'F': return Structure::file;
    case 'R': return Structure::record;
    case 'P': return Structure::page;
    default: return std::nullopt;
  }
}

std::optional<Mode> parse_mode_argument(std::string_view arg) {
  if (arg.size() != 1) return std::nullopt;
  switch (up(arg[0])) {
    case 'S': return Mode::stream;
    case 'B': return Mode::block;
    case 'C': return Mode::compressed;
    default: return std::nullopt;
  }
}

std::string type_argument(const Representation& rep, FormCode form_code) {
  const char form = rep.format == FormatControl::non_print ? 'N' : rep.format == FormatControl::telnet ? 'T' : 'C';
  const bool implied = form == 'N' && form_code == FormCode::implied;
  switch (rep.type) {
    case RepType::ascii: return implied ? std::string("A") : std::string("A ") + form;
    case RepType::ebcdic: return implied ? std::string("E") : std::string("E ") + form;
    case RepType::image: return "I";
    case RepType::local: return "L " + std::to_string(rep.byte_size);
  }
  return "I";
}

bool names_form_code(std::string_view arg) noexcept {
  return arg.size() == 3 && (up(arg[0]) == 'A' || up(arg[0]) == 'E') && arg[1] == ' ';
}

char stru_argument(Structure s) noexcept { return s == Structure::file ? 'F' : s == Structure::record ? 'R' : 'P'; }
char mode_argument(Mode m) noexcept { return m == Mode::stream ? 'S' : m == Mode::block ? 'B' : 'C'; }

}  // namespace ftpspec::codec
