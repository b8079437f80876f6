#include "server/listing.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace ftpspecd {
namespace fs = std::filesystem;

namespace {
char type_char(mode_t mode) {
  if (S_ISDIR(mode)) return 'd';
  if (S_ISLNK(mode)) return 'l';
  if (S_ISREG(mode)) return '-';
  if (S_ISFIFO(mode)) return 'p';
  if (S_ISSOCK(mode)) return 's';
  if (S_ISCHR(mode)) return 'c';
  if (S_ISBLK(mode)) return 'b';
  return '?';
}
std::string permissions(mode_t mode) {
  std::string out(9, '-');
  const char* letters = "rwxrwxrwx";
  for (int bit = 0; bit < 9; ++bit) {
    if (mode & (1u << (8 - bit))) out[static_cast<std::size_t>(bit)] = letters[bit];
  }
  return out;
}
}  // namespace

std::string format_list_line(const fs::path& entry, const std::string& name, std::time_t now) {
  struct stat st {};
  if (::lstat(entry.c_str(), &st) != 0) return {};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm {};
  ::gmtime_r(&st.st_mtime, &tm);
  constexpr std::time_t six_months = 182 * 24 * 3600;
  const bool recent = st.st_mtime <= now && now - st.st_mtime < six_months;
  const std::string when = recent ? fmt::format("{} {:02} {:02}:{:02}", kMonths[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min)
                                  : fmt::format("{} {:02}  {}", kMonths[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900);
  std::string line = fmt::format("{}{} {} ftp ftp {:>12} {} {}", type_char(st.st_mode), permissions(st.st_mode),
                                 static_cast<unsigned long>(st.st_nlink), static_cast<long long>(st.st_size), when, name);
  if (S_ISLNK(st.st_mode)) {
    std::error_code ec;
    const fs::path target = fs::read_symlink(entry, ec);
    if (!ec) line += " -> " + target.string();
  }
  return line;
}

std::string format_dos_line(const fs::path& entry, const std::string& name) {
  struct stat st {};
  if (::lstat(entry.c_str(), &st) != 0) return {};  // links are not followed (they may leave the jail)
  std::tm tm {};
  ::gmtime_r(&st.st_mtime, &tm);
  const int hour12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
  const std::string when = fmt::format("{:02}-{:02}-{:02}  {:02}:{:02}{}", tm.tm_mon + 1, tm.tm_mday, tm.tm_year % 100,
                                       hour12, tm.tm_min, tm.tm_hour < 12 ? "AM" : "PM");
  if (S_ISDIR(st.st_mode)) return fmt::format("{}       <DIR>          {}", when, name);
  return fmt::format("{} {:>20} {}", when, static_cast<long long>(st.st_size), name);
}

std::string format_eplf_line(const fs::path& entry, const std::string& name) {
  struct stat st {};
  if (::lstat(entry.c_str(), &st) != 0) return {};  // a link gets neither '/' nor 'r': not followed
  std::string facts = fmt::format("+i{:x}.{:x},m{},", static_cast<unsigned long long>(st.st_dev),
                                  static_cast<unsigned long long>(st.st_ino), static_cast<long long>(st.st_mtime));
  if (S_ISDIR(st.st_mode)) facts += "/,";
  else if (S_ISREG(st.st_mode)) facts += fmt::format("r,s{},", static_cast<long long>(st.st_size));
  return facts + "\t" + name;
}

std::optional<std::string> make_listing(const fs::path& target, bool long_form, ListFormat format) {
  const std::time_t now = std::time(nullptr);
  auto line = [&](const fs::path& entry, const std::string& name) {
    if (!long_form) return name;
    switch (format) {
      case ListFormat::dos: return format_dos_line(entry, name);
      case ListFormat::eplf: return format_eplf_line(entry, name);
      case ListFormat::unix_ls: break;
    }
    return format_list_line(entry, name, now);
  };
  std::error_code ec;
  const auto status = fs::status(target, ec);
  if (ec || !fs::exists(status)) return std::nullopt;
  std::string out;
  if (!fs::is_directory(status)) {
    out = line(target, target.filename().string()) + "\n";
    return out;
  }
  std::vector<std::string> names;
  for (fs::directory_iterator it(target, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  if (ec) return std::nullopt;
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    std::string entry = line(target / name, name);
    if (entry.empty()) continue;  // vanished, or has no line in this format
    out += entry;
    out += '\n';
  }
  return out;
}

std::string strip_list_options(const std::string& arg) {
  std::size_t pos = 0;
  while (pos < arg.size() && arg[pos] == '-') {
    const std::size_t space = arg.find(' ', pos);
    if (space == std::string::npos) return {};
    pos = arg.find_first_not_of(' ', space);
    if (pos == std::string::npos) return {};
  }
  return arg.substr(pos);
}

}  // namespace ftpspecd
