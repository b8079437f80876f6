// The user's file tree: client paths (RFC 959 §3.2 pathnames, Unix syntax) resolved inside a jail.
// RFC 2577 §5 ("protecting against unauthorised file access"): no "..", absolute path or symlink
// may reach outside the user's root.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ftpspecd {

struct ResolvedPath {
  std::string virtual_path;     ///< "/a/b" as the client sees it
  std::filesystem::path real;   ///< the file on disk, inside the root
};

enum class ResolveError { none, escapes_root, symlink_escapes_root, reserved_name };

/// An upload in progress is written under a name with this prefix next to its target and renamed
/// over it once acknowledged (upload.hpp). Such names are the server's own: they are left out of
/// listings and no client path may name one.
inline constexpr std::string_view kUploadStagingPrefix = ".ftpspecd-upload.";
inline bool is_upload_staging_name(std::string_view file_name) noexcept {
  return file_name.substr(0, kUploadStagingPrefix.size()) == kUploadStagingPrefix;
}

class Vfs {
 public:
  Vfs() = default;
  /// `root` must exist; it is canonicalised once.
  explicit Vfs(const std::filesystem::path& root);

  /// Resolves `client_path` (absolute, or relative to the virtual `cwd`). Lexical ".." above "/",
  /// any path whose canonical form (symlinks followed) leaves the root and any path with a
  /// component that is an upload staging name give nullopt and `error`.
  std::optional<ResolvedPath> resolve(std::string_view cwd, std::string_view client_path, ResolveError& error) const;
  /// Virtual path of a real path inside the root ("/" for the root itself).
  std::string to_virtual(const std::filesystem::path& real) const;
  const std::filesystem::path& root() const noexcept { return root_; }

 private:
  bool inside_root(const std::filesystem::path& canonical) const;
  /// True when no component of root/parts is a symbolic link (found without following any).
  bool free_of_links(const std::vector<std::string>& parts) const;
  std::filesystem::path root_;
};

/// Human text for a refusal (the part after the reply code).
std::string_view describe(ResolveError error) noexcept;

}  // namespace ftpspecd
