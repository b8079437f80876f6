// Client profiles (docs/client-mode.md §Profiles): one shell command template per operation, for
// one real client, in a small `key = value` file shipped with the suite
// (scenarios/clients/profiles/*.profile) or given on the command line (`--client-download ...`).
#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/driver.hpp"
#include "scenario/ast.hpp"

namespace ftpspec::client {

struct ClientProfile {
  std::string name;
  std::string version_command;  ///< `version = ...`: its first output line names the client's version
  /// "download", "upload", "list", "resume", "delete", "mkdir", each optionally with "+tls";
  /// "any" (and "any+tls") serves every operation that has no template of its own.
  std::map<std::string, std::string> commands;
  std::filesystem::path directory;  ///< the profile file's folder: {profile_dir}
  /// The template for `operation`, nullopt when the profile has none.
  std::optional<std::string> command_for(Operation operation, bool tls) const;
};

struct ProfileResult {
  std::optional<ClientProfile> profile;
  std::vector<scenario::Diagnostic> diagnostics;
};

/// Parses a profile's text (`file` names it in diagnostics and gives {profile_dir}).
ProfileResult parse_profile(std::string_view text, const std::filesystem::path& file);
ProfileResult load_profile(const std::filesystem::path& file);
/// Checks one template's placeholders; an empty string when they are all known, else why not.
std::string check_template(std::string_view command);

/// The template with its placeholders filled in for `request` (docs/client-mode.md): {url},
/// {root_url}, {host}, {port}, {operation} are shell-safe and go in as they are; {user},
/// {password}, {path}, {remote_dir}, {name}, {local}, {workdir}, {profile_dir} are single-quoted
/// for /bin/sh; `{NAME:escaped}` (for the quoted ones) first puts a backslash before each blank,
/// quote and backslash, for clients that read commands on stdin as ftp(1) does.
/// `${` is left alone (a shell variable).
std::string expand_template(std::string_view command, const ClientRequest& request,
                            const std::filesystem::path& profile_dir);

/// `text` as one /bin/sh word: 'text' with each ' written '\''.
std::string shell_quote(std::string_view text);

}  // namespace ftpspec::client
