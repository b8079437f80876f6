// ABOR in the middle of a transfer the way BSD clients send it (RFC 959 §4.1.3, RFC 854 Synch):
// Telnet IAC IP in band, then IAC as TCP urgent data (MSG_OOB), then DM and "ABOR\r\n" in band.
// The reply to the aborted transfer is 426, then ABOR's own 226.
#include <fstream>

#include "test_support.hpp"

namespace ftpspecd::test {
namespace {

using AbortTest = ServerFixture;

/// A RETR that cannot finish by itself: a large sparse file and a reader that stops reading, so
/// the server is blocked on a full socket when the abort arrives.
class StalledRetr {
 public:
  StalledRetr(Client& client, const fs::path& root) {
    const fs::path big = root / "big.bin";
    { std::ofstream create(big); }
    fs::resize_file(big, 256ull * 1024 * 1024);
    EXPECT_EQ(client.cmd("TYPE I").code(), 200);
    data_.emplace(client.open_passive());
    EXPECT_EQ(client.cmd("RETR big.bin").code(), 150);
    char some[1024];
    asio::read(*data_, asio::buffer(some));
  }

 private:
  std::optional<tcp::socket> data_;
};

TEST_F(AbortTest, BsdUrgentSynchThenAborGives426Then226) {
  Client client(port_);
  client.read();
  client.login();
  StalledRetr retr(client, root());
  auto& control = client.socket();
  const char ip[] = {'\xFF', '\xF4'};
  const char iac[] = {'\xFF'};
  asio::write(control, asio::buffer(ip));
  ASSERT_EQ(control.send(asio::buffer(iac), tcp::socket::message_out_of_band), 1u);
  client.send_raw("\xF2" "ABOR\r\n");
  EXPECT_EQ(client.read().raw, "426 Connection closed; transfer aborted\r\n");
  EXPECT_EQ(client.read().raw, "226 ABOR command successful\r\n");
  EXPECT_EQ(client.cmd("NOOP").raw, "200 NOOP ok\r\n");
}

TEST_F(AbortTest, LoneDataMarkBeforeAborIsTheSynch) {
  // What a server without SO_OOBINLINE sees of the BSD sequence: the urgent IAC is gone.
  Client client(port_);
  client.read();
  client.login();
  StalledRetr retr(client, root());
  client.send_raw("\xFF\xF4\xF2" "ABOR\r\n");
  EXPECT_EQ(client.read().raw, "426 Connection closed; transfer aborted\r\n");
  EXPECT_EQ(client.read().raw, "226 ABOR command successful\r\n");
  EXPECT_EQ(client.cmd("NOOP").raw, "200 NOOP ok\r\n");
}

TEST_F(AbortTest, UrgentSynchWithoutTransferGives225) {
  Client client(port_);
  client.read();
  client.login();
  const char iac[] = {'\xFF'};
  client.send_raw("\xFF\xF4");
  ASSERT_EQ(client.socket().send(asio::buffer(iac), tcp::socket::message_out_of_band), 1u);
  client.send_raw("\xF2" "ABOR\r\n");
  EXPECT_EQ(client.read().raw, "225 No transfer to abort\r\n");
  EXPECT_EQ(client.cmd("NOOP").code(), 200);
}

}  // namespace
}  // namespace ftpspecd::test
