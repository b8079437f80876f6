// The human summary: per RFC, counts of each verdict; then every fail, warn and error with the case
// id, the reason, the reply that broke it and the scenario line. Colour only when asked (the CLI
// asks on a TTY without NO_COLOR).
#pragma once
#include <ostream>

#include "run/result.hpp"

namespace ftpspec::reports {

struct TerminalOptions {
  bool color = false;
  bool show_transcripts = false;  ///< print the failing step's transcript excerpt under each finding
};

void write_terminal(const run::RunResult& result, std::ostream& out, const TerminalOptions& options = {});

/// True when colour should be used on this file descriptor: a TTY and NO_COLOR unset or empty.
bool color_wanted(int fd);

}  // namespace ftpspec::reports
