// libFuzzer: the reply parser must never crash, must respect its limits, and must give the same
// replies whether the bytes come at once or split at a position chosen by the input itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "proto/reply_parser.hpp"

namespace {
struct Outcome {
  std::vector<ftpspec::proto::Reply> replies;
  std::error_code ec;
};

Outcome parse(const std::vector<std::string_view>& chunks) {
  ftpspec::proto::ReplyParser parser({.max_line = 512, .max_lines = 64, .max_bytes = 8192});
  Outcome out;
  for (auto chunk : chunks) {
    while (!chunk.empty()) {
      const std::size_t used = parser.put(chunk, out.ec);
      if (out.ec) return out;
      chunk.remove_prefix(used);
      if (parser.done()) {
        auto reply = parser.release();
        if (reply.code < 100 || reply.code > 599 || reply.lines.empty()) std::abort();
        out.replies.push_back(std::move(reply));
      } else if (used == 0) {
        std::abort();  // no progress without an error or a reply: a hang in a caller's loop
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
  const Outcome whole = parse({all});
  const Outcome chunked = parse({all.substr(0, split), all.substr(split)});
  if (whole.ec != chunked.ec || whole.replies.size() != chunked.replies.size()) std::abort();
  for (std::size_t i = 0; i < whole.replies.size(); ++i)
    if (whole.replies[i].lines != chunked.replies[i].lines) std::abort();
  return 0;
}
