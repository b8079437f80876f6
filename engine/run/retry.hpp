// When a case runs again: the server showed, during an attempt with other cases running beside it,
// that it was at its limit. It refused the session (a 421 greeting, RFC 959 §5.4), or a wait for
// it timed out (a server that loses a data connection when busy). Neither is the case's rule, so
// the case runs again later with fewer sessions at a time, and the run goes on with fewer too.
#pragma once
#include <chrono>
#include <optional>
#include <string>

#include "run/parallel.hpp"
#include "run/result.hpp"
#include "session/session.hpp"

namespace ftpspec::run {

/// A refused session is tried this many times in all before its error stands.
inline constexpr unsigned kMaxSessionAttempts = 6;
/// The longest wait of the attempt after a timed-out one (retry_timeouts).
inline constexpr std::chrono::milliseconds kRetryWait{1000};

/// What the pool does after `result`, the outcome of `attempt`: done, or again. A refusal with N
/// others open lowers the limit to N (the server took that many; with none, other clients or our
/// sessions still closing filled it) and is tried again; a timeout is
/// tried once more (a server that never answers that case costs one short wait more, not a lower
/// limit for the rest of the run).
AttemptOutcome after_attempt(const CaseResult& result, const Attempt& attempt);

/// The limit after `later`, the attempt that followed the timed-out `earlier`: half of the sessions
/// that were running when `earlier` timed out if `later` got its answers (the server is slower or
/// loses things when that busy); 0 (unchanged) otherwise.
unsigned limit_after_retry(const CaseResult& earlier, const Attempt& earlier_attempt, const CaseResult& later);

/// How long to wait before attempt `attempt_number` (1, 2, ...) of a case whose session was refused:
/// 100 ms more each time, at most 1 s, so the server can let go of the sessions that filled it.
std::chrono::milliseconds pause_before(unsigned attempt_number);

/// The timeouts of the attempt after a timed-out one: at most 1 s. That attempt only has to show
/// whether the server answers when less busy; when it times out too, the first attempt (with the
/// full timeouts) is the one kept.
session::Timeouts retry_timeouts(session::Timeouts timeouts);

/// The sign of the server's limit in `result`, an attempt with `others` sessions of ours beside it:
/// "the server refused the session (421 greeting) with 3 other sessions open", "timed out (REASON)
/// with 1 other session open". Both retried_because and RunResult::jobs_lowered_because say it.
std::string describe_strain(const CaseResult& result, unsigned others);

/// The result to report of `earlier` (which asked for another attempt) and `later`: the later one,
/// unless it failed to get an answer too (an `error`), with why the earlier one was not kept. Paths
/// either attempt left on the server are all reported.
CaseResult keep_attempt(CaseResult earlier, CaseResult later, const Attempt& earlier_attempt);

}  // namespace ftpspec::run
