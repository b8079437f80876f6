#include "client/client_runner.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>

#include "client/case_files.hpp"
#include "client/judge.hpp"
#include "client/record_view.hpp"
#include "net/self_signed_cert.hpp"
#include "run/findings.hpp"
#include "run/parallel.hpp"
#include "server/server.hpp"

namespace ftpspec::client {
namespace {

run::CaseResult header_of(const ClientCase& c) {
  run::CaseResult result;
  result.id = c.id;
  result.title = c.title;
  result.rfc = c.rfc;
  result.level = c.level;
  result.loc = c.loc;
  return result;
}

std::string operation_source(const ClientCase& c) {
  return fmt::format("operation {} {}{}", to_string(c.operation), c.path, c.tls ? " (tls explicit)" : "");
}

/// What the client was asked to do, as a finding names it ("download /data.bin").
std::string asked_of_client(const ClientCase& c) {
  return fmt::format("{} {}{}", to_string(c.operation), c.path, c.tls ? " over TLS" : "");
}

/// Adds `step` and makes the case's verdict the worst so far.
void add_step(run::CaseResult& result, run::StepResult step) {
  if (run::worst(step.verdict, result.verdict) != result.verdict) {
    result.verdict = step.verdict;
    result.reason = step.reason;
  }
  result.steps.push_back(std::move(step));
}

run::StepResult operation_step(const ClientCase& c, run::Verdict verdict, std::string actual, std::string reason) {
  run::StepResult step;
  step.loc = c.operation_loc.line > 0 ? c.operation_loc : c.loc;
  step.source = operation_source(c);
  step.command = asked_of_client(c);
  step.expected = "the client ends within the deadline";
  step.verdict = verdict;
  step.actual = std::move(actual);
  step.reason = std::move(reason);
  return step;
}

ftpspecd::Config server_config(const ClientCase& c, const CaseDirectories& dirs, std::chrono::milliseconds deadline,
                               const std::filesystem::path& tls_cert, const std::filesystem::path& tls_key) {
  ftpspecd::Config config;
  config.listen_host = "127.0.0.1";
  config.port = 0;
  config.root = dirs.root();
  config.users.push_back({std::string(kCaseUser), std::string(kCasePassword), {}, false});
  config.io_threads = 1;
  config.passive_ports = ftpspecd::PortRange{0, 0};  // the kernel's choice: many cases run at once
  // Nothing the server waits for outlives the case: the client is judged at its deadline.
  config.data_timeout = deadline + std::chrono::seconds(1);
  config.idle_timeout = deadline + std::chrono::seconds(5);
  config.login_failure_delay = std::chrono::milliseconds(0);
  config.script = std::make_shared<const ftpspecd::Script>(c.server);
  config.recorder = std::make_shared<ftpspecd::Recorder>();
  if (c.tls) {
    config.tls_cert = tls_cert;
    config.tls_key = tls_key;
  }
  return config;
}

std::string utc_now() {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
}

}  // namespace

run::CaseResult run_client_case(const ClientCase& c, ClientDriver& driver, const ClientRunOptions& options,
                                const std::filesystem::path& tls_cert, const std::filesystem::path& tls_key) {
  const auto started = std::chrono::steady_clock::now();
  run::CaseResult result = header_of(c);
  std::string why;
  if (!driver.supports(c.operation, c.tls, why)) {
    add_step(result, operation_step(c, run::Verdict::unsupported, "not run", why));
    return result;
  }
  if (c.tls && (tls_cert.empty() || tls_key.empty())) {
    add_step(result, operation_step(c, run::Verdict::error, "not run", "a TLS case needs a certificate for the server"));
    return result;
  }
  const auto deadline = options.deadline.value_or(c.deadline);
  try {
    const CaseFiles files(c);
    CaseDirectories dirs(c.id, options.work_root, options.keep_dirs);
    dirs.populate(c, files);
    ftpspecd::Config config = server_config(c, dirs, deadline, tls_cert, tls_key);
    const auto recorder = config.recorder;
    ClientRequest request;
    request.operation = c.operation;
    request.tls = c.tls;
    request.user = std::string(kCaseUser);
    request.password = std::string(kCasePassword);
    request.path = c.path;
    request.local = dirs.work() / c.local_name();
    request.workdir = dirs.work();
    request.home = dirs.home();
    ClientOutcome outcome;
    {
      ftpspecd::Server server(std::move(config));
      request.port = server.start();
      outcome = driver.run(request, deadline);
      server.stop();  // every session closed: the files are complete, the record final
    }
    const RecordView record(recorder->entries());
    // The operation step's evidence: how the client ended, what was run, what it printed.
    std::string ran = outcome.describe();
    if (!outcome.command.empty()) ran += "\n$ " + outcome.command;
    if (!outcome.output.empty()) ran += "\n" + outcome.output;
    if (options.keep_dirs) ran += "\n(kept: " + dirs.base().string() + ")";
    if (outcome.not_found) {
      add_step(result, operation_step(c, run::Verdict::error, ran, "the client could not be run: " + outcome.output.substr(0, 400)));
    } else if (outcome.hung) {
      add_step(result, operation_step(c, run::Verdict::fail, ran,
                                      fmt::format("the client was still running after the {} ms deadline and was killed "
                                                  "(a client must not hang)", deadline.count())));
    } else {
      add_step(result, operation_step(c, run::Verdict::pass, ran, {}));
    }
    if (!outcome.not_found) {
      const Observation observed{c, files, outcome, record, request.local, dirs.login(c)};
      for (const Expectation& expectation : c.expectations) {
        run::StepResult step = judge(expectation, observed, c.level);
        step.command = asked_of_client(c);
        add_step(result, std::move(step));
      }
    }
    result.transcript = record.render();
  } catch (const std::exception& e) {
    add_step(result, operation_step(c, run::Verdict::error, "not judged", fmt::format("harness error: {}", e.what())));
  }
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  return result;
}

run::RunResult run_client_suite(const std::vector<ClientCase>& cases, ClientDriver& driver,
                                const ClientRunOptions& options, const ClientProgress& progress) {
  const auto started = std::chrono::steady_clock::now();
  run::RunResult result;
  result.target = "client:" + driver.name();
  result.tool_version = options.tool_version;
  result.started_at = utc_now();
  if (const std::string version = driver.version(); !version.empty()) result.greeting.push_back(version);
  result.cases.resize(cases.size());
  std::optional<net::SelfSignedCert> certificate;
  if (std::any_of(cases.begin(), cases.end(), [](const ClientCase& c) { return c.tls; })) certificate.emplace();
  const std::filesystem::path cert = certificate ? certificate->cert() : std::filesystem::path();
  const std::filesystem::path key = certificate ? certificate->key() : std::filesystem::path();

  // The cases that may take longest (a deadline a hanging client runs into) start first.
  std::vector<std::size_t> order(cases.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return cases[a].deadline > cases[b].deadline; });
  run::for_each_in_parallel(
      order, driver.parallel() ? options.jobs : 1,
      [&](std::size_t i) { result.cases[i] = run_client_case(cases[i], driver, options, cert, key); },
      [&](std::size_t i, std::size_t done) {
        if (progress) progress(result.cases[i], done, cases.size());
      },
      options.stop);
  // Cases an interrupted run never started are left out rather than reported as passed.
  result.cases.erase(std::remove_if(result.cases.begin(), result.cases.end(), [](const run::CaseResult& c) { return c.id.empty(); }),
                     result.cases.end());
  run::derive_findings(result);  // each failing case is a finding of its own: its reply code is 0
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  return result;
}

}  // namespace ftpspec::client
