// Safety limits (RFC 2577 §4): sessions per server and per address, the failed-login delay and
// attempt limit; no data loss between concurrent uploads (one upload per file).
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <thread>

#include "test_support.hpp"

namespace ftpspecd::test {
namespace {

using LimitsTest = ServerFixture;

TEST_F(LimitsTest, TooManySessionsGet421) {
  Config config = make_config();
  config.max_sessions = 3;
  config.max_sessions_per_address = 2;
  start(std::move(config));
  Client first(port_);
  EXPECT_EQ(first.read().code(), 220);
  Client second(port_);
  EXPECT_EQ(second.read().code(), 220);
  Client third(port_);
  EXPECT_EQ(third.read().raw, "421 Too many connections from your address\r\n");
  EXPECT_EQ(first.cmd("QUIT").code(), 221);
  EXPECT_THROW(first.read(), std::runtime_error);  // closed after 221
  // The slot frees once the session has ended.
  for (int attempt = 0; attempt < 50; ++attempt) {
    Client again(port_);
    if (again.read().code() == 220) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "the ended session's slot was never freed";
}

TEST_F(LimitsTest, TotalLimit) {
  Config config = make_config();
  config.max_sessions = 1;
  start(std::move(config));
  Client first(port_);
  EXPECT_EQ(first.read().code(), 220);
  Client second(port_);
  EXPECT_EQ(second.read().raw, "421 Too many connections, try again later\r\n");
}

TEST_F(LimitsTest, FailedLoginsAreDelayedThenCut) {
  Config config = make_config();
  config.login_failure_delay = std::chrono::milliseconds(300);
  config.max_login_attempts = 2;
  start(std::move(config));
  Client client(port_);
  client.read();
  EXPECT_EQ(client.cmd("USER alice").code(), 331);
  const auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(client.cmd("PASS wrong").code(), 530);
  EXPECT_GE(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(300));
  // Another session is served during the delay: the timer does not block the io thread.
  Client other(port_);
  other.read();
  EXPECT_EQ(client.cmd("USER alice").code(), 331);
  client.send_raw("PASS wrong\r\n");
  EXPECT_EQ(other.cmd("NOOP").code(), 200);
  EXPECT_EQ(client.read().raw, "421 Too many failed logins, closing control connection\r\n");
  EXPECT_THROW(client.read(), std::runtime_error);
}

TEST_F(LimitsTest, SecondWriterOfOneFileGets450) {
  Client first(port_);
  first.read();
  first.login();
  Client second(port_);
  second.read();
  second.login();
  tcp::socket data = first.open_passive();
  ASSERT_EQ(first.cmd("STOR shared.bin").code(), 150);
  asio::write(data, asio::buffer(std::string("first writer ")));
  EXPECT_EQ(second.cmd("EPSV").code(), 229);
  const Received busy = second.cmd("STOR shared.bin");
  EXPECT_EQ(busy.code(), 450) << busy.raw;
  asio::write(data, asio::buffer(std::string("keeps its bytes")));
  data.shutdown(tcp::socket::shutdown_send);
  data.close();
  EXPECT_EQ(first.final_reply("STOR").code(), 226);
  EXPECT_EQ(read_file(root() / "shared.bin"), "first writer keeps its bytes");
  EXPECT_EQ(second.upload("STOR shared.bin", "now free"), 226);
  EXPECT_EQ(read_file(root() / "shared.bin"), "now free");
}

TEST_F(LimitsTest, WithKeepPartialUploadsAnAbortedUploadKeepsWhatArrived) {
  Config config = make_config();
  config.keep_partial_uploads = true;  // RFC 3659 §5 resume; by default an aborted upload changes nothing
  start(std::move(config));
  Client client(port_);
  client.read();
  client.login();
  {
    tcp::socket data = client.open_passive();
    ASSERT_EQ(client.cmd("STOR part.bin").code(), 150);
    asio::write(data, asio::buffer(std::string("0123456789")));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    client.send_raw("ABOR\r\n");
    EXPECT_EQ(client.final_reply("STOR").code(), 426);  // the transfer's reply, then ABOR's
    EXPECT_EQ(client.read().code(), 226);
  }
  EXPECT_EQ(read_file(root() / "part.bin"), "0123456789");
  EXPECT_EQ(client.cmd("REST 10").code(), 350);
  EXPECT_EQ(client.upload("STOR part.bin", "abc"), 226);
  EXPECT_EQ(read_file(root() / "part.bin"), "0123456789abc");
}

TEST_F(LimitsTest, FullDiskEndsTheUploadWith552) {
  // A character device like /dev/full inside the root: every write fails with ENOSPC.
  if (::mknod((root() / "full").c_str(), S_IFCHR | 0666, makedev(1, 7)) != 0) {
    GTEST_SKIP() << "cannot create a /dev/full node here (needs CAP_MKNOD)";
  }
  Client client(port_);
  client.read();
  client.login();
  ASSERT_EQ(client.cmd("TYPE I").code(), 200);
  tcp::socket data = client.open_passive();
  ASSERT_EQ(client.cmd("APPE full").code(), 150);  // APPE: STOR would truncate, which a device refuses
  // The server closes the data connection on the write error; the client may see EPIPE/ECONNRESET.
  const std::string chunk(64 * 1024, 'x');
  boost::system::error_code ec;
  for (int i = 0; i < 32 && !ec; ++i) asio::write(data, asio::buffer(chunk), ec);
  data.close();
  // RFC 959 §4.2: 552 "exceeded storage allocation" is allowed after STOR/APPE's 150; never 226.
  EXPECT_EQ(client.final_reply("APPE").raw,
            "552 Requested file action aborted: exceeded storage allocation (No space left on device)\r\n");
  EXPECT_EQ(client.cmd("NOOP").code(), 200);
}

}  // namespace
}  // namespace ftpspecd::test
