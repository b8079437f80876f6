// Directory listing lines, as a client judges them: MLSD/MLST entries (RFC 3659 §7.2, a precise
// grammar) and LIST lines (RFC 959 §4.1.3 leaves LIST's format to the server; the three formats
// servers use in practice are recognised: Unix `ls -l`, MS-DOS/IIS and EPLF). Sans-I/O: one line
// in, one entry or a precise error out; nothing here throws on peer bytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ftpspec::proto {

/// Why a listing line was rejected: the byte offset into the line and what was expected there.
struct ListingError {
  std::size_t offset = 0;
  std::string message;
};

/// One MLSx entry (RFC 3659 §7.2: entry = [ facts ] SP pathname).
struct MlsxEntry {
  /// Fact names lower-cased (ABNF literals are case-insensitive, RFC 3659 §2.1); values as sent.
  std::map<std::string, std::string> facts;
  std::string name;  ///< the pathname, as sent (may hold spaces, UTF-8 or raw bytes, RFC 3659 §2.2)

  /// The value of a fact by case-insensitive name, or nullptr.
  const std::string* fact(std::string_view fact_name) const;
  friend bool operator==(const MlsxEntry&, const MlsxEntry&) = default;
};

/// Parses one MLSD data line, or one MLST control-reply line with its leading SP removed
/// (RFC 3659 §7.2: control-response lines are SP entry). A trailing CRLF or LF is ignored.
/// Checked: the fact/space structure, factname = token and value = *SCHAR (RCHAR, RFC 3659 §2.1),
/// no duplicate facts, and the syntax of the standard facts size (§7.5.7, 1*DIGIT), modify and
/// create (§7.5.3, time-val = 14DIGIT [ "." 1*DIGIT ]), type (§7.5.1) and perm (§7.5.5).
std::optional<MlsxEntry> parse_mlsx_line(std::string_view line, ListingError* error = nullptr);

/// "fact=value;...; name" — the entry as an MLSD line without CRLF (facts in name order).
std::string format_mlsx_entry(const MlsxEntry& entry);

/// The LIST formats ftpspec recognises.
enum class ListingStyle {
  unix_ls,  ///< "drwxr-xr-x 2 user group 4096 Jan  1 12:34 name" (POSIX `ls -l`)
  dos,      ///< "01-15-20  10:30AM  <DIR>  name" (MS-DOS dir, IIS)
  eplf,     ///< "+i1.2,m825718503,r,s280,\tname" (Bernstein's Easily Parsed LIST Format)
};

enum class EntryType { file, directory, symlink, other };

/// One LIST line, reduced to what a client can rely on.
struct ListEntry {
  ListingStyle style = ListingStyle::unix_ls;
  EntryType type = EntryType::file;
  std::string name;
  std::optional<std::uint64_t> size;  ///< absent for directories in DOS style, devices, EPLF without 's'
  std::string link_target;            ///< Unix "name -> target"
};

/// Parses one LIST line in any recognised style (a trailing CRLF or LF is ignored). A Unix
/// "total N" summary line is not an entry: it yields nullopt with the error "summary line".
std::optional<ListEntry> parse_list_line(std::string_view line, ListingError* error = nullptr);

std::string_view to_string(ListingStyle style) noexcept;

}  // namespace ftpspec::proto
