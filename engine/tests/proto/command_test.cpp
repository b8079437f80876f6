// Command encoding (user-PI) and command-line parsing (server-PI), RFC 959 §4.1 / §5.3.
#include "proto/command.hpp"

#include <gtest/gtest.h>

#include "grind.hpp"
#include "proto/error.hpp"

namespace ftpspec::proto {
namespace {

TEST(EncodeCommand, CrlfAndIacDoubling) {
  std::error_code ec;
  EXPECT_EQ(encode_command("NOOP", ec), "NOOP\r\n");
  EXPECT_EQ(encode_command("RETR", "a b", ec), "RETR a b\r\n");
  EXPECT_EQ(encode_command("STOR", std::string("x\xFFy"), ec), std::string("STOR x\xFF\xFFy\r\n"));
  EXPECT_FALSE(ec);
}

TEST(EncodeCommand, RefusesInjectionAndBadVerbs) {
  std::error_code ec;
  EXPECT_TRUE(encode_command("RETR", "a\r\nDELE b", ec).empty());
  EXPECT_EQ(ec, errc::argument_has_line_break);
  encode_command("RE", ec);
  EXPECT_EQ(ec, errc::verb_invalid);
  encode_command("RET1", ec);
  EXPECT_EQ(ec, errc::verb_invalid);
}

std::vector<Command> parse_commands(const std::vector<std::string>& chunks, std::vector<std::error_code>* errors = nullptr,
                                    bool* interrupted = nullptr, CommandParserLimits limits = {}) {
  std::vector<Command> out;
  CommandParser parser(limits);
  for (const auto& chunk : chunks) {
    std::span<const char> rest(chunk.data(), chunk.size());
    while (!rest.empty()) {
      std::error_code ec;
      rest = rest.subspan(parser.put(rest, ec));
      if (ec && errors) errors->push_back(ec);
      if (parser.done()) out.push_back(parser.release());
    }
  }
  if (interrupted) *interrupted = parser.take_interrupt();
  return out;
}

TEST(CommandParser, VerbsAreUpperCasedArgumentsKeptVerbatim) {
  testing::grind("user Alice\r\nnoop\r\nRETR My File.txt\r\n", [](const std::vector<std::string>& chunks) {
    const auto cmds = parse_commands(chunks);
    ASSERT_EQ(cmds.size(), 3u);
    EXPECT_EQ(cmds[0].verb, "USER");
    EXPECT_EQ(cmds[0].arg, "Alice");
    EXPECT_FALSE(cmds[1].has_arg);
    EXPECT_EQ(cmds[2].arg, "My File.txt");
  });
}

TEST(CommandParser, TelnetIpAndSynchBeforeAbor) {
  // RFC 959 §4.1.3: IAC IP, then IAC DM (the Synch), then ABOR.
  bool interrupted = false;
  const auto cmds = parse_commands({std::string("\xFF\xF4\xFF\xF2" "ABOR\r\n")}, nullptr, &interrupted);
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(cmds[0].verb, "ABOR");
  EXPECT_TRUE(interrupted);
}

TEST(CommandParser, LoneDataMarkBeforeAborIsTheSynch) {
  // A BSD client sends IAC IP, then IAC as TCP urgent data, then DM ABOR: a receiver without
  // SO_OOBINLINE sees IAC IP, a bare 0xF2 and ABOR (RFC 959 §4.1.3, RFC 854 Synch).
  testing::grind(std::string("\xFF\xF4\xF2" "ABOR\r\nNOOP\r\n"), [](const std::vector<std::string>& chunks) {
    bool interrupted = false;
    const auto cmds = parse_commands(chunks, nullptr, &interrupted);
    ASSERT_EQ(cmds.size(), 2u);
    EXPECT_EQ(cmds[0].verb, "ABOR");
    EXPECT_FALSE(cmds[0].has_arg);
    EXPECT_EQ(cmds[1].verb, "NOOP");
    EXPECT_TRUE(interrupted);
  });
  bool interrupted = false;
  EXPECT_EQ(parse_commands({std::string("\xF2" "STAT\r\n")}, nullptr, &interrupted).at(0).verb, "STAT");
  EXPECT_TRUE(interrupted);
}

TEST(CommandParser, DataMarkByteInsideALineIsData) {
  bool interrupted = false;
  const auto cmds = parse_commands({std::string("MKD a\xF2z\r\n")}, nullptr, &interrupted);
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(cmds[0].arg, "a\xF2z");
  EXPECT_FALSE(interrupted);
}

TEST(CommandParser, IacIacIsAData0xFF) {
  const auto cmds = parse_commands({std::string("MKD a\xFF\xFFz\r\n")});
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(cmds[0].arg, "a\xFFz");
}

TEST(CommandParser, OverlongLineIsReportedOnceThenServingGoesOn) {
  std::vector<std::error_code> errors;
  const auto cmds = parse_commands({std::string(10'000, 'A') + "\r\nNOOP\r\n"}, &errors, nullptr, {.max_line = 512});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], errc::line_too_long);
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(cmds[0].verb, "NOOP");
}

TEST(CommandParser, BareLfAcceptedWithDeviation) {
  CommandParser parser;
  std::error_code ec;
  parser.put(std::string_view("NOOP\n"), ec);
  ASSERT_TRUE(parser.done());
  EXPECT_EQ(parser.release().verb, "NOOP");
  EXPECT_EQ(parser.take_deviations().size(), 1u);
}

}  // namespace
}  // namespace ftpspec::proto
