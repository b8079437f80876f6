// grind(): calls `check` with `wire` split into two and three chunks at every position, so a
// parser or decoder is proven at every chunk boundary (Beast's "grind" idea).
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace ftpspec::testing {

inline void grind(const std::string& wire, const std::function<void(const std::vector<std::string>&)>& check) {
  check({wire});
  for (std::size_t i = 0; i <= wire.size(); ++i) {
    check({wire.substr(0, i), wire.substr(i)});
    for (std::size_t j = i; j <= wire.size() && wire.size() <= 256; ++j)
      check({wire.substr(0, i), wire.substr(i, j - i), wire.substr(j)});
  }
}

}  // namespace ftpspec::testing
