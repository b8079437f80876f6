// What one control connection remembers between commands; REIN (RFC 959 §4.1.1) resets it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "codec/representation.hpp"
#include "server/vfs.hpp"

namespace ftpspecd {

struct SessionState {
  // Access control (RFC 959 §4.1.1)
  std::optional<std::string> pending_user;  ///< USER given, PASS not yet accepted
  std::string user_name;                    ///< set once logged in
  bool logged_in = false;
  bool read_only = false;
  Vfs vfs;                                  ///< valid once logged in
  std::string cwd = "/";                    ///< virtual working directory

  // Transfer parameters (RFC 959 §4.1.2; defaults per §5.1: TYPE A N, STRU F, MODE S)
  ftpspec::codec::Representation representation;
  bool epsv_all = false;                    ///< RFC 2428 §4: only EPSV may set up data connections

  // Service state (RFC 959 §4.1.3)
  std::uint64_t restart_offset = 0;         ///< REST marker for the next transfer command
  std::optional<ResolvedPath> rename_from;  ///< RNFR, consumed by the RNTO that must follow
  bool utf8 = true;                         ///< OPTS UTF8 (RFC 2640 §3.2)
};

}  // namespace ftpspecd
