// libFuzzer: the client-case parser (.ftpclient, engine/client/case_parser.cpp) never crashes or
// throws on file content, every diagnostic points inside the input (diagnostics_inside.hpp), and
// a file it accepts gives contents the runner can resolve (no reference cycle, no throw).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "client/case_files.hpp"
#include "client/case_parser.hpp"
#include "diagnostics_inside.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto result = ftpspec::client::parse(text, "fuzz.ftpclient");
  ftpspec::fuzz::check_diagnostics_inside(text, "fuzz.ftpclient", result.diagnostics);
  for (const auto& one_case : result.cases) {
    ftpspec::fuzz::check_line_inside(text, one_case.loc.line);
    if (!result.ok()) continue;
    // Random contents are capped by the parser (1 GiB); resolve only small ones here.
    bool small = true;
    for (const auto& entry : one_case.server_files)
      if (entry.content && entry.content->kind == ftpspec::client::Content::Kind::random && entry.content->size > 65536) small = false;
    if (one_case.local_file && one_case.local_file->kind == ftpspec::client::Content::Kind::random &&
        one_case.local_file->size > 65536)
      small = false;
    if (small) (void)ftpspec::client::CaseFiles(one_case);
  }
  return 0;
}
