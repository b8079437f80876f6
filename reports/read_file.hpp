// Reading a saved file through a stream reader, so that every error names the file first
// ("out/ftpspec-results.json: cases[3].verdict: ...").
#pragma once
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

namespace ftpspec::reports {

/// `read(stream)` on the file at `path`; an Error it throws (or a file that cannot be opened)
/// becomes an Error whose message starts with the path.
template <class Error, class Read>
auto read_file(const std::filesystem::path& path, Read read) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot open", path.string()));
  try {
    return read(in);
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}", path.string(), e.what()));
  }
}

}  // namespace ftpspec::reports
