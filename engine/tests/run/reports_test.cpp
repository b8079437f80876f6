// Report writers: the JSON parses (Python's json module) and keeps hostile bytes visible, the JUnit
// XML is well-formed (xmllint) with unique classname+name, the terminal view lists findings.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "reports/escape.hpp"
#include "reports/json.hpp"
#include "reports/junit.hpp"
#include "reports/terminal.hpp"
#include "run/launcher.hpp"

namespace ftpspec::reports {
namespace {

namespace fs = std::filesystem;

const std::string kHostile = std::string("bad \x01\x1b[31m <&> \"q\" ]]> \xFF\xFE caf\xC3\xA9 \r\n", 34);

run::RunResult sample() {
  run::RunResult r;
  r.target = "ftp://tester@127.0.0.1:2121";
  r.tool_version = "0.1.0";
  r.greeting = {"220 hello " + kHostile};
  r.features = {"SIZE", "EPSV"};
  r.started_at = "2024-01-01T00:00:00Z";
  r.duration = std::chrono::milliseconds(1234);
  auto make = [](std::string id, std::string rfc, run::Verdict verdict) {
    run::CaseResult c;
    c.id = std::move(id);
    c.title = "title of " + c.id;
    c.rfc = {std::move(rfc)};
    c.verdict = verdict;
    c.loc = {"scenarios/x.ftpspec", 3, 1};
    c.transcript = "+0.000001 C> NOOP\\r\\n\n" + kHostile;
    if (verdict != run::Verdict::pass) {
      c.reason = "reason for " + c.id;
      c.steps.push_back({{"scenarios/x.ftpspec", 7, 3}, "< 200", verdict, "200", "500 " + kHostile, c.reason, "C> NOOP"});
    }
    return c;
  };
  r.cases = {make("noop-ok", "959 §4.1.3", run::Verdict::pass), make("broken", "959 §5.4", run::Verdict::fail),
             make("harness", "2428 §3", run::Verdict::error), make("absent", "3659 §4", run::Verdict::unsupported),
             make("soft", "959 §4.2", run::Verdict::warn), make("skipped-one", "3659 §7", run::Verdict::skipped)};
  return r;
}

/// Writes `text` to a temporary file and runs `command` with the file name appended; returns the
/// exit status and fills `output` with its stdout.
int run_on_file(const std::string& text, const std::string& command, std::string& output) {
  fs::path file = fs::temp_directory_path() / fmt::format("ftpspec-report-{}-{}", ::getpid(), std::rand());
  std::ofstream(file, std::ios::binary) << text;
  std::string line = command + " " + file.string() + " 2>&1";
  FILE* pipe = ::popen(line.c_str(), "r");
  char buffer[4096];
  output.clear();
  while (pipe && std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
  int status = pipe ? ::pclose(pipe) : -1;
  fs::remove(file);
  return status;
}

TEST(Escape, JsonKeepsHostileBytesVisible) {
  EXPECT_EQ(json_quote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(json_quote("\xFF"), "\"\\\\xFF\"");
  EXPECT_EQ(json_quote("caf\xC3\xA9"), "\"caf\xC3\xA9\"");
  EXPECT_EQ(json_quote("\xC3"), "\"\\\\xC3\"");        // truncated sequence
  EXPECT_EQ(json_quote("\xED\xA0\x80"), "\"\\\\xED\\\\xA0\\\\x80\"");  // a surrogate is not UTF-8
}

TEST(Escape, XmlControlBytesAreVisible) {
  EXPECT_EQ(xml_escape("<a & 'b'>\x01\x1f\xFF"), "&lt;a &amp; 'b'&gt;\\x01\\x1F\\xFF");
  EXPECT_EQ(xml_escape("\"x\"\n\t\r", true), "&quot;x&quot;&#10;&#9;&#13;");
}

TEST(JsonReport, ParsesAndCarriesTheSchema) {
  std::ostringstream out;
  write_json(sample(), out);
  std::string printed;
  int status = run_on_file(out.str(),
                           "/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
                           "print(d[\"schema\"], d[\"summary\"][\"fail\"], d[\"summary\"][\"total\"], len(d[\"cases\"]), "
                           "d[\"cases\"][1][\"steps\"][0][\"location\"][\"line\"], repr(d[\"greeting\"][0][-17:]))'",
                           printed);
  ASSERT_EQ(status, 0) << printed << out.str();
  EXPECT_EQ(printed, "ftpspec-results/1 1 6 6 7 ' \\\\xFF\\\\xFE café \\r\\n'\n");
  // Canonical: writing twice gives the same bytes, and keys come sorted.
  std::ostringstream again;
  write_json(sample(), again);
  EXPECT_EQ(out.str(), again.str());
  EXPECT_LT(out.str().find("\"cases\""), out.str().find("\"schema\""));
}

TEST(JunitReport, WellFormedWithUniqueNames) {
  std::ostringstream out;
  write_junit(sample(), out);
  std::string printed;
  ASSERT_EQ(run_on_file(out.str(), "xmllint --noout", printed), 0) << printed << out.str();
  int status = run_on_file(out.str(),
                           "/usr/bin/python3 -c 'import sys, xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); "
                           "c=r.findall(\".//testcase\"); k={(t.get(\"classname\"),t.get(\"name\")) for t in c}; "
                           "print(len(r.findall(\"testsuite\")), len(c), len(k), len(r.findall(\".//failure\")), "
                           "len(r.findall(\".//error\")), len(r.findall(\".//skipped\")), r.get(\"failures\"))'",
                           printed);
  ASSERT_EQ(status, 0) << printed;
  EXPECT_EQ(printed, "3 6 6 1 1 2 1\n");  // suites: RFC 959, 2428, 3659
  EXPECT_NE(out.str().find("\\x01\\x1B[31m"), std::string::npos);
}

TEST(TerminalReport, ListsFindingsWithoutColour) {
  std::ostringstream out;
  write_terminal(sample(), out, {false, true});
  const std::string text = out.str();
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << "no raw ESC: colour off and server bytes escaped";
  EXPECT_NE(text.find("RFC 959      3 cases  1 pass  1 fail  1 warn"), std::string::npos) << text;
  EXPECT_NE(text.find("fail  broken [MUST 959 §5.4] title of broken"), std::string::npos) << text;
  EXPECT_NE(text.find("at scenarios/x.ftpspec:7:3: < 200"), std::string::npos) << text;
  EXPECT_EQ(text.find("absent [MUST"), std::string::npos) << "unsupported is not a finding";
  EXPECT_NE(text.find("6 cases in 1.2s: 1 pass 1 fail 1 warn 1 unsupported 1 skipped 1 error"), std::string::npos) << text;
  std::ostringstream colored;
  write_terminal(sample(), colored, {true, false});
  EXPECT_NE(colored.str().find("\x1b[31;1m"), std::string::npos);
}

TEST(Launcher, ReadsListeningLineAndTerminates) {
  EXPECT_EQ(run::parse_listening_line("ftpspecd listening on [::1]:2121")->host, "::1");
  EXPECT_EQ(run::parse_listening_line("listening on 127.0.0.1:40000")->port, 40000);
  EXPECT_FALSE(run::parse_listening_line("listening on nothing"));
  run::LaunchedServer server("echo starting; echo 'fake listening on 127.0.0.1:4242'; exec sleep 30");
  run::LaunchedAddress address = server.wait_listening(std::chrono::seconds(5));
  EXPECT_EQ(address.host, "127.0.0.1");
  EXPECT_EQ(address.port, 4242);
  const auto before = std::chrono::steady_clock::now();
  server.terminate();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(10));
  EXPECT_EQ(server.output(), "starting\nfake listening on 127.0.0.1:4242\n");
  run::LaunchedServer quitter("echo bye");
  EXPECT_THROW(quitter.wait_listening(std::chrono::seconds(5)), std::runtime_error);
}

}  // namespace
}  // namespace ftpspec::reports
