#include "server/listing.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <memory>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "server/vfs.hpp"

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

namespace {
/// Appends one `ls -l` line (no line end) for `st`; `link_target` is read only for symlinks.
template <class ReadLink>
void append_unix_line(std::string& out, const struct stat& st, std::string_view name, std::time_t now,
                      ReadLink&& link_target) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm {};
  ::gmtime_r(&st.st_mtime, &tm);
  constexpr std::time_t six_months = 182 * 24 * 3600;
  const bool recent = st.st_mtime <= now && now - st.st_mtime < six_months;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{}{} {} ftp ftp {:>12} ", type_char(st.st_mode), permissions(st.st_mode),
                 static_cast<unsigned long>(st.st_nlink), static_cast<long long>(st.st_size));
  if (recent) fmt::format_to(it, "{} {:02} {:02}:{:02} ", kMonths[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min);
  else fmt::format_to(it, "{} {:02}  {} ", kMonths[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900);
  out += name;
  if (S_ISLNK(st.st_mode)) {
    if (auto target = link_target(); !target.empty()) out.append(" -> ").append(target);
  }
}

void append_dos_line(std::string& out, const struct stat& st, std::string_view name) {
  std::tm tm {};
  ::gmtime_r(&st.st_mtime, &tm);
  const int hour12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{:02}-{:02}-{:02}  {:02}:{:02}{}", tm.tm_mon + 1, tm.tm_mday, tm.tm_year % 100, hour12, tm.tm_min,
                 tm.tm_hour < 12 ? "AM" : "PM");
  if (S_ISDIR(st.st_mode)) fmt::format_to(it, "       <DIR>          {}", name);
  else fmt::format_to(it, " {:>20} {}", static_cast<long long>(st.st_size), name);
}

void append_eplf_line(std::string& out, const struct stat& st, std::string_view name) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, "+i{:x}.{:x},m{},", static_cast<unsigned long long>(st.st_dev),
                 static_cast<unsigned long long>(st.st_ino), static_cast<long long>(st.st_mtime));
  if (S_ISDIR(st.st_mode)) out += "/,";
  else if (S_ISREG(st.st_mode)) fmt::format_to(it, "r,s{},", static_cast<long long>(st.st_size));
  out += '\t';
  out += name;
}

/// Appends `name`'s line in `format`, or nothing when it cannot be stat'ed (it vanished).
/// Links are not followed (they may leave the jail).
template <class Stat, class ReadLink>
void append_line(std::string& out, std::string_view name, ListFormat format, std::time_t now, Stat&& lstat_entry,
                 ReadLink&& link_target) {
  struct stat st {};
  if (!lstat_entry(st)) return;
  switch (format) {
    case ListFormat::dos: append_dos_line(out, st, name); break;
    case ListFormat::eplf: append_eplf_line(out, st, name); break;
    case ListFormat::unix_ls: append_unix_line(out, st, name, now, link_target); break;
  }
  out += '\n';
}

/// Closes a directory stream on scope exit.
struct DirCloser {
  void operator()(DIR* dir) const noexcept { ::closedir(dir); }
};
}  // namespace

std::string format_list_line(const fs::path& entry, const std::string& name, std::time_t now) {
  std::string out;
  struct stat st {};
  if (::lstat(entry.c_str(), &st) != 0) return out;
  append_unix_line(out, st, name, now, [&] {
    std::error_code ec;
    const fs::path target = fs::read_symlink(entry, ec);
    return ec ? std::string() : target.string();
  });
  return out;
}

std::optional<std::string> make_listing(const fs::path& target, bool long_form, ListFormat format) {
  const std::time_t now = std::time(nullptr);
  std::error_code ec;
  const auto status = fs::status(target, ec);
  if (ec || !fs::exists(status)) return std::nullopt;
  std::string out;
  if (!fs::is_directory(status)) {
    const std::string name = target.filename().string();
    if (!long_form) return name + "\n";
    append_line(
        out, name, format, now, [&](struct stat& st) { return ::lstat(target.c_str(), &st) == 0; },
        [&] {
          std::error_code link_ec;
          const fs::path link = fs::read_symlink(target, link_ec);
          return link_ec ? std::string() : link.string();
        });
    return out;
  }
  // One directory descriptor: each entry is an fstatat relative to it (no path building and no
  // walk from the root per entry), and the lines go straight into one buffer.
  std::unique_ptr<DIR, DirCloser> dir(::opendir(target.c_str()));
  if (!dir) return std::nullopt;
  const int dir_fd = ::dirfd(dir.get());
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir.get())) {
    const std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (is_upload_staging_name(name)) continue;  // an upload in progress is no entry yet
    names.emplace_back(name);
  }
  std::sort(names.begin(), names.end());
  out.reserve(names.size() * (long_form ? 64 : 16));
  for (const auto& name : names) {
    if (!long_form) {
      out += name;
      out += '\n';
      continue;
    }
    append_line(
        out, name, format, now,
        [&](struct stat& st) { return ::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0; },
        [&] {
          std::string link(4096, '\0');
          const ssize_t n = ::readlinkat(dir_fd, name.c_str(), link.data(), link.size());
          link.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
          return link;
        });
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
