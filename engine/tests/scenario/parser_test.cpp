// scenario::parse: every step kind, and every diagnostic with its file:line:column.
#include "scenario/parser.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace ftpspec::scenario {
namespace {

constexpr std::string_view kHeader = "case c1\n  title \"t\"\n  rfc 959 §4.1.3\n  level MUST\n";

/// Parses a case made of kHeader plus `steps` (which start at line 5).
ParseResult parse_steps(std::string_view steps) { return parse(std::string(kHeader) + std::string(steps), "x.ftpspec"); }

std::string first_diagnostic(std::string_view steps) {
  ParseResult r = parse_steps(steps);
  return r.diagnostics.empty() ? std::string("(none)") : r.diagnostics.front().str();
}

TEST(Parser, HeaderFields) {
  ParseResult r = parse(
      "# comment\n"
      "case noop-ok   # trailing comment\n"
      "  title   \"NOOP is \\\"answered\\\" 200\"\n"
      "  rfc     959 §4.1.3, §5.4, 2428 § 3\n"
      "  level   SHOULD\n"
      "  require connection\n"
      "  > NOOP\n",
      "s.ftpspec");
  ASSERT_TRUE(r.ok()) << r.diagnostics.front().str();
  ASSERT_EQ(r.cases.size(), 1u);
  const Case& c = r.cases[0];
  EXPECT_EQ(c.id, "noop-ok");
  EXPECT_EQ(c.title, "NOOP is \"answered\" 200");
  EXPECT_EQ(c.rfc, (std::vector<std::string>{"959 §4.1.3", "959 §5.4", "2428 §3"}));
  EXPECT_EQ(c.rfc_number(), "959");
  EXPECT_EQ(c.level, Level::should);
  EXPECT_EQ(c.require, Requirement::connection);
  EXPECT_EQ(c.loc.str(), "s.ftpspec:2:1");
}

TEST(Parser, IntrusiveNeedsAReason) {
  ParseResult r = parse_steps("  intrusive \"three wrong \\\"passwords\\\"\"\n  > NOOP\n");
  ASSERT_TRUE(r.ok()) << r.diagnostics.front().str();
  EXPECT_EQ(r.cases[0].intrusive, "three wrong \"passwords\"");
  EXPECT_TRUE(parse_steps("  > NOOP\n").cases[0].intrusive.empty());
  EXPECT_EQ(first_diagnostic("  intrusive\n"),
            "x.ftpspec:5:12: expected a quoted string after 'intrusive' (intrusive \"what the case does to the server\")");
  EXPECT_EQ(first_diagnostic("  intrusive \"\"\n"),
            "x.ftpspec:5:13: 'intrusive' needs a reason: intrusive \"what the case does to the server\"");
  EXPECT_EQ(first_diagnostic("  intrusive \"a\"\n  intrusive \"b\"\n"), "x.ftpspec:6:3: duplicate 'intrusive' in this case");
  EXPECT_EQ(first_diagnostic("  intrusive \"a\" x\n"), "x.ftpspec:5:17: unexpected 'x' at the end of the statement");
}

TEST(Parser, SendForms) {
  ParseResult r = parse_steps("  > USER ${user}   # comment\n  > \"RETR a #b\"\n  >! \"NOOP\\n\\xFF\"\n");
  ASSERT_TRUE(r.ok()) << r.diagnostics.front().str();
  const auto& steps = r.cases[0].steps;
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(std::get<Send>(steps[0].body).text, "USER ${user}");
  EXPECT_FALSE(std::get<Send>(steps[0].body).quoted);
  EXPECT_EQ(std::get<Send>(steps[1].body).text, "RETR a #b");
  EXPECT_TRUE(std::get<Send>(steps[1].body).quoted);
  EXPECT_EQ(std::get<SendRaw>(steps[2].body).bytes, std::string("NOOP\n\xFF"));
  EXPECT_EQ(steps[0].loc.str(), "x.ftpspec:5:3");
  EXPECT_EQ(steps[0].source, "> USER ${user}");
}

TEST(Parser, ExpectationGrammar) {
  ParseResult r = parse_steps(
      "  < 200|2x5 | 250 ~ \"ok\\d\" !~ \"bad\" inner ~ \"^ \" multiline\n"
      "  or 502 unsupported \"not here\"\n"
      "  or 5xx fail\n"
      "  < closed\n");
  ASSERT_TRUE(r.ok()) << r.diagnostics.front().str();
  const auto& expect = std::get<Expect>(r.cases[0].steps[0].body);
  ASSERT_EQ(expect.alternatives.size(), 3u);
  const Alternative& first = expect.alternatives[0];
  ASSERT_EQ(first.codes.size(), 3u);
  EXPECT_TRUE(first.codes[1].matches(205));
  EXPECT_TRUE(first.codes[1].matches(215));
  EXPECT_FALSE(first.codes[1].matches(216));
  ASSERT_EQ(first.checks.size(), 4u);
  EXPECT_EQ(first.checks[0].regex, "ok\\d");  // unknown escapes stay for the regex
  EXPECT_EQ(first.checks[1].kind, TextCheck::Kind::not_contains);
  EXPECT_EQ(first.checks[2].kind, TextCheck::Kind::every_inner);
  EXPECT_EQ(first.checks[3].kind, TextCheck::Kind::multiline);
  EXPECT_EQ(expect.alternatives[1].outcome, Outcome::unsupported);
  EXPECT_EQ(expect.alternatives[1].reason, "not here");
  EXPECT_EQ(expect.alternatives[2].outcome, Outcome::fail);
  EXPECT_TRUE(std::get<Expect>(r.cases[0].steps[1].body).closed);
  EXPECT_FALSE(expect.within);
}

TEST(Parser, WithinWaitsLongerForOneReply) {
  ParseResult r = parse_steps("  > PASS wrong\n  < 530 delay >= 500ms within 30s\n  or 421\n");
  ASSERT_TRUE(r.ok()) << r.diagnostics.front().str();
  const auto& expect = std::get<Expect>(r.cases[0].steps[1].body);
  ASSERT_TRUE(expect.within);
  EXPECT_EQ(expect.within->count(), 30000);
  EXPECT_EQ(expect.alternatives[0].checks.size(), 1u);
  EXPECT_EQ(first_diagnostic("  < 530\n  or 421 within 5s\n"),
            "x.ftpspec:6:10: 'within' belongs on the '<' line: it says how long to wait for the reply");
  EXPECT_EQ(first_diagnostic("  < 530 within soon\n"), "x.ftpspec:5:16: expected a duration like 30s after 'within'");
}

TEST(Parser, LeaveReplyHandsTheFinalReplyToTheNextExpectation) {
  ParseResult r = parse(std::string(kHeader) + "  require scratch\n  retr ${scratch}/missing leave-reply expect-empty\n  < 550|450\n",
                        "x.ftpspec");
  ASSERT_TRUE(r.ok()) << r.diagnostics.front().str();
  const auto& retr = std::get<Transfer>(r.cases[0].steps[0].body);
  EXPECT_TRUE(retr.leave_reply);
  EXPECT_EQ(retr.checks.size(), 1u) << "the checks run once the `<` passed a 2yz";
  EXPECT_EQ(first_diagnostic("  retr a leave-reply\n  > NOOP\n"),
            "x.ftpspec:6:3: a transfer with 'leave-reply' must be followed by a '<' that judges its final reply");
  EXPECT_EQ(first_diagnostic("  retr a leave-reply\n"),
            "x.ftpspec:5:3: a transfer with 'leave-reply' must be followed by a '<' that judges its final reply");
  EXPECT_EQ(first_diagnostic("  retr a leave-reply keep-open\n"),
            "x.ftpspec:5:8: 'leave-reply' hands the final reply to the next '<': it takes no keep-open");
}

TEST(Parser, TransferSteps) {
  ParseResult r = parse(
      "case t\n title \"t\"\n rfc 959 §4.1.3\n level MUST\n require scratch\n"
      " stor ${scratch}/a data=random:1024 type=I via=epsv save=blob\n"
      " appe \"${scratch}/b c\" data=\"x\\r\\n\" mode=S stru=F\n"
      " retr ${scratch}/a type=L8 via=eprt rest=100 expect-data @blob[100:]\n"
      " list expect-crlf expect-data ~ \"a\"\n"
      " nlst ${scratch} via=port expect-empty\n"
      " retr ${scratch}/a mode=B keep-open via=kept\n",
      "t.ftpspec");
  ASSERT_TRUE(r.ok()) << r.diagnostics.front().str();
  const auto& steps = r.cases[0].steps;
  const auto& stor = std::get<Transfer>(steps[0].body);
  EXPECT_EQ(stor.verb, Transfer::Verb::stor);
  EXPECT_EQ(stor.path, "${scratch}/a");
  EXPECT_EQ(stor.upload->kind, Content::Kind::random);
  EXPECT_EQ(stor.upload->size, 1024u);
  EXPECT_EQ(stor.type, "I");
  EXPECT_EQ(stor.via, "epsv");
  EXPECT_EQ(stor.save_as, "blob");
  const auto& appe = std::get<Transfer>(steps[1].body);
  EXPECT_EQ(appe.path, "${scratch}/b c");
  EXPECT_EQ(appe.upload->text, "x\r\n");
  EXPECT_EQ(appe.mode, 'S');
  EXPECT_EQ(appe.stru, 'F');
  const auto& retr = std::get<Transfer>(steps[2].body);
  EXPECT_EQ(retr.type, "L 8");
  EXPECT_EQ(retr.rest, 100u);
  ASSERT_EQ(retr.checks.size(), 1u);
  EXPECT_EQ(retr.checks[0].content.kind, Content::Kind::named);
  EXPECT_EQ(retr.checks[0].content.offset, 100u);
  const auto& list = std::get<Transfer>(steps[3].body);
  EXPECT_TRUE(list.path.empty());
  ASSERT_EQ(list.checks.size(), 2u);
  EXPECT_EQ(list.checks[0].kind, DataCheck::Kind::crlf_lines);
  EXPECT_EQ(list.checks[1].kind, DataCheck::Kind::matches);
  EXPECT_EQ(std::get<Transfer>(steps[4].body).checks[0].kind, DataCheck::Kind::empty);
  EXPECT_FALSE(std::get<Transfer>(steps[4].body).keep_open);
  const auto& reused = std::get<Transfer>(steps[5].body);  // RFC 959 §3.3
  EXPECT_TRUE(reused.keep_open);
  EXPECT_EQ(reused.via, "kept");
  EXPECT_EQ(reused.mode, 'B');
}

TEST(Parser, OtherSteps) {
  ParseResult r = parse_steps("  wait 100ms\n  wait 2s\n  skip-unless feat \"MDTM\"\n  skip-unless accepts \"MODE B\"\n  connect\n  login\n  skip-unless ipv4\n");
  ASSERT_TRUE(r.ok()) << r.diagnostics.front().str();
  const auto& steps = r.cases[0].steps;
  EXPECT_EQ(std::get<Wait>(steps[0].body).duration, std::chrono::milliseconds(100));
  EXPECT_EQ(std::get<Wait>(steps[1].body).duration, std::chrono::milliseconds(2000));
  EXPECT_EQ(std::get<SkipUnless>(steps[2].body).kind, SkipUnless::Kind::feat);
  EXPECT_EQ(std::get<SkipUnless>(steps[3].body).argument, "MODE B");
  EXPECT_TRUE(std::holds_alternative<Connect>(steps[4].body));
  EXPECT_TRUE(std::holds_alternative<Login>(steps[5].body));
  EXPECT_EQ(std::get<SkipUnless>(steps[6].body).kind, SkipUnless::Kind::ipv4);
  ParseResult clear = parse_steps("  skip-unless clear\n");
  ASSERT_TRUE(clear.ok()) << clear.diagnostics.front().str();
  EXPECT_EQ(std::get<SkipUnless>(clear.cases[0].steps[0].body).kind, SkipUnless::Kind::clear);
}

TEST(Parser, TlsSteps) {
  ParseResult r = parse(std::string(kHeader) +
                            "  require tls-scratch\n  auth-tls\n  secure-data\n  secure-data C\n  ccc\n"
                            "  retr ${scratch}/a expect-tls expect-tls-resumed expect-close-notify\n  list expect-clear\n"
                            "  < 530 delay >= 500ms\n  or 530 delay >= 2s warn\n",
                        "x.ftpspec");
  ASSERT_TRUE(r.ok()) << r.diagnostics.front().str();
  const Case& c = r.cases[0];
  EXPECT_EQ(c.require, Requirement::tls_scratch);
  EXPECT_EQ(to_string(c.require), "tls-scratch");
  const auto& steps = c.steps;
  EXPECT_TRUE(std::holds_alternative<AuthTls>(steps[0].body));
  EXPECT_EQ(std::get<SecureData>(steps[1].body).level, 'P');
  EXPECT_EQ(std::get<SecureData>(steps[2].body).level, 'C');
  EXPECT_TRUE(std::holds_alternative<Ccc>(steps[3].body));
  const auto& retr = std::get<Transfer>(steps[4].body);
  ASSERT_EQ(retr.checks.size(), 3u);
  EXPECT_EQ(retr.checks[0].kind, DataCheck::Kind::tls);
  EXPECT_EQ(retr.checks[1].kind, DataCheck::Kind::tls_resumed);
  EXPECT_EQ(retr.checks[2].kind, DataCheck::Kind::close_notify);
  EXPECT_EQ(std::get<Transfer>(steps[5].body).checks.at(0).kind, DataCheck::Kind::clear);
  const auto& expect = std::get<Expect>(steps[6].body);
  ASSERT_EQ(expect.alternatives.size(), 2u);
  ASSERT_EQ(expect.alternatives[0].checks.size(), 1u);
  EXPECT_EQ(expect.alternatives[0].checks[0].kind, TextCheck::Kind::min_delay);
  EXPECT_EQ(expect.alternatives[0].checks[0].delay, std::chrono::milliseconds(500));
  EXPECT_EQ(expect.alternatives[1].checks[0].delay, std::chrono::milliseconds(2000));
  EXPECT_EQ(expect.alternatives[1].outcome, Outcome::warn);

  ParseResult login = parse(std::string(kHeader) + "  require tls-login\n  > NOOP\n", "y.ftpspec");
  ASSERT_TRUE(login.ok());
  EXPECT_EQ(login.cases[0].require, Requirement::tls_login);
}

TEST(ParserDiagnostics, TlsStepErrors) {
  EXPECT_EQ(first_diagnostic("  secure-data S\n"),
            "x.ftpspec:5:15: expected P (private) or C (clear) after 'secure-data', found 'S' (RFC 4217 §9)");
  EXPECT_EQ(first_diagnostic("  auth-tls now\n"), "x.ftpspec:5:12: unexpected 'now' at the end of the statement");
  EXPECT_EQ(first_diagnostic("  ccc please\n"), "x.ftpspec:5:7: unexpected 'please' at the end of the statement");
  EXPECT_EQ(first_diagnostic("  < 530 delay 5s\n"), "x.ftpspec:5:15: expected '>= DURATION' (like 500ms or 2s) after 'delay'");
  EXPECT_EQ(first_diagnostic("  < 530 delay >= soon\n"), "x.ftpspec:5:18: expected '>= DURATION' (like 500ms or 2s) after 'delay'");
  EXPECT_EQ(first_diagnostic("  retr a expect-tlsx\n").substr(0, 31), "x.ftpspec:5:10: expected an opt");
  EXPECT_EQ(first_diagnostic("  > NOOP\n").substr(0, 6), "(none)");
  ParseResult bad = parse(std::string(kHeader) + "  require tls\n  > NOOP\n", "z.ftpspec");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.diagnostics.front().str(),
            "z.ftpspec:5:11: expected nothing, connection, login, scratch, tls-login or tls-scratch after 'require', found 'tls'");
}

TEST(Parser, ExtendedTransferSteps) {
  ParseResult r = parse_steps(
      "  stou data=\"u\" type=AT expect-reply ~ \"FILE: \\S+\"\n"
      "  mlsd ${dir} type=EC stru=R mode=C\n"
      "  retr x type=L36\n"
      "  abort-retr ${dir}/big via=epsv\n"
      "  abort-retr \"a b\"\n");
  ASSERT_TRUE(r.ok()) << r.diagnostics.front().str();
  const auto& steps = r.cases[0].steps;
  const auto& stou = std::get<Transfer>(steps[0].body);
  EXPECT_EQ(stou.verb, Transfer::Verb::stou);
  EXPECT_TRUE(stou.path.empty());
  EXPECT_EQ(stou.type, "A T");
  ASSERT_EQ(stou.checks.size(), 1u);
  EXPECT_EQ(stou.checks[0].kind, DataCheck::Kind::reply_matches);
  EXPECT_EQ(stou.checks[0].regex, "FILE: \\S+");
  const auto& mlsd = std::get<Transfer>(steps[1].body);
  EXPECT_EQ(mlsd.verb, Transfer::Verb::mlsd);
  EXPECT_EQ(mlsd.type, "E C");
  EXPECT_EQ(std::get<Transfer>(steps[2].body).type, "L 36");
  EXPECT_EQ(std::get<AbortRetr>(steps[3].body).path, "${dir}/big");
  EXPECT_EQ(std::get<AbortRetr>(steps[3].body).via, "epsv");
  EXPECT_EQ(std::get<AbortRetr>(steps[4].body).path, "a b");
  EXPECT_EQ(std::get<AbortRetr>(steps[4].body).via, "auto");
}

TEST(ParserDiagnostics, ExtendedTransferErrors) {
  EXPECT_EQ(first_diagnostic("  stou x data=\"a\"\n"), "x.ftpspec:5:8: 'stou' takes no path: the server names the file (RFC 959 §4.1.3)");
  EXPECT_EQ(first_diagnostic("  stou type=I\n"), "x.ftpspec:5:14: expected 'data=\"...\"', 'data=random:N' or 'data=@name' for stou");
  EXPECT_EQ(first_diagnostic("  retr x type=L300\n"),
            "x.ftpspec:5:15: expected A, AN, AT, AC, E, EN, ET, EC, I or L1..L255 after 'type=', found 'L300'");
  EXPECT_EQ(first_diagnostic("  retr x type=AX\n"),
            "x.ftpspec:5:15: expected A, AN, AT, AC, E, EN, ET, EC, I or L1..L255 after 'type=', found 'AX'");
  EXPECT_EQ(first_diagnostic("  retr x expect-reply \"x\"\n"), "x.ftpspec:5:23: expected '~ \"regex\"' after 'expect-reply'");
  EXPECT_EQ(first_diagnostic("  abort-retr\n"), "x.ftpspec:5:13: expected a path after 'abort-retr'");
  EXPECT_EQ(first_diagnostic("  abort-retr x via=port\n"),
            "x.ftpspec:5:16: expected 'via=pasv' or 'via=epsv' after the path of 'abort-retr', found 'via'");
}

TEST(ParserDiagnostics, StepErrorsPointAtTheToken) {
  EXPECT_EQ(first_diagnostic("  < OK\n"), "x.ftpspec:5:5: expected a reply code like 200, 2xx or 200|250 after '<'");
  EXPECT_EQ(first_diagnostic("  < 200|\n"), "x.ftpspec:5:9: expected a reply code like 200, 2xx or 200|250 after '<'");
  EXPECT_EQ(first_diagnostic("  < 600\n"), "x.ftpspec:5:5: expected a reply code like 200, 2xx or 200|250 after '<'");
  EXPECT_EQ(first_diagnostic("  or 200\n"), "x.ftpspec:5:3: 'or' must follow a '<' expectation (it adds an alternative)");
  EXPECT_EQ(first_diagnostic("  < 200 maybe\n"),
            "x.ftpspec:5:9: expected '~ \"regex\"', '!~ \"regex\"', 'inner ~ \"regex\"', 'multiline', "
            "'delay >= DURATION', 'within DURATION' or an outcome (pass, warn, unsupported, fail, skip, blocked), found 'maybe'");
  EXPECT_EQ(first_diagnostic("  < 200 ~ \"(\"\n").rfind("x.ftpspec:5:11: invalid regular expression after '~': ", 0), 0u);
  EXPECT_EQ(first_diagnostic("  < 200 ~ \"abc\n"), "x.ftpspec:5:11: unterminated string: expected a closing '\"' after '~'");
  EXPECT_EQ(first_diagnostic("  < 200 pass \"x\" extra\n"), "x.ftpspec:5:18: unexpected 'extra' at the end of the statement");
  EXPECT_EQ(first_diagnostic("  >\n"), "x.ftpspec:5:4: expected a command like 'NOOP' or a quoted line after '>'");
  EXPECT_EQ(first_diagnostic("  >! NOOP\n"), "x.ftpspec:5:6: expected a quoted string after '>!'");
  EXPECT_EQ(first_diagnostic("  >! \"a\\xZZ\"\n"), "x.ftpspec:5:8: expected two hex digits after '\\x'");
  EXPECT_EQ(first_diagnostic("  > USER ${nobody}\n"),
            "x.ftpspec:5:10: unknown variable '${nobody}' (known: user, password, dir, scratch, host, port, case)");
  EXPECT_EQ(first_diagnostic("  > USER ${user\n"), "x.ftpspec:5:10: unterminated variable: expected '}' after '${'");
  // In quoted strings the column is the `$` as written, escapes included (found by the fuzzer: it
  // used to point past the closing quote, beyond the end of the line).
  EXPECT_EQ(first_diagnostic("  >! \"NOOP\\r\\n ${user\"\n"),
            "x.ftpspec:5:16: unterminated variable: expected '}' after '${'");
  EXPECT_EQ(first_diagnostic("  > \"\\x41 ${nobody}\"\n").substr(0, 44),
            "x.ftpspec:5:11: unknown variable '${nobody}'");
  EXPECT_EQ(first_diagnostic("  retr \"a/${nobody}\"\n").substr(0, 44),
            "x.ftpspec:5:11: unknown variable '${nobody}'");
  EXPECT_EQ(first_diagnostic("  > RETR ${scratch}/a\n"),
            "x.ftpspec:5:10: ${scratch} is used but the case does not say 'require scratch' or 'require tls-scratch'");
  EXPECT_EQ(first_diagnostic("  frobnicate\n").substr(0, 46), "x.ftpspec:5:3: unknown statement 'frobnicate':");
  EXPECT_EQ(first_diagnostic("  wait soon\n"), "x.ftpspec:5:8: expected a duration like 100ms or 2s after 'wait'");
  EXPECT_EQ(first_diagnostic("  skip-unless maybe\n"),
            "x.ftpspec:5:15: expected 'feat \"NAME\"', 'accepts \"COMMAND\"', 'ipv4' or 'clear' after 'skip-unless'");
  EXPECT_EQ(first_diagnostic("  retr\n"), "x.ftpspec:5:7: expected a path after 'retr'");
  EXPECT_EQ(first_diagnostic("  stor a\n"),
            "x.ftpspec:5:9: expected 'data=\"...\"', 'data=random:N' or 'data=@name' for stor");
  EXPECT_EQ(first_diagnostic("  retr a type=Z\n"), "x.ftpspec:5:15: expected A, AN, AT, AC, E, EN, ET, EC, I or L1..L255 after 'type=', found 'Z'");
  EXPECT_EQ(first_diagnostic("  retr a via=smoke\n"), "x.ftpspec:5:14: expected pasv, epsv, port, eprt or kept after 'via=', found 'smoke'");
  EXPECT_EQ(first_diagnostic("  retr a colour=red\n"), "x.ftpspec:5:10: unknown option 'colour=' (known: type stru mode via rest data save)");
  EXPECT_EQ(first_diagnostic("  retr a data=\"x\"\n"), "x.ftpspec:5:10: 'data=' only applies to stor, appe and stou");
  EXPECT_EQ(first_diagnostic("  stor a data=random:lots\n"), "x.ftpspec:5:15: expected a byte count like random:1024 after 'data='");
  EXPECT_EQ(first_diagnostic("  retr a expect-data 42\n"), "x.ftpspec:5:22: expected \"literal\", random:N or @name[offset:] after 'expect-data'");
}

TEST(ParserDiagnostics, HeaderErrors) {
  auto diagnostics = [](std::string_view text) {
    std::vector<std::string> out;
    for (const auto& d : parse(text, "h.ftpspec").diagnostics) out.push_back(d.str());
    return out;
  };
  EXPECT_EQ(diagnostics("> NOOP\n"), std::vector<std::string>{"h.ftpspec:1:1: expected 'case ID' before the first statement"});
  EXPECT_EQ(diagnostics("case a\n"), (std::vector<std::string>{"h.ftpspec:1:1: case 'a' has no 'title \"...\"'",
                                                                 "h.ftpspec:1:1: case 'a' has no 'rfc NUMBER §SECTION'",
                                                                 "h.ftpspec:1:1: case 'a' has no 'level MUST|SHOULD|MAY'",
                                                                 "h.ftpspec:1:1: case 'a' has no steps"}));
  auto with = [](std::string_view line) {
    return "case a\n title \"t\"\n rfc 959\n level MUST\n > NOOP\n" + std::string(line) + "\n";
  };
  EXPECT_EQ(diagnostics(with(" level OFTEN")).at(0), "h.ftpspec:6:8: expected MUST, SHOULD or MAY after 'level', found 'OFTEN'");
  EXPECT_EQ(diagnostics(with(" level MAY")).at(0), "h.ftpspec:6:2: duplicate 'level' in this case");
  EXPECT_EQ(diagnostics(with(" title \"u\"")).at(0), "h.ftpspec:6:2: duplicate 'title' in this case");
  EXPECT_EQ(diagnostics(with(" title u")).at(0), "h.ftpspec:6:8: expected a quoted string after 'title'");
  EXPECT_EQ(diagnostics(with(" require root")).at(0),
            "h.ftpspec:6:10: expected nothing, connection, login, scratch, tls-login or tls-scratch after 'require', "
            "found 'root'");
  EXPECT_EQ(diagnostics("case a\n rfc §4\n").at(0), "h.ftpspec:2:6: expected an RFC reference like '959 §4.1.3' after 'rfc', found '§4'");
  EXPECT_EQ(diagnostics("case a b\n").at(0), "h.ftpspec:1:8: unexpected 'b' at the end of the statement");
  EXPECT_EQ(diagnostics("case !\n").at(0), "h.ftpspec:1:6: expected a case id (letters, digits, '-', '_', '.') after 'case'");
}

TEST(ParserDiagnostics, DuplicateIdsAcrossFiles) {
  auto dir = std::filesystem::temp_directory_path() / ("ftpspec-parser-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "sub");
  const std::string body = "case same\n title \"t\"\n rfc 959 §4\n level MUST\n > NOOP\n";
  std::ofstream(dir / "a.ftpspec") << body;
  std::ofstream(dir / "sub" / "b.ftpspec") << "\n" << body;
  std::ofstream(dir / "ignored.txt") << "not a scenario";
  ParseResult r = load_suite({dir});
  std::filesystem::remove_all(dir);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].loc.line, 2);
  EXPECT_NE(r.diagnostics[0].message.find("duplicate case id 'same' (first defined at "), std::string::npos);
  EXPECT_EQ(r.cases.size(), 1u);
  EXPECT_EQ(load_suite({dir / "missing"}).diagnostics.at(0).message, "no such file or directory");
}

TEST(Parser, NeverThrowsOnGarbage) {
  std::string garbage;
  for (int i = 0; i < 2000; ++i) garbage += static_cast<char>((i * 7919) % 256);
  EXPECT_NO_THROW(parse(garbage, "g"));
  EXPECT_NO_THROW(parse(std::string(kHeader) + "  < 200 ~ \"\\", "g"));
  EXPECT_NO_THROW(parse(std::string(kHeader) + "  >! \"\\x", "g"));
}

}  // namespace
}  // namespace ftpspec::scenario
