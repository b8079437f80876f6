#include "session/transcript.hpp"

#include <fmt/format.h>

namespace ftpspec::session {
namespace {
std::string_view prefix(Channel channel, Direction direction) {
  if (direction == Direction::event) return channel == Channel::control ? "** control:" : "** data:";
  if (channel == Channel::control) return direction == Direction::client_to_server ? "C>" : "S>";
  return direction == Direction::client_to_server ? "D>" : "D<";
}
}  // namespace

Transcript::Transcript(std::size_t data_limit) : start_(std::chrono::steady_clock::now()), data_limit_(data_limit) {}

void Transcript::record(Channel channel, Direction direction, std::string_view bytes) {
  if (bytes.empty()) return;
  std::lock_guard lock(mutex_);
  const auto at = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start_);
  if (channel == Channel::data && direction != Direction::event) {
    // Bound the memory a long transfer can take: keep the first data_limit_ bytes of each data
    // connection and count the rest (the next data event reports the count).
    const std::size_t room = data_limit_ > data_recorded_ ? data_limit_ - data_recorded_ : 0;
    const std::size_t kept = std::min(room, bytes.size());
    data_recorded_ += kept;
    data_skipped_ += bytes.size() - kept;
    if (kept == 0) return;
    bytes = bytes.substr(0, kept);
  }
  entries_.push_back({at, channel, direction, std::string(bytes)});
}

void Transcript::event(Channel channel, std::string_view what) {
  std::lock_guard lock(mutex_);
  const auto at = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start_);
  if (channel == Channel::data) {
    // A data event closes the current connection's payload accounting.
    if (data_skipped_ > 0)
      entries_.push_back({at, Channel::data, Direction::event,
                          fmt::format("{} more payload bytes not recorded (transcript limit {} bytes per connection)",
                                      data_skipped_, data_limit_)});
    data_recorded_ = 0;
    data_skipped_ = 0;
  }
  entries_.push_back({at, channel, Direction::event, std::string(what)});
}

std::vector<TranscriptEntry> Transcript::entries(std::size_t from) const {
  std::lock_guard lock(mutex_);
  if (from >= entries_.size()) return {};
  return {entries_.begin() + static_cast<std::ptrdiff_t>(from), entries_.end()};
}

std::size_t Transcript::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::string Transcript::render(std::size_t from, std::size_t to) const {
  std::string out;
  const std::vector<TranscriptEntry> all = entries(from);
  for (std::size_t i = 0; i < all.size() && from + i < to; ++i) {
    const TranscriptEntry& entry = all[i];
    const auto micros = entry.at.count();
    const std::string text = escape_bytes(entry.bytes);  // events may quote peer text too
    out += fmt::format("+{}.{:06} {} {}\n", micros / 1'000'000, micros % 1'000'000,
                       prefix(entry.channel, entry.direction), text);
  }
  return out;
}

void Transcript::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  data_recorded_ = 0;
  data_skipped_ = 0;
  start_ = std::chrono::steady_clock::now();
}

std::string escape_bytes(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\r') out += "\\r";
    else if (c == '\n') out += "\\n";
    else if (c == '\\') out += "\\\\";  // so an escaped "\r" and a literal backslash-r differ
    else if (byte < 0x20 || byte >= 0x7F) out += fmt::format("\\x{:02X}", byte);
    else out += c;
  }
  return out;
}

}  // namespace ftpspec::session
