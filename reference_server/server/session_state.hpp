// What one control connection remembers between commands; REIN (RFC 959 §4.1.1) resets it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "codec/representation.hpp"
#include "server/mlst_facts.hpp"
#include "server/vfs.hpp"

namespace ftpspecd {

struct SessionState {
  // Access control (RFC 959 §4.1.1)
  std::string virtual_host;                 ///< HOST (RFC 7151), empty: none given
  std::optional<std::string> pending_user;  ///< USER given, PASS not yet accepted
  std::string user_name;                    ///< set once logged in
  bool logged_in = false;
  unsigned failed_logins = 0;               ///< PASS failures on this connection (RFC 2577 §4)
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
  unsigned mlst_facts = all_facts;          ///< OPTS MLST selection (RFC 3659 §7.9)

  // Security (RFC 4217 §8, §9; RFC 2228 §3)
  bool pbsz_done = false;                   ///< PBSZ accepted (after AUTH TLS)
  bool prot_private = false;                ///< PROT P: data connections run TLS
  bool protection_frozen = false;           ///< after CCC: no more PBSZ/PROT (RFC 4217 §6)
};

}  // namespace ftpspecd
