// Grading replies: first matching alternative, level-based grading of unmatched replies, and the
// RFC 959 §5.4 table overriding the level for codes a verb may never get.
#include "run/expectation.hpp"

#include <gtest/gtest.h>

#include "run/case_runner.hpp"
#include "run/target.hpp"
#include "scenario/parser.hpp"

namespace ftpspec::run {
namespace {

scenario::Expect expectation(std::string_view lines) {
  scenario::ParseResult r = scenario::parse(
      "case e\n title \"t\"\n rfc 959 §4\n level MUST\n" + std::string(lines), "e.ftpspec");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.diagnostics.front().str());
  return std::get<scenario::Expect>(r.cases.at(0).steps.at(0).body);
}

proto::Reply reply(int code, std::vector<std::string> lines) { return {code, std::move(lines)}; }

TEST(Verdict, GradeUnmatchedByLevel) {
  using scenario::Level;
  EXPECT_EQ(grade_unmatched(Level::must, 502, true), Verdict::fail);
  EXPECT_EQ(grade_unmatched(Level::should, 502, true), Verdict::warn);
  EXPECT_EQ(grade_unmatched(Level::may, 502, true), Verdict::unsupported);
  EXPECT_EQ(grade_unmatched(Level::may, 200, true), Verdict::fail);
  EXPECT_EQ(grade_unmatched(Level::should, 200, false), Verdict::fail);
  EXPECT_EQ(worst(Verdict::warn, Verdict::fail), Verdict::fail);
  EXPECT_EQ(worst(Verdict::error, Verdict::fail), Verdict::error);
  EXPECT_EQ(worst(Verdict::pass, Verdict::skipped), Verdict::skipped);
}

TEST(Expectation, FirstMatchingAlternativeDecides) {
  auto expect = expectation(" < 200|202\n or 5xx unsupported \"absent\"\n");
  Judgement ok = judge_reply(expect, reply(202, {"202 Superfluous"}), scenario::Level::must, "NOOP");
  EXPECT_EQ(ok.verdict, Verdict::pass);
  EXPECT_EQ(ok.expected, "200|202 or 5xx unsupported");
  Judgement refused = judge_reply(expect, reply(502, {"502 No"}), scenario::Level::must, "SITE");
  EXPECT_EQ(refused.verdict, Verdict::unsupported);
  EXPECT_EQ(refused.reason, "absent");
}

TEST(Expectation, TextChecks) {
  auto contains = expectation(" < 227 ~ \"\\d+,\\d+,\\d+,\\d+,\\d+,\\d+\"\n");
  EXPECT_EQ(judge_reply(contains, reply(227, {"227 Entering Passive Mode (127,0,0,1,4,1)"}), scenario::Level::must, "PASV").verdict,
            Verdict::pass);
  EXPECT_EQ(judge_reply(contains, reply(227, {"227 Entering Passive Mode"}), scenario::Level::must, "PASV").verdict,
            Verdict::fail);
  auto feat = expectation(" < 211 multiline inner ~ \"^ [!-~]\"\n");
  EXPECT_EQ(judge_reply(feat, reply(211, {"211-Features:", " SIZE", " MDTM", "211 End"}), scenario::Level::must, "FEAT").verdict,
            Verdict::pass);
  EXPECT_EQ(judge_reply(feat, reply(211, {"211-Features:", "SIZE", "211 End"}), scenario::Level::must, "FEAT").verdict,
            Verdict::fail);
  EXPECT_EQ(judge_reply(feat, reply(211, {"211 no features"}), scenario::Level::must, "FEAT").verdict, Verdict::fail);
  auto negative = expectation(" < 257 !~ \"inner\"\n");
  EXPECT_EQ(judge_reply(negative, reply(257, {"257 \"/a/inner\""}), scenario::Level::must, "PWD").verdict, Verdict::fail);
  EXPECT_EQ(judge_reply(negative, reply(257, {"257 \"/a\""}), scenario::Level::must, "PWD").verdict, Verdict::pass);
}

TEST(Expectation, UnmatchedReplyGradedByLevel) {
  auto expect = expectation(" < 200\n");
  EXPECT_EQ(judge_reply(expect, reply(504, {"504 x"}), scenario::Level::must, "TYPE").verdict, Verdict::fail);
  EXPECT_EQ(judge_reply(expect, reply(504, {"504 x"}), scenario::Level::should, "TYPE").verdict, Verdict::warn);
  Judgement may = judge_reply(expect, reply(504, {"504 x"}), scenario::Level::may, "TYPE");
  EXPECT_EQ(may.verdict, Verdict::unsupported);
  EXPECT_EQ(may.reason, "expected 200, got 504 (MAY case)");
}

TEST(Expectation, CodeOutsideRfc959SequencesFailsAtAnyLevel) {
  auto expect = expectation(" < 200\n");
  // RFC 959 §5.4: NOOP may be answered 200, 500 or 421 only.
  Judgement j = judge_reply(expect, reply(250, {"250 ok"}), scenario::Level::may, "NOOP");
  EXPECT_EQ(j.verdict, Verdict::fail);
  EXPECT_NE(j.reason.find("not allowed by RFC 959 §5.4"), std::string::npos) << j.reason;
  // A verb the table does not know is judged by the case alone.
  EXPECT_EQ(judge_reply(expect, reply(250, {"250 ok"}), scenario::Level::should, "XYZZ").verdict, Verdict::warn);
}

TEST(Target, ParsesUrls) {
  std::string error;
  auto t = parse_target("ftp://us%40er:p%3Ass@[::1]:2121/ignored", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->user, "us@er");
  EXPECT_EQ(t->password, "p:ss");
  EXPECT_EQ(t->host, "::1");
  EXPECT_EQ(t->port, 2121);
  EXPECT_EQ(t->display_url(), "ftp://us@er@[::1]:2121");
  auto plain = parse_target("ftp://127.0.0.1", error);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->user, "anonymous");
  EXPECT_EQ(plain->port, 21);
  EXPECT_FALSE(parse_target("http://x", error));
  EXPECT_FALSE(parse_target("ftp://a:b@host:99999", error));
  EXPECT_EQ(error, "invalid port '99999'");
  EXPECT_FALSE(parse_target("ftp://[::1:21", error));
  EXPECT_FALSE(parse_target("ftp://u%zz:p@h", error));
  EXPECT_FALSE(parse_target("ftp://u:p@", error));
}

TEST(Variables, Expansion) {
  std::vector<std::pair<std::string, std::string>> vars = {{"user", "bob"}, {"scratch", "/tmp/s"}};
  EXPECT_EQ(expand_variables("USER ${user}", vars), "USER bob");
  EXPECT_EQ(expand_variables("${scratch}/${scratch}", vars), "/tmp/s//tmp/s");
  EXPECT_EQ(expand_variables("${other} ${", vars), "${other} ${");
}

}  // namespace
}  // namespace ftpspec::run
