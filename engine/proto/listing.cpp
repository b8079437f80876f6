#include "proto/listing.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <vector>

namespace ftpspec::proto {
namespace {

/// Records why a line was rejected; returns nullopt so callers can `return reject(...)`.
std::nullopt_t reject(ListingError* error, std::size_t offset, std::string message) {
  if (error) *error = {offset, std::move(message)};
  return std::nullopt;
}

std::string_view strip_line_end(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool all_digits(std::string_view text) { return !text.empty() && std::all_of(text.begin(), text.end(), is_digit); }

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// RFC 3659 §2.1 RCHAR.
bool is_rchar(char c) {
  static constexpr std::string_view kPunctuation = ",.:!@#$%^&()-_+?/\\'\"";
  return is_alpha(c) || is_digit(c) || kPunctuation.find(c) != std::string_view::npos;
}

std::optional<std::uint64_t> to_number(std::string_view digits) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

/// RFC 3659 §2.3: time-val = 14DIGIT [ "." 1*DIGIT ].
bool is_time_val(std::string_view value) {
  if (value.size() < 14 || !all_digits(value.substr(0, 14))) return false;
  if (value.size() == 14) return true;
  return value[14] == '.' && all_digits(value.substr(15));
}

/// Syntax of the standard facts (RFC 3659 §7.5); other facts only need *SCHAR.
std::optional<std::string> check_standard_fact(const std::string& name, std::string_view value) {
  if (name == "size" && !all_digits(value)) return "size fact needs 1*DIGIT (RFC 3659 §7.5.7)";
  if ((name == "modify" || name == "create") && !is_time_val(value)) {
    return name + " fact needs YYYYMMDDHHMMSS[.sss] (RFC 3659 §2.3)";
  }
  if (name == "type" && value.empty()) return "type fact needs a value (RFC 3659 §7.5.1)";
  if (name == "perm") {
    for (const char c : value) {
      if (std::string_view("acdeflmprw").find(static_cast<char>(std::tolower(static_cast<unsigned char>(c)))) ==
          std::string_view::npos) {
        return std::string("perm fact holds '") + c + "', not one of acdeflmprw (RFC 3659 §7.5.5)";
      }
    }
  }
  return std::nullopt;
}

bool valid_pathname(std::string_view name, std::size_t at, ListingError* error) {
  if (name.empty()) return reject(error, at, "empty pathname after the SP (RFC 3659 §7.2)"), false;
  const auto bad = name.find_first_of(std::string_view("\r\n\0", 3));
  if (bad != std::string_view::npos) return reject(error, at + bad, "CR, LF or NUL inside the pathname"), false;
  return true;
}

}  // namespace

const std::string* MlsxEntry::fact(std::string_view fact_name) const {
  const auto found = facts.find(lower(fact_name));
  return found == facts.end() ? nullptr : &found->second;
}

std::optional<MlsxEntry> parse_mlsx_line(std::string_view line, ListingError* error) {
  line = strip_line_end(line);
  if (line.empty()) return reject(error, 0, "empty entry (RFC 3659 §7.2: [ facts ] SP pathname)");
  MlsxEntry entry;
  std::size_t pos = 0;
  // facts = 1*( fact ";" ), then exactly one SP before the pathname.
  while (pos < line.size() && line[pos] != ' ') {
    const std::size_t name_start = pos;
    while (pos < line.size() && is_rchar(line[pos])) ++pos;
    if (pos == name_start) {
      return reject(error, pos, "expected a fact name (token, RFC 3659 §2.1) or SP");
    }
    if (pos == line.size() || line[pos] != '=') {
      const std::string found = pos == line.size() ? "end of line" : std::string("'") + line[pos] + "'";
      return reject(error, pos, "expected '=' after fact name, found " + found);
    }
    std::string name = lower(line.substr(name_start, pos - name_start));
    const std::size_t value_start = ++pos;
    while (pos < line.size() && (is_rchar(line[pos]) || line[pos] == '=')) ++pos;
    if (pos == line.size() || line[pos] != ';') {
      const std::string found = pos == line.size() ? "end of line" : std::string("'") + line[pos] + "'";
      return reject(error, pos, "expected ';' after the value of fact '" + name + "', found " + found);
    }
    const std::string_view value = line.substr(value_start, pos - value_start);
    if (auto problem = check_standard_fact(name, value)) return reject(error, value_start, *problem);
    if (entry.facts.count(name)) return reject(error, name_start, "fact '" + name + "' appears twice");
    entry.facts.emplace(std::move(name), std::string(value));
    ++pos;  // the ';'
  }
  if (pos == line.size()) return reject(error, pos, "expected SP and a pathname after the facts");
  const std::string_view name = line.substr(pos + 1);
  if (!valid_pathname(name, pos + 1, error)) return std::nullopt;
  entry.name = std::string(name);
  return entry;
}

std::string format_mlsx_entry(const MlsxEntry& entry) {
  std::string out;
  for (const auto& [name, value] : entry.facts) out += name + "=" + value + ";";
  return out + " " + entry.name;
}

namespace {

struct Token {
  std::string_view text;
  std::size_t offset;
};

/// Whitespace-separated tokens, each with its offset (the name in a Unix line is what follows).
std::vector<Token> tokenize(std::string_view line, std::size_t max_tokens) {
  std::vector<Token> tokens;
  std::size_t pos = 0;
  while (pos < line.size() && tokens.size() < max_tokens) {
    while (pos < line.size() && line[pos] == ' ') ++pos;
    if (pos == line.size()) break;
    const std::size_t start = pos;
    while (pos < line.size() && line[pos] != ' ') ++pos;
    tokens.push_back({line.substr(start, pos - start), start});
  }
  return tokens;
}

bool is_month(std::string_view text) {
  static constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                              "jul", "aug", "sep", "oct", "nov", "dec"};
  return text.size() == 3 && std::find(kMonths.begin(), kMonths.end(), lower(text)) != kMonths.end();
}

/// "12:34" or "2020".
bool is_time_or_year(std::string_view text) {
  if (text.size() == 4) return all_digits(text);
  return text.size() == 5 && text[2] == ':' && all_digits(text.substr(0, 2)) && all_digits(text.substr(3));
}

/// "drwxr-xr-x", optionally followed by an ACL/xattr marker (+, @, .).
bool is_unix_mode(std::string_view text) {
  if (text.size() != 10 && !(text.size() == 11 && std::string_view("+@.").find(text[10]) != std::string_view::npos)) {
    return false;
  }
  if (std::string_view("-dlcbpsD").find(text[0]) == std::string_view::npos) return false;
  return std::all_of(text.begin() + 1, text.begin() + 10,
                     [](char c) { return std::string_view("rwxsStTl-").find(c) != std::string_view::npos; });
}

std::optional<ListEntry> parse_unix(std::string_view line, ListingError* error) {
  // mode links owner [group] size month day time-or-year name: find the date, the name follows it.
  const auto tokens = tokenize(line, 9);
  for (std::size_t month = 3; month + 2 < tokens.size(); ++month) {
    if (!is_month(tokens[month].text) || !is_time_or_year(tokens[month + 2].text)) continue;
    const auto day = tokens[month + 1].text;
    if (day.size() > 2 || !all_digits(day)) continue;
    const Token& date_end = tokens[month + 2];
    const std::size_t name_at = date_end.offset + date_end.text.size() + 1;
    if (name_at >= line.size()) return reject(error, line.size(), "no name after the date");
    ListEntry entry;
    entry.style = ListingStyle::unix_ls;
    const char kind = tokens[0].text[0];
    entry.type = kind == 'd' ? EntryType::directory : kind == 'l' ? EntryType::symlink
               : kind == '-' ? EntryType::file : EntryType::other;
    const bool device = tokens[month - 2].text.ends_with(',');  // "major, minor" instead of a size
    if (!device) entry.size = to_number(tokens[month - 1].text);
    std::string_view name = line.substr(name_at);
    if (entry.type == EntryType::symlink) {
      if (const auto arrow = name.find(" -> "); arrow != std::string_view::npos) {
        entry.link_target = std::string(name.substr(arrow + 4));
        name = name.substr(0, arrow);
      }
    }
    if (name.empty()) return reject(error, name_at, "empty name");
    entry.name = std::string(name);
    return entry;
  }
  return reject(error, tokens.size() > 1 ? tokens[1].offset : 0,
              "Unix listing: expected 'links owner group size Mon DD HH:MM|YYYY name' after the mode");
}

/// "01-15-20" or "01-15-2020".
bool is_dos_date(std::string_view text) {
  return (text.size() == 8 || text.size() == 10) && text[2] == '-' && text[5] == '-' &&
         all_digits(text.substr(0, 2)) && all_digits(text.substr(3, 2)) && all_digits(text.substr(6));
}

/// "10:30AM" / "10:30PM" (IIS also writes 24-hour "22:30").
bool is_dos_time(std::string_view text) {
  if (text.size() == 7) {
    const auto suffix = lower(text.substr(5));
    if (suffix != "am" && suffix != "pm") return false;
    text = text.substr(0, 5);
  }
  return text.size() == 5 && text[2] == ':' && all_digits(text.substr(0, 2)) && all_digits(text.substr(3));
}

std::optional<ListEntry> parse_dos(std::string_view line, ListingError* error) {
  const auto tokens = tokenize(line, 4);
  if (tokens.size() < 4 || !is_dos_time(tokens[1].text)) {
    return reject(error, tokens.size() > 1 ? tokens[1].offset : line.size(),
                "DOS listing: expected 'MM-DD-YY HH:MMAM <DIR>|size name'");
  }
  ListEntry entry;
  entry.style = ListingStyle::dos;
  if (tokens[2].text == "<DIR>") {
    entry.type = EntryType::directory;
  } else if (auto size = to_number(tokens[2].text)) {
    entry.size = size;
  } else {
    return reject(error, tokens[2].offset, "DOS listing: expected <DIR> or a size");
  }
  // The name is everything after the spaces that follow <DIR>/size (names may hold spaces).
  entry.name = std::string(line.substr(tokens[3].offset));
  return entry;
}

std::optional<ListEntry> parse_eplf(std::string_view line, ListingError* error) {
  // "+" facts separated by "," then TAB name (https://cr.yp.to/ftp/list/eplf.html).
  const auto tab = line.find('\t');
  if (tab == std::string_view::npos) return reject(error, line.size(), "EPLF: expected TAB before the name");
  if (tab + 1 >= line.size()) return reject(error, tab + 1, "EPLF: empty name");
  ListEntry entry;
  entry.style = ListingStyle::eplf;
  entry.type = EntryType::other;
  std::string_view facts = line.substr(1, tab - 1);
  std::size_t offset = 1;
  while (!facts.empty()) {
    const auto comma = facts.find(',');
    const std::string_view fact = facts.substr(0, comma);
    if (fact.empty()) {
      if (comma == std::string_view::npos) break;  // a trailing ',' before the TAB
      return reject(error, offset, "EPLF: empty fact");
    }
    if (fact == "/") entry.type = EntryType::directory;
    else if (fact == "r" && entry.type != EntryType::directory) entry.type = EntryType::file;
    else if (fact[0] == 's') {
      entry.size = to_number(fact.substr(1));
      if (!entry.size) return reject(error, offset + 1, "EPLF: size fact needs digits");
    }
    if (comma == std::string_view::npos) break;
    facts.remove_prefix(comma + 1);
    offset += comma + 1;
  }
  entry.name = std::string(line.substr(tab + 1));
  return entry;
}

}  // namespace

std::optional<ListEntry> parse_list_line(std::string_view line, ListingError* error) {
  line = strip_line_end(line);
  if (line.empty()) return reject(error, 0, "empty line");
  if (line.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
    return reject(error, line.find_first_of(std::string_view("\r\n\0", 3)), "CR, LF or NUL inside the line");
  }
  if (line.front() == '+') return parse_eplf(line, error);
  const auto first = tokenize(line, 1);
  if (first.empty()) return reject(error, 0, "blank line");
  if (first[0].text == "total") {
    const auto tokens = tokenize(line, 3);
    if (tokens.size() == 2 && all_digits(tokens[1].text)) return reject(error, 0, "summary line");
  }
  if (is_unix_mode(first[0].text)) return parse_unix(line, error);
  if (is_dos_date(first[0].text)) return parse_dos(line, error);
  return reject(error, 0, "not a Unix (ls -l), DOS or EPLF listing line");
}

std::string_view to_string(ListingStyle style) noexcept {
  switch (style) {
    case ListingStyle::unix_ls: return "unix";
    case ListingStyle::dos: return "dos";
    case ListingStyle::eplf: return "eplf";
  }
  return "unknown";
}

}  // namespace ftpspec::proto
