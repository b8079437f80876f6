// What `ftpspec load` is asked to do: the target, how many virtual users, for how long, and which
// mix of FTP operations (RFC 959 §4.1.3 service commands) each of them repeats.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ftpspec::load {

/// One measured operation. In stream mode every transfer opens its own data connection (RFC 959
/// §3.2: the end of the data is the close of the data connection); in block mode one connection
/// carries transfer after transfer (§3.3, DataMode).
enum class OpKind { retr, stor, list, nlst, noop };
inline constexpr std::size_t op_kind_count = 5;

/// "retr", "stor", ... (lower case, as in --mix).
std::string_view op_name(OpKind op) noexcept;
std::optional<OpKind> parse_op_name(std::string_view name) noexcept;

/// Weighted choice of operations: "retr:80,stor:20" picks RETR 80% of the time.
class Mix {
 public:
  struct Entry {
    OpKind op;
    unsigned weight;
  };
  /// Parses "op:weight,op:weight"; a bare "op" weighs 1. nullopt with `error` set on bad input
  /// (unknown op, zero total weight, repeated op).
  static std::optional<Mix> parse(std::string_view text, std::string& error);
  /// The op for a uniformly distributed `ticket` in [0, total_weight()).
  OpKind pick(std::uint32_t ticket) const noexcept;
  std::uint32_t total_weight() const noexcept { return total_; }
  bool contains(OpKind op) const noexcept;
  const std::vector<Entry>& entries() const noexcept { return entries_; }
  /// Back to text, e.g. "retr:80,stor:20".
  std::string str() const;

 private:
  std::vector<Entry> entries_;
  std::uint32_t total_ = 0;
};

/// The transmission mode the users ask for after login (RFC 959 §3.4).
enum class DataMode {
  stream,  ///< MODE S, the default: a new data connection per transfer
  block,   ///< MODE B, and the data connection stays open between transfers (§3.3); refused: a failed login
  best,    ///< MODE B where the server accepts it (200), else stream mode
};
/// "S", "B", "best" (as in --mode), case-insensitive for the letters.
std::optional<DataMode> parse_data_mode(std::string_view text) noexcept;
std::string_view data_mode_name(DataMode mode) noexcept;

struct LoadOptions {
  std::string host;
  std::uint16_t port = 21;
  std::string user = "anonymous";
  std::string password = "ftpspec@";
  std::string dir = "/";                      ///< where test files are read and uploaded
  unsigned sessions = 1;                      ///< virtual users, one control connection each
  std::chrono::milliseconds duration{10'000}; ///< measured phase; then every user stops
  std::chrono::milliseconds ramp{0};          ///< users start evenly spread over this time
  std::uint64_t max_ops = 0;                  ///< stop after this many operations in all (0: no cap)
  Mix mix;
  std::uint64_t file_size = 4096;             ///< bytes of each RETR file and each STOR upload
  unsigned files = 16;                        ///< RETR picks among this many files
  bool prepare = true;                        ///< upload the RETR files before measuring
  bool pasv = false;                          ///< PASV (RFC 959) instead of EPSV (RFC 2428)
  DataMode mode = DataMode::stream;
  unsigned threads = 0;                       ///< I/O threads (0: one per core, at most `sessions`)
  std::chrono::milliseconds op_timeout{10'000};  ///< longest wait of any single step
};

/// The server-side path of RETR file `index` and of the upload target of virtual user `user`.
std::string retr_path(const LoadOptions& options, unsigned index);
std::string stor_path(const LoadOptions& options, unsigned user);

}  // namespace ftpspec::load
