// A client run as a shell command from a profile's template (ClientProfile), with Boost.Process:
// in the case's fresh working directory, HOME pointing at a fresh folder (no user configuration),
// stdin closed, stdout and stderr to files, in a process group of its own so that a deadline
// kills it and anything it started.
#pragma once
#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "client/driver.hpp"
#include "client/profile.hpp"

namespace ftpspec::client {

/// What one shell command did.
struct ShellResult {
  std::optional<int> exit_status;  ///< none when killed
  bool hung = false;
  std::string output;              ///< stdout, then stderr (each up to 64 KiB)
  std::chrono::milliseconds duration{0};
};

/// Runs `command` with /bin/sh in `workdir` with HOME=`home`; kills its process group at `deadline`.
/// `scratch` is a folder for the output files. Throws std::runtime_error when it cannot start.
ShellResult run_shell(const std::string& command, const std::filesystem::path& workdir,
                      const std::filesystem::path& home, const std::filesystem::path& scratch,
                      std::chrono::milliseconds deadline);

class CommandDriver final : public ClientDriver {
 public:
  explicit CommandDriver(ClientProfile profile) : profile_(std::move(profile)) {}
  std::string name() const override { return profile_.name; }
  /// The first line of the profile's `version` command (run once, 10 s at most).
  std::string version() const override;
  bool supports(Operation operation, bool tls, std::string& why) const override;
  ClientOutcome run(const ClientRequest& request, std::chrono::milliseconds deadline) override;
  const ClientProfile& profile() const noexcept { return profile_; }

 private:
  ClientProfile profile_;
  mutable std::once_flag version_once_;
  mutable std::string version_;
};

}  // namespace ftpspec::client
