// RFC 3659 §7 machine-readable listings: the facts of one entry and the fact selection that
// OPTS MLST changes (§7.9).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ftpspecd {

/// The facts ftpspecd supports (RFC 3659 §7.5), as bits of a selection.
enum MlstFact : unsigned {
  fact_type = 1u << 0,     ///< §7.5.1 file | dir | cdir | pdir
  fact_size = 1u << 1,     ///< §7.5.7 octets (files only)
  fact_modify = 1u << 2,   ///< §7.5.3 YYYYMMDDHHMMSS, UTC
  fact_perm = 1u << 3,     ///< §7.5.5 e.g. "adfrw" / "cdeflmp"
  fact_unique = 1u << 4,   ///< §7.5.2 device and inode, hex
  all_facts = fact_type | fact_size | fact_modify | fact_perm | fact_unique,
};

/// How an entry relates to the listing (RFC 3659 §7.5.1): the listed directory is "cdir".
enum class EntryRole { entry, listed_directory };

/// "type=file;size=5;modify=20240102030405;perm=adfrw;unique=803g1a2b;" for `real`, only the
/// selected facts, in the order of the FEAT line. nullopt when the entry cannot be stat()ed.
/// `read_only` removes the write permissions from "perm".
std::optional<std::string> format_facts(const std::filesystem::path& real, unsigned selected, bool read_only,
                                        EntryRole role = EntryRole::entry);

/// The FEAT line's body: "MLST type*;size*;modify*;perm*;unique*;" with '*' on selected facts
/// (RFC 3659 §7.8).
std::string mlst_feature(unsigned selected);

/// OPTS MLST argument "type;size;" (case-insensitive, unknown facts ignored; §7.9) -> selection.
unsigned parse_fact_selection(std::string_view arg);
/// The selection as OPTS MLST's reply lists it: "type;size;" (empty when none).
std::string fact_selection_text(unsigned selected);

}  // namespace ftpspecd
