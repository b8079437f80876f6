#include "cli/stop_on_signal.hpp"

#include <csignal>

namespace ftpspec::cli {
namespace {

volatile std::sig_atomic_t launched_group = 0;

/// Only async-signal-safe calls (signal-safety(7)): kill, sigaction, raise.
extern "C" void stop_group_then_die(int signal) {
  if (launched_group > 0) ::kill(-launched_group, SIGTERM);
  struct sigaction fallback {};
  fallback.sa_handler = SIG_DFL;
  ::sigaction(signal, &fallback, nullptr);
  ::raise(signal);  // delivered once this handler returns: the process ends as it would have
}

}  // namespace

StopOnSignal::StopOnSignal(int process_group) {
  launched_group = process_group;
  struct sigaction handler {};
  handler.sa_handler = stop_group_then_die;
  sigemptyset(&handler.sa_mask);
  for (std::size_t i = 0; i < std::size(kSignals); ++i) ::sigaction(kSignals[i], &handler, &previous_[i]);
}

StopOnSignal::~StopOnSignal() {
  for (std::size_t i = 0; i < std::size(kSignals); ++i) ::sigaction(kSignals[i], &previous_[i], nullptr);
  launched_group = 0;
}

}  // namespace ftpspec::cli
