// `ftpspec client`: judge an FTP client against the client cases (engine/client, docs/client-mode.md).
#pragma once
#include <filesystem>

namespace ftpspec::cli {

/// Runs `ftpspec client ...`; argv[0] is "client". Exit codes as `ftpspec run`: 0 no MUST/SHOULD
/// case failed, 1 one did, 2 usage, case-file or harness problems. `default_suite` is the client
/// suite used without --suite (the `clients` folder of the executable's own suite).
int command_client(int argc, char** argv, const std::filesystem::path& default_suite);

}  // namespace ftpspec::cli
