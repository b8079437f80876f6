// The runner end to end over loopback: ftpspecd in-process serving a case's script, a client
// driven through the ClientDriver interface (the engine's own Session as a client, well-behaved or
// keeping truncated files; a shell command that hangs or is missing), and the verdicts that result.
#include "client/client_runner.hpp"

#include <signal.h>

#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "client/case_parser.hpp"
#include "client/command_driver.hpp"
#include "session/session.hpp"

namespace ftpspec::client {
namespace {

ClientCase parse_one(std::string_view body) {
  const std::string text = "case r\n title \"t\"\n rfc 959 §4.2\n level MUST\n" + std::string(body);
  ParseResult result = parse(text, "r.ftpclient");
  EXPECT_TRUE(result.ok()) << (result.diagnostics.empty() ? "" : result.diagnostics.front().str());
  return std::move(result.cases.front());
}

/// ftpspec's own session as the client under test: downloads `path` into `local`; exit 1 when the
/// transfer failed, unless it keeps whatever arrived (a deliberately broken client).
class SessionDriver final : public ClientDriver {
 public:
  explicit SessionDriver(bool keeps_truncated = false) : keeps_truncated_(keeps_truncated) {}
  std::string name() const override { return keeps_truncated_ ? "session-keeps-truncated" : "session"; }
  bool supports(Operation operation, bool tls, std::string& why) const override {
    why = "downloads only";
    return operation == Operation::download && !tls;
  }
  ClientOutcome run(const ClientRequest& request, std::chrono::milliseconds) override {
    ClientOutcome outcome;
    try {
      session::Session session;
      session.connect(request.host, request.port);
      session.login(request.user, request.password);
      session.set_representation(codec::Representation{codec::RepType::image});
      const session::TransferResult result = session.retr(request.path);
      std::ofstream(request.local, std::ios::binary) << result.data;
      outcome.exit_status = result.ok() || keeps_truncated_ ? 0 : 1;
      outcome.output = std::to_string(result.final_reply.code);
      session.quit();
    } catch (const session::Error& e) {
      outcome.exit_status = 1;
      outcome.output = e.what();
    }
    return outcome;
  }

 private:
  bool keeps_truncated_;
};

constexpr std::string_view kCut = R"( operation download data.bin
 server-file data.bin random:100000
 on RETR serve cut=1000
 expect exit=0 local=@data.bin
 or     exit!=0
)";

TEST(ClientRunner, AWellBehavedClientPassesATruncatingOneFails) {
  const ClientCase plain = parse_one(" operation download data.bin\n server-file data.bin random:300000\n"
                                     " expect exit=0 local=@data.bin sent \"TYPE I\" before \"RETR .*\"\n");
  SessionDriver good;
  const run::CaseResult ok = run_client_case(plain, good, {});
  EXPECT_EQ(ok.verdict, run::Verdict::pass) << ok.reason << "\n" << ok.transcript;
  EXPECT_NE(ok.transcript.find("C> RETR data.bin\\r\\n"), std::string::npos) << ok.transcript;

  const ClientCase cut = parse_one(kCut);
  EXPECT_EQ(run_client_case(cut, good, {}).verdict, run::Verdict::pass);  // reported the 426
  SessionDriver broken(true);
  const run::CaseResult kept = run_client_case(cut, broken, {});
  EXPECT_EQ(kept.verdict, run::Verdict::fail);
  EXPECT_NE(kept.reason.find("no expected outcome: local=@data.bin: local data.bin: 1000 bytes, expected 100000; they "
                              "differ from byte 1000; or exit!=0: exit status 0 (exit 0 after "), std::string::npos)
      << kept.reason;
}

TEST(ClientRunner, OperationsTheClientCannotDoAreUnsupported) {
  SessionDriver good;
  const run::CaseResult result = run_client_case(parse_one(" operation mkdir d\n expect exit=0\n"), good, {});
  EXPECT_EQ(result.verdict, run::Verdict::unsupported);
  EXPECT_EQ(result.reason, "downloads only");
}

TEST(ClientRunner, AHangingClientIsKilledAtTheDeadlineAndFails) {
  std::random_device random;
  const auto pid_file = std::filesystem::temp_directory_path() / ("ftpspec-hang-" + std::to_string(random()));
  ClientProfile profile;
  profile.name = "hangs";
  profile.commands["any"] = "echo $$ > " + shell_quote(pid_file.string()) + "; exec sleep 30";
  CommandDriver driver(std::move(profile));
  ClientRunOptions options;
  options.deadline = std::chrono::milliseconds(300);
  const run::CaseResult result = run_client_case(parse_one(kCut), driver, options);
  EXPECT_EQ(result.verdict, run::Verdict::fail);
  EXPECT_NE(result.reason.find("still running after the 300 ms deadline and was killed"), std::string::npos) << result.reason;
  pid_t pid = 0;
  std::ifstream(pid_file) >> pid;
  std::filesystem::remove(pid_file);
  ASSERT_GT(pid, 0);
  EXPECT_NE(::kill(pid, 0), 0);  // killed, and reaped: no such process
}

TEST(ClientRunner, AMissingClientIsAnErrorNotAFail) {
  ClientProfile profile;
  profile.name = "missing";
  profile.commands["download"] = "ftpspec-no-such-client-here {url}";
  CommandDriver driver(std::move(profile));
  const run::CaseResult result = run_client_case(parse_one(kCut), driver, {});
  EXPECT_EQ(result.verdict, run::Verdict::error);
  EXPECT_NE(result.reason.find("the client could not be run"), std::string::npos) << result.reason;
}

TEST(ClientRunner, ASuiteKeepsFileOrderAndNamesTheClient) {
  ParseResult parsed = parse("case b\n title \"t\"\n rfc 959 §4\n level MUST\n operation download x\n"
                             " server-file x \"1\"\n deadline 2s\n expect exit=0 local=@x\n"
                             "case a\n title \"t\"\n rfc 959 §4\n level MUST\n operation download x\n"
                             " server-file x \"2\"\n expect exit=0 local=@x\n",
                             "s.ftpclient");
  ASSERT_TRUE(parsed.ok());
  SessionDriver good;
  ClientRunOptions options;
  options.jobs = 2;
  const run::RunResult result = run_client_suite(parsed.cases, good, options);
  EXPECT_EQ(result.target, "client:session");
  ASSERT_EQ(result.cases.size(), 2u);
  EXPECT_EQ(result.cases[0].id, "b");
  EXPECT_EQ(result.cases[1].id, "a");
  EXPECT_EQ(result.count(run::Verdict::pass), 2);
}

}  // namespace
}  // namespace ftpspec::client
