// The results of a run: per step, per case and for the whole run. Reports render only these.
#pragma once
#include <chrono>
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

  /// The step that decided a non-pass verdict, or nullptr.
  const StepResult* deciding_step() const noexcept;
  std::string rfc_number() const;  ///< "959"
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

  /// Counts of each verdict.
  int count(Verdict verdict) const noexcept;
};

}  // namespace ftpspec::run
