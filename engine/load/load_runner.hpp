// `ftpspec load`: runs virtual users (virtual_user.hpp) against one FTP server on a few I/O
// threads and merges what each thread measured. Bounded: the run ends at `duration` (every user
// finishes its current operation, each step bounded by op_timeout) or after `max_ops` operations.
#pragma once
#include <stdexcept>

#include "load/load_options.hpp"
#include "load/load_stats.hpp"

namespace ftpspec::load {

/// The target could not be used at all (e.g. its host name does not resolve).
class LoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Setup phase (uploads the RETR files when options.prepare and the mix holds RETR), then the
/// measured phase. Raises the process's open-file limit when the sessions need it. Throws
/// LoadError when the target cannot be resolved; everything the server does is in the report.
LoadReport run_load(const LoadOptions& options);

}  // namespace ftpspec::load
