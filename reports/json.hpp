// The canonical JSON form of a run (docs/report-json.md, "schema": "ftpspec-results/2"): object
// keys sorted, two-space indentation, integers only, so two runs diff line by line. Version 2 added
// the verdict `blocked`, `findings`, `left_behind` and each step's `command` and `reply_code`.
#pragma once
#include <ostream>

#include "run/result.hpp"

namespace ftpspec::reports {

inline constexpr std::string_view json_schema = "ftpspec-results/2";
/// The earlier schema `ftpspec report` still reads (it has no findings).
inline constexpr std::string_view json_schema_v1 = "ftpspec-results/1";

void write_json(const run::RunResult& result, std::ostream& out);

}  // namespace ftpspec::reports
