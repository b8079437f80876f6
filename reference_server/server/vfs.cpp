#include "server/vfs.hpp"

#include <unistd.h>

#include <cerrno>
#include <vector>

namespace ftpspecd {
namespace fs = std::filesystem;

Vfs::Vfs(const fs::path& root) : root_(fs::canonical(root)) {}

std::optional<ResolvedPath> Vfs::resolve(std::string_view cwd, std::string_view client_path, ResolveError& error) const {
  error = ResolveError::none;
  std::string joined;
  if (!client_path.empty() && client_path.front() == '/') joined = std::string(client_path);
  else joined = std::string(cwd) + "/" + std::string(client_path);

  // Lexical normalisation of the virtual path; ".." above "/" is refused, not clamped, so a
  // conformance run sees the attempt fail loudly.
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= joined.size()) {
    std::size_t end = joined.find('/', start);
    if (end == std::string::npos) end = joined.size();
    const std::string_view part(joined.data() + start, end - start);
    if (part == "..") {
      if (parts.empty()) {
        error = ResolveError::escapes_root;
        return std::nullopt;
      }
      parts.pop_back();
    } else if (is_upload_staging_name(part)) {
      error = ResolveError::reserved_name;
      return std::nullopt;
    } else if (!part.empty() && part != ".") {
      parts.emplace_back(part);
    }
    start = end + 1;
  }
  ResolvedPath out;
  out.real = root_;
  for (const auto& part : parts) {
    out.virtual_path += "/" + part;
    out.real /= part;
  }
  if (out.virtual_path.empty()) out.virtual_path = "/";

  if (!free_of_links(parts)) {
    // Symlinks: the canonical form of the existing prefix must stay inside the root.
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(out.real, ec);
    if (ec || !inside_root(canonical)) {
      error = ResolveError::symlink_escapes_root;
      return std::nullopt;
    }
  }
  return out;
}

bool Vfs::free_of_links(const std::vector<std::string>& parts) const {
  // The root is canonical and the parts hold no "..": only a symbolic link under the root could
  // lead out. readlink(2) per existing component finds one; weakly_canonical would also stat the
  // path and readlink every component of the root itself (5 calls more for a file 2 levels down).
  std::string prefix = root_.native();
  char target[1];
  for (const auto& part : parts) {
    if (prefix.empty() || prefix.back() != '/') prefix += '/';
    prefix += part;
    if (::readlink(prefix.c_str(), target, sizeof target) >= 0) return false;  // a link: follow it
    if (errno == ENOENT) return true;  // the rest does not exist: nothing left to follow
    if (errno != EINVAL) return false;  // EACCES, ENOTDIR, ...: as weakly_canonical decides
  }
  return true;
}

bool Vfs::inside_root(const fs::path& canonical) const {
  auto root_it = root_.begin();
  auto it = canonical.begin();
  for (; root_it != root_.end(); ++root_it, ++it) {
    if (root_it->empty()) continue;  // trailing separator component
    if (it == canonical.end() || *it != *root_it) return false;
  }
  return true;
}

std::string Vfs::to_virtual(const fs::path& real) const {
  const fs::path relative = real.lexically_relative(root_);
  if (relative.empty() || relative == ".") return "/";
  return "/" + relative.generic_string();
}

std::string_view describe(ResolveError error) noexcept {
  switch (error) {
    case ResolveError::none: return "ok";
    case ResolveError::escapes_root: return "Permission denied: path leaves the root";
    case ResolveError::symlink_escapes_root: return "Permission denied: symbolic link leaves the root";
    case ResolveError::reserved_name: return "Permission denied: names starting with .ftpspecd-upload. are reserved";
  }
  return "Permission denied";
}

}  // namespace ftpspecd
