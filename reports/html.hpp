// The self-contained HTML report: one file with inline CSS and JS, no network access. A summary per
// RFC and section, filters by verdict and RFC, and per case its RFC sections and level, the steps
// with their evidence, a sequence diagram of the control and data connections (svg_sequence.hpp)
// and the transcript with client and server lines told apart. Every server byte is escaped.
#pragma once
#include <ostream>
#include <string_view>

#include "run/result.hpp"

namespace ftpspec::reports {

void write_html(const run::RunResult& result, std::ostream& out);

/// The CSS classes v-pass, v-fail, ... that colour a verdict; shared with the comparison matrix.
std::string_view verdict_css() noexcept;

}  // namespace ftpspec::reports
