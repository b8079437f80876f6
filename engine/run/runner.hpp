// Runs a suite of cases against one target: a probe session first (greeting, FEAT), then every case
// on its own session in a pool of `jobs` threads. Progress goes to a callback (the CLI prints it
// on stderr); the RunResult holds everything the reports need.
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "run/case_runner.hpp"
#include "run/result.hpp"
#include "run/target.hpp"
#include "scenario/ast.hpp"
#include "session/session.hpp"

namespace ftpspec::run {

struct RunOptions {
  Target target;
  session::Timeouts timeouts;
  unsigned jobs = 1;
  bool intrusive = false;  ///< run the cases marked `intrusive` too (else they are skipped)
  std::string tool_version;
  /// When set and true, run_suite starts no further case (cases in flight finish within their
  /// timeouts): how an interrupted run (Ctrl-C in Python) ends early.
  std::shared_ptr<const std::atomic<bool>> stop;
};

/// The timeouts of `ftpspec run --timeout MS` (and Python's `timeout=`): one bound for a connection,
/// a reply and a silence on a data connection. The suite's transfers are small, so a data
/// connection quiet that long is as telling as a missing reply.
session::Timeouts run_timeouts(std::chrono::milliseconds timeout);

/// Called from worker threads (serialised by the runner) after each case.
using ProgressCallback = std::function<void(const CaseResult& result, std::size_t done, std::size_t total)>;

/// The probe could not reach or log in to the target: nothing to run against (exit code 2).
class TargetUnreachable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Connects, logs in and asks FEAT (RFC 2389 §3) once; fills the RunResult header. Throws
/// TargetUnreachable when the target cannot be reached or the login fails.
RunResult probe(const RunOptions& options);

/// A rough guess of how long `c` runs against a local server: `wait` steps, a second per wrong
/// PASS (RFC 2577 §5 delays), a little per transfer. run_suite starts the longest cases first.
std::chrono::milliseconds estimated_duration(const scenario::Case& c);

/// The order in which run_suite starts `cases` (indexes), so the slow ones overlap the many fast
/// ones instead of trailing at the end of the run: the deliberately delayed ones (failed-login
/// delays, waits) longest first; then those that may wait out a timeout (raw bytes, an aborted
/// transfer); then the rest in file order.
std::vector<std::size_t> start_order(const std::vector<scenario::Case>& cases);

/// Runs `cases` (in file order in the result, whatever the completion order; longest-estimated
/// cases start first).
RunResult run_suite(const std::vector<scenario::Case>& cases, const RunOptions& options,
                    const ProgressCallback& progress = {});

/// Parses the lines of a 211 FEAT reply into feature names (RFC 2389 §3.2: feature lines begin
/// with a space; the first and last lines are not features).
std::vector<std::string> parse_feat_reply(const proto::Reply& reply);

}  // namespace ftpspec::run
