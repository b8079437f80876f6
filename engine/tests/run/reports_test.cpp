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
#include "reports/grouping.hpp"
#include "reports/html.hpp"
#include "reports/json.hpp"
#include "reports/json_read.hpp"
#include "reports/junit.hpp"
#include "reports/matrix.hpp"
#include "reports/svg_sequence.hpp"
#include "reports/terminal.hpp"
#include "reports/transcript_lines.hpp"
#include "run/findings.hpp"
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
      c.steps.push_back({{"scenarios/x.ftpspec", 7, 3}, "< 200", verdict, "200", "500 " + kHostile, c.reason, "C> NOOP", "NOOP", 500, "", ""});
    }
    return c;
  };
  r.cases = {make("noop-ok", "959 §4.1.3", run::Verdict::pass), make("broken", "959 §5.4", run::Verdict::fail),
             make("harness", "2428 §3", run::Verdict::error), make("absent", "3659 §4", run::Verdict::unsupported),
             make("soft", "959 §4.2", run::Verdict::warn), make("skipped-one", "3659 §7", run::Verdict::skipped),
             make("needs-noop", "959 §4.1.3", run::Verdict::blocked)};
  // "needs-noop" needed the NOOP that "broken" tests: one finding, touching both.
  r.cases.back().blocked_on = run::SetupDefect{"NOOP", 500, "500 no", "NOOP answers 200", "959 §5.4"};
  run::derive_findings(r);
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
  EXPECT_EQ(valid_utf8("a\"b\\c\n\x01"), "a\"b\\c\n\x01");
  EXPECT_EQ(valid_utf8("\xFF"), "\\xFF");
  EXPECT_EQ(valid_utf8("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(valid_utf8("\xC3"), "\\xC3");                        // truncated sequence
  EXPECT_EQ(valid_utf8("\xED\xA0\x80"), "\\xED\\xA0\\x80");  // a surrogate is not UTF-8
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
  EXPECT_EQ(printed, "ftpspec-results/2 1 7 7 7 ' \\\\xFF\\\\xFE café \\r\\n'\n");
  // Canonical: writing twice gives the same bytes, and keys come sorted.
  std::ostringstream again;
  write_json(sample(), again);
  EXPECT_EQ(out.str(), again.str());
  EXPECT_LT(out.str().find("\"cases\""), out.str().find("\"schema\""));
}

/// Bytes no report may pass through raw: NUL, ESC, 0xFF, a script end tag, a CDATA end.
constexpr char kBreakerBytes[] = "\0 \x1b[2J \xFF </script><script>alert(1)</script> ]]> <!-- -->";
const std::string kBreaker(kBreakerBytes, sizeof kBreakerBytes - 1);

/// sample() with kBreaker in every string a server or a scenario author controls.
run::RunResult hostile_sample() {
  run::RunResult r = sample();
  r.greeting.push_back("220 " + kBreaker);
  r.features.push_back("MLST " + kBreaker);
  r.server_output = kBreaker;
  for (auto& c : r.cases) {
    c.title += kBreaker;
    c.transcript += "+0.000200 S> 500 " + kBreaker + "\n";
    if (!c.steps.empty()) {
      c.reason += kBreaker;
      c.steps.front().actual += kBreaker;
      c.steps.front().transcript += kBreaker;
    }
  }
  return r;
}

/// A file of the source tree.
std::string source_path(const std::string& relative) {
  return (fs::path(FTPSPEC_SOURCE_DIR) / relative).lexically_normal().string();
}

TEST(JunitReport, ValidatesAgainstTheSchema) {
  std::ostringstream out;
  write_junit(hostile_sample(), out);
  std::string printed;
  const std::string validate = "xmllint --noout --schema " + source_path("tests/schemas/junit.xsd");
  ASSERT_EQ(run_on_file(out.str(), validate, printed), 0) << printed << out.str();
  EXPECT_NE(out.str().find("timestamp=\"2024-01-01T00:00:00\""), std::string::npos) << "Ant form: no zone designator";
  EXPECT_EQ(out.str().find('\0'), std::string::npos);
  EXPECT_EQ(out.str().find('\x1b'), std::string::npos);
  EXPECT_EQ(out.str().find("]]>"), std::string::npos) << "']]>' is escaped as ']]&gt;'";
  EXPECT_NE(out.str().find("verdict: warn"), std::string::npos) << "a warn is a pass that says so";
  // The schema is not a rubber stamp: a zoned timestamp and a repeated case are both rejected.
  std::string zoned = out.str();
  zoned.replace(zoned.find("2024-01-01T00:00:00\""), 20, "2024-01-01T00:00:00Z\"");
  EXPECT_NE(run_on_file(zoned, validate, printed), 0) << "timestamp with Z must not validate";
  run::RunResult twice = sample();
  twice.cases.push_back(twice.cases.front());
  std::ostringstream duplicate;
  write_junit(twice, duplicate);
  EXPECT_NE(run_on_file(duplicate.str(), validate, printed), 0) << "duplicate classname+name must not validate";
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
  // suites: findings, RFC 959, 2428, 3659; the finding is a testcase of its own (a failure), the
  // blocked case a skipped one.
  EXPECT_EQ(printed, "4 8 8 2 1 3 2\n");
  EXPECT_NE(out.str().find("\\x01\\x1B[31m"), std::string::npos);
}

TEST(TerminalReport, ListsFindingsWithoutColour) {
  std::ostringstream out;
  write_terminal(sample(), out, {false, true});
  const std::string text = out.str();
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << "no raw ESC: colour off and server bytes escaped";
  EXPECT_NE(text.find("ftp://tester@127.0.0.1:2121: 1 finding, 1 at MUST level\n  F1  MUST   NOOP: 500 "), std::string::npos) << text;
  EXPECT_LT(text.find("F1"), text.find("RFC 959 ")) << "the findings lead";
  EXPECT_NE(text.find("        fails: broken\n        blocks: needs-noop\n"), std::string::npos) << text;
  EXPECT_NE(text.find("RFC 959      4 cases  1 pass  1 fail  1 warn  1 blocked"), std::string::npos) << text;
  EXPECT_NE(text.find("fail    broken [MUST 959 §5.4] title of broken (F1)"), std::string::npos) << text;
  EXPECT_NE(text.find("blocked needs-noop [MUST 959 §4.1.3] title of needs-noop (F1)\n        blocked by broken (F1)"),
            std::string::npos) << text;
  EXPECT_NE(text.find("at scenarios/x.ftpspec:7:3: < 200"), std::string::npos) << text;
  EXPECT_EQ(text.find("absent [MUST"), std::string::npos) << "unsupported is not a finding";
  EXPECT_NE(text.find("7 cases in 1.2s: 1 pass 1 fail 1 warn 1 unsupported 1 blocked 1 skipped 1 error; 1 finding, 1 at MUST level"),
            std::string::npos) << text;
  std::ostringstream colored;
  write_terminal(sample(), colored, {true, false});
  EXPECT_NE(colored.str().find("\x1b[31;1m"), std::string::npos);
}

TEST(Grouping, NaturalOrderOfRfcsAndSections) {
  EXPECT_TRUE(natural_less("959", "2389"));
  EXPECT_TRUE(natural_less("\u00a74.1.2", "\u00a74.1.10"));
  EXPECT_FALSE(natural_less("3659", "3659"));
  const auto groups = group_by_rfc(sample().cases);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].rfc, "959");
  EXPECT_EQ(groups[1].rfc, "2428");
  ASSERT_EQ(groups[0].sections.size(), 3u);
  EXPECT_EQ(groups[0].sections[0].section, "\u00a74.1.3");
  EXPECT_EQ(groups[0].sections[1].section, "\u00a74.2");
  EXPECT_EQ(groups[0].counts[run::Verdict::fail], 1);
}

TEST(TranscriptLines, ParsesTheRenderedForm) {
  const auto lines = parse_transcript(
      "+0.000012 ** control: connected to 127.0.0.1:21\n+1.500000 C> USER a\\r\\n\n+1.600000 S> 331 ok\\r\\n\n"
      "+2.000000 ** data: accepted\n+2.000001 D< total 0\\r\\n\n+2.1 not a line\n+3.000000 D> \n");
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[0].kind, LineKind::control_event);
  EXPECT_EQ(lines[0].micros, 12);
  EXPECT_EQ(lines[1].kind, LineKind::client_control);
  EXPECT_EQ(lines[1].micros, 1'500'000);
  EXPECT_EQ(lines[1].text, "USER a\\r\\n");
  EXPECT_EQ(lines[2].kind, LineKind::server_control);
  EXPECT_EQ(lines[3].kind, LineKind::data_event);
  EXPECT_EQ(lines[4].kind, LineKind::server_data);
  EXPECT_EQ(lines[5].kind, LineKind::other);
  EXPECT_EQ(lines[5].text, "+2.1 not a line");
  EXPECT_EQ(lines[6].kind, LineKind::client_data);
  EXPECT_EQ(lines[6].text, "");
}

TEST(SequenceSvg, OneArrowPerLineAndWellFormed) {
  auto lines = parse_transcript("+0.000001 C> RETR x\\r\\n\n+0.000002 S> 150 <go> & \"now\"\\r\\n\n+0.000003 ** data: connected\n"
                                "+0.000004 D< " + std::string(300, 'x') + "\n");
  lines.push_back({5, LineKind::server_control, kBreaker});
  const std::string svg = sequence_svg(lines);
  std::string printed;
  ASSERT_EQ(run_on_file(svg, "xmllint --noout", printed), 0) << printed << svg;
  auto count = [&](std::string_view what) {
    std::size_t n = 0;
    for (std::size_t at = svg.find(what); at != std::string::npos; at = svg.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("<polygon"), 4u) << "four arrows with heads (C>, S>, D<, S>)";
  EXPECT_EQ(count("<circle"), 1u) << "one event marker";
  EXPECT_NE(svg.find(">RETR x<"), std::string::npos) << "labels drop the trailing \\r\\n";
  EXPECT_NE(svg.find("150 &lt;go&gt; &amp;"), std::string::npos);
  EXPECT_EQ(svg.find("</script>"), std::string::npos);
  EXPECT_EQ(svg.find('\0'), std::string::npos);
  const std::string many = sequence_svg(std::vector<TranscriptLine>(10, lines.front()), {3, 64});
  EXPECT_NE(many.find("7 more transcript lines"), std::string::npos);
}

TEST(HtmlReport, SelfContainedAndEscaped) {
  std::ostringstream out;
  write_html(hostile_sample(), out);
  const std::string html = out.str();
  auto count = [&](std::string_view what) {
    std::size_t n = 0;
    for (std::size_t at = html.find(what); at != std::string::npos; at = html.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("<script"), 1u) << "only our own script element";
  EXPECT_EQ(count("</script>"), 1u);
  EXPECT_EQ(html.find('\0'), std::string::npos);
  EXPECT_EQ(html.find('\x1b'), std::string::npos);
  EXPECT_EQ(html.find("\xFF"), std::string::npos) << "invalid UTF-8 is shown as \\xFF text";
  EXPECT_EQ(count("<!--"), 0u);
  EXPECT_EQ(count("http:") + count("https:"), count("xmlns=\"http://www.w3.org/2000/svg\"")) << "no network: only the SVG namespace URI";
  EXPECT_EQ(count("<details class=\"case\""), 7u);
  EXPECT_EQ(count("<svg"), 7u) << "one sequence diagram per case";
  EXPECT_LT(html.find("id=\"headline\">ftp://tester@127.0.0.1:2121: 1 finding, 1 at MUST level"), html.find("<h2>Summary")) << html;
  EXPECT_NE(html.find("<tr id=\"finding-F1\"><td>F1</td><td>MUST</td><td class=\"mono\">NOOP</td>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"#case-6\">needs-noop</a>"), std::string::npos);
  EXPECT_NE(html.find("data-verdict=\"fail\" data-rfc=\"959\""), std::string::npos);
  EXPECT_NE(html.find("<option value=\"2428\">RFC 2428 (1)</option>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"t s\"><span class=\"ts\">+0.000200</span><span class=\"m\">S&gt;</span>500"),
            std::string::npos);
  EXPECT_NE(html.find("&lt;/script&gt;&lt;script&gt;alert(1)"), std::string::npos);
  // libxml2's HTML parser is HTML 4 (no <details>, <svg>): tests/test_reports_html.py loads the page
  // in Chromium instead.
}

TEST(JsonRead, RoundTripsAndExplainsBadInput) {
  std::ostringstream written;
  write_json(hostile_sample(), written);
  std::istringstream in(written.str());
  const run::RunResult back = read_json(in);
  std::ostringstream again;
  write_json(back, again);
  EXPECT_EQ(written.str(), again.str()) << "reading back loses nothing";
  EXPECT_EQ(back.cases.at(1).steps.at(0).loc.line, 7);

  const auto error_of = [](std::string text) {
    std::istringstream bad(text);
    try {
      read_json(bad);
    } catch (const ReportReadError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_of("{\"schema\": \"ftpspec-results/9\"}"),
            "schema is 'ftpspec-results/9', this ftpspec reads 'ftpspec-results/2' and 'ftpspec-results/1'");
  EXPECT_EQ(back.findings.size(), 1u);
  EXPECT_EQ(back.cases.at(6).blocked_by, "broken");
  EXPECT_NE(error_of("{\"schema\": ").find("not JSON"), std::string::npos);
  std::string wrong_verdict = written.str();
  wrong_verdict.replace(wrong_verdict.find("\"verdict\": \"fail\""), 17, "\"verdict\": \"nope\"");
  EXPECT_EQ(error_of(wrong_verdict), "cases[1].steps[0].verdict: unknown verdict 'nope'");
  std::string missing = written.str();
  missing.replace(missing.find("\"target\""), 8, "\"tarxet\"");
  EXPECT_EQ(error_of(missing), "document: missing key 'target'");
}

TEST(Matrix, HtmlAndMarkdownCompareRuns) {
  run::RunResult a = sample(), b = hostile_sample();
  b.cases.at(1).verdict = run::Verdict::pass;   // "broken" passes on b
  b.cases.erase(b.cases.begin() + 5);           // "skipped-one" was not run on b
  const std::vector<MatrixColumn> columns = {{"alpha", a}, {"beta|<b>", b}};
  std::ostringstream html;
  write_matrix_html(columns, html);
  const std::string page = html.str();
  EXPECT_NE(page.find("<th title=\"ftp://tester@127.0.0.1:2121"), std::string::npos);
  EXPECT_NE(page.find(">beta|&lt;b&gt;</th>"), std::string::npos);
  EXPECT_NE(page.find("<td class=\"cell v-fail\" title=\"reason for broken&#10;got: 500 "), std::string::npos) << page;
  EXPECT_NE(page.find("<td class=\"cell v-absent\""), std::string::npos);
  EXPECT_NE(page.find("data-differs=\"yes\"><td title=\"RFC 959 \u00a75.4\"><code>broken</code>"), std::string::npos);
  EXPECT_NE(page.find("data-differs=\"no\"><td title=\"RFC 959 \u00a74.1.3\"><code>noop-ok</code>"), std::string::npos);
  EXPECT_EQ(page.find("</script><script>"), std::string::npos);
  std::string printed;
  ASSERT_EQ(run_on_file(page, "xmllint --html --noout", printed), 0) << printed;
  EXPECT_EQ(printed.find("error"), std::string::npos) << printed;

  std::ostringstream markdown;
  write_matrix_markdown(columns, markdown);
  const std::string md = markdown.str();
  EXPECT_NE(md.find("| case | level | alpha | beta\\|&lt;b&gt; |"), std::string::npos) << md;
  EXPECT_NE(md.find("## RFC 2428"), std::string::npos);
  EXPECT_NE(md.find("| broken title of broken | MUST | **fail**: reason for broken | pass |"), std::string::npos) << md;
  EXPECT_NE(md.find("| skipped-one title of skipped-one | MUST | skipped | \u2014 |"), std::string::npos) << md;
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
