#include "server/recorder.hpp"

#include <algorithm>

namespace ftpspecd {

Recorder::Recorder() : start_(Clock::now()) {}

unsigned Recorder::open_connection(std::string_view peer) {
  unsigned number = 0;
  {
    std::lock_guard lock(mutex_);
    number = ++connections_;
  }
  record(number, Kind::event, "control connection from " + std::string(peer), Tag::connected);
  return number;
}

void Recorder::record(unsigned connection, Kind kind, std::string_view bytes, Tag tag, Clock::time_point at) {
  std::lock_guard lock(mutex_);
  const auto since = std::chrono::duration_cast<std::chrono::microseconds>(at - start_);
  entries_.push_back({since, connection, kind, tag, std::string(bytes)});
  if (echo_) echo_(entries_.back());
}

std::vector<Recorder::Entry> Recorder::entries() const {
  std::vector<Entry> out;
  {
    std::lock_guard lock(mutex_);
    out = entries_;
  }
  // A write's time is taken before the write and recorded after it; another thread may record in
  // between. Time order is what the judgement reads ("nothing before the greeting").
  std::stable_sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.at < b.at; });
  return out;
}

void Recorder::set_echo(std::function<void(const Entry&)> echo) {
  std::lock_guard lock(mutex_);
  echo_ = std::move(echo);
}

}  // namespace ftpspecd
