// The expected-results file of `ftpspec run --expect FILE` and `ftpspec expect` (docs/reports.md
// §CI): JSON, one entry per case, the same form as tests/baselines/*.json.
//
//   {"schema": "ftpspec-expected/1", "server": "vsftpd",
//    "cases": {"feat-end-line": {"verdict": "fail", "note": "RFC 2389 §3.2: ..."},
//              "eprt-ipv6": {"verdict": "fail", "also": ["error"], "note": "..."}, ...}}
#pragma once
#include <filesystem>
#include <istream>
#include <ostream>
#include <stdexcept>

#include "run/expected.hpp"

namespace ftpspec::reports {

inline constexpr std::string_view expected_schema = "ftpspec-expected/1";

/// A file that is not valid expected results; the message names the file and the key.
class ExpectedFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

run::ExpectedResults read_expected(std::istream& in);
run::ExpectedResults read_expected_file(const std::filesystem::path& path);
void write_expected(const run::ExpectedResults& expected, std::ostream& out);

/// The comparison as the terminal shows it: what regressed, what got fixed, what changed.
std::string describe_comparison(const run::Comparison& comparison, const std::string& file);

}  // namespace ftpspec::reports
