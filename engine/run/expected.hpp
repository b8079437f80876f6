// What a run means for CI: its exit code, and its comparison with a file of expected results (as
// TLS-Anvil's expected-results file and connect-rpc's known-failing list do), so a pipeline can live
// with a server's known defects and still go red on the first regression (docs/reports.md §CI).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "run/result.hpp"

namespace ftpspec::run {

/// The exit codes of `ftpspec run` (and `ftpspec.run` in Python).
inline constexpr int kExitOk = 0, kExitFailed = 1, kExitUsage = 2;

/// One case's expected verdict; `also` lists other verdicts a timing-dependent case may get, and
/// `note` says why (for a fail: the RFC rule the server breaks).
struct ExpectedCase {
  Verdict verdict = Verdict::pass;
  std::vector<Verdict> also;
  std::string note;
};

struct ExpectedResults {
  std::string server;                          ///< a name for the server these results belong to
  std::map<std::string, ExpectedCase> cases;   ///< by case id
};

/// A run held against expected results.
struct Comparison {
  struct Change {
    std::string id;
    std::string expected;  ///< "fail", "(not in the file)"
    Verdict actual = Verdict::pass;
    std::string reason;    ///< the case's reason now
  };
  std::vector<Change> new_fails;  ///< fail now, not expected: a regression (exit 1)
  std::vector<Change> new_errors; ///< error now, not expected: the run could not judge them (exit 2)
  std::vector<Change> fixed;      ///< expected to fail, pass now: update the file
  std::vector<Change> changed;    ///< any other difference (warn -> pass, unsupported -> blocked, ...)
  std::vector<std::string> not_run;  ///< in the file, not in this run (filtered out, or gone)
  int as_expected = 0;
};

/// Compares every case of `result` with `expected` (cases the file does not know are expected to pass).
Comparison compare(const RunResult& result, const ExpectedResults& expected);

/// Expected results that say what `result` found. Notes and `also` lists of `previous` are kept for
/// the cases whose verdict is still one they cover.
ExpectedResults expected_from(const RunResult& result, const std::string& server, const ExpectedResults* previous = nullptr);

/// 0: no MUST/SHOULD case failed and nothing erred; 1: a MUST or SHOULD case failed (a MAY case's
/// fail, an optional feature implemented wrongly, is reported but does not fail the run); 2: some
/// case could not be judged (error). With a comparison: 1 on a new fail, 2 on a new error, else 0.
int exit_code(const RunResult& result, const Comparison* comparison = nullptr);

}  // namespace ftpspec::run
