#include "run/retry.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ftpspec::run {

AttemptOutcome after_attempt(const CaseResult& result, const Attempt& attempt) {
  switch (result.strain) {
    case CaseResult::Strain::session_refused:
      // Refused at the greeting: the others open when it connected are what the server took. With
      // none of ours open, sessions of other clients (or ours, still closing) filled it: try again.
      if (attempt.number + 1 >= kMaxSessionAttempts) return {};
      return {false, attempt.others};
    case CaseResult::Strain::timed_out:
      // Alone all along, the server's silence is its answer.
      if (attempt.others_seen() == 0 || attempt.number > 0 || result.verdict != Verdict::error) return {};
      return {false, 0};
    case CaseResult::Strain::none:
      break;
  }
  return {};
}

unsigned limit_after_retry(const CaseResult& earlier, const Attempt& earlier_attempt, const CaseResult& later) {
  if (earlier.strain != CaseResult::Strain::timed_out || later.verdict == Verdict::error) return 0;
  return std::max(1u, (earlier_attempt.others + 1) / 2);
}

std::chrono::milliseconds pause_before(unsigned attempt_number) {
  return std::min(std::chrono::milliseconds(1000), std::chrono::milliseconds(100) * attempt_number);
}

session::Timeouts retry_timeouts(session::Timeouts timeouts) {
  timeouts.connect = std::min(timeouts.connect, kRetryWait);
  timeouts.reply = std::min(timeouts.reply, kRetryWait);
  timeouts.data = std::min(timeouts.data, kRetryWait);
  return timeouts;
}

std::string describe_strain(const CaseResult& result, unsigned others) {
  return fmt::format("{} with {} other session{} open",
                     result.strain == CaseResult::Strain::session_refused ? "the server refused the session (421 greeting)"
                                                                          : "timed out (" + result.reason + ")",
                     others, others == 1 ? "" : "s");
}

CaseResult keep_attempt(CaseResult earlier, CaseResult later, const Attempt& earlier_attempt) {
  const bool refused = earlier.strain == CaseResult::Strain::session_refused;
  if (!refused && later.verdict == Verdict::error) {
    // Still no answer: the first attempt, with the full timeouts, stands; the second is evidence.
    earlier.left_behind.insert(earlier.left_behind.end(), later.left_behind.begin(), later.left_behind.end());
    earlier.transcript += fmt::format("** the case ran again after its timeout, with waits of at most {} ms: {}\n{}",
                                      kRetryWait.count(), later.reason, later.transcript);
    return earlier;
  }
  later.retried_because = fmt::format("the attempt before: {}; run again with fewer at a time",
                                      describe_strain(earlier, earlier_attempt.others));
  later.left_behind.insert(later.left_behind.begin(), earlier.left_behind.begin(), earlier.left_behind.end());
  return later;
}

}  // namespace ftpspec::run
