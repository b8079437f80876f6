// The data-connection lifecycle around a half-closed control connection (written while hunting
// finding F5 in docs/reliability.md, which turned out to be the fuzz harness): a transfer that got its 150 but never got a data connection must still end with
// 425/426 once the data timeout passes (or the half-close aborts it), and the session must close.
// Every ordering of "150 sent", "transfer coroutine starts accepting", "half-close read" and
// "data timeout" is driven by repeating the exchange with the half-close sent at once, after the
// 150, and together with the command (so it is read in the same segment as LIST).
#include <algorithm>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace ftpspecd::test {
namespace {

/// Every reply code until the server closes the control connection. Throws when the socket's
/// receive timeout (10 s, set_socket_timeouts) passes first: the session hung.
std::vector<int> codes_until_close(Client& client) {
  std::vector<int> codes;
  while (true) {
    try {
      codes.push_back(client.read().code());
    } catch (const std::runtime_error& e) {
      if (std::string(e.what()).find("End of file") != std::string::npos) return codes;
      throw;
    }
  }
}

class DataLifecycleTest : public ServerFixture {
 protected:
  void SetUp() override {
    Config config = make_config();
    config.data_timeout = std::chrono::milliseconds(150);  // short: each round ends quickly
    start(std::move(config));
    write_file(root() / "a.txt", "hello\r\n");
  }

  /// One session: login, a passive setup, `commands` sent in one write together with the
  /// half-close (or the half-close after the 150 when `after_150`); returns the codes after login.
  std::vector<int> round(const std::string& passive, const std::string& commands, bool after_150) {
    Client client(port_);
    EXPECT_EQ(client.read().code(), 220);
    client.login();
    const int setup = client.cmd(passive).code();
    EXPECT_TRUE(setup == 227 || setup == 228 || setup == 229) << passive << " answered " << setup;
    std::vector<int> codes;
    client.send_raw(commands);
    if (after_150) {
      codes.push_back(client.read().code());
      EXPECT_EQ(codes.back(), 150);
    }
    client.socket().shutdown(tcp::socket::shutdown_send);
    const auto rest = codes_until_close(client);
    codes.insert(codes.end(), rest.begin(), rest.end());
    return codes;
  }
};

/// How many replies say the transfer failed: 425 (data timeout) or 426 (the half-close aborted it).
long transfer_failures(const std::vector<int>& codes) {
  return std::count_if(codes.begin(), codes.end(), [](int code) { return code == 425 || code == 426; });
}

/// The transfer ends with 425 or 426 exactly once.
void expect_transfer_failed_once(const std::vector<int>& codes, const std::string& what) {
  EXPECT_EQ(transfer_failures(codes), 1) << what;
}

TEST_F(DataLifecycleTest, HalfCloseRightAfter150EndsTheTransferAndTheSession) {
  for (int i = 0; i < 20; ++i) {
    const auto codes = round(i % 3 == 0 ? "PASV" : i % 3 == 1 ? "EPSV" : "LPSV", "LIST\r\n", true);
    ASSERT_FALSE(codes.empty());
    expect_transfer_failed_once(codes, "round " + std::to_string(i));
  }
}

TEST_F(DataLifecycleTest, HalfCloseInTheSameSegmentAsList) {
  for (int i = 0; i < 20; ++i) {
    const auto codes = round("EPSV", "LIST\r\n", false);
    ASSERT_GE(codes.size(), 2u);
    EXPECT_EQ(codes.front(), 150);
    expect_transfer_failed_once(codes, "round " + std::to_string(i));
  }
}

TEST_F(DataLifecycleTest, QuitAfterListWaitsForTheTimeoutThenSays221) {
  // The fuzz reproducers' shape: LIST, QUIT, half-close. RFC 959 §4.1.1: the transfer's reply
  // comes before QUIT's 221.
  for (int i = 0; i < 10; ++i) {
    const auto codes = round("PASV", "LIST\r\nQUIT\r\n", false);
    ASSERT_EQ(codes.size(), 3u);
    EXPECT_EQ(codes[0], 150);
    EXPECT_TRUE(codes[1] == 425 || codes[1] == 426) << codes[1];
    EXPECT_EQ(codes[2], 221);
  }
}

TEST_F(DataLifecycleTest, CommandQueuedBehindAStalledTransferRunsAfterIt) {
  // Reproducer 2's shape: a command that waits for the transfer (RETR), then the half-close.
  for (int i = 0; i < 10; ++i) {
    const auto codes = round("EPSV", "LIST\r\nEPSV\r\nLIST\r\n", false);
    ASSERT_GE(codes.size(), 4u);
    EXPECT_EQ(codes[0], 150);
    EXPECT_TRUE(codes[1] == 425 || codes[1] == 426) << codes[1];
    EXPECT_EQ(codes[2], 229);
    EXPECT_EQ(codes[3], 150);
  }
}

TEST_F(DataLifecycleTest, ManySessionsAtOnce) {
  // The orderings also depend on what other sessions keep the io thread busy with.
  std::vector<std::thread> threads;
  std::atomic<int> hung{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        try {
          const auto codes = round(t % 2 ? "PASV" : "EPSV", t % 3 ? "LIST\r\n" : "LIST\r\nQUIT\r\n", t % 4 == 0);
          if (transfer_failures(codes) != 1) ++hung;
        } catch (const std::exception&) {
          ++hung;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(hung.load(), 0);
}

}  // namespace
}  // namespace ftpspecd::test
