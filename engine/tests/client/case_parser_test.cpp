// The `.ftpclient` parser: every statement into the AST, and diagnostics at file:line:column.
#include "client/case_parser.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "scenario/case_header.hpp"

namespace ftpspec::client {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> messages(const ParseResult& result) {
  std::vector<std::string> out;
  for (const auto& d : result.diagnostics) out.push_back(d.str());
  return out;
}

constexpr std::string_view kFull = R"(# a comment
case full-case
  title   "Every statement"
  rfc     959 §4.2, 2428 §3
  level   SHOULD
  operation resume "dir/a file.bin"
  tls explicit resume-required
  deadline 3s
  server-file "dir/a file.bin" random:1000
  server-file notes.txt "two\nlines"
  server-dir empty
  local-file @"dir/a file.bin"[:100]
  home "/q\"dir"
  replies lf-only multiline-codes delay=20ms split=2
  greeting reply 120 "wait" wait 100ms send "220 ok\r\n" split=1
  on EPSV reply 500 "no"
  on LIST,NLST#2 per-connection ~ "^-a" reply 501 "no options" close
  on RETR#1 serve cut=10 rate=1000 mark=125 final=250 final-text="done" order=together end=reset linger=1s ignore-rest
  on PASV serve address=127.0.0.2 decoy text="Entering Passive Mode {address}"
  on AUTH serve append="230 injected\r\n" code=234
  on STOR serve final=none final-delay=200ms interrupt=50ms no-data-connection
  on MLSD serve body="type=file; a\r\n" listing=dos
  on RETR#2 serve final-raw="226-a\r\n226 b\r\n"
  expect exit=0 local=@"dir/a file.bin" sent "REST 100" before "RETR .*"
  or     exit!=0 not-sent "PASS .*" warn "gave up"
  expect remote notes.txt=@notes.txt remote empty=dir remote gone=absent listed "a" not-listed "b" output ~ "x+"
  or     greeting-awaited tls-after-auth no-third-party local=absent fail
)";

TEST(ClientCaseParser, ParsesEveryStatement) {
  const ParseResult result = parse(kFull, "full.ftpclient");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(messages(result));
  ASSERT_EQ(result.cases.size(), 1u);
  const ClientCase& c = result.cases.front();
  EXPECT_EQ(c.id, "full-case");
  EXPECT_THAT(c.rfc, ElementsAre("959 §4.2", "2428 §3"));
  EXPECT_EQ(c.level, scenario::Level::should);
  EXPECT_EQ(c.operation, Operation::resume);
  EXPECT_EQ(c.path, "dir/a file.bin");
  EXPECT_EQ(c.local_name(), "a file.bin");
  EXPECT_TRUE(c.tls);
  EXPECT_TRUE(c.server.require_tls_resumption);
  EXPECT_EQ(c.deadline, std::chrono::seconds(3));
  ASSERT_EQ(c.server_files.size(), 3u);
  EXPECT_EQ(c.server_files[1].content->text, "two\nlines");
  EXPECT_FALSE(c.server_files[2].content);  // a directory
  ASSERT_TRUE(c.local_file);
  EXPECT_EQ(c.local_file->kind, Content::Kind::reference);
  EXPECT_EQ(c.local_file->text, "dir/a file.bin");
  EXPECT_EQ(c.local_file->end, 100u);
  EXPECT_EQ(c.server.home, "/q\"dir");
  EXPECT_TRUE(c.server.replies.lf_only && c.server.replies.code_on_every_line);
  EXPECT_EQ(c.server.replies.delay, std::chrono::milliseconds(20));
  EXPECT_EQ(c.server.replies.segment, 2u);
  ASSERT_EQ(c.server.greeting.size(), 3u);
  EXPECT_EQ(c.server.greeting[2].bytes, "220 ok\r\n");
  EXPECT_EQ(c.server.greeting[2].segment, 1u);

  const auto& rules = c.server.rules;
  ASSERT_EQ(rules.size(), 8u);
  EXPECT_THAT(rules[1].verbs, ElementsAre("LIST", "NLST"));
  EXPECT_EQ(rules[1].occurrence, 2u);
  EXPECT_TRUE(rules[1].per_connection);
  EXPECT_EQ(rules[1].argument_pattern, "^-a");
  ASSERT_EQ(rules[1].actions.size(), 2u);
  EXPECT_EQ(rules[1].actions[1].kind, ftpspecd::ScriptAction::Kind::close);
  EXPECT_TRUE(rules[2].actions.empty());  // serve alone: the command table's path
  const auto& shape = rules[2].serve.transfer;
  EXPECT_EQ(shape.data.drop_after, 10u);
  EXPECT_EQ(shape.data.bytes_per_second, 1000u);
  EXPECT_EQ(shape.mark, 125);
  EXPECT_EQ(shape.final_code, 250);
  EXPECT_EQ(shape.final_text, "done");
  EXPECT_EQ(shape.order, ftpspecd::TransferShape::Order::together);
  EXPECT_EQ(shape.end, ftpspecd::TransferShape::End::reset);
  EXPECT_EQ(shape.linger, std::chrono::seconds(1));
  EXPECT_TRUE(shape.ignore_rest);
  EXPECT_EQ(rules[3].serve.pasv_address, "127.0.0.2");
  EXPECT_TRUE(rules[3].serve.decoy);
  EXPECT_EQ(rules[3].serve.text, "Entering Passive Mode {address}");
  EXPECT_EQ(rules[4].serve.append, "230 injected\r\n");
  EXPECT_EQ(rules[4].serve.code, 234);
  EXPECT_EQ(rules[5].serve.transfer.final_raw, "");  // final=none
  EXPECT_EQ(rules[5].serve.transfer.final_delay, std::chrono::milliseconds(200));
  EXPECT_EQ(rules[5].serve.transfer.interrupt, std::chrono::milliseconds(50));
  EXPECT_TRUE(rules[5].serve.transfer.no_data_connection);
  EXPECT_EQ(rules[6].serve.transfer.listing_body, "type=file; a\r\n");
  EXPECT_EQ(rules[6].serve.transfer.listing, ftpspecd::ListFormat::dos);
  EXPECT_EQ(rules[7].serve.transfer.final_raw, "226-a\r\n226 b\r\n");

  ASSERT_EQ(c.expectations.size(), 2u);
  const auto& first = c.expectations[0];
  EXPECT_EQ(first.loc.line, 24);
  EXPECT_EQ(first.source, "expect exit=0 local=@\"dir/a file.bin\" sent \"REST 100\" before \"RETR .*\"");
  ASSERT_EQ(first.alternatives.size(), 2u);
  ASSERT_EQ(first.alternatives[0].checks.size(), 3u);
  EXPECT_EQ(first.alternatives[0].checks[2].kind, Check::Kind::sent_before);
  EXPECT_EQ(first.alternatives[0].checks[2].second, "RETR .*");
  EXPECT_EQ(first.alternatives[1].outcome, scenario::Outcome::warn);
  EXPECT_EQ(first.alternatives[1].reason, "gave up");
  const auto& second = c.expectations[1];
  ASSERT_EQ(second.alternatives[0].checks.size(), 6u);
  EXPECT_EQ(second.alternatives[0].checks[1].kind, Check::Kind::remote_dir);
  EXPECT_EQ(second.alternatives[0].checks[2].kind, Check::Kind::remote_absent);
  EXPECT_EQ(second.alternatives[1].checks.size(), 4u);
  EXPECT_EQ(second.alternatives[1].outcome, scenario::Outcome::fail);
}

TEST(ClientCaseParser, DiagnosticsPointAtTheToken) {
  const std::map<std::string, std::string> cases = {
      {"case a\n title \"t\"\n rfc 959 §4\n level MUST\n operation fetch x\n expect exit=0\n",
       "f:5:12: expected download, upload, list, resume, delete or mkdir after 'operation', found 'fetch'"},
      {"case a\n title \"t\"\n rfc 959 §4\n level MUST\n operation download x\n on RETR serve cut=lots\n expect exit=0\n",
       "f:6:20: expected a byte count after 'cut='"},
      {"case a\n title \"t\"\n rfc 959 §4\n level MUST\n operation download x\n on RETR serve frobnicate\n expect exit=0\n",
       "f:6:16: expected a serve option (code= text= cut= rate= mark= final= final-text= final-raw= final-delay= "
       "interrupt= order= end= linger= listing= body= address= append= no-data-connection ignore-rest decoy), found "
       "'frobnicate'"},
      {"case a\n title \"t\"\n rfc 959 §4\n level MUST\n operation download x\n expect exit=0 local=@nothing\n",
       "f:6:9: @nothing names no file of this case (a server-file PATH, or @local with a local-file)"},
      {"case a\n title \"t\"\n rfc 959 §4\n level MUST\n operation download x\n or exit=0\n",
       "f:6:2: 'or' must follow an 'expect' line (it adds an alternative)"},
      {"case a\n title \"t\"\n rfc 959 §4\n level MUST\n operation upload x\n expect exit=0\n",
       "f:1:1: case 'a': upload needs a 'local-file CONTENT'"},
      {"case a\n title \"t\"\n rfc 959 §4\n level MUST\n expect exit=0\n",
       "f:1:1: case 'a' has no 'operation download|upload|list|resume|delete|mkdir PATH'"},
      {"case a\n title \"t\"\n rfc 959 §4\n level MUST\n operation download x\n on RE7R reply 500 \"x\"\n expect exit=0\n",
       "f:6:5: expected a command verb like RETR, several like LIST,NLST, or 'any' after 'on', found 'RE7R'"},
      {"case a\n title \"t\"\n rfc 959 §4\n level MUST\n operation download x\n server-file ../x \"a\"\n expect exit=0\n",
       "f:6:2: '../x' must be a relative path without '..'"},
      {"case a\n title \"t\"\n rfc 959 §4\n level MUST\n operation download x\n expect exit=0 sent \"(\"\n",
       "f:6:21: invalid regular expression after 'sent': Mismatched '(' and ')' in regular expression"},
      {"case a\n title \"t\"\n rfc 959 §4\n level MUST\n operation download x\n expect\n",
       "f:6:8: expected at least one check after 'expect' (exit=, local=, remote, listed, not-listed, sent, "
       "not-sent, output ~, greeting-awaited, tls-after-auth, no-third-party)"},
      {"case a\n title \"t\"\n rfc 959 §4\n level MUST\n operation download x\n tls explicit resume-required\n tls explicit\n expect exit=0\n",
       "f:7:2: duplicate 'tls' in this case"},
      {"case a\n title \"t\"\n rfc 959 §4\n level MUST\n operation download x\n expect exit=zero\n or exit=0\n",
       "f:7:2: 'or' must follow an 'expect' line (it adds an alternative)"},
      {"case a\n title \"t\"\n rfc 959 §4\n level MUST\n operation download x\n server-file x @y\n server-file y @x[1:]\n"
       " expect exit=0\n",
       "f:6:2: file references go round in a circle (x)"},
  };
  for (const auto& [text, message] : cases) {
    const ParseResult result = parse(text, "f");
    EXPECT_THAT(messages(result), ::testing::Contains(message)) << text;
  }
}

TEST(ClientCaseParser, SharesTheScenarioHeaderRules) {
  const ParseResult result = parse("case bad id\n rfc nine\n level LOUD\n", "h.ftpclient");
  EXPECT_THAT(messages(result), ::testing::IsSupersetOf({
      "h.ftpclient:1:10: unexpected 'id' at the end of the statement",
      "h.ftpclient:2:6: expected an RFC reference like '959 §4.1.3' after 'rfc', found 'nine'",
      "h.ftpclient:3:8: expected MUST, SHOULD or MAY after 'level', found 'LOUD'",
      "h.ftpclient:1:1: case 'bad' has no 'title \"...\"'",
  }));
}

TEST(ClientCaseParser, TheShippedSuiteParsesWithTwoCasesPerFileAndAnRfcEach) {
  const ParseResult result = load_suite({FTPSPEC_CLIENT_SUITE_DIR});
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(messages(result));
  EXPECT_GE(result.cases.size(), 60u);
  std::map<std::string, int> per_file;
  for (const auto& c : result.cases) {
    ++per_file[c.loc.file];
    EXPECT_FALSE(c.rfc.empty()) << c.id;
    for (const auto& reference : c.rfc) EXPECT_NE(reference.find("§"), std::string::npos) << c.id << ": " << reference;
  }
  for (const auto& [file, count] : per_file) EXPECT_GE(count, 2) << file;
}

TEST(ClientCaseParser, DuplicateIdsAcrossTheSuite) {
  ParseResult one = parse("case same\n title \"t\"\n rfc 959 §4\n level MUST\n operation mkdir d\n expect exit=0\n", "a");
  ParseResult two = parse("case same\n title \"t\"\n rfc 959 §4\n level MUST\n operation mkdir d\n expect exit=0\n", "b");
  std::vector<ClientCase> cases = std::move(one.cases);
  cases.push_back(std::move(two.cases.front()));
  std::vector<scenario::Diagnostic> diagnostics;
  scenario::keep_unique_ids(cases, diagnostics);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics.front().str(), "b:1:1: duplicate case id 'same' (first defined at a:1:1)");
  EXPECT_EQ(cases.size(), 1u);
}

}  // namespace
}  // namespace ftpspec::client
