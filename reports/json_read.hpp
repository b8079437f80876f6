// Reads an `ftpspec-results/1` document (docs/report-json.md) back into a RunResult, so reports can
// be re-rendered from a saved run and runs against several servers compared (matrix.hpp).
#pragma once
#include <filesystem>
#include <istream>
#include <stdexcept>

#include "run/result.hpp"

namespace ftpspec::reports {

/// A document that is not JSON, not ftpspec-results/1, or misses a required key.
class ReportReadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Throws ReportReadError naming the offending key ("cases[3].verdict: unknown verdict 'maybe'").
run::RunResult read_json(std::istream& in);

/// read_json on a file; the error message starts with the path.
run::RunResult read_json_file(const std::filesystem::path& path);

}  // namespace ftpspec::reports
