// ftpspecd control-connection behaviour: greeting, login, command table rules, REIN, PWD, FEAT,
// HELP, STAT, idle timeout (RFC 959 §4.1.1, §4.1.3, §5.4; RFC 2389).
#include <regex>
#include <thread>

#include "test_support.hpp"

namespace ftpspecd::test {
namespace {

using AccessTest = ServerFixture;

TEST_F(AccessTest, GreetsWith220ThenLogsIn) {
  Client client(port_);
  const Received greeting = client.read();
  EXPECT_EQ(greeting.raw, "220 ftpspecd ready\r\n");
  EXPECT_EQ(client.cmd("USER alice").raw, "331 Password required for alice\r\n");
  EXPECT_EQ(client.cmd("PASS secret").raw, "230 User alice logged in\r\n");
  EXPECT_EQ(client.cmd("QUIT").raw, "221 Goodbye\r\n");
}

TEST_F(AccessTest, WrongPasswordAndUnknownUserGet530) {
  Client client(port_);
  client.read();
  EXPECT_EQ(client.cmd("USER alice").code(), 331);
  EXPECT_EQ(client.cmd("PASS wrong").code(), 530);
  EXPECT_EQ(client.cmd("USER mallory").code(), 331);  // RFC 2577 §6: don't reveal user names
  EXPECT_EQ(client.cmd("PASS secret").code(), 530);
  EXPECT_EQ(client.cmd("PASS secret").code(), 503);   // PASS without USER
}

TEST_F(AccessTest, CommandTableRules) {
  Client client(port_);
  client.read();
  EXPECT_EQ(client.cmd("XYZZY").raw, "500 Syntax error, command unrecognized\r\n");
  EXPECT_EQ(client.cmd("RETR a.txt").code(), 530);
  EXPECT_EQ(client.cmd("PWD").code(), 530);
  EXPECT_EQ(client.cmd("CWD").code(), 501);  // argument missing
  client.login();
  EXPECT_EQ(client.cmd("ADAT x").code(), 502);  // known, not implemented
  EXPECT_EQ(client.cmd("PWD extra").code(), 501);
  EXPECT_EQ(client.cmd("noop").code(), 200);  // verbs are case-insensitive (RFC 959 §5.3)
  EXPECT_EQ(client.cmd("ACCT x").code(), 202);
  EXPECT_EQ(client.cmd("ALLO 100").code(), 202);
  EXPECT_EQ(client.cmd("SYST").raw, "215 UNIX Type: L8\r\n");
  EXPECT_EQ(client.cmd("TYPE X").code(), 501);
  EXPECT_EQ(client.cmd("TYPE I").code(), 200);
  EXPECT_EQ(client.cmd("STRU F").code(), 200);
  EXPECT_EQ(client.cmd("MODE S").code(), 200);
  EXPECT_EQ(client.cmd("REST abc").code(), 501);
  EXPECT_EQ(client.cmd("RNTO x").code(), 503);
  EXPECT_EQ(client.cmd("OPTS UTF8 ON").code(), 200);
  EXPECT_EQ(client.cmd("OPTS BOGUS").code(), 501);
  EXPECT_EQ(client.cmd("SITE HELP").code(), 214);
  EXPECT_EQ(client.cmd("SITE CHMOD 777 x").code(), 501);  // not offered: a parameter we do not understand
  EXPECT_EQ(client.cmd("ALLO many").code(), 501);
  EXPECT_EQ(client.cmd("ABOR").code(), 225);
}

TEST_F(AccessTest, OverlongLineGets500AndServiceContinues) {
  Client client(port_);
  client.read();
  client.send_raw("NOOP " + std::string(10000, 'x') + "\r\n");
  EXPECT_EQ(client.read().raw, "500 Command line too long\r\n");
  EXPECT_EQ(client.cmd("NOOP").raw, "200 NOOP ok\r\n");
}

TEST_F(AccessTest, SplitAndPipelinedCommands) {
  Client client(port_);
  client.read();
  client.send_raw("NO");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  client.send_raw("OP\r\nNOOP\r\n");
  EXPECT_EQ(client.read().code(), 200);
  EXPECT_EQ(client.read().code(), 200);
}

TEST_F(AccessTest, ReinResetsTheSession) {
  Client client(port_);
  client.read();
  client.login();
  ASSERT_EQ(client.cmd("MKD sub").code(), 257);
  ASSERT_EQ(client.cmd("CWD sub").code(), 250);
  EXPECT_EQ(client.cmd("REIN").raw, "220 Service ready for new user\r\n");
  EXPECT_EQ(client.cmd("PWD").code(), 530);
  client.login();
  EXPECT_EQ(client.cmd("PWD").raw, "257 \"/\" is the current directory\r\n");
}

TEST_F(AccessTest, PwdQuotesDoubleQuotes) {
  Client client(port_);
  client.read();
  client.login();
  EXPECT_EQ(client.cmd("MKD my\"dir").raw, "257 \"/my\"\"dir\" created\r\n");
  EXPECT_EQ(client.cmd("CWD my\"dir").code(), 250);
  EXPECT_EQ(client.cmd("XPWD").raw, "257 \"/my\"\"dir\" is the current directory\r\n");
  EXPECT_EQ(client.cmd("CDUP").code(), 200);
  EXPECT_EQ(client.cmd("PWD").raw, "257 \"/\" is the current directory\r\n");
}

TEST_F(AccessTest, FeatUsesRfc2389Format) {
  Client client(port_);
  client.read();
  EXPECT_EQ(client.cmd("FEAT").raw,
            "211-Features:\r\n EPRT\r\n EPSV\r\n HOST\r\n LANG EN*\r\n MDTM\r\n MLST type*;size*;modify*;perm*;unique*;\r\n"
            " PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n UTF8\r\n211 End\r\n");
}

TEST_F(AccessTest, HelpAndStat) {
  Client client(port_);
  client.read();
  const Received help = client.cmd("HELP");
  EXPECT_EQ(help.code(), 214);
  EXPECT_NE(help.raw.find(" RETR "), std::string::npos);
  EXPECT_EQ(client.cmd("HELP RETR").raw, "214 Syntax: RETR <pathname>\r\n");
  EXPECT_EQ(client.cmd("STAT").code(), 211);
  client.login();
  write_file(root() / "a.txt", "hello");
  const Received stat = client.cmd("STAT a.txt");
  EXPECT_EQ(stat.code(), 213);
  EXPECT_TRUE(std::regex_search(stat.raw, std::regex("\r\n-rw-r--r-- 1 ftp ftp +5 .* a\\.txt\r\n213 End of status\r\n$")))
      << stat.raw;
  EXPECT_EQ(client.cmd("STAT missing").code(), 450);
}

TEST_F(AccessTest, IdleTimeoutSends421AndCloses) {
  Config config = make_config();
  config.idle_timeout = std::chrono::milliseconds(300);
  start(std::move(config));
  Client client(port_);
  client.read();
  EXPECT_EQ(client.read().raw, "421 Idle timeout, closing control connection\r\n");
  EXPECT_THROW(client.read(), std::runtime_error);  // closed
}

TEST_F(AccessTest, ReadOnlyUserCannotWrite) {
  Client client(port_);
  client.read();
  client.login("reader", "pw");
  EXPECT_EQ(client.cmd("MKD x").code(), 550);
  EXPECT_EQ(client.cmd("DELE x").code(), 550);
  EXPECT_EQ(client.cmd("EPSV").code(), 229);
  EXPECT_EQ(client.cmd("STOR x").code(), 553);
  EXPECT_FALSE(fs::exists(root() / "x"));
}

TEST_F(AccessTest, StopClosesOpenSessions) {
  Client client(port_);
  client.read();
  server_->stop();
  EXPECT_THROW(client.read(), std::runtime_error);
}

}  // namespace
}  // namespace ftpspecd::test
