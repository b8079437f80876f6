// The results of a run: per step, per case and for the whole run. Reports render only these.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "run/verdict.hpp"
#include "scenario/ast.hpp"

namespace ftpspec::run {

/// The evidence for one judged step.
struct StepResult {
  scenario::SourceLoc loc;
  std::string source;      ///< the scenario line as written
  Verdict verdict = Verdict::pass;
  std::string expected;    ///< "200|202", "data equal to @blob (4096 bytes)", ...
  std::string actual;      ///< "500 Unknown command", "connection closed", ...
  std::string reason;      ///< why the verdict is what it is
  std::string transcript;  ///< session::Transcript::render(from) of this step
  std::string command;     ///< the command line the judged reply answered ("TYPE L 8"); "" if none
  int reply_code = 0;      ///< the judged reply's code; 0 when the step judged no reply
  /// When the verdict rests on a rule other than the case's own — a code outside the command's
  /// reply list (RFC 959 §5.4) — that rule and its RFC section; empty otherwise.
  std::string rule;
  std::string rfc;
};

/// Set-up a case is not about (a fixture, TYPE, the data connection, TLS) that the server got
/// wrong. The case is `blocked`; the defect is one finding however many cases met it.
struct SetupDefect {
  std::string command;   ///< as sent: "TYPE L 8", "PASV", "AUTH TLS"
  int code = 0;          ///< the reply's code; 0 when no usable reply came (e.g. a 227 without an address)
  std::string observed;  ///< what the server did: the reply, or what went wrong
  std::string rule;      ///< the rule it breaks, with its RFC section
  std::string rfc;       ///< "1123 §4.1.2.13"
};

struct CaseResult {
  std::string id;
  std::string title;
  std::vector<std::string> rfc;  ///< ["959 §4.1.3"]
  scenario::Level level = scenario::Level::must;
  scenario::SourceLoc loc;
  Verdict verdict = Verdict::pass;
  std::string reason;            ///< the deciding step's reason (empty on pass)
  std::vector<StepResult> steps; ///< every judged step, in order
  std::string transcript;        ///< the whole session, rendered
  std::chrono::milliseconds duration{0};
  std::optional<SetupDefect> blocked_on;  ///< why the case is `blocked`
  std::string blocked_by;        ///< the case whose rule the set-up defect breaks ("" when none tests it)
  std::string finding;           ///< the id of the finding this case belongs to ("F1"), if any
  std::vector<std::string> left_behind;  ///< paths the case made and its cleanup could not remove
  /// When the case ran more than once: why the attempt before the kept one was not kept ("" when
  /// it ran once). run/retry.hpp.
  std::string retried_because;
  /// A sign, in this attempt, that the server was at its limit: it refused the session (421
  /// greeting), or a wait for it timed out. The runner's retry policy reads it; reports do not.
  enum class Strain { none, session_refused, timed_out } strain = Strain::none;

  /// The step that decided a non-pass verdict, or nullptr.
  const StepResult* deciding_step() const noexcept;
  std::string rfc_number() const;  ///< "959"
};

/// One distinct defect of the server: one per root cause (command, what the server did, the rule),
/// with every case it touched. A run's headline (docs/reports.md §Findings).
struct Finding {
  std::string id;            ///< "F1", "F2", ... in report order (MUST first, then most cases)
  std::string command;       ///< what was sent: "TYPE L 8", "OPTS FOO BAR"
  int code = 0;              ///< the reply code the server gave (0: no usable reply, or a data defect)
  std::string observed;      ///< what the server did: "504 Type not implemented"
  std::string rule;          ///< the rule broken, in words, with the RFC section
  std::string rfc;           ///< "2389 §4"
  scenario::Level level = scenario::Level::must;
  std::string transcript;    ///< one transcript excerpt that shows it
  std::string owner;         ///< the case that tests this rule; "" for a set-up defect no case tests
  std::vector<std::string> failed;   ///< the cases that fail on it (owner first)
  std::vector<std::string> blocked;  ///< the cases it blocked
};

struct RunResult {
  std::string target;                 ///< ftp://user@host:port (no password)
  std::string tool_version;
  std::vector<std::string> greeting;  ///< the probe session's greeting reply lines
  std::vector<std::string> features;  ///< FEAT feature lines, without the leading space
  std::string started_at;             ///< ISO 8601 UTC
  std::chrono::milliseconds duration{0};
  std::vector<CaseResult> cases;
  std::string server_output;          ///< stdout+stderr of a --launch'ed server
  std::vector<Finding> findings;      ///< distinct defects, headline first (run/findings.hpp)
  /// Paths the run made on the server and could not remove (a server that refuses RMD, or one the
  /// run lost the connection to): the report names them so the tester can.
  std::vector<std::string> left_behind;
  unsigned jobs = 0;         ///< cases at a time the run started with (--jobs)
  unsigned jobs_at_end = 0;  ///< and ended with: fewer when the server showed it was at its limit
  std::string jobs_lowered_because;  ///< the first sign that lowered it ("" when it was not lowered)

  /// Counts of each verdict.
  int count(Verdict verdict) const noexcept;
  /// Findings at MUST level.
  int must_findings() const noexcept;
};

}  // namespace ftpspec::run
