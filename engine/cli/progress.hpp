// Progress on stderr while a run goes: a redrawn "[12/30] case-id" line on a terminal, or one
// plain line per finished case when stderr is not a terminal or CI is set (no \r in CI logs).
// NO_COLOR turns colour off.
#pragma once
#include <cstddef>

#include "run/result.hpp"

namespace ftpspec {

class Progress {
 public:
  explicit Progress(std::size_t total);
  /// Called once per finished case (the runner serialises calls).
  void update(const run::CaseResult& result, std::size_t done, std::size_t total);
  /// Ends a redrawn line.
  void finish();

 private:
  bool redraw_ = false;
  bool color_ = false;
  bool drawn_ = false;
};

}  // namespace ftpspec
