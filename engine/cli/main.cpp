// `ftpspec`: run conformance scenarios against an FTP server, list them, or check their syntax.
//   ftpspec run --target URL [--suite DIR_OR_FILE ...] [--case GLOB ...] [--jobs N] [--launch CMD]
//               [--report-dir DIR] [--format terminal,json,junit,html] [--timeout MS] [--dir PATH] [--tls explicit|implicit]
//   ftpspec report RESULTS.json [--format ...] [--report-dir DIR]     re-render a saved run
//               [--expect EXPECTED.json]
//   ftpspec report RESULTS.json [--format ...] [--report-dir DIR]     re-render a saved run
//   ftpspec report --compare A.json B.json ... [-o matrix.html] [--markdown matrix.md]
//   ftpspec expect RESULTS.json -o EXPECTED.json [--server NAME]     expected results from a run
//   ftpspec list [--suite ...]        ftpspec check FILES...
//   ftpspec client --profile FILE [--case GLOB ...]                  judge an FTP client (client_command.cpp)
// Exit codes (run::exit_code): 0 no MUST/SHOULD case failed (with --expect: nothing regressed),
// 1 a case failed (a new fail), 2 usage, scenario or connection problem, or cases in error.
#include <fmt/format.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "cli/client_command.hpp"
#include "cli/ftpspec_main.hpp"
#include "cli/load_command.hpp"
#include "cli/progress.hpp"
#include "cli/report_output.hpp"
#include "cli/stop_on_signal.hpp"
#include "cli/suite_location.hpp"
#include "reports/expected_file.hpp"
#include "reports/json_read.hpp"
#include "reports/matrix.hpp"
#include "run/expected.hpp"
#include "run/launcher.hpp"
#include "run/runner.hpp"
#include "scenario/case_header.hpp"
#include "scenario/parser.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace ftpspec;

namespace {

using run::kExitFailed;
using run::kExitOk;
using run::kExitUsage;
using cli::formats_valid;
using cli::split_list;
using cli::write_file;
using cli::write_reports;

constexpr std::string_view kUsage = R"(Usage:
  ftpspec run --target ftp://USER:PASS@HOST:PORT [options]   run scenarios against a server
  ftpspec list [--suite PATH ...] [--case GLOB ...]          list cases with RFC sections and levels
  ftpspec load --target URL --sessions N --duration S --mix retr:80,stor:20   load generator (load --help)
  ftpspec client --profile FILE | --client-download CMD ... [options]   judge an FTP client (client --help)
  ftpspec check [FILE_OR_DIR ...]                            parse scenario files, print diagnostics
  ftpspec report RESULTS.json [--format F,...]               re-render a saved JSON run
  ftpspec report --compare A.json B.json ... [-o FILE.html] [--markdown FILE.md]
                                                             case-by-server comparison matrix
  ftpspec expect RESULTS.json -o EXPECTED.json [--server NAME]
                                                             expected results for `run --expect` (CI)
  ftpspec --help | --version

Exit codes: 0 no MUST or SHOULD case failed (with --expect: no new fail), 1 a case failed (a new
fail), 2 usage, scenario or connection problem, or a case could not be judged (error).
)";

/// The suite used without --suite; ftpspec_main sets it before any command runs.
fs::path default_suite;

std::vector<fs::path> suite_paths(const std::vector<std::string>& given) {
  if (!given.empty()) return {given.begin(), given.end()};
  std::error_code ec;
  if (!fs::is_directory(default_suite, ec))
    std::cerr << fmt::format("ftpspec: no suite at {} (the default for this installation); give --suite DIR\n",
                             default_suite.string());
  return {default_suite};
}

/// Loads and filters the suite; prints diagnostics and returns nullopt when there are any.
std::optional<std::vector<scenario::Case>> load_cases(const std::vector<std::string>& suites,
                                                      const std::vector<std::string>& globs) {
  scenario::ParseResult parsed = scenario::load_suite(suite_paths(suites));
  for (const auto& diagnostic : parsed.diagnostics) std::cerr << diagnostic.str() << '\n';
  if (!parsed.ok()) return std::nullopt;
  return scenario::select_cases(std::move(parsed.cases), globs);
}

struct RunArguments {
  std::string target_url;
  std::vector<std::string> suites, globs;
  /// At most 8 sessions at a time, each with at most one data connection; fewer as soon as the
  /// server refuses a session (421) or times out beside others (run/retry.hpp).
  unsigned jobs = 8;
  bool intrusive = false;  ///< run cases marked `intrusive` (several wrong passwords in a row)
  std::string launch;
  std::string report_dir = ".";
  std::string formats = "terminal";
  bool compare = false;         ///< report: draw the matrix of several runs
  std::string matrix_html;      ///< report --compare: -o
  std::string matrix_markdown;  ///< report --compare: --markdown
  long timeout_ms = 10000;
  std::string dir = "/";
  std::string tls;  ///< --tls none|explicit|implicit (RFC 4217); empty: as the URL says
  std::string expect;  ///< --expect: expected results; the exit code then says whether anything regressed
  std::string server;  ///< expect --server: the name written into the file
};

/// `ftpspec report`: re-renders one saved run, or compares several (--compare).
int command_report(const std::vector<std::string>& files, const RunArguments& args) {
  if (files.empty() || (args.compare && args.matrix_html.empty() && args.matrix_markdown.empty())) {
    std::cerr << "ftpspec: report needs RESULTS.json files (and with --compare, -o FILE.html and/or --markdown FILE.md)\n\n"
              << kUsage;
    return kExitUsage;
  }
  if (!args.compare && files.size() != 1) {
    std::cerr << "ftpspec: report re-renders one run; use --compare for several\n";
    return kExitUsage;
  }
  if (!formats_valid(args.formats)) return kExitUsage;
  std::vector<reports::MatrixColumn> columns;
  try {
    for (const auto& file : files) columns.push_back({fs::path(file).stem().string(), reports::read_json_file(file)});
  } catch (const reports::ReportReadError& e) {
    std::cerr << "ftpspec: " << e.what() << '\n';
    return kExitUsage;
  }
  if (!args.compare) return write_reports(columns.front().result, args.formats, args.report_dir) ? kExitOk : kExitUsage;
  bool ok = true;
  if (!args.matrix_html.empty())
    ok = write_file(args.matrix_html, [&](std::ostream& out) { reports::write_matrix_html(columns, out); }) && ok;
  if (!args.matrix_markdown.empty())
    ok = write_file(args.matrix_markdown, [&](std::ostream& out) { reports::write_matrix_markdown(columns, out); }) && ok;
  return ok ? kExitOk : kExitUsage;
}

int command_run(const RunArguments& args) {
  if (!formats_valid(args.formats)) return kExitUsage;
  std::string problem;
  auto target = run::parse_target(args.target_url, problem);
  if (!target) {
    std::cerr << "ftpspec: --target: " << problem << '\n';
    return kExitUsage;
  }
  target->dir = args.dir;
  if (!args.tls.empty()) {
    auto mode = run::parse_tls_mode(args.tls);
    if (!mode) {
      std::cerr << "ftpspec: --tls must be none, explicit or implicit\n";
      return kExitUsage;
    }
    target->tls = *mode;
  }
  auto cases = load_cases(args.suites, args.globs);
  if (!cases) return kExitUsage;
  if (cases->empty()) {
    std::cerr << "ftpspec: no case selected\n";
    return kExitUsage;
  }
  std::optional<run::ExpectedResults> expected;
  if (!cli::read_expected(args.expect, expected)) return kExitUsage;

  run::RunOptions options;
  options.timeouts = run::run_timeouts(std::chrono::milliseconds(args.timeout_ms));
  options.jobs = args.jobs;
  options.intrusive = args.intrusive;
  options.tool_version = FTPSPEC_VERSION;

  std::optional<run::LaunchedServer> server;
  std::optional<cli::StopOnSignal> stop_server_on_signal;  // declared after `server`: ends before it
  try {
    if (!args.launch.empty()) {
      server.emplace(args.launch);
      stop_server_on_signal.emplace(server->pid());
      if (target->port == 0) {
        run::LaunchedAddress address = server->wait_listening(std::chrono::seconds(10));
        if (address.host != "0.0.0.0" && address.host != "::") target->host = address.host;
        target->port = address.port;
      } else {
        server->wait_accepting(target->host, target->port, std::chrono::seconds(10));
      }
    }
    options.target = *target;
    Progress progress(cases->size());
    run::RunResult result = run::run_suite(*cases, options, [&](const run::CaseResult& c, std::size_t done, std::size_t total) {
      progress.update(c, done, total);
    });
    progress.finish();
    if (server) {
      server->terminate();
      result.server_output = server->output();
    }
    return cli::write_reports_and_conclude(result, args.formats, args.report_dir, expected, args.expect);
  } catch (const run::TargetUnreachable& e) {
    std::cerr << "ftpspec: cannot use the target: " << e.what() << '\n';
    if (server) std::cerr << "launched server output:\n" << server->output();
  } catch (const std::exception& e) {
    std::cerr << "ftpspec: " << e.what() << '\n';
    if (server) std::cerr << "launched server output:\n" << server->output();
  }
  return kExitUsage;
}

/// `ftpspec expect`: expected results from a saved run, keeping the notes of the file it replaces.
int command_expect(const std::vector<std::string>& files, const RunArguments& args) {
  if (files.size() != 1 || args.matrix_html.empty()) {
    std::cerr << "ftpspec: expect needs one RESULTS.json and -o EXPECTED.json\n\n" << kUsage;
    return kExitUsage;
  }
  try {
    const run::RunResult result = reports::read_json_file(files.front());
    std::optional<run::ExpectedResults> previous;
    if (fs::exists(args.matrix_html)) previous = reports::read_expected_file(args.matrix_html);
    const std::string server = !args.server.empty() ? args.server : previous ? previous->server : result.target;
    const run::ExpectedResults expected = run::expected_from(result, server, previous ? &*previous : nullptr);
    return write_file(args.matrix_html, [&](std::ostream& out) { reports::write_expected(expected, out); }) ? kExitOk : kExitUsage;
  } catch (const std::runtime_error& e) {  // ReportReadError, ExpectedFileError
    std::cerr << "ftpspec: " << e.what() << '\n';
    return kExitUsage;
  }
}

int command_list(const std::vector<std::string>& suites, const std::vector<std::string>& globs) {
  auto cases = load_cases(suites, globs);
  if (!cases) return kExitUsage;
  for (const auto& c : *cases) {
    std::string rfc;
    for (const auto& r : c.rfc) rfc += (rfc.empty() ? "" : ", ") + r;
    std::cout << fmt::format("{:<32} {:<6} {:<24} {}\n", c.id, scenario::to_string(c.level), rfc, c.title);
  }
  std::cerr << fmt::format("{} cases\n", cases->size());
  return kExitOk;
}

int command_check(const std::vector<std::string>& files) {
  scenario::ParseResult parsed = scenario::load_suite(suite_paths(files));
  for (const auto& diagnostic : parsed.diagnostics) std::cout << diagnostic.str() << '\n';
  std::cerr << fmt::format("{} cases, {} problems\n", parsed.cases.size(), parsed.diagnostics.size());
  return parsed.ok() ? kExitOk : kExitFailed;
}

}  // namespace

int ftpspec::cli::ftpspec_main(int argc, char** argv, const fs::path& suite) {
  default_suite = !suite.empty() ? suite : default_suite_for_executable();
  if (default_suite.empty()) default_suite = installed_suite_for_executable();  // named in the error
  if (argc > 1 && std::string_view(argv[1]) == "load") return cli::command_load(argc - 1, argv + 1);
  if (argc > 1 && std::string_view(argv[1]) == "client") return cli::command_client(argc - 1, argv + 1, default_suite / "clients");
  RunArguments args;
  bool help = false, version = false;
  std::string subcommand;
  std::vector<std::string> files;
  po::options_description options("Options");
  options.add_options()
      ("help,h", po::bool_switch(&help), "show this help")
      ("version", po::bool_switch(&version), "print the version")
      ("target,t", po::value(&args.target_url), "ftp://USER:PASS@HOST:PORT (IPv6: ftp://[::1]:2121; port 0 with --launch; ftps:// is implicit FTPS, ?tls=explicit AUTH TLS)")
      ("suite,s", po::value(&args.suites)->composing(), "scenario file or directory (repeatable; default: the installed suite, see --version)")
      ("case,c", po::value(&args.globs)->composing(), "run only cases whose id matches this glob (repeatable)")
      ("jobs,j", po::value(&args.jobs)->default_value(8),
       "most cases run at a time, each on its own connection; fewer once the server refuses a session (421) or "
       "times out beside others (default 8)")
      ("intrusive", po::bool_switch(&args.intrusive),
       "also run the cases that trip a server's defences (three wrong passwords on one connection: account "
       "lockouts, address bans); skipped otherwise")
      ("launch", po::value(&args.launch), "start the server under test with this shell command, stop it afterwards")
      ("report-dir", po::value(&args.report_dir)->default_value("."), "where json, junit and html reports are written")
      ("format", po::value(&args.formats)->default_value("terminal"), "comma-separated: terminal, json, junit, html")
      ("compare", po::bool_switch(&args.compare), "report: compare the given runs in a case-by-server matrix")
      ("output,o", po::value(&args.matrix_html), "report --compare: write the HTML matrix here; expect: the file to write")
      ("markdown", po::value(&args.matrix_markdown), "report --compare: write the Markdown matrix here")
      ("timeout", po::value(&args.timeout_ms)->default_value(10000), "milliseconds to wait for a connection, a reply, or data on a silent data connection")
      ("dir", po::value(&args.dir)->default_value("/"), "a directory the user may write into (${dir})")
      ("tls", po::value(&args.tls), "secure every session (RFC 4217): explicit (AUTH TLS), implicit (as ftps://) or none")
      ("expect", po::value(&args.expect), "run: compare with these expected results; exit 1 only on a new fail (CI)")
      ("server", po::value(&args.server), "expect: the server name written into the file");
  po::options_description hidden;
  hidden.add_options()("subcommand", po::value(&subcommand), "")("files", po::value(&files)->composing(), "");
  po::positional_options_description positional;
  positional.add("subcommand", 1).add("files", -1);
  po::options_description all;
  all.add(options).add(hidden);
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "ftpspec: " << e.what() << "\n\n" << kUsage;
    return kExitUsage;
  }
  if (help) {
    std::cout << kUsage << '\n' << options;
    return kExitOk;
  }
  if (version) {
    std::cout << "ftpspec " << FTPSPEC_VERSION << '\n' << describe_suite(suite_paths(args.suites)) << '\n';
    return kExitOk;
  }
  if (subcommand == "check") return command_check(files);
  if (subcommand == "report") return command_report(files, args);
  if (subcommand == "expect") return command_expect(files, args);
  if (!files.empty()) {
    std::cerr << fmt::format("ftpspec: unexpected argument '{}'\n\n{}", files.front(), kUsage);
    return kExitUsage;
  }
  if (subcommand == "list") return command_list(args.suites, args.globs);
  if (subcommand == "run") {
    if (args.target_url.empty()) {
      std::cerr << "ftpspec: run needs --target ftp://USER:PASS@HOST:PORT\n\n" << kUsage;
      return kExitUsage;
    }
    if (args.jobs == 0 || args.jobs > 256 || args.timeout_ms <= 0) {
      std::cerr << "ftpspec: --jobs must be 1-256 and --timeout positive\n";
      return kExitUsage;
    }
    return command_run(args);
  }
  std::cerr << (subcommand.empty() ? std::string("ftpspec: missing command\n\n")
                                   : fmt::format("ftpspec: unknown command '{}'\n\n", subcommand))
            << kUsage;
  return kExitUsage;
}
