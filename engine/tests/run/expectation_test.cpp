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
  EXPECT_EQ(judge_reply(expect, reply(550, {"550 x"}), scenario::Level::must, "ALLO 10").verdict, Verdict::fail);
  EXPECT_EQ(judge_reply(expect, reply(501, {"501 x"}), scenario::Level::should, "ALLO 10").verdict, Verdict::warn);
  Judgement may = judge_reply(expect, reply(501, {"501 x"}), scenario::Level::may, "ALLO 10");
  EXPECT_EQ(may.verdict, Verdict::unsupported);
  EXPECT_EQ(may.reason, "expected 200, got 501 (MAY case)");
  // A MAY case may ask for an action a server refuses: a required command's 5yz is that refusal.
  EXPECT_EQ(judge_reply(expect, reply(550, {"550 x"}), scenario::Level::may, "MKD /x").verdict, Verdict::unsupported);
  // An optional command the server advertises must follow its rules (RFC 3659 §7.2.1: 550).
  EXPECT_EQ(judge_reply(expectation(" < 550\n"), reply(501, {"501 x"}), scenario::Level::may, "MLSD /nope",
                        proto::ReplyStage::first, {}, ServerKnowledge({"MLST type*;"}))
                .verdict,
            Verdict::fail);
}

TEST(Expectation, NotImplementedIsUnsupportedOnlyForOptionalCommandsTheServerLacks) {
  auto expect = expectation(" < 229\n");
  // Twisted: "502 Command 'EPSV' not implemented" — optional (RFC 2428), unsupported at every level.
  Judgement epsv = judge_reply(expect, reply(502, {"502 no"}), scenario::Level::must, "EPSV");
  EXPECT_EQ(epsv.verdict, Verdict::unsupported);
  EXPECT_EQ(epsv.basis, Judgement::Basis::not_implemented);
  // Advertised in FEAT: the 500 is a wrong answer of an implemented command.
  const ServerKnowledge feat({"EPSV", "MLST type*;size*;"});
  EXPECT_EQ(judge_reply(expect, reply(500, {"500 no"}), scenario::Level::must, "EPSV", proto::ReplyStage::first, {}, feat).verdict,
            Verdict::fail);
  EXPECT_TRUE(feat.implements("MLSD /x")) << "the MLST feature covers MLSD (RFC 3659 §7.8)";
  EXPECT_TRUE(feat.implements("OPTS UTF8 ON")) << "RFC 2389 §4: OPTS comes with FEAT";
  // A required command answered 502 fails: RFC 1123 §4.1.2.13 requires it.
  Judgement stat = judge_reply(expectation(" < 211\n"), reply(502, {"502 no"}), scenario::Level::should, "STAT");
  EXPECT_EQ(stat.verdict, Verdict::fail);
  EXPECT_EQ(stat.rfc, "1123 §4.1.2.13");
  // X-verbs and ACCT are recommended: graded by the level.
  EXPECT_EQ(judge_reply(expectation(" < 257\n"), reply(502, {"502 no"}), scenario::Level::should, "XPWD").verdict,
            Verdict::warn);
  // An explicit "unsupported" alternative does not apply to a command known to be implemented.
  auto lenient = expectation(" < 501\n or 500|502 unsupported \"not implemented\"\n");
  EXPECT_EQ(judge_reply(lenient, reply(500, {"500 no"}), scenario::Level::should, "MDTM").verdict, Verdict::unsupported);
  EXPECT_EQ(judge_reply(lenient, reply(500, {"500 no"}), scenario::Level::should, "MDTM", proto::ReplyStage::first, {},
                        ServerKnowledge({"MDTM"}))
                .verdict,
            Verdict::warn);
  // Seen earlier in the case: known too.
  ServerKnowledge seen;
  seen.saw_reply("ALLO 100", 202);
  EXPECT_EQ(judge_reply(lenient, reply(500, {"500 no"}), scenario::Level::should, "ALLO x", proto::ReplyStage::first, {}, seen)
                .verdict,
            Verdict::warn);
}

TEST(Expectation, RepresentationParametersAreOptionalOneByOne) {
  auto expect = expectation(" < 200\n");
  EXPECT_EQ(judge_reply(expect, reply(504, {"504 x"}), scenario::Level::must, "TYPE E").verdict, Verdict::unsupported);
  EXPECT_EQ(judge_reply(expect, reply(504, {"504 x"}), scenario::Level::must, "TYPE L 8").verdict, Verdict::fail)
      << "TYPE L 8 is required";
  EXPECT_EQ(judge_reply(expect, reply(504, {"504 x"}), scenario::Level::should, "TYPE L").verdict, Verdict::warn)
      << "no byte size: a syntax error (501) answered as if a parameter were unimplemented";
  EXPECT_EQ(judge_reply(expect, reply(502, {"502 x"}), scenario::Level::must, "MODE B").verdict, Verdict::unsupported);
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
