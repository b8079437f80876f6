// A peer's departure from the letter of an RFC that a parser tolerated (bare LF, a code-only
// line). Deviations are findings, not errors: the harness grades them, the parser carries on.
#pragma once
#include <cstddef>
#include <string>

namespace ftpspec::proto {

struct Deviation {
  std::string rule;     ///< the RFC rule, e.g. "RFC 959 §4.2: lines end with CRLF"
  std::size_t offset;   ///< byte offset in the stream where it was seen
};

}  // namespace ftpspec::proto
