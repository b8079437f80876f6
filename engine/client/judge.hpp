// The judgement of a client (docs/client-mode.md §Judgement): each `expect` line's alternatives
// against everything the client left behind — its exit status and output, the bytes on disk on
// both sides, and ftpspecd's record of what it sent. The first alternative whose checks all
// hold decides; when none does, the case level grades it (MUST fail, SHOULD warn, MAY
// unsupported), as a server case grades an unlisted reply.
#pragma once
#include <filesystem>
#include <string>

#include "client/case_files.hpp"
#include "client/client_case.hpp"
#include "client/driver.hpp"
#include "client/record_view.hpp"
#include "run/result.hpp"

namespace ftpspec::client {

/// What a client left behind after one case.
struct Observation {
  const ClientCase& client_case;
  const CaseFiles& files;
  const ClientOutcome& outcome;
  const RecordView& record;
  std::filesystem::path local;   ///< the operation's local file
  std::filesystem::path login;   ///< the server's login directory on disk
};

struct CheckResult {
  bool holds = false;
  std::string actual;  ///< what was found, for the evidence ("5000 bytes, differs at byte 5000 of 200000")
};

CheckResult evaluate(const Check& check, const Observation& observed);

/// One `expect` line (with its `or` lines) judged: a step of the case's result.
run::StepResult judge(const Expectation& expectation, const Observation& observed, scenario::Level level);

/// "exit=0 local=@data.bin or exit!=0".
std::string describe(const Expectation& expectation);

}  // namespace ftpspec::client
