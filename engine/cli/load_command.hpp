// `ftpspec load`: the load generator's command line (engine/load).
#pragma once

namespace ftpspec::cli {

/// Runs `ftpspec load ...`; argv[0] is "load". Exit code: 0 every operation succeeded, 1 some
/// failed, 2 usage error or unusable target.
int command_load(int argc, char** argv);

}  // namespace ftpspec::cli
