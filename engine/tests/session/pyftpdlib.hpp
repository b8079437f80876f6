// pyftpdlib (Debian's python3-pyftpdlib) as a child process on loopback, for session tests.
#pragma once
#include <boost/process.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace ftpspec::testing {
namespace bp = boost::process;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline const fs::path pyftpdlib_script = fs::path(FTPSPEC_SOURCE_DIR) / "engine" / "tests" / "session" / "pyftpdlib_server.py";

/// pyftpdlib serving a fresh temporary folder; `skip_reason` is set when it could not start. With
/// a certificate and key it offers AUTH TLS (RFC 4217, pyftpdlib's TLS_FTPHandler).
class Pyftpdlib {
 public:
  explicit Pyftpdlib(const std::string& host, const fs::path& cert = {}, const fs::path& key = {}) : root_(make_root()) {
    std::vector<std::string> args{pyftpdlib_script.string(), root_.string(), host};
    if (!cert.empty()) args.insert(args.end(), {cert.string(), key.string()});
    child_ = bp::child(bp::exe = "/usr/bin/python3", bp::args = args, bp::std_out > out_, bp::std_in < in_, bp::std_err > bp::null);
    std::string word;
    out_ >> word;
    if (word == "PORT") {
      out_ >> port_;
    } else {
      std::getline(out_, skip_reason_);
      if (skip_reason_.empty()) skip_reason_ = "pyftpdlib server did not start";
    }
  }
  ~Pyftpdlib() {
    in_.pipe().close();  // the script exits when its stdin closes
    std::error_code ec;
    if (child_.running(ec) && !child_.wait_for(3s, ec)) child_.terminate(ec);
    if (child_.running(ec)) child_.wait(ec);
    fs::remove_all(root_, ec);
  }
  Pyftpdlib(const Pyftpdlib&) = delete;
  Pyftpdlib& operator=(const Pyftpdlib&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  const std::string& skip_reason() const noexcept { return skip_reason_; }
  const fs::path& root() const noexcept { return root_; }
  std::string read(const std::string& name) const {
    std::ifstream in(root_ / name, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  void write(const std::string& name, const std::string& bytes) const {
    std::ofstream(root_ / name, std::ios::binary) << bytes;
  }

 private:
  static fs::path make_root() {
    std::string pattern = (fs::temp_directory_path() / "ftpspec-session-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    return pattern;
  }

  fs::path root_;
  bp::ipstream out_;
  bp::opstream in_;
  bp::child child_;
  std::uint16_t port_ = 0;
  std::string skip_reason_;
};

}  // namespace ftpspec::testing
