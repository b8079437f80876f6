// RFC 2577 protections: the jail (§5) and the bounce attack (§3); IPv6 control connections (RFC 2428).
#include "test_support.hpp"

namespace ftpspecd::test {
namespace {

using SecurityTest = ServerFixture;

TEST_F(SecurityTest, JailRefusesEscapes) {
  fs::create_directory(root() / "sub");
  write_file(root() / "sub" / "in.txt", "inside");
  fs::create_directory_symlink("/etc", root() / "etc-link");
  fs::create_symlink("/etc/passwd", root() / "passwd-link");
  Client client(port_);
  client.read();
  client.login();
  EXPECT_EQ(client.cmd("CWD ../..").code(), 550);
  EXPECT_EQ(client.cmd("CWD /..").code(), 550);
  EXPECT_EQ(client.cmd("RETR /etc/passwd").code(), 550);
  EXPECT_EQ(client.cmd("RETR ../../../../etc/passwd").code(), 550);
  EXPECT_EQ(client.cmd("CWD etc-link").code(), 550);
  EXPECT_EQ(client.cmd("RETR etc-link/passwd").code(), 550);
  EXPECT_EQ(client.cmd("RETR passwd-link").code(), 550);
  EXPECT_EQ(client.cmd("SIZE passwd-link").code(), 550);
  EXPECT_EQ(client.cmd("EPSV").code(), 229);
  EXPECT_EQ(client.cmd("STOR ../escape.txt").code(), 553);
  EXPECT_EQ(client.cmd("LIST etc-link").code(), 450);
  EXPECT_FALSE(fs::exists(root().parent_path() / "escape.txt"));
  // Still inside: ".." that stays in the root works.
  EXPECT_EQ(client.cmd("CWD sub").code(), 250);
  EXPECT_EQ(client.cmd("CWD ../sub/./").code(), 250);
  EXPECT_EQ(client.cmd("SIZE ../sub/in.txt").code(), 213);
  EXPECT_EQ(client.cmd("CWD ..").code(), 250);
  EXPECT_EQ(client.cmd("CDUP").code(), 550);  // already at the root
}

TEST_F(SecurityTest, PortBounceIsRefused) {
  Client client(port_);
  client.read();
  client.login();
  const Received low = client.cmd("PORT 127,0,0,1,0,21");
  EXPECT_EQ(low.code(), 501);
  EXPECT_NE(low.raw.find("below 1024"), std::string::npos) << low.raw;
  const Received other_host = client.cmd("PORT 192,0,2,1,100,100");
  EXPECT_EQ(other_host.code(), 501);
  EXPECT_NE(other_host.raw.find("not the client's address"), std::string::npos) << other_host.raw;
  EXPECT_EQ(client.cmd("EPRT |1|127.0.0.1|80|").code(), 501);
  EXPECT_EQ(client.cmd("PORT 1,2,3").code(), 501);
}

TEST_F(SecurityTest, Ipv6ControlConnectionUsesEpsv) {
  Config config = make_config();
  config.listen_host = "::1";
  try {
    start(std::move(config));
  } catch (const std::exception& error) {
    GTEST_SKIP() << "no IPv6 loopback here: " << error.what();
  }
  write_file(root() / "v6.txt", "over ipv6");
  Client client(port_, "::1");
  client.read();
  client.login();
  EXPECT_EQ(client.cmd("PASV").code(), 501);  // PASV cannot express IPv6 (documented choice)
  EXPECT_EQ(client.cmd("EPSV 1").code(), 522);
  ASSERT_EQ(client.cmd("TYPE I").code(), 200);
  EXPECT_EQ(client.download("RETR v6.txt"), "over ipv6");
}

}  // namespace
}  // namespace ftpspecd::test
