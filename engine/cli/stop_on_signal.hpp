// `ftpspec run --launch`: the launched server runs in its own process group (run/launcher.cpp), so
// the terminal's Ctrl-C never reaches it. While a StopOnSignal lives, SIGINT, SIGTERM and SIGHUP
// first send SIGTERM to that group and then end ftpspec as the signal would have, so an interrupted
// run leaves no server behind.
#pragma once
#include <signal.h>

#include <iterator>

namespace ftpspec::cli {

class StopOnSignal {
 public:
  /// Installs the handlers for `process_group` (the launched server's pid).
  explicit StopOnSignal(int process_group);
  /// Restores the dispositions the signals had before.
  ~StopOnSignal();
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

 private:
  static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
  struct sigaction previous_[std::size(kSignals)];
};

}  // namespace ftpspec::cli
