// The RFC 4217 steps, fixtures and checks of the runner against the real ftpspecd over loopback,
// with and without a certificate; `delay >=`; ftps:// and ?tls=explicit targets.
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "run/runner.hpp"
#include "run/target.hpp"
#include "scenario/parser.hpp"
#include "server/server.hpp"
#include "session/test_cert.hpp"

namespace ftpspec::run {
namespace {

namespace fs = std::filesystem;

fs::path scenario_dir() { return fs::path(FTPSPEC_SOURCE_DIR) / "scenarios"; }

const testing::SelfSignedCert& certificate() {
  static const testing::SelfSignedCert cert;
  return cert;
}

class TlsRunner : public ::testing::Test {
 protected:
  void start(bool with_tls) {
    root_ = fs::temp_directory_path() / fmt::format("ftpspec-tls-run-{}-{}", ::getpid(), counter_++);
    fs::create_directories(root_);
    ftpspecd::Config config;
    config.root = root_;
    config.users.push_back({"tester", "secret", {}, false});
    config.login_failure_delay = std::chrono::milliseconds(300);
    if (with_tls) {
      config.tls_cert = certificate().cert();
      config.tls_key = certificate().key();
    }
    server_ = std::make_unique<ftpspecd::Server>(config);
    options_.target.host = "127.0.0.1";
    options_.target.port = server_->start();
    options_.target.user = "tester";
    options_.target.password = "secret";
    options_.timeouts.connect = options_.timeouts.reply = std::chrono::milliseconds(5000);
    options_.timeouts.data = std::chrono::milliseconds(10000);
    options_.jobs = 2;
  }
  void TearDown() override {
    if (server_) server_->stop();
    server_.reset();
    fs::remove_all(root_);
  }

  CaseResult run_one(std::string_view body, std::string_view level = "MUST") {
    std::string text = fmt::format("case c\n title \"t\"\n rfc 4217 §9\n level {}\n{}", level, body);
    scenario::ParseResult parsed = scenario::parse(text, "inline.ftpspec");
    EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.diagnostics.front().str());
    return run_suite(parsed.cases, options_).cases.at(0);
  }

  static inline int counter_ = 0;
  fs::path root_;
  std::unique_ptr<ftpspecd::Server> server_;
  RunOptions options_;
};

TEST_F(TlsRunner, ShippedTlsCasesPassWithACertificate) {
  start(true);
  scenario::ParseResult suite = scenario::load_suite({scenario_dir() / "rfc4217"});
  ASSERT_TRUE(suite.ok()) << suite.diagnostics.front().str();
  ASSERT_GE(suite.cases.size(), 20u);
  RunResult result = run_suite(suite.cases, options_);
  for (const CaseResult& c : result.cases) EXPECT_EQ(c.verdict, Verdict::pass) << c.id << ": " << c.reason << "\n" << c.transcript;
  EXPECT_TRUE(fs::is_empty(root_)) << "scratch directories are removed over TLS too";
}

TEST_F(TlsRunner, ProtectedTransferIsReportedAsTls) {
  start(true);
  CaseResult c = run_one(" require tls-scratch\n stor ${scratch}/f type=I data=\"abc\" expect-tls\n"
                         " retr ${scratch}/f expect-data \"abc\" expect-tls expect-tls-resumed expect-close-notify\n");
  EXPECT_EQ(c.verdict, Verdict::pass) << c.reason << "\n" << c.transcript;
  EXPECT_NE(c.transcript.find("C> AUTH TLS"), std::string::npos);
  EXPECT_NE(c.transcript.find("C> PROT P"), std::string::npos);
  EXPECT_NE(c.transcript.find("session reused: yes"), std::string::npos) << c.transcript;

  // After PROT P a clear data connection is wrong: expect-clear fails a MUST case.
  CaseResult clear = run_one(" require tls-scratch\n stor ${scratch}/f data=\"abc\" expect-clear\n");
  EXPECT_EQ(clear.verdict, Verdict::fail);
  EXPECT_EQ(clear.steps.back().actual, "TLS");
}

TEST_F(TlsRunner, SecureDataClearSwitchesBackToClearConnections) {
  start(true);
  CaseResult c = run_one(" require tls-scratch\n secure-data C\n stor ${scratch}/f data=\"abc\" expect-clear\n"
                         " secure-data P\n retr ${scratch}/f expect-data \"abc\" expect-tls\n ccc\n > NOOP\n < 200\n");
  EXPECT_EQ(c.verdict, Verdict::pass) << c.reason << "\n" << c.transcript;
  EXPECT_NE(c.transcript.find("C> PROT C"), std::string::npos);
  EXPECT_NE(c.transcript.find("C> CCC"), std::string::npos);
}

TEST_F(TlsRunner, WithoutACertificateTlsCasesAreUnsupported) {
  start(false);
  CaseResult fixture = run_one(" require tls-login\n > NOOP\n < 200\n");
  EXPECT_EQ(fixture.verdict, Verdict::unsupported) << fixture.reason;
  EXPECT_NE(fixture.reason.find("does not offer FTP over TLS"), std::string::npos) << fixture.reason;
  ASSERT_EQ(fixture.steps.size(), 1u);
  EXPECT_EQ(fixture.steps[0].source, "require tls-login");

  CaseResult step = run_one(" require connection\n auth-tls\n > NOOP\n < 200\n");
  EXPECT_EQ(step.verdict, Verdict::unsupported) << step.reason;
  EXPECT_EQ(step.steps.at(0).source, "auth-tls");

  // Without TLS on the control connection, CCC gets 533 here: the step grades it by the level.
  CaseResult ccc = run_one(" ccc\n", "MUST");
  EXPECT_EQ(ccc.verdict, Verdict::fail) << ccc.reason;
  EXPECT_EQ(ccc.steps.at(0).actual.substr(0, 3), "533");
}

TEST_F(TlsRunner, DelayCheckMeasuresTheReplyTime) {
  start(false);  // ftpspecd here waits 300 ms before each 530 to a wrong PASS
  CaseResult slow = run_one(" require connection\n > USER tester\n < 331\n > PASS wrong\n < 530 delay >= 250ms\n");
  EXPECT_EQ(slow.verdict, Verdict::pass) << slow.reason;
  EXPECT_NE(slow.steps.back().actual.find(" ms)"), std::string::npos) << slow.steps.back().actual;

  CaseResult too_slow = run_one(" require connection\n > USER tester\n < 331\n > PASS wrong\n < 530 delay >= 5s\n"
                                " or 530 warn \"no delay\"\n",
                                "SHOULD");
  EXPECT_EQ(too_slow.verdict, Verdict::warn);
  EXPECT_EQ(too_slow.reason, "no delay");
}

TEST_F(TlsRunner, ExplicitAndImplicitTargets) {
  start(true);
  options_.target.tls = TlsMode::explicit_;
  CaseResult c = run_one(" require scratch\n stor ${scratch}/f data=\"x\" expect-tls\n > NOOP\n < 200\n");
  EXPECT_EQ(c.verdict, Verdict::pass) << c.reason << "\n" << c.transcript;
  EXPECT_NE(c.transcript.find("C> AUTH TLS"), std::string::npos);

  // ftpspecd speaks explicit FTPS only: an implicit-FTPS probe fails its handshake.
  options_.target.tls = TlsMode::implicit;
  EXPECT_THROW(probe(options_), TargetUnreachable);
}

TEST(Target, TlsModesFromTheUrl) {
  std::string error;
  auto implicit = parse_target("ftps://u:p@example.org", error);
  ASSERT_TRUE(implicit) << error;
  EXPECT_EQ(implicit->tls, TlsMode::implicit);
  EXPECT_EQ(implicit->port, 990);
  EXPECT_EQ(implicit->display_url(), "ftps://u@example.org:990");

  auto explicit_tls = parse_target("ftp://u:p@127.0.0.1:2121/?tls=explicit", error);
  ASSERT_TRUE(explicit_tls) << error;
  EXPECT_EQ(explicit_tls->tls, TlsMode::explicit_);
  EXPECT_EQ(explicit_tls->port, 2121);
  EXPECT_EQ(explicit_tls->display_url(), "ftp://u@127.0.0.1:2121?tls=explicit");

  auto plain = parse_target("ftp://u:p@[::1]:21?tls=none", error);
  ASSERT_TRUE(plain) << error;
  EXPECT_EQ(plain->tls, TlsMode::none);
  EXPECT_EQ(plain->host, "::1");

  EXPECT_FALSE(parse_target("ftp://u:p@h?tls=maybe", error));
  EXPECT_EQ(error, "unknown URL query 'tls=maybe': expected tls=none, tls=explicit or tls=implicit");
  EXPECT_FALSE(parse_target("sftp://h", error));
  EXPECT_EQ(parse_tls_mode("explicit"), TlsMode::explicit_);
  EXPECT_EQ(to_string(TlsMode::implicit), "implicit");
}

TEST(Schedule, WrongPasswordsAndWaitsCountAsSlow) {
  scenario::ParseResult parsed = scenario::parse(
      "case fast\n title \"t\"\n rfc 959 §4\n level MUST\n > NOOP\n < 200\n"
      "case slow\n title \"t\"\n rfc 2577 §5\n level MUST\n require connection\n > USER u\n < 331\n > PASS bad\n < 530\n"
      "case ok-login\n title \"t\"\n rfc 959 §4\n level MUST\n require connection\n > PASS ${password}\n < 230\n wait 200ms\n",
      "s.ftpspec");
  ASSERT_TRUE(parsed.ok()) << parsed.diagnostics.front().str();
  EXPECT_LT(estimated_duration(parsed.cases[0]), std::chrono::milliseconds(10));
  EXPECT_GE(estimated_duration(parsed.cases[1]), std::chrono::milliseconds(1000));
  const auto with_wait = estimated_duration(parsed.cases[2]);
  EXPECT_GE(with_wait, std::chrono::milliseconds(200));
  EXPECT_LT(with_wait, std::chrono::milliseconds(1000)) << "the right password is not a delayed one";
}

TEST(Schedule, DelayedFirstThenWhatMayGoUnansweredThenFileOrder) {
  scenario::ParseResult parsed = scenario::parse(
      "case a\n title \"t\"\n rfc 959 §4\n level MUST\n require scratch\n stor ${scratch}/f data=\"x\"\n"
      "case b\n title \"t\"\n rfc 959 §4\n level MUST\n > NOOP\n < 200\n"
      "case raw\n title \"t\"\n rfc 1123 §4\n level MUST\n >! \"\\xff\\xfb\\x01\"\n > NOOP\n < 200\n"
      "case wait\n title \"t\"\n rfc 959 §4\n level MUST\n wait 300ms\n > NOOP\n < 200\n"
      "case bad-pass\n title \"t\"\n rfc 2577 §5\n level MUST\n require connection\n > USER u\n < 331\n > PASS bad\n < 530\n",
      "s.ftpspec");
  ASSERT_TRUE(parsed.ok()) << parsed.diagnostics.front().str();
  EXPECT_EQ(start_order(parsed.cases), (std::vector<std::size_t>{4, 3, 2, 0, 1}));
}

}  // namespace
}  // namespace ftpspec::run
