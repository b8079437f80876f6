// libFuzzer: the LIST line parser (Unix, DOS, EPLF) never crashes; every rejection points inside
// the line; a parsed name is non-empty, free of line breaks and taken from the line itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "proto/listing.hpp"

using namespace ftpspec::proto;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  ListingError error;
  const auto entry = parse_list_line(line, &error);
  if (!entry) {
    if (error.offset > line.size() || error.message.empty()) std::abort();
    return 0;
  }
  if (entry->name.empty() || line.find(entry->name) == std::string_view::npos) std::abort();
  if (entry->name.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) std::abort();
  if (!entry->link_target.empty() && entry->type != EntryType::symlink) std::abort();
  return 0;
}
