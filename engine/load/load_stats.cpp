#include "load/load_stats.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace ftpspec::load {

namespace {

double seconds(std::chrono::microseconds d) { return double(d.count()) / 1e6; }

double millis(std::chrono::microseconds d) { return double(d.count()) / 1e3; }

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') out += {'\\', c};
    else if (byte < 0x20) out += fmt::format("\\u{:04x}", byte);
    else out += c;
  }
  return out + '"';
}

void text_row(std::ostream& out, std::string_view name, const OpStats& s, double elapsed_s) {
  if (s.ok + s.failed == 0) return;
  fmt::print(out, "{:<8}{:>10}{:>8}{:>11.1f}{:>10.2f}{:>9.3f}{:>9.3f}{:>9.3f}{:>9.3f}\n", name, s.ok, s.failed,
             elapsed_s > 0 ? double(s.ok) / elapsed_s : 0.0, elapsed_s > 0 ? double(s.bytes) / 1e6 / elapsed_s : 0.0,
             millis(s.latency.percentile(0.50)), millis(s.latency.percentile(0.90)),
             millis(s.latency.percentile(0.99)), millis(s.latency.max()));
}

std::string json_op(const OpStats& s, double elapsed_s) {
  return fmt::format(
      R"({{"ok": {}, "failed": {}, "bytes": {}, "ops_per_second": {:.3f}, "latency_ms": )"
      R"({{"mean": {:.3f}, "p50": {:.3f}, "p90": {:.3f}, "p99": {:.3f}, "max": {:.3f}}}}})",
      s.ok, s.failed, s.bytes, elapsed_s > 0 ? double(s.ok) / elapsed_s : 0.0, millis(s.latency.mean()),
      millis(s.latency.percentile(0.50)), millis(s.latency.percentile(0.90)), millis(s.latency.percentile(0.99)),
      millis(s.latency.max()));
}

}  // namespace

void OpStats::merge(const OpStats& other) noexcept {
  ok += other.ok;
  failed += other.failed;
  bytes += other.bytes;
  latency.merge(other.latency);
}

void LoadStats::merge(const LoadStats& other) {
  for (std::size_t i = 0; i < op_kind_count; ++i) ops[i].merge(other.ops[i]);
  connect.merge(other.connect);
  login.merge(other.login);
  block_mode_logins += other.block_mode_logins;
  reused_data_connections += other.reused_data_connections;
  for (const auto& [kind, count] : other.errors) errors[kind] += count;
}

std::uint64_t LoadReport::total_ok() const noexcept {
  std::uint64_t sum = 0;
  for (const auto& op : stats.ops) sum += op.ok;
  return sum;
}

std::uint64_t LoadReport::total_failed() const noexcept {
  std::uint64_t sum = stats.connect.failed + stats.login.failed;
  for (const auto& op : stats.ops) sum += op.failed;
  return sum;
}

std::uint64_t LoadReport::total_bytes() const noexcept {
  std::uint64_t sum = 0;
  for (const auto& op : stats.ops) sum += op.bytes;
  return sum;
}

double LoadReport::ops_per_second() const noexcept {
  const double s = seconds(elapsed);
  return s > 0 ? double(total_ok()) / s : 0.0;
}

double LoadReport::megabytes_per_second() const noexcept {
  const double s = seconds(elapsed);
  return s > 0 ? double(total_bytes()) / 1e6 / s : 0.0;
}

void write_text(const LoadReport& report, std::ostream& out) {
  const auto& o = report.options;
  const double elapsed_s = seconds(report.elapsed);
  fmt::print(out, "target {}:{}  sessions {}  threads {}  mix {}  file size {} B  files {}\n", o.host, o.port,
             o.sessions, report.threads, o.mix.str(), o.file_size, o.files);
  if (o.mode != DataMode::stream)
    fmt::print(out, "mode {}: {} of {} logins in MODE B, {} transfers over a kept data connection\n",
               data_mode_name(o.mode), report.stats.block_mode_logins, report.stats.login.ok,
               report.stats.reused_data_connections);
  if (report.prepare.count() > 0) fmt::print(out, "prepare: {:.2f} s\n", seconds(report.prepare));
  fmt::print(out, "finished in {:.2f} s: {} ops ok, {} failed, {:.1f} ops/s, {:.2f} MB/s\n\n", elapsed_s,
             report.total_ok(), report.total_failed(), report.ops_per_second(), report.megabytes_per_second());
  fmt::print(out, "{:<8}{:>10}{:>8}{:>11}{:>10}{:>9}{:>9}{:>9}{:>9}\n", "op", "ok", "failed", "ops/s", "MB/s",
             "p50 ms", "p90 ms", "p99 ms", "max ms");
  for (std::size_t i = 0; i < op_kind_count; ++i)
    text_row(out, op_name(static_cast<OpKind>(i)), report.stats.ops[i], elapsed_s);
  text_row(out, "connect", report.stats.connect, elapsed_s);
  text_row(out, "login", report.stats.login, elapsed_s);
  if (!report.stats.errors.empty()) {
    fmt::print(out, "\nerrors:\n");
    for (const auto& [kind, count] : report.stats.errors) fmt::print(out, "  {:>8}  {}\n", count, kind);
  }
}

void write_json(const LoadReport& report, std::ostream& out) {
  const auto& o = report.options;
  const double elapsed_s = seconds(report.elapsed);
  fmt::print(out,
             "{{\n  \"target\": {{\"host\": {}, \"port\": {}, \"user\": {}, \"dir\": {}}},\n"
             "  \"sessions\": {}, \"threads\": {}, \"mix\": {}, \"file_size\": {}, \"files\": {},\n"
             "  \"mode\": {}, \"block_mode_logins\": {}, \"reused_data_connections\": {},\n"
             "  \"duration_s\": {:.3f}, \"elapsed_s\": {:.3f}, \"prepare_s\": {:.3f},\n"
             "  \"ok\": {}, \"failed\": {}, \"bytes\": {}, \"ops_per_second\": {:.3f}, \"mb_per_second\": {:.3f},\n"
             "  \"ops\": {{",
             json_string(o.host), o.port, json_string(o.user), json_string(o.dir), o.sessions, report.threads,
             json_string(o.mix.str()), o.file_size, o.files, json_string(data_mode_name(o.mode)),
             report.stats.block_mode_logins, report.stats.reused_data_connections, double(o.duration.count()) / 1e3, elapsed_s,
             seconds(report.prepare), report.total_ok(), report.total_failed(), report.total_bytes(),
             report.ops_per_second(), report.megabytes_per_second());
  bool first = true;
  for (std::size_t i = 0; i < op_kind_count; ++i) {
    const auto& s = report.stats.ops[i];
    if (s.ok + s.failed == 0) continue;
    fmt::print(out, "{}\n    {}: {}", first ? "" : ",", json_string(op_name(static_cast<OpKind>(i))), json_op(s, elapsed_s));
    first = false;
  }
  fmt::print(out, "\n  }},\n  \"connect\": {},\n  \"login\": {},\n  \"errors\": {{",
             json_op(report.stats.connect, elapsed_s), json_op(report.stats.login, elapsed_s));
  first = true;
  for (const auto& [kind, count] : report.stats.errors) {
    fmt::print(out, "{}{}: {}", first ? "" : ", ", json_string(kind), count);
    first = false;
  }
  fmt::print(out, "}}\n}}\n");
}

}  // namespace ftpspec::load
