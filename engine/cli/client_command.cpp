// ftpspec client (--profile FILE | --client CMD | --client-download CMD ...) [--name NAME]
//                [--suite PATH ...] [--case GLOB ...] [--jobs N] [--deadline S] [--keep-dirs]
//                [--report-dir DIR] [--format terminal,json,junit,html] [--expect EXPECTED.json]
// ftpspec client --list [--suite ...] [--case ...]      ftpspec client --check [FILE_OR_DIR ...]
#include "cli/client_command.hpp"

#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <cmath>
#include <iostream>
#include <map>

#include "cli/progress.hpp"
#include "cli/report_output.hpp"
#include "client/case_parser.hpp"
#include "client/client_runner.hpp"
#include "client/command_driver.hpp"
#include "client/profile.hpp"
#include "scenario/case_header.hpp"

namespace ftpspec::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kUsage = R"(Usage:
  ftpspec client --profile FILE [options]                 judge the client a profile describes
  ftpspec client --client-download 'curl -sS -o {local} {url}' [--client-upload CMD ...] [options]
  ftpspec client --list [--suite PATH ...] [--case GLOB ...]   list the client cases
  ftpspec client --check [FILE_OR_DIR ...]                 parse client case files, print diagnostics

Runs the client once per case against ftpspecd serving the case's script on 127.0.0.1, and judges
what it leaves behind: exit status, the bytes on disk, the commands it sent, whether it hung.
Placeholders in commands: {url} {root_url} {host} {port} {operation} (as they are) and {user}
{password} {path} {remote_dir} {name} {local} {workdir} {profile_dir} (quoted for /bin/sh;
{NAME:escaped} also backslash-escapes blanks and quotes for ftp(1)-style stdin commands).
Profiles ship in scenarios/clients/profiles/; docs/client-mode.md has the details.

)";

constexpr const char* kOperations[] = {"download", "upload", "list", "resume", "delete", "mkdir"};

/// The client suite used without --suite (set by command_client).
fs::path default_client_suite;

std::vector<fs::path> client_suite_paths(const std::vector<std::string>& given) {
  if (given.empty()) return {default_client_suite};
  return {given.begin(), given.end()};
}

/// Loads and filters the client suite; prints diagnostics (to `diagnostics_out`).
std::optional<std::vector<client::ClientCase>> load_client_cases(const std::vector<std::string>& suites,
                                                                 const std::vector<std::string>& globs,
                                                                 std::ostream& diagnostics_out) {
  client::ParseResult parsed = client::load_suite(client_suite_paths(suites));
  for (const auto& diagnostic : parsed.diagnostics) diagnostics_out << diagnostic.str() << '\n';
  if (!parsed.ok()) return std::nullopt;
  return scenario::select_cases(std::move(parsed.cases), globs);
}

}  // namespace

int command_client(int argc, char** argv, const fs::path& default_suite) {
  default_client_suite = default_suite;
  std::string profile_file, name, formats = "terminal", report_dir = ".", expect;
  std::vector<std::string> suites, globs, positional;
  std::map<std::string, std::string> templates;  // profile key -> command
  unsigned jobs = 4;
  double deadline_s = 0;
  bool help = false, list = false, check = false, keep_dirs = false;
  po::options_description described("Options");
  described.add_options()
      ("help,h", po::bool_switch(&help), "show this help")
      ("profile,p", po::value(&profile_file), "a client profile file (see scenarios/clients/profiles)")
      ("client", po::value<std::string>()->notifier([&](const std::string& v) { templates["any"] = v; }),
       "the command for every operation (it can use {operation})")
      ("client-tls", po::value<std::string>()->notifier([&](const std::string& v) { templates["any+tls"] = v; }),
       "the command for every operation over explicit TLS (RFC 4217)");
  for (const char* operation : kOperations) {
    const std::string key = operation;
    described.add_options()
        (("client-" + key).c_str(), po::value<std::string>()->notifier([&templates, key](const std::string& v) { templates[key] = v; }),
         ("the command for the " + key + " operation").c_str())
        (("client-" + key + "-tls").c_str(),
         po::value<std::string>()->notifier([&templates, key](const std::string& v) { templates[key + "+tls"] = v; }),
         ("the same over explicit TLS (AUTH TLS, a self-signed certificate)"));
  }
  described.add_options()
      ("name", po::value(&name), "the client's name in the reports (default: the profile's)")
      ("suite,s", po::value(&suites)->composing(), "client case file or directory (default: scenarios/clients)")
      ("case,c", po::value(&globs)->composing(), "only cases whose id matches this glob (repeatable)")
      ("jobs,j", po::value(&jobs)->default_value(4), "cases at a time, each with its own server")
      ("deadline", po::value(&deadline_s), "seconds each client run may take, instead of each case's own deadline")
      ("keep-dirs", po::bool_switch(&keep_dirs), "keep each case's folder (server root, client folder, output)")
      ("report-dir", po::value(&report_dir)->default_value("."), "where json, junit and html reports are written")
      ("format", po::value(&formats)->default_value("terminal"), "comma-separated: terminal, json, junit, html")
      ("expect", po::value(&expect), "compare with these expected results (`ftpspec expect`); exit 1 only on a new fail")
      ("list", po::bool_switch(&list), "list the client cases")
      ("check", po::bool_switch(&check), "parse client case files and print diagnostics");
  po::options_description hidden;
  hidden.add_options()("files", po::value(&positional)->composing(), "");
  po::options_description all;
  all.add(described).add(hidden);
  po::positional_options_description files;
  files.add("files", -1);
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(all).positional(files).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "ftpspec client: " << e.what() << "\n\n" << kUsage << described << '\n';
    return kExitUsage;
  }
  if (help) {
    std::cout << kUsage << described << '\n';
    return kExitOk;
  }
  if (check) {
    client::ParseResult parsed = client::load_suite(client_suite_paths(positional));
    for (const auto& diagnostic : parsed.diagnostics) std::cout << diagnostic.str() << '\n';
    std::cerr << fmt::format("{} cases, {} problems\n", parsed.cases.size(), parsed.diagnostics.size());
    return parsed.ok() ? kExitOk : kExitFailed;
  }
  if (!positional.empty()) {
    std::cerr << fmt::format("ftpspec client: unexpected argument '{}'\n", positional.front());
    return kExitUsage;
  }
  auto cases = load_client_cases(suites, globs, std::cerr);
  if (!cases) return kExitUsage;
  if (list) {
    for (const auto& c : *cases) {
      std::string rfc;
      for (const auto& r : c.rfc) rfc += (rfc.empty() ? "" : ", ") + r;
      std::cout << fmt::format("{:<36} {:<6} {:<8} {:<22} {}\n", c.id, scenario::to_string(c.level),
                               client::to_string(c.operation), rfc, c.title);
    }
    std::cerr << fmt::format("{} client cases\n", cases->size());
    return kExitOk;
  }
  if (cases->empty()) {
    std::cerr << "ftpspec client: no case selected\n";
    return kExitUsage;
  }
  if (jobs == 0 || jobs > 64 || deadline_s < 0 || !std::isfinite(deadline_s)) {
    std::cerr << "ftpspec client: --jobs must be 1-64 and --deadline positive\n";
    return kExitUsage;
  }
  if (!formats_valid(formats)) return kExitUsage;
  std::optional<run::ExpectedResults> expected;
  if (!read_expected(expect, expected)) return kExitUsage;

  client::ClientProfile profile;
  if (!profile_file.empty()) {
    client::ProfileResult loaded = client::load_profile(profile_file);
    for (const auto& diagnostic : loaded.diagnostics) std::cerr << diagnostic.str() << '\n';
    if (!loaded.profile) return kExitUsage;
    profile = std::move(*loaded.profile);
  } else {
    profile.name = "client";
    profile.directory = fs::current_path();
  }
  for (const auto& [key, command] : templates) {
    if (const std::string problem = client::check_template(command); !problem.empty()) {
      std::cerr << fmt::format("ftpspec client: --client{}: {}\n", key == "any" ? "" : "-" + key, problem);
      return kExitUsage;
    }
    profile.commands[key] = command;
  }
  if (!name.empty()) profile.name = name;
  if (profile.commands.empty()) {
    std::cerr << "ftpspec client: give --profile FILE or at least one --client-OPERATION command\n\n" << kUsage;
    return kExitUsage;
  }

  client::CommandDriver driver(std::move(profile));
  client::ClientRunOptions options;
  options.jobs = jobs;
  if (deadline_s > 0) options.deadline = std::chrono::milliseconds(static_cast<long long>(std::llround(deadline_s * 1000)));
  options.keep_dirs = keep_dirs;
  options.tool_version = FTPSPEC_VERSION;
  Progress progress(cases->size());
  const run::RunResult result = client::run_client_suite(*cases, driver, options, [&](const run::CaseResult& c, std::size_t done, std::size_t total) {
    progress.update(c, done, total);
  });
  progress.finish();
  return write_reports_and_conclude(result, formats, report_dir, expected, expect);
}

}  // namespace ftpspec::cli
