#include "server/mlst_facts.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <ctime>

#include <boost/algorithm/string/predicate.hpp>
#include <fmt/format.h>

namespace ftpspecd {
namespace {
struct FactName {
  MlstFact fact;
  std::string_view name;
};
constexpr std::array kFacts = {FactName{fact_type, "type"}, FactName{fact_size, "size"},
                               FactName{fact_modify, "modify"}, FactName{fact_perm, "perm"},
                               FactName{fact_unique, "unique"}};

/// RFC 3659 §7.5.5: what this user may do with the entry (the account's mode and the file's
/// access bits for the server process).
std::string permissions(const std::filesystem::path& real, bool is_dir, bool read_only) {
  const bool readable = ::access(real.c_str(), R_OK) == 0;
  const bool writable = !read_only && ::access(real.c_str(), W_OK) == 0;
  const bool parent_writable = !read_only && ::access(real.parent_path().c_str(), W_OK) == 0;
  std::string perm;
  if (is_dir) {
    if (writable) perm += 'c';
    if (parent_writable) perm += 'd';
    if (readable) perm += 'e';
    if (parent_writable) perm += 'f';
    if (readable) perm += 'l';
    if (writable) perm += "mp";
  } else {
    if (writable) perm += 'a';
    if (parent_writable) perm += "df";
    if (readable) perm += 'r';
    if (writable) perm += 'w';
  }
  return perm;
}
}  // namespace

std::optional<std::string> format_facts(const std::filesystem::path& real, unsigned selected, bool read_only,
                                        EntryRole role) {
  struct stat st {};
  if (::stat(real.c_str(), &st) != 0) return std::nullopt;
  const bool is_dir = S_ISDIR(st.st_mode);
  std::string out;
  if (selected & fact_type) {
    const char* type = is_dir ? (role == EntryRole::listed_directory ? "cdir" : "dir") : S_ISREG(st.st_mode) ? "file" : "OS.unix=special";
    out += fmt::format("type={};", type);
  }
  if ((selected & fact_size) && !is_dir) out += fmt::format("size={};", static_cast<long long>(st.st_size));
  if (selected & fact_modify) {
    std::tm tm {};
    ::gmtime_r(&st.st_mtime, &tm);
    out += fmt::format("modify={:04}{:02}{:02}{:02}{:02}{:02};", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec);
  }
  if (selected & fact_perm) out += "perm=" + permissions(real, is_dir, read_only) + ";";
  if (selected & fact_unique) {
    out += fmt::format("unique={:x}g{:x};", static_cast<unsigned long long>(st.st_dev),
                       static_cast<unsigned long long>(st.st_ino));
  }
  return out;
}

std::string mlst_feature(unsigned selected) {
  std::string out = "MLST ";
  for (const auto& fact : kFacts) {
    out += fact.name;
    if (selected & fact.fact) out += '*';
    out += ';';
  }
  return out;
}

unsigned parse_fact_selection(std::string_view arg) {
  unsigned selected = 0;
  while (!arg.empty()) {
    const std::size_t semi = arg.find(';');
    const std::string_view name = arg.substr(0, semi);
    for (const auto& fact : kFacts) {
      if (boost::algorithm::iequals(name, fact.name)) selected |= fact.fact;
    }
    if (semi == std::string_view::npos) break;
    arg.remove_prefix(semi + 1);
  }
  return selected;
}

std::string fact_selection_text(unsigned selected) {
  std::string out;
  for (const auto& fact : kFacts) {
    if (selected & fact.fact) out += std::string(fact.name) + ";";
  }
  return out;
}

}  // namespace ftpspecd
