// The judgement: each check against what a client left behind, alternatives in order, the case
// level for an outcome no alternative names, and the record's "before the greeting" reading.
#include "client/judge.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "client/case_parser.hpp"
#include "temp_root.hpp"

namespace ftpspec::client {
namespace {

using Entry = ftpspecd::Recorder::Entry;
using Kind = ftpspecd::Recorder::Kind;
using Tag = ftpspecd::Recorder::Tag;
using std::chrono::microseconds;

ClientCase parse_one(std::string_view body) {
  const std::string text = "case j\n title \"t\"\n rfc 959 §4.2\n level MUST\n" + std::string(body);
  ParseResult result = parse(text, "j.ftpclient");
  EXPECT_TRUE(result.ok()) << (result.diagnostics.empty() ? "" : result.diagnostics.front().str());
  return std::move(result.cases.front());
}

void write(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

class JudgeTest : public ::testing::Test {
 protected:
  run::StepResult judge_first(const ClientCase& c, const ClientOutcome& outcome, const std::vector<Entry>& entries = {}) {
    const CaseFiles files(c);
    const RecordView record(entries);
    const Observation observed{c, files, outcome, record, dir_.path() / "work" / c.local_name(), dir_.path() / "root"};
    return judge(c.expectations.front(), observed, c.level);
  }
  static ClientOutcome exited(int status, std::string output = {}) {
    ClientOutcome outcome;
    outcome.exit_status = status;
    outcome.output = std::move(output);
    return outcome;
  }
  testing::TempRoot dir_;
};

TEST_F(JudgeTest, TruncatedDownloadKeptWithExitZeroFails) {
  const ClientCase c = parse_one(" operation download data.bin\n server-file data.bin \"0123456789\"\n"
                                 " expect exit=0 local=@data.bin\n or exit!=0\n");
  write(dir_.path() / "work" / "data.bin", "01234");
  const run::StepResult kept = judge_first(c, exited(0));
  EXPECT_EQ(kept.verdict, run::Verdict::fail);
  EXPECT_EQ(kept.reason, "no expected outcome: local=@data.bin: local data.bin: 5 bytes, expected 10; they differ from byte 5; "
                         "or exit!=0: exit status 0 (exit 0 after 0.0 s)");
  EXPECT_EQ(judge_first(c, exited(18)).verdict, run::Verdict::pass);  // reported
  write(dir_.path() / "work" / "data.bin", "0123456789");
  EXPECT_EQ(judge_first(c, exited(0)).verdict, run::Verdict::pass);
  ClientOutcome hung;
  hung.hung = true;
  EXPECT_EQ(judge_first(c, hung).verdict, run::Verdict::fail);  // neither alternative: a hang reports nothing
}

TEST_F(JudgeTest, LevelsGradeTheUnexpectedAndOutcomesNameTheirReason) {
  ClientCase c = parse_one(" operation download data.bin\n server-file data.bin \"x\"\n"
                           " expect exit=0\n or exit=3 warn \"exited 3\"\n");
  EXPECT_EQ(judge_first(c, exited(3)).reason, "exited 3");
  EXPECT_EQ(judge_first(c, exited(3)).verdict, run::Verdict::warn);
  c.level = scenario::Level::should;
  EXPECT_EQ(judge_first(c, exited(1)).verdict, run::Verdict::warn);
  c.level = scenario::Level::may;
  EXPECT_EQ(judge_first(c, exited(1)).verdict, run::Verdict::unsupported);
}

TEST_F(JudgeTest, RemoteFilesAndListedNames) {
  const ClientCase c = parse_one(" operation list pub\n local-file \"up\"\n"
                                 " expect remote up.bin=@local remote pub=dir remote gone=absent listed \"two words.txt\" "
                                 "listed \"link\" not-listed \"sub\"\n");
  write(dir_.path() / "root" / "up.bin", "up");
  std::filesystem::create_directories(dir_.path() / "root" / "pub");
  // wget's HTML index escapes the space; lftp's cls -F marks a link with '@'; "subway" is not "sub".
  const std::string output = "<a href=\"x\">two&#32;words.txt</a>\nlink@\nsubway\n";
  EXPECT_EQ(judge_first(c, exited(0, output)).verdict, run::Verdict::pass) << judge_first(c, exited(0, output)).reason;
  EXPECT_EQ(judge_first(c, exited(0, output + "sub/\n")).verdict, run::Verdict::fail);
}

TEST_F(JudgeTest, CommandsInOrderOnTheirConnection) {
  const ClientCase c = parse_one(" operation download d\n expect sent \"TYPE I\" before \"RETR .*\" not-sent \"PASS .*\"\n");
  const std::vector<Entry> good = {{microseconds(1), 1, Kind::command, Tag::none, "TYPE I"},
                                   {microseconds(2), 1, Kind::command, Tag::none, "RETR d"}};
  EXPECT_EQ(judge_first(c, exited(0), good).verdict, run::Verdict::pass);
  // TYPE I on another connection does not count for this RETR.
  const std::vector<Entry> elsewhere = {{microseconds(1), 1, Kind::command, Tag::none, "TYPE I"},
                                        {microseconds(2), 2, Kind::command, Tag::none, "retr d"}};
  const run::StepResult step = judge_first(c, exited(0), elsewhere);
  EXPECT_EQ(step.verdict, run::Verdict::fail);
  EXPECT_NE(step.reason.find("sent: TYPE I, retr d"), std::string::npos) << step.reason;
  const std::vector<Entry> password = {{microseconds(1), 1, Kind::command, Tag::none, "TYPE I"},
                                       {microseconds(2), 1, Kind::command, Tag::none, "PASS secret"},
                                       {microseconds(3), 1, Kind::command, Tag::none, "RETR d"}};
  EXPECT_EQ(judge_first(c, exited(0), password).verdict, run::Verdict::fail);
}

TEST_F(JudgeTest, NothingBeforeTheGreeting) {
  const ClientCase c = parse_one(" operation download d\n expect greeting-awaited\n");
  // The greeting's last byte was written at 300 us (the time before the write); USER came at 200.
  const std::vector<Entry> early = {{microseconds(100), 1, Kind::sent, Tag::none, "120 wait\r\n"},
                                    {microseconds(200), 1, Kind::received, Tag::none, "USER a\r\n"},
                                    {microseconds(300), 1, Kind::sent, Tag::none, "220 ok\r\n"},
                                    {microseconds(310), 1, Kind::event, Tag::greeting_complete, "18"}};
  const run::StepResult step = judge_first(c, exited(0), early);
  EXPECT_EQ(step.verdict, run::Verdict::fail);
  EXPECT_EQ(step.reason, "no expected outcome: greeting-awaited: #1: 'USER a\\r\\n' before the greeting was complete "
                         "(exit 0 after 0.0 s)");
  const std::vector<Entry> patient = {{microseconds(100), 1, Kind::sent, Tag::none, "120 wait\r\n"},
                                      {microseconds(300), 1, Kind::sent, Tag::none, "220 ok\r\n"},
                                      {microseconds(310), 1, Kind::event, Tag::greeting_complete, "18"},
                                      {microseconds(400), 1, Kind::received, Tag::none, "USER a\r\n"}};
  EXPECT_EQ(judge_first(c, exited(0), patient).verdict, run::Verdict::pass);
}

TEST_F(JudgeTest, EventsOfTheRecord) {
  const ClientCase c = parse_one(" operation download d\n expect tls-after-auth no-third-party\n");
  EXPECT_EQ(judge_first(c, exited(0)).verdict, run::Verdict::pass);
  const std::vector<Entry> leak = {{microseconds(1), 1, Kind::event, Tag::plaintext_after_auth, "USER x"}};
  EXPECT_EQ(judge_first(c, exited(0), leak).verdict, run::Verdict::fail);
  const std::vector<Entry> visit = {{microseconds(1), 1, Kind::event, Tag::third_party, "connected to 127.0.0.2:1"}};
  EXPECT_EQ(judge_first(c, exited(0), visit).verdict, run::Verdict::fail);
}

}  // namespace
}  // namespace ftpspec::client
