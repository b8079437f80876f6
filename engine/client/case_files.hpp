// The bytes of a client case's files (Content: literal, random, a slice of another file) and
// where they live on disk while the case runs: the server's root (with the login directory the
// script names), the client's working directory, and its HOME.
#pragma once
#include <filesystem>
#include <map>
#include <string>

#include "client/client_case.hpp"

namespace ftpspec::client {

class CaseFiles {
 public:
  /// Resolves every content of `c` once. Throws std::invalid_argument for a reference circle
  /// (the parser refuses those).
  explicit CaseFiles(const ClientCase& c);
  /// The bytes `content` stands for (random bytes are seeded by the case id and `name`).
  std::string bytes(const Content& content, std::string_view name = "expected") const;
  /// The local file's bytes before the operation (empty when the case has none).
  const std::string& local_before() const noexcept { return local_; }

 private:
  std::string resolve(const Content& content, std::string_view name, int depth) const;

  const ClientCase& case_;
  std::map<std::string, std::string> server_;  ///< server-file path -> bytes
  std::string local_;
};

/// The folders of one case run, made fresh (and removed by the destructor unless kept).
class CaseDirectories {
 public:
  /// Under `parent` (the system's temporary folder when empty).
  CaseDirectories(const std::string& case_id, const std::filesystem::path& parent, bool keep);
  ~CaseDirectories();
  CaseDirectories(const CaseDirectories&) = delete;
  CaseDirectories& operator=(const CaseDirectories&) = delete;

  const std::filesystem::path& base() const noexcept { return base_; }
  std::filesystem::path root() const { return base_ / "root"; }  ///< the server's root
  std::filesystem::path work() const { return base_ / "work"; }  ///< the client's working directory
  std::filesystem::path home() const { return base_ / "home"; }  ///< the client's HOME
  /// The login directory on disk: root() plus the script's `home`.
  std::filesystem::path login(const ClientCase& c) const;
  /// Writes the server files, the login directory and the local file.
  void populate(const ClientCase& c, const CaseFiles& files) const;

 private:
  std::filesystem::path base_;
  bool keep_;
};

/// The login directory of `c` under a server root: the root plus the script's `home`.
std::filesystem::path login_directory(const std::filesystem::path& root, const ClientCase& c);
/// Makes the login directory and writes the case's server files and folders under `root`.
void write_server_files(const ClientCase& c, const CaseFiles& files, const std::filesystem::path& root);

/// A file's bytes, or nullopt when it does not exist (or is not a regular file).
std::optional<std::string> read_file_bytes(const std::filesystem::path& path);

}  // namespace ftpspec::client
