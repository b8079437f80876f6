// What one I/O thread measured, and the merged report of a whole load run.
#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>

#include "load/latency_histogram.hpp"
#include "load/load_options.hpp"

namespace ftpspec::load {

struct OpStats {
  std::uint64_t ok = 0;        ///< completed with the expected 2yz (and, for RETR, every byte)
  std::uint64_t failed = 0;
  std::uint64_t bytes = 0;     ///< data-connection bytes of successful operations
  LatencyHistogram latency;    ///< successful operations only, first command to final reply
  void merge(const OpStats& other) noexcept;
};

/// Counters of one I/O thread (never shared between threads while the run lasts).
struct LoadStats {
  std::array<OpStats, op_kind_count> ops;
  OpStats connect;             ///< TCP connect + 220 greeting
  OpStats login;               ///< USER/PASS (+ TYPE I, + MODE B)
  std::uint64_t block_mode_logins = 0;  ///< logins that went on in MODE B (LoadOptions::mode)
  std::uint64_t reused_data_connections = 0;  ///< transfers over a connection kept open (RFC 959 §3.3)
  std::map<std::string, std::uint64_t> errors;  ///< "RETR 550", "timeout", ... → count
  void count_error(const std::string& kind) { ++errors[kind]; }
  void merge(const LoadStats& other);
};

struct LoadReport {
  LoadOptions options;
  LoadStats stats;
  std::chrono::microseconds elapsed{};   ///< measured phase, first user start to last user stop
  std::chrono::microseconds prepare{};   ///< setup phase (uploading the RETR files)
  unsigned threads = 1;
  std::uint64_t total_ok() const noexcept;
  std::uint64_t total_failed() const noexcept;  ///< failed operations, connects and logins
  std::uint64_t total_bytes() const noexcept;
  double ops_per_second() const noexcept;
  double megabytes_per_second() const noexcept;  ///< 10^6 bytes/s over data connections
};

/// h2load-style plain text: a summary, then one row per operation kind with p50/p90/p99/max.
void write_text(const LoadReport& report, std::ostream& out);
/// The same as one JSON object (schema in docs/performance.md).
void write_json(const LoadReport& report, std::ostream& out);

}  // namespace ftpspec::load
