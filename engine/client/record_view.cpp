#include "client/record_view.hpp"

#include <fmt/format.h>

#include <charconv>
#include <map>

#include "session/transcript.hpp"

namespace ftpspec::client {

using Entry = ftpspecd::Recorder::Entry;
using Kind = ftpspecd::Recorder::Kind;
using Tag = ftpspecd::Recorder::Tag;

std::vector<SentCommand> RecordView::commands() const {
  std::vector<SentCommand> out;
  for (const Entry& entry : entries_)
    if (entry.kind == Kind::command) out.push_back({entry.connection, entry.bytes, entry.at});
  return out;
}

std::string RecordView::early_bytes() const {
  // The greeting is complete at the write that carried its last byte: the time taken before that
  // write is the earliest the client could have read all of it.
  std::map<unsigned, std::uint64_t> greeting_bytes;
  for (const Entry& entry : entries_) {
    if (entry.kind != Kind::event || entry.tag != Tag::greeting_complete) continue;
    std::uint64_t bytes = 0;
    std::from_chars(entry.bytes.data(), entry.bytes.data() + entry.bytes.size(), bytes);
    greeting_bytes[entry.connection] = bytes;
  }
  std::map<unsigned, std::uint64_t> written;
  std::map<unsigned, std::chrono::microseconds> greeted_at;
  std::string out;
  for (const Entry& entry : entries_) {
    if (entry.kind == Kind::sent && !greeted_at.count(entry.connection)) {
      written[entry.connection] += entry.bytes.size();
      const auto wanted = greeting_bytes.find(entry.connection);
      if (wanted != greeting_bytes.end() && written[entry.connection] >= wanted->second) greeted_at[entry.connection] = entry.at;
    } else if (entry.kind == Kind::received && !greeted_at.count(entry.connection)) {
      out += fmt::format("{}#{}: '{}' before the greeting was complete", out.empty() ? "" : "; ", entry.connection,
                         session::escape_bytes(entry.bytes.substr(0, 80)));
    }
  }
  return out;
}

std::string RecordView::events(Tag tag) const {
  std::string out;
  for (const Entry& entry : entries_)
    if (entry.kind == Kind::event && entry.tag == tag) out += (out.empty() ? "" : "\n") + entry.bytes;
  return out;
}

std::string render_entry(const Entry& entry) {
  if (entry.kind == Kind::command) return {};  // the received bytes show it already
  const auto micros = entry.at.count();
  std::string_view prefix = entry.kind == Kind::received ? "C>" : entry.kind == Kind::sent ? "S>" : "** control:";
  std::string text = session::escape_bytes(entry.bytes);
  if (entry.kind == Kind::event) {
    if (entry.tag == Tag::data) prefix = "** data:";
    if (entry.tag == Tag::greeting_complete) text = "greeting complete (" + entry.bytes + " bytes)";
    text = fmt::format("#{} {}", entry.connection, text);
  }
  return fmt::format("+{}.{:06} {} {}", micros / 1'000'000, micros % 1'000'000, prefix, text);
}

std::string RecordView::render() const {
  std::string out;
  unsigned shown = 0;  // the connection the last line belonged to
  for (const Entry& entry : entries_) {
    const std::string line = render_entry(entry);
    if (line.empty()) continue;
    if (entry.kind != Kind::event && entry.connection != shown) {
      // C>/S> lines carry no connection number: say when they switch to another connection.
      const auto micros = entry.at.count();
      out += fmt::format("+{}.{:06} ** control: #{}\n", micros / 1'000'000, micros % 1'000'000, entry.connection);
    }
    shown = entry.connection;
    out += line + "\n";
  }
  return out;
}

}  // namespace ftpspec::client
