// The canonical JSON form of a run (docs/report-json.md, "schema": "ftpspec-results/1"): object
// keys sorted, two-space indentation, integers only, so two runs diff line by line.
#pragma once
#include <ostream>

#include "run/result.hpp"

namespace ftpspec::reports {

inline constexpr std::string_view json_schema = "ftpspec-results/1";

void write_json(const run::RunResult& result, std::ostream& out);

}  // namespace ftpspec::reports
