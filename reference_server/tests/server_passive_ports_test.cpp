// Passive ports from a range (--passive-ports / passive_ports, PassivePorts) and the io threads
// (--threads / io_threads): the range is honoured, taken ports are skipped, a full range is a 421,
// and sessions spread over several io threads still transfer every byte.
#include <atomic>
#include <set>
#include <sstream>
#include <thread>

#include "server/config_file.hpp"
#include "server/passive_ports.hpp"
#include "test_support.hpp"

namespace ftpspecd::test {
namespace {

TEST(PortRangeTest, Parse) {
  const auto range = parse_port_range("40000-40010");
  ASSERT_TRUE(range);
  EXPECT_EQ(range->low, 40000);
  EXPECT_EQ(range->high, 40010);
  EXPECT_TRUE(parse_port_range("0")->kernel_chooses());
  EXPECT_TRUE(parse_port_range("2000-2000"));
  for (const char* bad : {"", "40000", "40010-40000", "80-90", "1000-70000", "a-b", "40000-", "-40000", "1-2-3"}) {
    EXPECT_FALSE(parse_port_range(bad)) << bad;
  }
  const PortRange kernel = kernel_ephemeral_range();
  EXPECT_GE(kernel.low, 1024);
  EXPECT_LE(kernel.low, kernel.high);
}

TEST(PortRangeTest, ConfigFileKeys) {
  Config config;
  std::istringstream in("passive_ports = 41000-41100\nio_threads = 3\n");
  apply_config(in, "test.conf", config);
  ASSERT_TRUE(config.passive_ports);
  EXPECT_EQ(config.passive_ports->low, 41000);
  EXPECT_EQ(config.passive_ports->high, 41100);
  EXPECT_EQ(config.io_threads, 3u);
  Config bad;
  std::istringstream bad_in("passive_ports = 100-200\n");
  EXPECT_THROW(apply_config(bad_in, "test.conf", bad), std::runtime_error);
}

/// A port the kernel just handed out (so most likely free), as the start of a small range.
std::uint16_t some_free_port() {
  asio::io_context io;
  tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = probe.local_endpoint().port();
  return port > 65000 ? 40000 : port;
}

class PassivePortsTest : public ServerFixture {
 protected:
  void SetUp() override {}
  void start_with(PortRange range, std::size_t threads = 0) {
    Config config = make_config();
    config.passive_ports = range;
    config.io_threads = threads;
    start(std::move(config));
  }
  static std::uint16_t epsv_port(Client& client) {
    const Received r = client.cmd("EPSV");
    EXPECT_EQ(r.code(), 229) << r.raw;
    return ftpspec::proto::parse_epsv_reply(r.reply.text()).value_or(0);
  }
};

TEST_F(PassivePortsTest, PortsStayInTheRangeAndRotate) {
  const std::uint16_t low = some_free_port();
  start_with({low, static_cast<std::uint16_t>(low + 3)});
  Client client(port_);
  client.read();
  client.login();
  std::set<std::uint16_t> seen;
  for (int i = 0; i < 8; ++i) {
    const auto port = epsv_port(client);
    EXPECT_GE(port, low);
    EXPECT_LE(port, low + 3);
    seen.insert(port);
  }
  EXPECT_GT(seen.size(), 1u);  // the cursor moves on: not the same port every time
  // And a transfer through one of them works.
  write_file(root() / "f.txt", "abc");
  EXPECT_EQ(client.download("RETR f.txt"), "abc");
}

/// Two neighbouring ports that are both free now: `low` stays taken by `squatter` (listening).
std::uint16_t taken_then_free_pair(tcp::acceptor& squatter) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    const std::uint16_t low = some_free_port();
    boost::system::error_code ec;
    asio::io_context io;
    tcp::acceptor next(io);
    next.open(tcp::v4(), ec);
    next.set_option(tcp::acceptor::reuse_address(true), ec);  // as ftpspecd binds: TIME-WAIT is no obstacle
    next.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(low + 1)), ec);
    if (ec) continue;
    squatter.open(tcp::v4(), ec);
    squatter.set_option(tcp::acceptor::reuse_address(true), ec);
    squatter.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), low), ec);
    if (!ec) squatter.listen(1, ec);
    if (!ec) return low;  // `next` closes here: low + 1 is free again
    squatter.close(ec);
  }
  throw std::runtime_error("no pair of free ports found");
}

TEST_F(PassivePortsTest, TakenPortIsSkippedAndAFullRangeIs421) {
  asio::io_context io;
  tcp::acceptor squatter(io);
  const std::uint16_t low = taken_then_free_pair(squatter);
  start_with({low, static_cast<std::uint16_t>(low + 1)});
  {
    Client client(port_);
    client.read();
    client.login();
    for (int i = 0; i < 4; ++i) EXPECT_EQ(epsv_port(client), low + 1);
  }
  start_with({low, low});  // the only port is taken
  Client client(port_);
  client.read();
  client.login();
  const Received r = client.cmd("EPSV");
  EXPECT_EQ(r.code(), 421) << r.raw;
}

TEST_F(PassivePortsTest, ZeroLetsTheKernelChoose) {
  start_with(*parse_port_range("0"), 1);
  write_file(root() / "f.txt", "abc");
  Client client(port_);
  client.read();
  client.login();
  EXPECT_NE(epsv_port(client), 0);
  EXPECT_EQ(client.download("RETR f.txt"), "abc");
}

TEST_F(PassivePortsTest, SessionsOnFourIoThreadsTransferEveryByte) {
  start_with(kernel_ephemeral_range(), 4);
  std::string content(300'000, '\0');
  for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 7 + i / 251);
  write_file(root() / "big.bin", content);
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      try {
        Client client(port_);
        client.read();
        client.login();
        client.cmd("TYPE I");
        for (int i = 0; i < 5; ++i) {
          if (client.download("RETR big.bin") != content) ++bad;
          const std::string name = "up" + std::to_string(t) + ".bin";
          if (client.upload("STOR " + name, content) != 226 || read_file(root() / name) != content) ++bad;
        }
      } catch (const std::exception&) {
        ++bad;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace ftpspecd::test
