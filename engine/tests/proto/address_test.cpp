// Host-port grammars: RFC 959 §4.1.2 PORT, §4.2.2 227; RFC 2428 EPRT/229; RFC 1639 LPRT/228.
#include "proto/address.hpp"

#include <gtest/gtest.h>

namespace ftpspec::proto {
namespace {

TEST(Address, PortArgumentRoundTrip) {
  const auto hp = parse_port_argument("127,0,0,1,4,1");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "127.0.0.1");
  EXPECT_EQ(hp->port, 1025);
  EXPECT_EQ(format_port_argument(*hp), "127,0,0,1,4,1");
  EXPECT_FALSE(parse_port_argument("127,0,0,1,4"));
  EXPECT_FALSE(parse_port_argument("127,0,0,1,4,256"));
  EXPECT_FALSE(parse_port_argument("127,0,0,1,4,1,"));
  EXPECT_FALSE(parse_port_argument("a,0,0,1,4,1"));
}

TEST(Address, PasvReplyScannedWithOrWithoutParentheses) {
  EXPECT_EQ(parse_pasv_reply("Entering Passive Mode (10,1,2,3,200,10).")->port, 200 * 256 + 10);
  EXPECT_EQ(parse_pasv_reply("Entering Passive Mode 10,1,2,3,200,10")->host, "10.1.2.3");
  EXPECT_EQ(parse_pasv_reply("=127,0,0,1,0,21")->port, 21);
  EXPECT_FALSE(parse_pasv_reply("Entering Passive Mode"));
  EXPECT_EQ(format_pasv_reply({"127.0.0.1", 1025}), "Entering Passive Mode (127,0,0,1,4,1).");
}

TEST(Address, EprtBothFamiliesAndAnyDelimiter) {
  auto v4 = parse_eprt_argument("|1|132.235.1.2|6275|");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->port, 6275);
  auto v6 = parse_eprt_argument("!2!1080::8:800:200C:417A!5282!");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->ipv6());
  EXPECT_EQ(format_eprt_argument({"::1", 2000}), "|2|::1|2000|");
  EXPECT_FALSE(parse_eprt_argument("|3|1.2.3.4|5|"));
  EXPECT_FALSE(parse_eprt_argument("|1|::1|5|"));
  EXPECT_FALSE(parse_eprt_argument("|1|1.2.3.4|70000|"));
  EXPECT_FALSE(parse_eprt_argument("|1|1.2.3.4|5"));
}

TEST(Address, EpsvReply) {
  EXPECT_EQ(parse_epsv_reply("Entering Extended Passive Mode (|||6446|)"), 6446);
  EXPECT_EQ(parse_epsv_reply("ok (!!!6446!)"), 6446);
  EXPECT_FALSE(parse_epsv_reply("Entering Extended Passive Mode (||6446|)"));
  EXPECT_FALSE(parse_epsv_reply("Entering Extended Passive Mode (|||6446)"));
  EXPECT_EQ(format_epsv_reply(6446), "Entering Extended Passive Mode (|||6446|)");
}

TEST(Address, LongAddresses) {
  const HostPort v4{"127.0.0.1", 515};
  EXPECT_EQ(format_lprt_argument(v4), "4,4,127,0,0,1,2,2,3");
  EXPECT_EQ(parse_lprt_argument("4,4,127,0,0,1,2,2,3"), v4);
  const HostPort v6{"::1", 1};
  EXPECT_EQ(parse_lprt_argument(format_lprt_argument(v6)), v6);
  EXPECT_EQ(parse_lpsv_reply(format_lpsv_reply(v6)), v6);
  EXPECT_FALSE(parse_lprt_argument("4,16,1,2,3,4,2,0,1"));
}

}  // namespace
}  // namespace ftpspec::proto
