// The `--config FILE` format: key = value lines and user lines, with file:line errors.
#include <sstream>

#include "server/config_file.hpp"
#include "test_support.hpp"

namespace ftpspecd::test {
namespace {

Config parse(const std::string& text) {
  Config config;
  std::istringstream in(text);
  apply_config(in, "test.conf", config);
  return config;
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "no error";
}

TEST(ConfigFileTest, KeysAndUsers) {
  const Config config = parse(
      "# ftpspecd\n"
      "listen = [::1]:2121\n"
      "root = /srv/ftp   # trailing comment\n"
      "anonymous = yes\n"
      "max_sessions = 10\n"
      "max_sessions_per_address = 2\n"
      "login_failure_delay_ms = 250\n"
      "max_login_attempts = 5\n"
      "idle_timeout = 60\n"
      "require_tls = false\n"
      "keep_partial_uploads = on\n"
      "io_spin_us = 0\n"
      "\n"
      "user alice secret\n"
      "user bob pw ro root=/srv/bob\n");
  EXPECT_EQ(config.listen_host, "::1");
  EXPECT_EQ(config.port, 2121);
  EXPECT_EQ(config.root, "/srv/ftp");
  EXPECT_TRUE(config.anonymous);
  EXPECT_EQ(config.max_sessions, 10u);
  EXPECT_EQ(config.max_sessions_per_address, 2u);
  EXPECT_EQ(config.login_failure_delay, std::chrono::milliseconds(250));
  EXPECT_EQ(config.max_login_attempts, 5u);
  EXPECT_EQ(config.idle_timeout, std::chrono::seconds(60));
  EXPECT_TRUE(config.keep_partial_uploads);
  EXPECT_FALSE(Config{}.keep_partial_uploads);  // off unless asked for
  EXPECT_EQ(config.io_spin, std::chrono::microseconds(0));
  EXPECT_EQ(Config{}.io_spin, std::chrono::microseconds(200));
  ASSERT_EQ(config.users.size(), 2u);
  EXPECT_EQ(config.users[0].name, "alice");
  EXPECT_FALSE(config.users[0].read_only);
  EXPECT_EQ(config.users[1].root, "/srv/bob");
  EXPECT_TRUE(config.users[1].read_only);
}

TEST(ConfigFileTest, ErrorsNameFileAndLine) {
  EXPECT_EQ(error_of("root = /x\nbogus = 1\n"), "test.conf:2: unknown key 'bogus'");
  EXPECT_EQ(error_of("max_sessions = many\n"), "test.conf:1: expected a number, got 'many'");
  EXPECT_EQ(error_of("user alice\n"), "test.conf:1: expected: user NAME PASSWORD [ro] [root=DIR] [misbehave=LIST]");
  EXPECT_EQ(error_of("user a b rw\n"), "test.conf:1: unknown user option 'rw'");
  EXPECT_EQ(error_of("anonymous = maybe\n"), "test.conf:1: expected true or false, got 'maybe'");
  EXPECT_EQ(error_of("keep_partial_uploads = some\n"), "test.conf:1: expected true or false, got 'some'");
  EXPECT_EQ(error_of("listen = nowhere\n"), "test.conf:1: listen: expected HOST:PORT or [IPV6]:PORT");
  EXPECT_EQ(error_of("root = /x\nio_spin_us = 1001\n"), "test.conf:2: io_spin_us: expected 0-1000");
}

using AnonymousTest = ServerFixture;

TEST_F(AnonymousTest, AnonymousIsReadOnly) {
  Config config = make_config();
  config.anonymous = true;
  start(std::move(config));
  write_file(root() / "pub.txt", "public");
  Client client(port_);
  client.read();
  EXPECT_EQ(client.cmd("USER anonymous").code(), 331);
  EXPECT_EQ(client.cmd("PASS guest@example.com").code(), 230);
  EXPECT_EQ(client.cmd("TYPE I").code(), 200);
  EXPECT_EQ(client.download("RETR pub.txt"), "public");
  EXPECT_EQ(client.cmd("STOR new.txt").code(), 553);
  EXPECT_EQ(client.cmd("DELE pub.txt").code(), 550);
  EXPECT_EQ(client.cmd("MKD d").code(), 550);
}

}  // namespace
}  // namespace ftpspecd::test
