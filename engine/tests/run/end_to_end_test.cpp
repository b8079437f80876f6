// The runner against the real ftpspecd, in-process over loopback: the shipped scenarios, and
// hand-written cases that must fail, error or skip with the right evidence.
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "run/runner.hpp"
#include "scenario/parser.hpp"
#include "server/server.hpp"

namespace ftpspec::run {
namespace {

namespace fs = std::filesystem;

/// The shipped suite in the source tree.
fs::path scenario_dir() { return fs::path(FTPSPEC_SOURCE_DIR) / "scenarios"; }

class EndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / fmt::format("ftpspec-e2e-{}-{}", ::getpid(), counter_++);
    fs::create_directories(root_);
    ftpspecd::Config config;
    config.root = root_;
    config.users.push_back({"tester", "secret", {}, false});
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
    server_->stop();
    server_.reset();
    fs::remove_all(root_);
  }

  CaseResult run_one(std::string_view text) {
    scenario::ParseResult parsed = scenario::parse(text, "inline.ftpspec");
    EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.diagnostics.front().str());
    RunResult result = run_suite(parsed.cases, options_);
    return result.cases.at(0);
  }

  static inline int counter_ = 0;
  fs::path root_;
  std::unique_ptr<ftpspecd::Server> server_;
  RunOptions options_;
};

// Findings against ftpspecd that are reported to its author; excluded so this test checks the
// runner, not the server's backlog.
// ftpspecd bugs the suite found (tests/baselines/ftpspecd.json has the notes); server2 fixes them.
const std::set<std::string> kKnownServerFindings = {
};

TEST_F(EndToEnd, ShippedScenariosPassAgainstFtpspecd) {
  scenario::ParseResult suite = scenario::load_suite({scenario_dir()});
  ASSERT_TRUE(suite.ok()) << suite.diagnostics.front().str();
  ASSERT_GE(suite.cases.size(), 250u);
  std::size_t passed = 0;
  std::size_t progress_calls = 0;
  RunResult result = run_suite(suite.cases, options_, [&](const CaseResult&, std::size_t done, std::size_t total) {
    ++progress_calls;
    EXPECT_LE(done, total);
  });
  EXPECT_EQ(progress_calls, suite.cases.size());
  ASSERT_EQ(result.cases.size(), suite.cases.size());
  EXPECT_EQ(result.greeting, std::vector<std::string>{"220 ftpspecd ready"});
  EXPECT_FALSE(result.features.empty());
  for (const CaseResult& c : result.cases) {
    EXPECT_EQ(c.id, suite.cases[static_cast<std::size_t>(&c - result.cases.data())].id) << "results keep file order";
    if (kKnownServerFindings.count(c.id)) continue;
    // Optional features ftpspecd does not offer here (TLS without a certificate, SMNT, ...) are
    // unsupported/skipped/warn by design; a fail or an error is a regression.
    EXPECT_NE(c.verdict, Verdict::fail) << c.id << ": " << c.reason << "\n" << c.transcript;
    EXPECT_NE(c.verdict, Verdict::error) << c.id << ": " << c.reason << "\n" << c.transcript;
    if (c.verdict == Verdict::pass) ++passed;
  }
  EXPECT_GE(passed, suite.cases.size() * 9 / 10) << "most cases pass against the reference server";
  // Scratch directories are removed after each case.
  EXPECT_TRUE(fs::is_empty(root_)) << fs::directory_iterator(root_)->path();
}

TEST_F(EndToEnd, WrongReplyFailsWithEvidence) {
  CaseResult c = run_one("case wrong\n title \"t\"\n rfc 959 §4.1.3\n level MUST\n > NOOP\n < 250\n > NOOP\n < 200\n");
  EXPECT_EQ(c.verdict, Verdict::fail);
  ASSERT_EQ(c.steps.size(), 1u) << "the case stops at the first failing step";
  const StepResult& step = c.steps[0];
  EXPECT_EQ(step.loc.str(), "inline.ftpspec:6:2");
  EXPECT_EQ(step.source, "< 250");
  EXPECT_EQ(step.expected, "250");
  EXPECT_EQ(step.actual.substr(0, 4), "200 ");
  EXPECT_NE(step.transcript.find("C> NOOP\\r\\n"), std::string::npos) << step.transcript;
  EXPECT_EQ(step.transcript.find("USER"), std::string::npos) << "the excerpt starts after the login";
  EXPECT_EQ(c.reason, "expected 250, got 200 (MUST case)");
  EXPECT_EQ(c.deciding_step(), &c.steps[0]);
}

TEST_F(EndToEnd, TransferDataMismatchFails) {
  CaseResult c = run_one(
      "case data\n title \"t\"\n rfc 959 §4.1.3\n level SHOULD\n require scratch\n"
      " stor ${scratch}/f data=\"abc\" type=I\n retr ${scratch}/f type=I expect-data \"abd\"\n");
  EXPECT_EQ(c.verdict, Verdict::warn) << c.reason;
  EXPECT_EQ(c.reason, "data differs at byte 2 (expected 3 bytes, got 3)");
}

TEST_F(EndToEnd, SkipUnlessFeatureSkips) {
  CaseResult c = run_one("case skip\n title \"t\"\n rfc 3659 §7\n level MAY\n skip-unless feat \"NO-SUCH-FEATURE\"\n > NOOP\n < 200\n");
  EXPECT_EQ(c.verdict, Verdict::skipped);
  EXPECT_EQ(c.reason, "the server does not list NO-SUCH-FEATURE in FEAT");
}

TEST_F(EndToEnd, UnreachableTargetIsAnErrorNotAFail) {
  scenario::ParseResult parsed =
      scenario::parse("case e\n title \"t\"\n rfc 959 §4\n level MUST\n > NOOP\n < 200\n", "e.ftpspec");
  CaseContext context{options_.target, options_.timeouts, {}};
  server_->stop();
  CaseResult c = run_case(parsed.cases.at(0), context);
  EXPECT_EQ(c.verdict, Verdict::error);
  EXPECT_THROW(probe(options_), TargetUnreachable);
}

TEST_F(EndToEnd, WrongPasswordIsAPreconditionError) {
  options_.target.password = "wrong";
  scenario::ParseResult parsed =
      scenario::parse("case e\n title \"t\"\n rfc 959 §4\n level MUST\n > NOOP\n < 200\n", "e.ftpspec");
  CaseResult c = run_case(parsed.cases.at(0), {options_.target, options_.timeouts, {}});
  EXPECT_EQ(c.verdict, Verdict::error);
  EXPECT_EQ(c.reason, "precondition: login with the target's user and password failed");
}

}  // namespace
}  // namespace ftpspec::run
