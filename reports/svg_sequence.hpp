// The sequence diagram of one case's session as inline SVG: lifelines for the client, the server's
// control connection (server-PI) and the data connection (DTP) — RFC 959 §2.3's model — with one
// arrow per transcript line, labelled with the bytes and the time since the session started.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "reports/transcript_lines.hpp"

namespace ftpspec::reports {

struct SequenceOptions {
  std::size_t max_arrows = 250;  ///< later lines are summarised in one note (a long LIST stays readable)
  std::size_t max_label = 64;    ///< longer labels are cut; the full line is in the arrow's <title>
};

/// A standalone <svg> element (no external references, no ids, so many can share one page);
/// every text is escaped. Lines of LineKind::other are left out.
std::string sequence_svg(const std::vector<TranscriptLine>& lines, const SequenceOptions& options = {});

}  // namespace ftpspec::reports
