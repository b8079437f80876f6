#include "run/runner.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <thread>

#include "run/cleanup.hpp"
#include "run/findings.hpp"
#include "run/parallel.hpp"
#include "run/retry.hpp"
#include "run/tls_steps.hpp"

namespace ftpspec::run {

std::vector<std::string> parse_feat_reply(const proto::Reply& reply) {
  std::vector<std::string> features;
  if (reply.code != 211) return features;
  for (std::size_t i = 1; i + 1 < reply.lines.size(); ++i) {
    std::string line = reply.lines[i];
    std::size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    features.push_back(line.substr(start));
  }
  return features;
}

std::chrono::milliseconds estimated_duration(const scenario::Case& c) {
  using std::chrono::milliseconds;
  milliseconds cost{1};
  for (const scenario::Step& step : c.steps) {
    if (const auto* wait = std::get_if<scenario::Wait>(&step.body)) {
      cost += wait->duration;
    } else if (const auto* send = std::get_if<scenario::Send>(&step.body)) {
      // RFC 2577 §5 suggests delaying the reply to a wrong PASS; servers do (ftpspecd: 1 s).
      const bool pass = send->text.size() > 5 && (send->text.compare(0, 5, "PASS ") == 0 || send->text.compare(0, 5, "pass ") == 0);
      if (pass && send->text.substr(5) != "${password}") cost += milliseconds(1000);
    } else if (std::holds_alternative<scenario::AbortRetr>(step.body)) {
      cost += milliseconds(100);
    } else if (std::holds_alternative<scenario::Transfer>(step.body)) {
      cost += milliseconds(10);
    }
  }
  if (c.require == scenario::Requirement::scratch || c.require == scenario::Requirement::tls_scratch)
    cost += milliseconds(10);  // MKD, then NLST/DELE/RMD afterwards
  return cost;
}

namespace {

/// Whether a server is likely to leave the case waiting for its reply timeout: bytes outside the
/// command grammar (Telnet options, a split command) and an aborted transfer are where servers
/// most often fall silent (Twisted, pure-ftpd).
bool may_go_unanswered(const scenario::Case& c) {
  return std::any_of(c.steps.begin(), c.steps.end(), [](const scenario::Step& step) {
    return std::holds_alternative<scenario::SendRaw>(step.body) || std::holds_alternative<scenario::AbortRetr>(step.body);
  });
}

}  // namespace

std::vector<std::size_t> start_order(const std::vector<scenario::Case>& cases) {
  constexpr std::chrono::milliseconds delayed{250};
  std::vector<std::size_t> order(cases.size());
  std::vector<std::chrono::milliseconds> rank(cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    order[i] = i;
    const auto cost = estimated_duration(cases[i]);
    rank[i] = cost >= delayed ? cost : may_go_unanswered(cases[i]) ? std::chrono::milliseconds(1) : std::chrono::milliseconds(0);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rank[a] > rank[b]; });
  return order;
}

namespace {

std::string utc_now() {
  auto now = std::chrono::system_clock::now();
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::chrono::system_clock::to_time_t(now)));
}

/// A second attempt, on one fresh session, at what the cases' own cleanups could not remove (a
/// server that was busy, or refused a connection at the time). What stays is reported.
std::vector<std::string> retry_removal(const std::vector<CaseResult>& cases, const RunOptions& options) {
  std::vector<std::string> wanted;
  for (const CaseResult& c : cases) wanted.insert(wanted.end(), c.left_behind.begin(), c.left_behind.end());
  if (wanted.empty()) return wanted;
  std::vector<std::string> left;
  try {
    session::Session session(options.timeouts);
    open_cleanup_session(session, options.target);
    for (const std::string& path : wanted)
      if (!remove_tree(session, path)) left.push_back(path);
    session.quit();
  } catch (const std::exception&) {
    return wanted;
  }
  return left;
}

}  // namespace

session::Timeouts run_timeouts(std::chrono::milliseconds timeout) {
  session::Timeouts timeouts;
  timeouts.connect = timeouts.reply = timeouts.data = timeout;
  return timeouts;
}

RunResult probe(const RunOptions& options) {
  RunResult result;
  result.target = options.target.display_url();
  result.tool_version = options.tool_version;
  result.started_at = utc_now();
  session::Session session(options.timeouts);
  try {
    proto::Reply greeting = open_control(session, options.target);
    for (const auto& reply : session.greeting_replies())
      result.greeting.insert(result.greeting.end(), reply.lines.begin(), reply.lines.end());
    if (greeting.code != 220) throw TargetUnreachable(fmt::format("{} greeted with {}", result.target, greeting.code));
    if (options.target.tls == TlsMode::explicit_) {
      // RFC 4217 §4: the target was given as explicit FTPS, so every session starts with AUTH TLS.
      proto::Reply auth = session.auth_tls();
      if (auth.code != 234) throw TargetUnreachable(fmt::format("{}: AUTH TLS was answered {}", result.target, auth.code));
    }
    proto::Reply login = session.login(options.target.user, options.target.password);
    if (login.code / 100 != 2)
      throw TargetUnreachable(fmt::format("login as {} failed: {}", options.target.user,
                                          login.lines.empty() ? std::to_string(login.code) : login.lines.front()));
    result.features = parse_feat_reply(session.command("FEAT"));
    session.quit();
  } catch (const session::Error& e) {
    throw TargetUnreachable(fmt::format("{}: {}", result.target, e.what()));
  }
  return result;
}

RunResult run_suite(const std::vector<scenario::Case>& cases, const RunOptions& options, const ProgressCallback& progress) {
  const auto started = std::chrono::steady_clock::now();
  RunResult result = probe(options);
  CaseContext context{options.target, options.timeouts, result.features, options.intrusive};
  result.cases.resize(cases.size());

  result.jobs = options.jobs;

  // An attempt the retry policy (run/retry.hpp) asked to repeat, kept until the next one is done.
  std::vector<std::optional<CaseResult>> earlier(cases.size());
  std::vector<Attempt> earlier_attempt(cases.size());
  std::mutex lowered_mutex;
  auto attempt_case = [&](const Attempt& attempt) {
    const std::size_t i = attempt.index;
    CaseContext attempt_context = context;
    if (earlier[i] && earlier[i]->strain == CaseResult::Strain::timed_out)
      attempt_context.timeouts = retry_timeouts(context.timeouts);
    if (earlier[i] && earlier[i]->strain == CaseResult::Strain::session_refused)
      std::this_thread::sleep_for(pause_before(attempt.number));
    CaseResult outcome = run_case(cases[i], attempt_context);
    AttemptOutcome next = after_attempt(outcome, attempt);
    // The attempt as it ended: a timeout counts the others seen at any time during the wait.
    Attempt ended = attempt;
    if (outcome.strain == CaseResult::Strain::timed_out) ended.others = attempt.others_seen();
    ended.peak = nullptr;
    const CaseResult& sign = next.done && earlier[i] ? *earlier[i] : outcome;  // what lowers the limit, if anything
    const unsigned others = next.done && earlier[i] ? earlier_attempt[i].others : ended.others;
    if (next.done && earlier[i]) next.limit = limit_after_retry(*earlier[i], earlier_attempt[i], outcome);
    if (next.limit != 0) {
      std::lock_guard lock(lowered_mutex);
      if (result.jobs_lowered_because.empty())
        result.jobs_lowered_because = fmt::format("{}: {}{}", sign.id, describe_strain(sign, others),
                                                  sign.strain == CaseResult::Strain::timed_out ? ", and answered when run again" : "");
    }
    if (!next.done) {
      earlier[i] = std::move(outcome);
      earlier_attempt[i] = ended;
      return next;
    }
    result.cases[i] = earlier[i] ? keep_attempt(std::move(*earlier[i]), std::move(outcome), earlier_attempt[i]) : std::move(outcome);
    return next;
  };
  result.jobs_at_end = run_adaptively(
      start_order(cases), options.jobs, attempt_case,
      [&](std::size_t i, std::size_t done) {
        if (progress) progress(result.cases[i], done, cases.size());
      },
      options.stop);
  result.left_behind = retry_removal(result.cases, options);
  derive_findings(result);
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  return result;
}

}  // namespace ftpspec::run
