// RFC 959 §4.2 reply framing, fed at every split of the bytes.
#include "proto/reply_parser.hpp"

#include <gtest/gtest.h>

#include "grind.hpp"
#include "proto/error.hpp"

namespace ftpspec::proto {
namespace {

struct Parsed {
  std::vector<Reply> replies;
  std::vector<Deviation> deviations;
  std::error_code ec;
};

/// Parses `wire` delivered in the given chunks; collects every complete reply.
Parsed parse_chunks(const std::vector<std::string>& chunks) {
  Parsed out;
  ReplyParser parser;
  for (const auto& chunk : chunks) {
    std::span<const char> rest(chunk.data(), chunk.size());
    while (!rest.empty()) {
      const std::size_t used = parser.put(rest, out.ec);
      if (out.ec) return out;
      rest = rest.subspan(used);
      if (parser.done()) out.replies.push_back(parser.release());
    }
  }
  auto devs = parser.take_deviations();
  out.deviations.insert(out.deviations.end(), devs.begin(), devs.end());
  return out;
}

Parsed parse_all(const std::string& wire) { return parse_chunks({wire}); }

TEST(ReplyParser, SingleLine) {
  const auto p = parse_all("220 Service ready\r\n");
  ASSERT_FALSE(p.ec);
  ASSERT_EQ(p.replies.size(), 1u);
  EXPECT_EQ(p.replies[0].code, 220);
  EXPECT_EQ(p.replies[0].text(), "Service ready");
  EXPECT_FALSE(p.replies[0].is_multiline());
  EXPECT_TRUE(p.deviations.empty());
}

TEST(ReplyParser, MultiLineWithDigitLedInnerLinesAtEverySplit) {
  // RFC 959 §4.2's own example: inner lines may begin with digits, even another code and SP.
  const std::string wire =
      "123-First line\r\n"
      "Second line\r\n"
      "  234 A line beginning with numbers\r\n"
      "234 Another code and a space, still inner\r\n"
      "123-Same code with a hyphen, still inner\r\n"
      "123 The last line\r\n"
      "200 next\r\n";
  testing::grind(wire, [&](const std::vector<std::string>& chunks) {
    const auto p = parse_chunks(chunks);
    ASSERT_FALSE(p.ec) << p.ec.message();
    ASSERT_EQ(p.replies.size(), 2u);
    EXPECT_EQ(p.replies[0].code, 123);
    ASSERT_EQ(p.replies[0].lines.size(), 6u);
    EXPECT_EQ(p.replies[0].lines[3], "234 Another code and a space, still inner");
    EXPECT_EQ(p.replies[0].text(),
              "First line\nSecond line\n  234 A line beginning with numbers\n"
              "234 Another code and a space, still inner\n123-Same code with a hyphen, still inner\n"
              "The last line");
    EXPECT_EQ(p.replies[1].code, 200);
  });
}

TEST(ReplyParser, OneByteAtATime) {
  const std::string wire = "211-Features:\r\n MDTM\r\n SIZE\r\n211 End\r\n";
  std::vector<std::string> bytes;
  for (char c : wire) bytes.emplace_back(1, c);
  const auto p = parse_chunks(bytes);
  ASSERT_EQ(p.replies.size(), 1u);
  EXPECT_EQ(p.replies[0].lines.size(), 4u);
  EXPECT_EQ(p.replies[0].wire(), wire);
}

TEST(ReplyParser, LeavesBytesAfterAReplyForTheNext) {
  ReplyParser parser;
  std::error_code ec;
  const std::string wire = "150 Opening\r\n226 Done\r\n";
  const std::size_t used = parser.put(wire, ec);
  EXPECT_EQ(used, 13u);
  ASSERT_TRUE(parser.done());
  EXPECT_EQ(parser.release().code, 150);
  parser.put(std::span<const char>(wire).subspan(used), ec);
  ASSERT_TRUE(parser.done());
  EXPECT_EQ(parser.release().code, 226);
}

TEST(ReplyParser, BareLfIsADeviationNotAnError) {
  const auto p = parse_all("200 OK\n");
  ASSERT_FALSE(p.ec);
  ASSERT_EQ(p.replies.size(), 1u);
  ASSERT_EQ(p.deviations.size(), 1u);
  EXPECT_NE(p.deviations[0].rule.find("CRLF"), std::string::npos);
  EXPECT_EQ(p.deviations[0].offset, 6u);
}

TEST(ReplyParser, BareCodeIsADeviation) {
  const auto p = parse_all("200\r\n");
  ASSERT_FALSE(p.ec);
  ASSERT_EQ(p.replies.size(), 1u);
  EXPECT_EQ(p.replies[0].code, 200);
  EXPECT_EQ(p.deviations.size(), 1u);
}

TEST(ReplyParser, EmptyContinuationLineDoesNotEndTheReply) {
  const auto p = parse_all("200-\r\n\r\n200 done\r\n");
  ASSERT_FALSE(p.ec);
  ASSERT_EQ(p.replies.size(), 1u);
  EXPECT_EQ(p.replies[0].lines.size(), 3u);
}

TEST(ReplyParser, DifferentCodeDoesNotEndAMultiLineReply) {
  // glftpd-style "553-... / 150 ..." must not be taken as the end (interop bug class 1).
  const auto p = parse_all("553-Oops\r\n150 Not the end\r\n");
  ASSERT_FALSE(p.ec);
  EXPECT_TRUE(p.replies.empty());
}

TEST(ReplyParser, RejectsMalformedFirstLines) {
  EXPECT_EQ(parse_all("hello\r\n").ec, errc::reply_code_invalid);
  EXPECT_EQ(parse_all("20 x\r\n").ec, errc::reply_code_invalid);
  EXPECT_EQ(parse_all("600 x\r\n").ec, errc::reply_code_invalid);
  EXPECT_EQ(parse_all("099 x\r\n").ec, errc::reply_code_invalid);
  EXPECT_EQ(parse_all("200x\r\n").ec, errc::reply_separator_invalid);
  EXPECT_EQ(parse_all("2000 x\r\n").ec, errc::reply_separator_invalid);
}

TEST(ReplyParser, ErrorsAreSticky) {
  ReplyParser parser;
  std::error_code ec;
  parser.put(std::string_view("bad\r\n"), ec);
  EXPECT_EQ(ec, errc::reply_code_invalid);
  EXPECT_EQ(parser.put(std::string_view("200 ok\r\n"), ec), 0u);
  EXPECT_EQ(ec, errc::reply_code_invalid);
  parser.reset();
  parser.put(std::string_view("200 ok\r\n"), ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(parser.done());
}

TEST(ReplyParser, HugeLineIsRejected) {
  ReplyParser parser(ReplyParserLimits{.max_line = 1024, .max_lines = 10, .max_bytes = 1 << 20});
  std::error_code ec;
  const std::string wire = "200 " + std::string(10'000, 'x');
  parser.put(wire, ec);
  EXPECT_EQ(ec, errc::line_too_long);
}

TEST(ReplyParser, EndlessMultiLineReplyIsBounded) {
  ReplyParser parser(ReplyParserLimits{.max_line = 1024, .max_lines = 100, .max_bytes = 1 << 20});
  std::error_code ec;
  parser.put(std::string_view("200-start\r\n"), ec);
  for (int i = 0; i < 200 && !ec; ++i) parser.put(std::string_view("more\r\n"), ec);
  EXPECT_EQ(ec, errc::reply_too_long);
}

TEST(ReplyParser, TelnetSequencesAreDecoded) {
  // IAC IAC is a data 0xFF (RFC 854); IAC WILL x is option negotiation and carries no text.
  const auto p = parse_all(std::string("200 a\xFF\xFF" "b\xFF\xFB\x01" "c\r\n"));
  ASSERT_FALSE(p.ec);
  ASSERT_EQ(p.replies.size(), 1u);
  EXPECT_EQ(p.replies[0].text(), "a\xFF" "bc");
  EXPECT_EQ(parse_all(std::string("200 a\xFF\x10\r\n")).ec, errc::telnet_sequence_invalid);
}

TEST(Reply, Classification) {
  Reply r{.code = 452, .lines = {"452 full"}};
  EXPECT_EQ(r.kind(), ReplyKind::transient_negative);
  EXPECT_EQ(r.function_digit(), 5);
  EXPECT_TRUE(r.is_negative());
  EXPECT_EQ(describe_kind(150), "Positive Preliminary");
  EXPECT_EQ(describe_function(331), "Authentication and accounting");
  EXPECT_EQ(describe_code(227), "Entering Passive Mode (h1,h2,h3,h4,p1,p2)");
  EXPECT_TRUE(describe_code(299).empty());
}

TEST(Reply, FormatMultiLineProtectsDigitLedInnerLines) {
  EXPECT_EQ(format_reply(200, "OK"), "200 OK\r\n");
  EXPECT_EQ(format_reply(211, "Features:\n200 fake\nEnd"), "211-Features:\r\n 200 fake\r\n211 End\r\n");
  const auto p = parse_all(format_reply(211, "a\n211 b\nc"));
  ASSERT_EQ(p.replies.size(), 1u);
  EXPECT_EQ(p.replies[0].lines.size(), 3u);
}

}  // namespace
}  // namespace ftpspec::proto
