// Regression (server_session fuzzer, engine/tests/fuzz/regressions/server_session/iac-in-mkd-reply):
// ftpspecd echoed a pathname holding 0xFF bytes into "257 ..." unescaped, and a client's Telnet
// filter rejected the reply. format_reply must send a data 0xFF as IAC IAC (RFC 854).
#include <gtest/gtest.h>

#include <string>

#include "proto/reply.hpp"
#include "proto/reply_parser.hpp"

namespace ftpspec::proto {
namespace {

Reply parse_one(const std::string& wire) {
  ReplyParser parser;
  std::error_code ec;
  EXPECT_EQ(parser.put(wire, ec), wire.size());
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(parser.done());
  return parser.release();
}

TEST(ReplyIac, DataByteFfIsDoubledOnTheWire) {
  EXPECT_EQ(format_reply(257, "\"/n\xff\xffw\" created"), "257 \"/n\xff\xff\xff\xffw\" created\r\n");
  EXPECT_EQ(format_reply(211, "a\xff\nb\xff"), "211-a\xff\xff\r\n211 b\xff\xff\r\n");
}

TEST(ReplyIac, OddCountOfFfRoundTripsThroughTheParser) {
  const std::string name = "\"/n\xff\xff\xff\xff\xff\xff\xffw\" created";  // seven 0xFF, as the fuzzer found
  const Reply reply = parse_one(format_reply(257, name));
  EXPECT_EQ(reply.code, 257);
  ASSERT_EQ(reply.lines.size(), 1u);
  EXPECT_EQ(reply.lines[0], "257 " + name);
}

TEST(ReplyIac, MultiLineRoundTrip) {
  const Reply reply = parse_one(format_reply(211, "status\n path \xff\nEnd"));
  ASSERT_EQ(reply.lines.size(), 3u);
  EXPECT_EQ(reply.lines[1], " path \xff");
}

}  // namespace
}  // namespace ftpspec::proto
