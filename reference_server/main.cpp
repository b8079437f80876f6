// ftpspecd — the reference FTP server's command line.
//   ftpspecd --listen HOST:PORT --root DIR --user NAME:PASSWORD[:ro] ... [--anonymous] [--port-file FILE]
//   ftpspecd --script CASES.ftpclient --case ID --root DIR [...]   one client case's server side
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "ftpspecd_main.hpp"
#include "client/case_files.hpp"
#include "client/case_parser.hpp"
#include "client/client_runner.hpp"
#include "client/record_view.hpp"
#include "net/self_signed_cert.hpp"
#include "server/config_file.hpp"
#include "server/misbehaviour.hpp"
#include "server/passive_ports.hpp"
#include "server/server.hpp"

namespace {

constexpr std::string_view kUsage =
    "usage: ftpspecd --root DIR (--user NAME:PASSWORD[:ro] ... | --anonymous) [options]\n"
    "\n"
    "The ftpspec reference FTP server (RFC 959, 1123, 2389, 2428, 3659 subset).\n"
    "\n"
    "options:\n"
    "  --listen HOST:PORT     address to listen on (default 127.0.0.1:0 = an ephemeral port);\n"
    "                         IPv6 as [::1]:PORT\n"
    "  --root DIR             directory served to every user (required)\n"
    "  --user NAME:PASS[:ro]  a user; repeatable; ':ro' makes it read-only\n"
    "  --anonymous            allow USER anonymous/ftp with any password, read-only\n"
    "  --port-file FILE       write the bound port number to FILE\n"
    "  --idle-timeout SEC     close idle control connections after SEC seconds (default 300)\n"
    "  --passive-ports LOW-HIGH  ports for PASV/EPSV/LPSV listeners (default: the kernel's\n"
    "                         ephemeral range, walked by ftpspecd; 0 = bind to port 0)\n"
    "  --threads N            io threads serving sessions (default: one per core)\n"
    "  --spin-us N            an io thread polls up to N microseconds for more work before it\n"
    "                         sleeps, adapting to how soon work comes (default 200; 0 = never)\n"
    "  --config FILE          read settings and users from FILE (docs/ftpspecd.md)\n"
    "  --tls-cert FILE        PEM certificate chain: offers AUTH TLS (RFC 4217)\n"
    "  --tls-key FILE         PEM private key for --tls-cert\n"
    "  --require-tls          refuse USER (534) until AUTH TLS\n"
    "  --keep-partial-uploads  keep what a failed or unacknowledged upload sent under the\n"
    "                         target name, for REST + STOR (default: such an upload changes\n"
    "                         nothing; an existing file stays as it was)\n"
    "  --misbehave NAME[=VALUE]  misbehave on purpose, to test FTP clients; repeatable:\n"
    "                         delay-replies=MS, multiline-codes, lf-only, preliminary-then-4xx,\n"
    "                         pasv-unroutable, pasv-address=IPV4, drop-data=BYTES, close-421=N,\n"
    "                         throttle=BYTES_PER_SEC, list-format=unix|dos|eplf (docs/ftpspecd.md)\n"
    "  --script FILE --case ID  serve the server side of one client case (`ftpspec client`,\n"
    "                         docs/client-mode.md): its script and files under --root\n"
    "  --help                 show this help\n"
    "  --version              print the version\n"
    "\n"
    "On start it prints \"ftpspecd listening on HOST:PORT\" to stdout. SIGINT/SIGTERM stop it.\n";

struct UsageError {
  std::string message;
};

std::uint16_t parse_port(std::string_view text) {
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || value > 65535) {
    throw UsageError{"invalid port '" + std::string(text) + "'"};
  }
  return static_cast<std::uint16_t>(value);
}

/// A whole number from `low` to `high` for `option`, or a usage error naming the option.
unsigned parse_count(std::string_view option, std::string_view text, unsigned low, unsigned high) {
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || value < low || value > high) {
    throw UsageError{fmt::format("{}: expected {}-{}, got '{}'", option, low, high, text)};
  }
  return value;
}

void parse_listen(std::string_view text, ftpspecd::Config& config) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) throw UsageError{"--listen: expected [IPV6]:PORT"};
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) throw UsageError{"--listen: expected HOST:PORT"};
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) throw UsageError{"--listen: empty host"};
  config.listen_host = std::string(host);
  config.port = parse_port(port);
}

ftpspecd::User parse_user(std::string_view text) {
  ftpspecd::User user;
  const auto first = text.find(':');
  if (first == std::string_view::npos || first == 0) throw UsageError{"--user: expected NAME:PASSWORD[:ro]"};
  user.name = std::string(text.substr(0, first));
  std::string_view rest = text.substr(first + 1);
  if (rest.size() >= 3 && rest.substr(rest.size() - 3) == ":ro") {
    user.read_only = true;
    rest.remove_suffix(3);
  }
  user.password = std::string(rest);
  return user;
}

struct Options {
  ftpspecd::Config config;
  std::optional<std::string> port_file;
  std::string script_file;
  std::string script_case;
  bool help = false;
  bool version = false;
};

/// --script FILE --case ID: the case itself.
ftpspec::client::ClientCase load_client_case(const Options& options) {
  namespace client = ftpspec::client;
  client::ParseResult parsed = client::load_file(options.script_file);
  std::string problems;
  for (const auto& diagnostic : parsed.diagnostics) problems += "\n  " + diagnostic.str();
  if (!parsed.ok()) throw UsageError{"--script: the file does not parse:" + problems};
  for (auto& c : parsed.cases)
    if (c.id == options.script_case) return std::move(c);
  throw UsageError{"--case: no case '" + options.script_case + "' in " + options.script_file};
}

/// The case's script, its files under the root (never over a file that is there), its account,
/// and a record of what the client does, echoed on stderr.
void apply_client_case(const ftpspec::client::ClientCase& c, ftpspecd::Config& config) {
  namespace client = ftpspec::client;
  const client::CaseFiles files(c);
  for (const auto& entry : c.server_files) {
    const auto path = client::login_directory(config.root, c) / entry.path;
    std::error_code ec;
    if (entry.content && std::filesystem::exists(path, ec))
      throw UsageError{"--script: '" + path.string() + "' exists; give an empty --root (the case writes its files there)"};
  }
  client::write_server_files(c, files, config.root);
  config.script = std::make_shared<const ftpspecd::Script>(c.server);
  if (config.users.empty() && !config.anonymous)
    config.users.push_back({std::string(client::kCaseUser), std::string(client::kCasePassword), {}, false});
  config.login_failure_delay = std::chrono::milliseconds(0);
  config.recorder = std::make_shared<ftpspecd::Recorder>();
  config.recorder->set_echo([](const ftpspecd::Recorder::Entry& entry) {
    // Live, with each line's connection (the recorder's lock serialises the calls).
    if (const std::string line = client::render_entry(entry); !line.empty())
      std::cerr << "#" << entry.connection << " " << line << std::endl;
  });
}

Options parse_options(int argc, char** argv) {
  Options options;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= args.size()) throw UsageError{std::string(arg) + " needs a value"};
      return args[++i];
    };
    if (arg == "--help" || arg == "-h") options.help = true;
    else if (arg == "--version") options.version = true;
    else if (arg == "--listen") parse_listen(value(), options.config);
    else if (arg == "--root") options.config.root = std::string(value());
    else if (arg == "--user") options.config.users.push_back(parse_user(value()));
    else if (arg == "--anonymous") options.config.anonymous = true;
    else if (arg == "--port-file") options.port_file = std::string(value());
    else if (arg == "--config") {
      try {
        ftpspecd::apply_config_file(std::string(value()), options.config);
      } catch (const std::runtime_error& error) {
        throw UsageError{error.what()};
      }
    } else if (arg == "--tls-cert") options.config.tls_cert = std::string(value());
    else if (arg == "--tls-key") options.config.tls_key = std::string(value());
    else if (arg == "--require-tls") options.config.require_tls = true;
    else if (arg == "--keep-partial-uploads") options.config.keep_partial_uploads = true;
    else if (arg == "--script") options.script_file = std::string(value());
    else if (arg == "--case") options.script_case = std::string(value());
    else if (arg == "--misbehave") {
      if (auto error = ftpspecd::apply_misbehaviour(value(), options.config.misbehaviour); !error.empty()) {
        throw UsageError{"--misbehave: " + error};
      }
    }
    else if (arg == "--idle-timeout") options.config.idle_timeout = std::chrono::seconds(parse_port(value()));
    else if (arg == "--passive-ports") {
      const auto range = ftpspecd::parse_port_range(value());
      if (!range) throw UsageError{"--passive-ports: expected LOW-HIGH with 1024 <= LOW <= HIGH <= 65535, or 0"};
      options.config.passive_ports = *range;
    } else if (arg == "--threads") {
      options.config.io_threads = parse_count(arg, value(), 1, ftpspecd::kMaxIoThreads);
    } else if (arg == "--spin-us") {
      options.config.io_spin = std::chrono::microseconds(parse_count(arg, value(), 0, ftpspecd::kMaxIoSpinMicroseconds));
    }
    else throw UsageError{"unknown option '" + std::string(arg) + "'"};
  }
  if (options.help || options.version) return options;
  if (options.config.root.empty()) throw UsageError{"--root (or root = DIR in --config) is required"};
  std::error_code ec;
  if (!std::filesystem::is_directory(options.config.root, ec)) {
    throw UsageError{"--root '" + options.config.root.string() + "' is not a directory"};
  }
  if (options.script_file.empty() != options.script_case.empty()) throw UsageError{"give both --script FILE and --case ID"};
  if (options.config.users.empty() && !options.config.anonymous && options.script_file.empty())
    throw UsageError{"give --user, --anonymous or --config"};
  if (options.config.tls_cert.empty() != options.config.tls_key.empty()) throw UsageError{"give both --tls-cert and --tls-key"};
  if (options.config.require_tls && !options.config.tls_enabled()) throw UsageError{"--require-tls needs --tls-cert and --tls-key"};
  return options;
}

}  // namespace

int ftpspecd::ftpspecd_main(int argc, char** argv) {
  Options options;
  try {
    options = parse_options(argc, argv);
  } catch (const UsageError& error) {
    std::cerr << "ftpspecd: " << error.message << "\n\n" << kUsage;
    return 2;
  }
  if (options.help) {
    std::cout << kUsage;
    return 0;
  }
  if (options.version) {
    std::cout << "ftpspecd " << FTPSPEC_VERSION << '\n';
    return 0;
  }
  std::optional<ftpspec::client::ClientCase> client_case;
  std::optional<ftpspec::net::SelfSignedCert> throwaway;  // a TLS case without --tls-cert
  try {
    if (!options.script_file.empty()) {
      client_case = load_client_case(options);
      apply_client_case(*client_case, options.config);
      if (client_case->tls && !options.config.tls_enabled()) {
        throwaway.emplace();
        options.config.tls_cert = throwaway->cert();
        options.config.tls_key = throwaway->key();
      }
    }
  } catch (const UsageError& error) {
    std::cerr << "ftpspecd: " << error.message << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "ftpspecd: " << error.what() << "\n";
    return 1;
  }
  try {
    // Signals are caught before "listening" is printed: a supervisor may send SIGTERM at once.
    boost::asio::io_context signals_io;
    boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
    signals.async_wait([](const boost::system::error_code&, int) {});
    const std::string host = options.config.listen_host;
    const ftpspecd::User account = options.config.users.empty() ? ftpspecd::User{"anonymous", "", {}, true}
                                                                : options.config.users.front();
    ftpspecd::Server server(std::move(options.config));
    const std::uint16_t port = server.start();
    if (options.port_file) {
      std::ofstream(*options.port_file) << port << "\n";
    }
    const bool v6 = host.find(':') != std::string::npos;
    std::cout << "ftpspecd listening on " << (v6 ? "[" + host + "]" : host) << ":" << port << std::endl;
    if (client_case) {
      ftpspec::client::ClientRequest request;
      request.operation = client_case->operation;
      request.host = host;
      request.port = port;
      request.user = account.name;
      request.password = account.password;
      request.path = client_case->path;
      std::cerr << "ftpspecd: case " << client_case->id << ": ask the client to " << ftpspec::client::to_string(client_case->operation)
                << " " << client_case->path << (client_case->tls ? " over explicit TLS" : "") << " (" << request.url() << ")"
                << std::endl;
    }
    signals_io.run();  // returns once a signal arrived
    server.stop();
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "ftpspecd: " << error.what() << "\n";
    return 1;
  }
}
