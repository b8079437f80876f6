// The human summary. First the headline: the distinct findings, each with its rule and every case
// it touched; then per RFC, counts of each verdict; then every fail, blocked, error and warn case
// with its reason, the reply that decided it and the scenario line; then what the run could not
// remove from the server. Colour only when asked (the CLI asks on a TTY without NO_COLOR).
#pragma once
#include <ostream>

#include "run/result.hpp"

namespace ftpspec::reports {

struct TerminalOptions {
  bool color = false;
  bool show_transcripts = false;  ///< print the failing step's transcript excerpt under each finding
};

void write_terminal(const run::RunResult& result, std::ostream& out, const TerminalOptions& options = {});

/// "9 findings, 4 at MUST level": the headline every report format leads with.
std::string findings_headline(const run::RunResult& result);

/// True when colour should be used on this file descriptor: a TTY and NO_COLOR unset or empty.
bool color_wanted(int fd);

}  // namespace ftpspec::reports
