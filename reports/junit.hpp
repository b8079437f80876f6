// JUnit XML for CI dashboards: one <testsuite> per RFC, one <testcase> per case (classname
// "ftpspec.rfcNNN", name = the unique case id), fail -> <failure>, error -> <error>,
// skipped/unsupported -> <skipped>, warn -> a pass with a "verdict" property; the case transcript
// in <system-out>.
#pragma once
#include <ostream>

#include "run/result.hpp"

namespace ftpspec::reports {

void write_junit(const run::RunResult& result, std::ostream& out);

}  // namespace ftpspec::reports
