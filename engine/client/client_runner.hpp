// Runs client cases (docs/client-mode.md): for each case a fresh folder, ftpspecd in this process
// on 127.0.0.1:0 serving the case's script and files, the client (a ClientDriver) asked for the
// case's operation with a deadline, then the judgement of what it left behind. The results are
// run::RunResult / run::CaseResult, so every report and `ftpspec report --compare` work as they are.
#pragma once
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/client_case.hpp"
#include "client/driver.hpp"
#include "run/result.hpp"

namespace ftpspec::client {

/// The account the scripted server accepts (in every {url}).
inline constexpr std::string_view kCaseUser = "alice";
inline constexpr std::string_view kCasePassword = "s3cret";

struct ClientRunOptions {
  unsigned jobs = 1;                                   ///< cases at a time (when the driver allows)
  std::optional<std::chrono::milliseconds> deadline;   ///< instead of each case's own
  bool keep_dirs = false;                              ///< leave each case's folder (for debugging)
  std::filesystem::path work_root;                     ///< where case folders go (default: the temp dir)
  std::string tool_version;
  /// When set and true, no further case starts (an interrupted run).
  std::shared_ptr<const std::atomic<bool>> stop;
};

using ClientProgress = std::function<void(const run::CaseResult& result, std::size_t done, std::size_t total)>;

/// One case to its verdict; never throws (harness problems become `error`). `tls_cert`/`tls_key`:
/// PEM files for cases that say `tls explicit` (run_client_suite makes a throwaway pair).
run::CaseResult run_client_case(const ClientCase& c, ClientDriver& driver, const ClientRunOptions& options,
                                const std::filesystem::path& tls_cert = {}, const std::filesystem::path& tls_key = {});

/// Every case, in file order in the result (longest deadlines start first).
run::RunResult run_client_suite(const std::vector<ClientCase>& cases, ClientDriver& driver,
                                const ClientRunOptions& options, const ClientProgress& progress = {});

}  // namespace ftpspec::client
