// Leaving the server as the run found it: a case's scratch directory is emptied and removed, as a
// client would do it: on the case's own session when the case left it in a plain state (one login
// less per case; half the connections against a server that forks per session), else on a fresh
// control connection, whatever state the case left its own in (EPSV ALL, a MODE, a timeout, a
// closed connection). What cannot be removed is named in the report (RunResult::left_behind),
// never silently kept.
#pragma once
#include <string>

#include "run/target.hpp"
#include "session/session.hpp"

namespace ftpspec::run {

/// Connects to `target` (TLS as the target says, not as a case asked) and logs in. Throws
/// session::Error when it cannot, or when the login is refused.
void open_cleanup_session(session::Session& session, const Target& target);

/// True when `session` is still connected and every command the case sent on it leaves a state a
/// cleanup can work in: one login, transfers in TYPE A/I, STRU F and MODE S, no EPSV ALL, no REIN,
/// no protection or account changes, no RNFR or REST waiting for its next command, no raw bytes.
bool fit_for_cleanup(const session::Session& session);

/// Deletes `dir`, its files and its subdirectories down to `depth` levels. Names come from NLST
/// (any form: bare names, relative or absolute paths, "." and ".." entries) and, when NLST is
/// refused or names nothing, from LIST lines in the Unix, DOS or EPLF style. True when RMD of
/// `dir` succeeded.
bool remove_tree(session::Session& session, const std::string& dir, int depth = 3);

/// Joins a directory and a name with exactly one '/'.
std::string join_path(std::string_view dir, std::string_view name);

}  // namespace ftpspec::run
