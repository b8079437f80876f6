// Directory listings for LIST, NLST and STAT <path> (RFC 959 §4.1.3). RFC 959 leaves LIST's format
// open; ftpspecd writes a stable Unix `ls -l` form that clients (curl, ftplib, wget) parse.
#pragma once
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>

#include "server/misbehaviour.hpp"

namespace ftpspecd {

/// One `ls -l` line without line ending: "-rw-r--r-- 1 ftp ftp 5 Jan 02 03:04 name". Files older
/// than six months (or in the future) show the year instead of the time, as ls does.
std::string format_list_line(const std::filesystem::path& entry, const std::string& name, std::time_t now);

/// The lines for LIST (`long_form`, in `format`) or NLST of `target`, each ending in '\n' (the
/// transfer codec turns them into CRLF, RFC 959 §3.1.1.1). A directory lists its entries sorted
/// by name; a file lists itself. nullopt when `target` does not exist.
std::optional<std::string> make_listing(const std::filesystem::path& target, bool long_form,
                                        ListFormat format = ListFormat::unix_ls);

/// LIST/NLST arguments may start with ls options ("-la"); returns the path part ("" = cwd).
std::string strip_list_options(const std::string& arg);

}  // namespace ftpspecd
