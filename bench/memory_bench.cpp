// Constant memory in every representation (issue #3): for each TYPE x STRU x MODE combination,
// STOR then RETR a file of --size bytes between the engine's Session and a launched ftpspecd, with
// the local data generated and checked on the fly (an UploadSource and a download sink, never the
// whole file in memory), and report the throughput and the peak RSS of both processes.
//
// Peak RSS is VmHWM (/proc/PID/status) for ftpspecd and ru_maxrss for this process: high-water
// marks, so a combination that buffered the file would show it even between samples. Constant
// memory means both stay flat as --size grows (run it at 16 MiB and at 1 GiB and compare).
//
//   memory_bench --ftpspecd build/release/reference_server/ftpspecd [--size 1GiB] [--only 'A N/R/C,I/F/S']
//                [--json FILE]
// Exit status: 0 when every combination the server accepted round-tripped byte for byte, 1 when
// one did not, 2 for usage errors.
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "codec/representation.hpp"
#include "run/launcher.hpp"
#include "session/session.hpp"

namespace {
namespace fs = std::filesystem;
using namespace ftpspec;
using Clock = std::chrono::steady_clock;

/// FNV-1a, 64 bits: a streaming checksum of the local bytes sent and received.
struct Checksum {
  std::uint64_t value = 0xcbf29ce484222325ull;
  std::uint64_t bytes = 0;
  void add(std::string_view data) {
    for (unsigned char c : data) value = (value ^ c) * 0x100000001b3ull;
    bytes += data.size();
  }
};

/// The local file for a representation, generated at any offset: 64-byte text lines, so TYPE A/E
/// round-trip and every STRU R record is a line. TYPE I/L use the §3.4.1 escape form that is
/// their local record file (docs/codecs.md); L n (n > 8) widens each character to ceil(n/8)
/// octets, right-justified, as its local file requires.
class LocalFile {
 public:
  LocalFile(const codec::Representation& rep, std::uint64_t size) : size_(size) {
    const bool binary = rep.type == codec::RepType::image || rep.type == codec::RepType::local;
    const int octets = rep.type == codec::RepType::local ? (rep.byte_size + 7) / 8 : 1;
    for (int i = 0; i < 63; ++i) {
      pattern_.append(static_cast<std::size_t>(octets - 1), '\0');
      pattern_ += static_cast<char>('a' + i % 26);
    }
    // The end of a record: a text line's LF, or for binary records the escape-form EOR (local
    // octets, not logical bytes).
    if (binary && rep.structure == codec::Structure::record) pattern_ += "\xFF\x01";
    else pattern_ += std::string(static_cast<std::size_t>(octets - 1), '\0') + "\n";
    // Whole patterns only, so the file ends on a line (and a logical byte) boundary.
    size_ -= size_ % pattern_.size();
  }
  std::uint64_t size() const noexcept { return size_; }
  /// Fills `out` from offset `at`; returns how many bytes it wrote.
  std::size_t read(std::uint64_t at, std::span<char> out) const {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size_ - at));
    std::size_t in_pattern = static_cast<std::size_t>(at % pattern_.size());
    for (std::size_t done = 0; done < n;) {
      const std::size_t run = std::min(n - done, pattern_.size() - in_pattern);
      std::copy_n(pattern_.data() + in_pattern, run, out.data() + done);
      done += run;
      in_pattern = 0;
    }
    return n;
  }

 private:
  std::string pattern_;
  std::uint64_t size_;
};

struct Row {
  std::string name;
  std::string refused;  ///< the server's reply when it did not accept the representation
  double up_mb_s = 0, down_mb_s = 0;
  std::uint64_t local_bytes = 0, wire_up = 0, wire_down = 0;
  bool round_trip = false;
  std::string problem;
  long server_hwm_kib = 0, client_hwm_kib = 0;
};

long status_kib(int pid, std::string_view field) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  for (std::string line; std::getline(status, line);)
    if (line.starts_with(field)) return std::atol(line.c_str() + field.size() + 1);
  return -1;
}

long own_peak_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc()) return std::nullopt;
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  if (unit.empty()) return value;
  if (unit == "KiB") return value << 10;
  if (unit == "MiB") return value << 20;
  if (unit == "GiB") return value << 30;
  return std::nullopt;
}

std::string name_of(const codec::Representation& rep) {
  return fmt::format("{}/{}/{}", codec::type_argument(rep), codec::stru_argument(rep.structure), codec::mode_argument(rep.mode));
}

std::vector<codec::Representation> every_representation() {
  std::vector<codec::Representation> out;
  for (const char* type : {"A N", "A T", "A C", "E N", "E T", "E C", "I", "L 36"})
    for (const auto stru : {codec::Structure::file, codec::Structure::record, codec::Structure::page})
      for (const auto mode : {codec::Mode::stream, codec::Mode::block, codec::Mode::compressed}) {
        codec::Representation rep = *codec::parse_type_argument(type);
        rep.structure = stru;
        rep.mode = mode;
        out.push_back(rep);
      }
  return out;
}

/// A logged-in session of its own for each combination, so one's transcript (64 KiB of data per
/// connection) is freed before the next and the client's peak RSS reflects one transfer.
std::unique_ptr<session::Session> login(const run::LaunchedAddress& address) {
  auto s = std::make_unique<session::Session>(session::Timeouts{
      .connect = std::chrono::milliseconds(5000), .reply = std::chrono::milliseconds(60000), .data = std::chrono::milliseconds(60000)});
  if (s->connect(address.host, address.port).code != 220 || s->login("bench", "bench").code != 230)
    throw std::runtime_error("cannot log in to ftpspecd");
  return s;
}

Row measure(session::Session& s, const codec::Representation& rep, std::uint64_t size, int server_pid) {
  Row row;
  row.name = name_of(rep);
  for (const auto& reply : s.set_representation(rep))
    if (reply.code / 100 != 2) {
      row.refused = fmt::format("{} {}", reply.code, reply.text());
      return row;
    }
  session::TransferOptions options;
  options.connection = session::DataConnection::epsv;
  options.max_bytes = UINT64_MAX;
  const LocalFile file(rep, size);
  row.local_bytes = file.size();

  Checksum sent;
  std::uint64_t at = 0;
  auto started = Clock::now();
  const auto stored = s.stor_from("memory-bench.dat", [&](std::span<char> buffer) {
    const std::size_t n = file.read(at, buffer);
    sent.add(std::string_view(buffer.data(), n));
    at += n;
    return n;
  }, options);
  row.up_mb_s = static_cast<double>(file.size()) / 1e6 / std::chrono::duration<double>(Clock::now() - started).count();
  row.wire_up = stored.wire_bytes;
  if (!stored.ok()) {
    row.problem = fmt::format("STOR: {} {}{}", stored.final_reply.code, stored.final_reply.text(),
                              stored.codec_error ? " (client: " + stored.codec_error.message() + ")" : "");
    return row;
  }

  Checksum received;
  started = Clock::now();
  const auto fetched = s.retr_to("memory-bench.dat", [&](std::string_view local) { received.add(local); }, options);
  row.down_mb_s = static_cast<double>(file.size()) / 1e6 / std::chrono::duration<double>(Clock::now() - started).count();
  row.wire_down = fetched.wire_bytes;
  row.server_hwm_kib = status_kib(server_pid, "VmHWM:");
  row.client_hwm_kib = own_peak_kib();
  if (!fetched.ok()) {
    row.problem = fmt::format("RETR: {} {}{}", fetched.final_reply.code, fetched.final_reply.text(),
                              fetched.codec_error ? " (" + fetched.codec_error.message() + ")" : "");
    return row;
  }
  row.round_trip = received.bytes == sent.bytes && received.value == sent.value && sent.bytes == file.size();
  if (!row.round_trip)
    row.problem = fmt::format("sent {} local bytes, received {} (checksums {:016x} / {:016x})", sent.bytes, received.bytes,
                              sent.value, received.value);
  s.command("DELE memory-bench.dat");
  return row;
}

/// Quotes and backslashes escaped, control bytes dropped: enough for reply texts in JSON.
std::string json_text(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out;
}

int usage(const std::string& error) {
  std::cerr << "memory_bench: " << error
            << "\nusage: memory_bench --ftpspecd PATH [--size N[KiB|MiB|GiB]] [--only 'TYPE/STRU/MODE,...'] [--json FILE]\n";
  return 2;
}
}  // namespace

int main(int argc, char** argv) {
  std::string ftpspecd, only, json_path;
  std::uint64_t size = 16ull << 20;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) return usage(fmt::format("{} needs a value", arg));
    const std::string value = argv[++i];
    if (arg == "--ftpspecd") ftpspecd = value;
    else if (arg == "--only") only = "," + value + ",";
    else if (arg == "--json") json_path = value;
    else if (arg == "--size") {
      const auto parsed = parse_size(value);
      if (!parsed || *parsed == 0) return usage("--size: a positive byte count, optionally with KiB, MiB or GiB");
      size = *parsed;
    } else return usage(fmt::format("unknown option {}", arg));
  }
  if (ftpspecd.empty()) return usage("--ftpspecd is required");

  const fs::path root = fs::temp_directory_path() / fmt::format("ftpspec-memory-bench-{}", ::getpid());
  fs::create_directories(root);
  std::vector<Row> rows;
  bool all_ok = true;
  try {
    run::LaunchedServer server(fmt::format("exec '{}' --listen 127.0.0.1:0 --root '{}' --user bench:bench", ftpspecd, root.string()));
    const auto address = server.wait_listening(std::chrono::seconds(10));
    fmt::print("{:<12} {:>10} {:>10} {:>12} {:>12} {:>12} {:>12}  {}\n", "TYPE/STRU/MODE", "STOR MB/s", "RETR MB/s",
               "wire up", "wire down", "ftpspecd HWM", "client HWM", "round trip");
    for (const auto& rep : every_representation()) {
      if (!only.empty() && only.find("," + name_of(rep) + ",") == std::string::npos) continue;
      const auto s = login(address);
      Row row = measure(*s, rep, size, server.pid());
      s->quit();
      if (!row.refused.empty()) {
        fmt::print("{:<14} refused: {}\n", row.name, row.refused);
      } else {
        all_ok = all_ok && row.round_trip;
        fmt::print("{:<14} {:>10.0f} {:>10.0f} {:>12} {:>12} {:>9} KiB {:>8} KiB  {}\n", row.name, row.up_mb_s, row.down_mb_s,
                   row.wire_up, row.wire_down, row.server_hwm_kib, row.client_hwm_kib, row.round_trip ? "identical" : row.problem);
      }
      std::fflush(stdout);
      rows.push_back(std::move(row));
    }
  } catch (const std::exception& e) {
    std::cerr << "memory_bench: " << e.what() << "\n";
    fs::remove_all(root);
    return 1;
  }
  fs::remove_all(root);

  if (!json_path.empty()) {
    std::ofstream json(json_path);
    json << "{\"size\": " << size << ", \"rows\": [";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      json << (i ? ",\n" : "\n")
           << fmt::format(R"({{"representation": "{}", "refused": "{}", "local_bytes": {}, "stor_mb_s": {:.1f}, )"
                          R"("retr_mb_s": {:.1f}, "wire_up": {}, "wire_down": {}, "ftpspecd_hwm_kib": {}, )"
                          R"("client_hwm_kib": {}, "round_trip": {}, "problem": "{}"}})",
                          r.name, json_text(r.refused), r.local_bytes, r.up_mb_s, r.down_mb_s, r.wire_up, r.wire_down,
                          r.server_hwm_kib, r.client_hwm_kib, r.round_trip ? "true" : "false", json_text(r.problem));
    }
    json << "\n]}\n";
  }
  return all_ok ? 0 : 1;
}
