// `ftpspec client`: judge an FTP client against the client cases (engine/client, docs/client-mode.md).
#pragma once

namespace ftpspec::cli {

/// Runs `ftpspec client ...`; argv[0] is "client". Exit codes as `ftpspec run`: 0 no MUST/SHOULD
/// case failed, 1 one did, 2 usage, case-file or harness problems.
int command_client(int argc, char** argv);

}  // namespace ftpspec::cli
