// The data representation of RFC 959 §3.1-§3.4: representation type (TYPE), format control,
// structure (STRU) and transfer mode (MODE). One value describes how a transfer's bytes are framed;
// the client session and ftpspecd both build their codecs from it.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace ftpspec::codec {

enum class RepType { ascii, ebcdic, image, local };                   ///< RFC 959 §3.1.1
enum class FormatControl { non_print, telnet, carriage_control };     ///< RFC 959 §3.1.1.5
enum class Structure { file, record, page };                          ///< RFC 959 §3.1.2
enum class Mode { stream, block, compressed };                        ///< RFC 959 §3.4

struct Representation {
  RepType type = RepType::ascii;           ///< RFC 959 §5.1: the default is ASCII Non-print
  FormatControl format = FormatControl::non_print;
  int byte_size = 8;                       ///< logical byte size, for TYPE L n
  Structure structure = Structure::file;
  Mode mode = Mode::stream;

  /// TYPE I (or L 8), STRU F, MODE S: bytes pass unchanged, the zero-copy path.
  bool is_plain_binary() const noexcept {
    return (type == RepType::image || (type == RepType::local && byte_size == 8)) &&
           structure == Structure::file && mode == Mode::stream;
  }
  friend bool operator==(const Representation&, const Representation&) = default;
};

/// Parses a TYPE argument ("A", "A N", "E C", "I", "L 8"), case-insensitive (RFC 959 §5.3.2).
/// Only the type and format fields of the result are meaningful.
std::optional<Representation> parse_type_argument(std::string_view arg);
std::optional<Structure> parse_stru_argument(std::string_view arg);
std::optional<Mode> parse_mode_argument(std::string_view arg);

/// How TYPE spells ASCII and EBCDIC Non-print. RFC 959 §5.3.2 makes the form code optional and
/// N its default, so "TYPE A" and "TYPE A N" mean the same; clients in the field send "TYPE A",
/// and some servers refuse "A N" (pyftpdlib 504, Twisted 501). The form code is written only
/// where a caller asks for it (a case about form codes).
enum class FormCode { implied, written };

/// "A", "A T", "E C", "I", "L 8"; with FormCode::written also "A N" and "E N".
std::string type_argument(const Representation& rep, FormCode form = FormCode::implied);
/// Whether a TYPE argument writes its form code out ("A N", "E C"; not "A", "I" or "L 8").
bool names_form_code(std::string_view arg) noexcept;
char stru_argument(Structure s) noexcept;                ///< 'F', 'R', 'P'
char mode_argument(Mode m) noexcept;                     ///< 'S', 'B', 'C'

}  // namespace ftpspec::codec
