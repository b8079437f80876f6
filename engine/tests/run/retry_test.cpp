// The worker pool that runs fewer at a time when the server is at its limit, and the retry policy
// that decides when (run/parallel.hpp, run/retry.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>

#include "run/parallel.hpp"
#include "run/retry.hpp"

namespace ftpspec::run {
namespace {

std::vector<std::size_t> indexes(std::size_t n) {
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  return order;
}

TEST(AdaptivePool, RunsEveryTaskOnceAtMostJobsAtATime) {
  std::atomic<unsigned> running{0}, most{0};
  std::vector<std::size_t> done_order;
  const unsigned end = run_adaptively(
      indexes(40), 4,
      [&](const Attempt& attempt) {
        const unsigned now = ++running;
        most = std::max(most.load(), now);
        EXPECT_LT(attempt.others, 4u);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        --running;
        return AttemptOutcome{};
      },
      [&](std::size_t i, std::size_t count) {
        done_order.push_back(i);
        EXPECT_EQ(count, done_order.size());
      },
      nullptr);
  EXPECT_EQ(end, 4u);
  EXPECT_LE(most.load(), 4u);
  EXPECT_GE(most.load(), 2u);
  std::sort(done_order.begin(), done_order.end());
  EXPECT_EQ(done_order, indexes(40));
}

TEST(AdaptivePool, ARefusedTaskRunsAgainAndTheLimitStaysLowered) {
  // A server that takes two sessions at a time: a third is refused and asks for a limit of two.
  std::mutex mutex;
  unsigned running = 0, most_after = 0;
  bool lowered = false;
  std::map<std::size_t, unsigned> attempts;
  std::size_t done_count = 0;
  const unsigned end = run_adaptively(
      indexes(30), 6,
      [&](const Attempt& attempt) {
        {
          std::lock_guard lock(mutex);
          ++attempts[attempt.index];
          if (running >= 2) return AttemptOutcome{false, attempt.others};
          ++running;
          if (lowered) most_after = std::max(most_after, running);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(3));
        std::lock_guard lock(mutex);
        --running;
        return AttemptOutcome{};
      },
      [&](std::size_t, std::size_t count) {
        done_count = count;
        std::lock_guard lock(mutex);
        lowered = true;
      },
      nullptr);
  EXPECT_EQ(done_count, 30u);
  EXPECT_LE(end, 2u);
  EXPECT_GE(end, 1u);
  EXPECT_LE(most_after, 2u);
  for (const auto& [index, count] : attempts) EXPECT_GE(count, 1u) << index;
  EXPECT_GT(std::count_if(attempts.begin(), attempts.end(), [](const auto& a) { return a.second > 1; }), 0);
}

TEST(AdaptivePool, StopSkipsTasksNotStarted) {
  auto stop = std::make_shared<std::atomic<bool>>(false);
  std::atomic<unsigned> ran{0};
  run_adaptively(
      indexes(50), 2,
      [&](const Attempt&) {
        if (++ran == 5) *stop = true;
        return AttemptOutcome{};
      },
      {}, stop);
  EXPECT_LT(ran.load(), 10u);
}

CaseResult strained(CaseResult::Strain strain, Verdict verdict = Verdict::error) {
  CaseResult result;
  result.id = "c";
  result.strain = strain;
  result.verdict = verdict;
  result.reason = "reading a reply: no answer within the timeout";
  return result;
}

TEST(RetryPolicy, AloneASilenceIsTheServersAnswerButARefusalIsTriedAgain) {
  EXPECT_TRUE(after_attempt(strained(CaseResult::Strain::timed_out), {0, 0, 0}).done);
  // Refused with none of ours open: other clients' sessions (or ours, still closing) filled it.
  const AttemptOutcome refused = after_attempt(strained(CaseResult::Strain::session_refused), {0, 0, 0});
  EXPECT_FALSE(refused.done);
  EXPECT_EQ(refused.limit, 0u);
  EXPECT_EQ(pause_before(1), std::chrono::milliseconds(100));
  EXPECT_EQ(pause_before(30), std::chrono::milliseconds(1000));
}

TEST(RetryPolicy, ATimeoutCountsTheOthersThatRanBesideItAtAnyTime) {
  // The first case of a run starts with nobody beside it; seven more start a moment later, and
  // all of them may be done before it times out.
  std::atomic<unsigned> peak{7};
  Attempt first{0, 0, 0, &peak};
  EXPECT_EQ(first.others_seen(), 7u);
  EXPECT_FALSE(after_attempt(strained(CaseResult::Strain::timed_out), first).done);
  peak = 0;
  EXPECT_TRUE(after_attempt(strained(CaseResult::Strain::timed_out), first).done);
  // A refusal happens at the greeting: only those open then count (none: the limit stays).
  peak = 7;
  EXPECT_EQ(after_attempt(strained(CaseResult::Strain::session_refused), first).limit, 0u);
}

TEST(AdaptivePool, AnAttemptSeesTheTasksThatStartAfterIt) {
  std::atomic<unsigned> first_saw{0};
  run_adaptively(
      indexes(4), 4,
      [&](const Attempt& attempt) {
        if (attempt.index == 0) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the others start, and end
          first_saw = attempt.others_seen();
        }
        return AttemptOutcome{};
      },
      {}, nullptr);
  EXPECT_GE(first_saw.load(), 1u);
}

TEST(RetryPolicy, ARefusedSessionLowersTheLimitToWhatTheServerTook) {
  const AttemptOutcome outcome = after_attempt(strained(CaseResult::Strain::session_refused, Verdict::fail), {3, 0, 5});
  EXPECT_FALSE(outcome.done);
  EXPECT_EQ(outcome.limit, 5u);
  EXPECT_TRUE(after_attempt(strained(CaseResult::Strain::session_refused), {3, kMaxSessionAttempts - 1, 5}).done);
}

TEST(RetryPolicy, ATimeoutBesideOthersRunsOnceMoreThenHalfAsManyIfItAnswered) {
  const AttemptOutcome outcome = after_attempt(strained(CaseResult::Strain::timed_out), {3, 0, 7});
  EXPECT_FALSE(outcome.done);
  EXPECT_EQ(outcome.limit, 0u);  // lowered only once the second attempt shows the server answers
  EXPECT_EQ(limit_after_retry(strained(CaseResult::Strain::timed_out), {3, 0, 7}, strained(CaseResult::Strain::none, Verdict::pass)), 4u);
  EXPECT_EQ(limit_after_retry(strained(CaseResult::Strain::timed_out), {3, 0, 7}, strained(CaseResult::Strain::timed_out)), 0u);
  EXPECT_TRUE(after_attempt(strained(CaseResult::Strain::timed_out), {3, 1, 7}).done);   // once only
  EXPECT_TRUE(after_attempt(strained(CaseResult::Strain::none, Verdict::fail), {3, 0, 7}).done);
}

TEST(RetryPolicy, TheSecondAttemptIsKeptUnlessItGotNoAnswerEither) {
  CaseResult first = strained(CaseResult::Strain::timed_out);
  first.left_behind = {"/a"};
  CaseResult passed = strained(CaseResult::Strain::none, Verdict::pass);
  passed.left_behind = {"/b"};
  CaseResult kept = keep_attempt(first, passed, {3, 0, 7});
  EXPECT_EQ(kept.verdict, Verdict::pass);
  EXPECT_NE(kept.retried_because.find("timed out (reading a reply: no answer within the timeout) with 7 other sessions"),
            std::string::npos)
      << kept.retried_because;
  EXPECT_EQ(kept.left_behind, (std::vector<std::string>{"/a", "/b"}));

  CaseResult again = strained(CaseResult::Strain::timed_out);
  again.reason = "shorter";
  kept = keep_attempt(first, again, {3, 0, 7});
  EXPECT_EQ(kept.reason, first.reason);  // the attempt with the full timeouts stands
  EXPECT_TRUE(kept.retried_because.empty());
  EXPECT_NE(kept.transcript.find("** the case ran again after its timeout, with waits of at most 1000 ms: shorter"), std::string::npos)
      << kept.transcript;
}

TEST(RetryPolicy, TheRetryWaitsAtMostASecond) {
  session::Timeouts timeouts;
  timeouts.connect = std::chrono::milliseconds(1000);
  const session::Timeouts retry = retry_timeouts(timeouts);
  EXPECT_EQ(retry.connect, std::chrono::milliseconds(1000));
  EXPECT_EQ(retry.reply, std::chrono::milliseconds(1000));
  EXPECT_EQ(retry.data, std::chrono::milliseconds(1000));
}

}  // namespace
}  // namespace ftpspec::run
