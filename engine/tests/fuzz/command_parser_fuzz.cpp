// libFuzzer: the server's command-line parser never crashes, keeps lines within its limit and
// parses the same commands at any split of the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "proto/command.hpp"

namespace {
std::vector<ftpspec::proto::Command> parse(const std::vector<std::string_view>& chunks, std::size_t& errors) {
  ftpspec::proto::CommandParser parser({.max_line = 256});
  std::vector<ftpspec::proto::Command> out;
  for (auto chunk : chunks) {
    while (!chunk.empty()) {
      std::error_code ec;
      const std::size_t used = parser.put(chunk, ec);
      if (used == 0) std::abort();
      if (ec) ++errors;
      chunk.remove_prefix(used);
      if (parser.done()) {
        auto command = parser.release();
        if (command.verb.size() + command.arg.size() > 256) std::abort();
        out.push_back(std::move(command));
      }
    }
  }
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view all(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t split = data[0] % (all.size() + 1);
  std::size_t errors_whole = 0, errors_split = 0;
  const auto whole = parse({all}, errors_whole);
  const auto split_cmds = parse({all.substr(0, split), all.substr(split)}, errors_split);
  if (whole.size() != split_cmds.size() || errors_whole != errors_split) std::abort();
  for (std::size_t i = 0; i < whole.size(); ++i)
    if (whole[i].verb != split_cmds[i].verb || whole[i].arg != split_cmds[i].arg) std::abort();
  return 0;
}
