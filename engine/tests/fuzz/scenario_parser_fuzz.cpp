// libFuzzer: the scenario parser never crashes or throws on file content, and every diagnostic
// points inside the input (diagnostics_inside.hpp).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "diagnostics_inside.hpp"
#include "scenario/parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto result = ftpspec::scenario::parse(text, "fuzz.ftpspec");
  ftpspec::fuzz::check_diagnostics_inside(text, "fuzz.ftpspec", result.diagnostics);
  // A file without problems yields cases whose steps point inside it too.
  for (const auto& one_case : result.cases) ftpspec::fuzz::check_line_inside(text, one_case.loc.line);
  return 0;
}
