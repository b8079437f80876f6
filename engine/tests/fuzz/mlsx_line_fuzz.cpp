// libFuzzer: the MLSx entry parser (RFC 3659 §7.2) never crashes; every rejection points inside
// the line; whatever parses has a clean name and formats back to a line that parses to the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "proto/listing.hpp"

using namespace ftpspec::proto;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  ListingError error;
  const auto entry = parse_mlsx_line(line, &error);
  if (!entry) {
    if (error.offset > line.size() || error.message.empty()) std::abort();
    return 0;
  }
  if (entry->name.empty() || entry->name.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) std::abort();
  for (const auto& [name, value] : entry->facts) {
    if (name.empty() || value.find_first_of("; ") != std::string::npos) std::abort();
  }
  const auto again = parse_mlsx_line(format_mlsx_entry(*entry));
  if (!again || *again != *entry) std::abort();
  return 0;
}
