// A run's headline: its distinct defects. Many cases can meet one defect (a refused TYPE L 8 fails
// the case about TYPE L 8 and blocks every round trip in L 8); a QA engineer files each defect once.
// A finding is one root cause — the command, what the server did, the rule — with every case it
// touched: the cases that fail on it, and the cases it blocked.
#pragma once
#include <string>
#include <string_view>

#include "run/result.hpp"

namespace ftpspec::run {

/// Fills result.findings from the case verdicts, and each touched case's `finding`; a blocked case
/// learns which case tests the rule its set-up broke (`blocked_by`) and says so in its reason.
/// Findings come MUST first, then by how many cases they touched, then in suite order.
void derive_findings(RunResult& result);

/// A command as findings compare it: the verb in capitals, TYPE/MODE/STRU arguments in capitals
/// ("type l 8" and "TYPE L 8" are one command), other arguments as sent.
std::string normalized_command(std::string_view command);

}  // namespace ftpspec::run
