// The comparison of several runs (one per server), like Autobahn|Testsuite's server matrix: rows are
// cases grouped by RFC, columns are servers, each cell the verdict with its colour and the reason.
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "run/result.hpp"

namespace ftpspec::reports {

/// One column of the matrix: a run and the name it is shown under (by default the JSON file's stem).
struct MatrixColumn {
  std::string label;
  run::RunResult result;
};

/// A self-contained HTML page (inline CSS and JS); a cell's tooltip carries the reason and the reply.
/// A case missing from a run shows as "—".
void write_matrix_html(const std::vector<MatrixColumn>& columns, std::ostream& out);

/// The same matrix as GitHub-flavoured Markdown tables, one per RFC, for a pull request or a wiki.
void write_matrix_markdown(const std::vector<MatrixColumn>& columns, std::ostream& out);

}  // namespace ftpspec::reports
