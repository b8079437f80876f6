// Reading ftpspecd's Recorder for the judgement and the reports: the commands a client sent,
// when each greeting was complete, the events; and the record as transcript text.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "server/recorder.hpp"

namespace ftpspec::client {

/// One command line the client sent, as ftpspecd parsed it.
struct SentCommand {
  unsigned connection = 0;
  std::string line;  ///< "RETR data.bin"
  std::chrono::microseconds at{0};
};

class RecordView {
 public:
  explicit RecordView(std::vector<ftpspecd::Recorder::Entry> entries) : entries_(std::move(entries)) {}
  const std::vector<ftpspecd::Recorder::Entry>& entries() const noexcept { return entries_; }
  std::vector<SentCommand> commands() const;
  /// Bytes the client sent on a connection before its greeting was completely written ("nothing
  /// before the 220"), as "#1: 'USER x\r\n' 400 ms before the greeting"; empty when none.
  std::string early_bytes() const;
  /// The text of every event with `tag`, one per line.
  std::string events(ftpspecd::Recorder::Tag tag) const;
  /// The whole record in session::Transcript's format (docs/report-json.md), one line per entry:
  /// "+0.001234 C> USER alice\r\n", "S>" for replies, "** control: #2 ..." and "** data: #2 ..."
  /// for events; a "** control: #N" line where the C>/S> lines move to another connection.
  std::string render() const;

 private:
  std::vector<ftpspecd::Recorder::Entry> entries_;
};

/// One entry as RecordView::render shows it (without the line end); "" for commands.
std::string render_entry(const ftpspecd::Recorder::Entry& entry);

}  // namespace ftpspec::client
