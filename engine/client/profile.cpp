#include "client/profile.hpp"

#include <fmt/format.h>

#include <array>

#include "scenario/case_header.hpp"
#include "scenario/line_cursor.hpp"

namespace ftpspec::client {
namespace {

constexpr std::array<std::string_view, 5> kRawPlaceholders = {"url", "root_url", "host", "port", "operation"};
constexpr std::array<std::string_view, 8> kQuotedPlaceholders = {"user",  "password", "path",    "remote_dir",
                                                                 "name",  "local",    "workdir", "profile_dir"};

constexpr std::string_view kEscaped = ":escaped";

bool is_quoted_placeholder(std::string_view name) {
  return std::find(kQuotedPlaceholders.begin(), kQuotedPlaceholders.end(), name) != kQuotedPlaceholders.end();
}

bool is_placeholder(std::string_view name) {
  if (name.size() > kEscaped.size() && name.substr(name.size() - kEscaped.size()) == kEscaped)
    return is_quoted_placeholder(name.substr(0, name.size() - kEscaped.size()));
  return std::find(kRawPlaceholders.begin(), kRawPlaceholders.end(), name) != kRawPlaceholders.end() ||
         is_quoted_placeholder(name);
}

/// For the command languages of ftp(1)-style clients (tnftp, inetutils ftp, ncftp) fed on stdin:
/// a backslash before each blank, quote and backslash keeps the value one argument.
std::string command_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

/// Calls `on_placeholder(name)` for each `{name}` (not `${`) and `on_text(text)` for the rest.
template <class Text, class Placeholder>
void walk_template(std::string_view command, Text on_text, Placeholder on_placeholder) {
  std::size_t at = 0;
  while (at < command.size()) {
    const std::size_t open = command.find('{', at);
    if (open == std::string_view::npos) break;
    const std::size_t close = command.find('}', open);
    const bool shell_variable = open > 0 && command[open - 1] == '$';
    if (close == std::string_view::npos || shell_variable) {
      on_text(command.substr(at, open + 1 - at));
      at = open + 1;
      continue;
    }
    on_text(command.substr(at, open - at));
    on_placeholder(command.substr(open + 1, close - open - 1));
    at = close + 1;
  }
  on_text(command.substr(std::min(at, command.size())));
}

bool known_key(std::string_view key) {
  std::string_view base = key;
  if (base.size() > 4 && base.substr(base.size() - 4) == "+tls") base.remove_suffix(4);
  return base == "any" || parse_operation(base).has_value();
}

}  // namespace

std::optional<std::string> ClientProfile::command_for(Operation operation, bool tls) const {
  const std::string suffix = tls ? "+tls" : "";
  for (const std::string& key : {std::string(to_string(operation)) + suffix, "any" + suffix}) {
    if (const auto it = commands.find(key); it != commands.end()) return it->second;
  }
  return std::nullopt;
}

std::string check_template(std::string_view command) {
  std::string problem;
  walk_template(command, [](std::string_view) {}, [&](std::string_view name) {
    if (problem.empty() && !is_placeholder(name))
      problem = fmt::format("unknown placeholder '{{{}}}' (known: url, root_url, host, port, operation, user, "
                            "password, path, remote_dir, name, local, workdir, profile_dir; the quoted ones also "
                            "as NAME:escaped)", name);
  });
  return problem;
}

ProfileResult parse_profile(std::string_view text, const std::filesystem::path& file) {
  ProfileResult result;
  ClientProfile profile;
  std::error_code ec;
  profile.directory = std::filesystem::absolute(file, ec).parent_path();  // commands run in the case's folder
  const std::string name = file.string();
  auto error = [&](int line, int column, std::string message) {
    result.diagnostics.push_back({{name, line, column}, std::move(message)});
  };
  std::string pending;  // a value continued with a trailing backslash
  std::string pending_key;
  int pending_line = 0;
  auto store = [&](const std::string& key, std::string value, int line) {
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    if (key == "name") profile.name = value;
    else if (key == "version") profile.version_command = value;
    else {
      if (auto problem = check_template(value); !problem.empty()) return error(line, 1, problem);
      if (!profile.commands.emplace(key, value).second) error(line, 1, fmt::format("duplicate '{}'", key));
    }
  };
  scenario::for_each_line(text, [&](std::string_view line, int number) {
    if (!pending_key.empty()) {
      std::string_view part = line;
      while (!part.empty() && (part.front() == ' ' || part.front() == '\t')) part.remove_prefix(1);
      const bool more = !part.empty() && part.back() == '\\';
      if (more) part.remove_suffix(1);
      while (!part.empty() && (part.back() == ' ' || part.back() == '\t')) part.remove_suffix(1);
      pending += " ";
      pending += part;
      if (!more) store(std::exchange(pending_key, {}), std::exchange(pending, {}), pending_line);
      return;
    }
    scenario::LineCursor cursor(line);
    cursor.skip_spaces();
    if (cursor.peek() == '#' || cursor.at_end()) return;
    const int column = cursor.column();
    const std::string key(cursor.word("="));
    cursor.skip_spaces();
    if (!cursor.eat('=')) return error(number, column, "expected 'key = value'");
    if (key != "name" && key != "version" && !known_key(key)) {
      return error(number, column, fmt::format("unknown key '{}' (name, version, download, upload, list, resume, delete, "
                                               "mkdir, any, each command also with +tls)", key));
    }
    cursor.skip_spaces();
    std::string value(cursor.rest());
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    if (!value.empty() && value.back() == '\\') {
      value.pop_back();
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
      pending_key = key;
      pending = value;
      pending_line = number;
      return;
    }
    store(key, std::move(value), number);
  });
  if (!pending_key.empty()) error(pending_line, 1, "the value continues past the end of the file (a trailing '\\')");
  if (profile.name.empty()) profile.name = file.stem().string();
  if (profile.commands.empty()) error(0, 0, "the profile has no command (download = ..., upload = ...)");
  if (result.diagnostics.empty()) result.profile = std::move(profile);
  return result;
}

ProfileResult load_profile(const std::filesystem::path& file) {
  const auto text = scenario::read_text_file(file);
  if (!text) return {std::nullopt, {{{file.string(), 0, 0}, "cannot read the profile"}}};
  return parse_profile(*text, file);
}

std::string shell_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::string expand_template(std::string_view command, const ClientRequest& request,
                            const std::filesystem::path& profile_dir) {
  std::string out;
  walk_template(command, [&](std::string_view text) { out += text; }, [&](std::string_view placeholder) {
    const bool escaped = placeholder.size() > kEscaped.size() && placeholder.substr(placeholder.size() - kEscaped.size()) == kEscaped;
    const std::string_view name = escaped ? placeholder.substr(0, placeholder.size() - kEscaped.size()) : placeholder;
    const auto quote = [escaped](std::string_view value) { return shell_quote(escaped ? command_escape(value) : std::string(value)); };
    if (name == "url") out += request.url();
    else if (name == "root_url") out += request.root_url();
    else if (name == "host") out += request.host;
    else if (name == "port") out += std::to_string(request.port);
    else if (name == "operation") out += to_string(request.operation);
    else if (name == "user") out += quote(request.user);
    else if (name == "password") out += quote(request.password);
    else if (name == "path") out += quote(request.path);
    else if (name == "remote_dir") out += quote(request.remote_dir());
    else if (name == "name") out += quote(request.local.filename().string());
    else if (name == "local") out += quote(request.local.string());
    else if (name == "workdir") out += quote(request.workdir.string());
    else if (name == "profile_dir") out += quote(profile_dir.string());
    else out += "{" + std::string(placeholder) + "}";  // check_template refused it already
  });
  return out;
}

}  // namespace ftpspec::client
