// Runs one scenario case on its own session::Session (blocking, one per thread) and collects
// the evidence for its verdict. The Runner calls this from its thread pool.
#pragma once
#include <string>
#include <vector>

#include "run/result.hpp"
#include "run/target.hpp"
#include "scenario/ast.hpp"
#include "session/session.hpp"

namespace ftpspec::run {

/// What every case of a run shares.
struct CaseContext {
  Target target;
  session::Timeouts timeouts;
  std::vector<std::string> features;  ///< FEAT lines of the probe session, without the leading space
  bool intrusive = false;             ///< run `intrusive` cases too (else they are skipped unconnected)
};

/// Runs `c` to its verdict. Never throws: harness problems become Verdict::error.
CaseResult run_case(const scenario::Case& c, const CaseContext& context);

/// Replaces ${name} with its value; unknown names are left as written (the parser rejects them).
std::string expand_variables(std::string_view text, const std::vector<std::pair<std::string, std::string>>& variables);

}  // namespace ftpspec::run
