// JUnit XML for CI dashboards (Jenkins, GitLab, GitHub reporters), valid against
// tests/schemas/junit.xsd (the Ant/Jenkins junit-4.xsd rules): one <testsuite> per RFC, one
// <testcase> per case (classname "ftpspec.rfcNNN", name = the unique case id), fail -> <failure>,
// error -> <error>, skipped/unsupported -> <skipped>, warn -> a pass whose <system-out> says
// "verdict: warn"; <system-out> starts with verdict, level, RFC sections and scenario location,
// then the case transcript. timestamp is UTC without a zone designator, as Ant writes it.
#pragma once
#include <ostream>

#include "run/result.hpp"

namespace ftpspec::reports {

void write_junit(const run::RunResult& result, std::ostream& out);

}  // namespace ftpspec::reports
