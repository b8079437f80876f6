// ftpspec load --target ftp://USER:PASS@HOST:PORT --sessions N --duration S --mix retr:80,stor:20
//              [--file-size BYTES] [--files K] [--dir D] [--ramp S] [--ops N] [--threads T]
//              [--pasv] [--mode S|B|best] [--no-prepare] [--timeout MS] [--json]
#include "cli/load_command.hpp"

#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <cmath>
#include <iostream>

#include "load/load_runner.hpp"
#include "run/target.hpp"

namespace ftpspec::cli {

namespace po = boost::program_options;

namespace {

constexpr int kExitOk = 0, kExitFailed = 1, kExitUsage = 2;

constexpr std::string_view kUsage = R"(Usage:
  ftpspec load --target ftp://USER:PASS@HOST:PORT [options]

Runs --sessions virtual users, each on its own control connection, for --duration seconds; each
logs in and repeats operations drawn from --mix. Prints throughput and latency percentiles per
operation, and errors by kind. RETR files are uploaded first (--no-prepare: they already exist as
DIR/ftpspec-load-<i>.dat, i < --files, each --file-size bytes); STOR writes DIR/ftpspec-load-up-<n>.dat.

)";

std::chrono::milliseconds seconds_option(double seconds, const char* name) {
  if (!(seconds >= 0) || seconds > 86400 * 7) throw po::error(fmt::format("--{} must be 0..604800 seconds", name));
  return std::chrono::milliseconds(static_cast<long long>(std::llround(seconds * 1000)));
}

}  // namespace

int command_load(int argc, char** argv) {
  load::LoadOptions options;
  std::string target_url, mix_text = "retr:100";
  double duration_s = 10, ramp_s = 0;
  long timeout_ms = 10000;
  std::string mode_text = "S";
  bool help = false, json = false, no_prepare = false;
  po::options_description described("Options");
  described.add_options()
      ("help,h", po::bool_switch(&help), "show this help")
      ("target,t", po::value(&target_url), "ftp://USER:PASS@HOST:PORT")
      ("sessions,c", po::value(&options.sessions)->default_value(1), "virtual users (control connections)")
      ("duration,D", po::value(&duration_s)->default_value(10), "seconds of measured load")
      ("mix,m", po::value(&mix_text)->default_value("retr:100"), "weighted operations: retr, stor, list, nlst, noop")
      ("file-size", po::value(&options.file_size)->default_value(4096), "bytes per RETR file and per STOR upload")
      ("files", po::value(&options.files)->default_value(16), "RETR picks among this many files")
      ("dir", po::value(&options.dir)->default_value("/"), "server directory for the files (writable)")
      ("ramp", po::value(&ramp_s)->default_value(0), "seconds over which the users start")
      ("ops,n", po::value(&options.max_ops)->default_value(0), "stop after this many operations (0: no cap)")
      ("threads", po::value(&options.threads)->default_value(0), "I/O threads (0: one per core)")
      ("pasv", po::bool_switch(&options.pasv), "PASV instead of EPSV")
      ("mode", po::value(&mode_text)->default_value("S"),
       "S: stream mode, a data connection per transfer; B: MODE B, one data connection kept open for "
       "all transfers (RFC 959 §3.3), a refusal fails the login; best: B where the server accepts it, else S")
      ("no-prepare", po::bool_switch(&no_prepare), "the RETR files exist already: do not upload them")
      ("timeout", po::value(&timeout_ms)->default_value(10000), "milliseconds any one step may take")
      ("json", po::bool_switch(&json), "print the report as JSON");
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(described).run(), vm);
    po::notify(vm);
    if (help) {
      std::cout << kUsage << described << '\n';
      return kExitOk;
    }
    if (target_url.empty()) throw po::error("--target is required");
    std::string problem;
    const auto target = run::parse_target(target_url, problem);
    if (!target) throw po::error("--target: " + problem);
    options.host = target->host;
    options.port = target->port;
    options.user = target->user;
    options.password = target->password;
    auto mix = load::Mix::parse(mix_text, problem);
    if (!mix) throw po::error("--mix: " + problem);
    options.mix = std::move(*mix);
    if (options.sessions == 0 || options.sessions > 100'000) throw po::error("--sessions must be 1..100000");
    if (timeout_ms <= 0) throw po::error("--timeout must be positive");
    options.duration = seconds_option(duration_s, "duration");
    options.ramp = seconds_option(ramp_s, "ramp");
    options.op_timeout = std::chrono::milliseconds(timeout_ms);
    options.prepare = !no_prepare;
    const auto mode = load::parse_data_mode(mode_text);
    if (!mode) throw po::error(fmt::format("--mode: '{}' is not S, B or best", mode_text));
    options.mode = *mode;
  } catch (const po::error& e) {
    std::cerr << "ftpspec load: " << e.what() << "\n\n" << kUsage << described << '\n';
    return kExitUsage;
  }
  try {
    std::cerr << fmt::format("ftpspec load: {} sessions for {:.1f} s against {}:{}\n", options.sessions,
                             duration_s, options.host, options.port);
    const load::LoadReport report = load::run_load(options);
    if (json) load::write_json(report, std::cout);
    else load::write_text(report, std::cout);
    return report.total_failed() == 0 && report.stats.errors.empty() ? kExitOk : kExitFailed;
  } catch (const load::LoadError& e) {
    std::cerr << "ftpspec load: " << e.what() << '\n';
    return kExitUsage;
  }
}

}  // namespace ftpspec::cli
