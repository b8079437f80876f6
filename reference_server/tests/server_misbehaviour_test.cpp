// ftpspecd's deliberate misbehaviours (for testing clients) byte for byte over loopback, the
// RFC 2428 522 replies, and the SIZE cap under TYPE A. Real clients meet the misbehaviours in
// tests/test_server_misbehave.py.
#include <regex>
#include <sstream>

#include "server/config_file.hpp"
#include "server/misbehaviour.hpp"
#include "server/reply_sink.hpp"
#include "test_support.hpp"

namespace ftpspecd::test {
namespace {

class MisbehaviourTest : public ServerFixture {
 protected:
  void SetUp() override {}  // each test starts its own server
  void start_with(const std::vector<std::string>& specs) {
    Config config = make_config();
    for (const auto& spec : specs) {
      const std::string error = apply_misbehaviour(spec, config.misbehaviour);
      ASSERT_TRUE(error.empty()) << error;
    }
    start(std::move(config));
  }
  /// Reads raw control bytes until `terminator` has arrived (or throws on timeout/close).
  static std::string read_until(tcp::socket& socket, const std::string& terminator) {
    std::string out;
    char buffer[4096];
    while (out.find(terminator) == std::string::npos) {
      boost::system::error_code ec;
      const std::size_t n = socket.read_some(asio::buffer(buffer), ec);
      if (ec) throw std::runtime_error("control: " + ec.message() + " after " + out);
      out.append(buffer, n);
    }
    return out;
  }
};

TEST(MisbehaviourSpec, ParsesEveryNameAndRejectsBadValues) {
  Misbehaviour m;
  EXPECT_EQ(apply_misbehaviour_list("delay-replies=250,multiline-codes,lf-only,preliminary-then-4xx", m), "");
  EXPECT_EQ(m.replies.delay, std::chrono::milliseconds(250));
  EXPECT_TRUE(m.replies.code_on_every_line && m.replies.lf_only && m.preliminary_then_4xx);
  EXPECT_EQ(apply_misbehaviour_list("pasv-unroutable,drop-data=10,close-421=4,throttle=1000,list-format=eplf", m), "");
  EXPECT_EQ(m.pasv_address, "0.0.0.0");
  EXPECT_EQ(m.data.drop_after, 10u);
  EXPECT_EQ(m.close_421_at, 4u);
  EXPECT_EQ(m.data.bytes_per_second, 1000u);
  EXPECT_EQ(m.list_format, ListFormat::eplf);
  EXPECT_EQ(apply_misbehaviour("pasv-address=127.0.0.2", m), "");
  EXPECT_EQ(m.pasv_address, "127.0.0.2");

  EXPECT_EQ(apply_misbehaviour("pasv-address=::1", m), "misbehaviour 'pasv-address' needs an IPv4 address, got '::1'");
  EXPECT_EQ(apply_misbehaviour("throttle=0", m), "misbehaviour 'throttle' needs bytes per second (>= 1), got '0'");
  EXPECT_EQ(apply_misbehaviour("close-421", m), "misbehaviour 'close-421' needs a command number (>= 1), got ''");
  EXPECT_EQ(apply_misbehaviour("lf-only=1", m), "misbehaviour 'lf-only' takes no value");
  EXPECT_EQ(apply_misbehaviour("list-format=vms", m), "misbehaviour 'list-format' needs unix, dos or eplf, got 'vms'");
  EXPECT_NE(apply_misbehaviour("sing", m).find("unknown misbehaviour 'sing' (known: delay-replies=MS"), std::string::npos);
}

TEST(MisbehaviourSpec, ConfigFileServerAndUserLists) {
  Config config;
  std::istringstream in("misbehave = lf-only,throttle=5\nuser slow pw misbehave=delay-replies=10,close-421=5\n");
  apply_config(in, "m.conf", config);
  EXPECT_TRUE(config.misbehaviour.replies.lf_only);
  EXPECT_EQ(config.misbehaviour.data.bytes_per_second, 5u);
  ASSERT_EQ(config.user_misbehave.at("slow"), std::vector<std::string>{"delay-replies=10,close-421=5"});
  std::istringstream bad("user x pw misbehave=drop-data=lots\n");
  try {
    apply_config(bad, "m.conf", config);
    FAIL() << "a bad misbehaviour must be refused";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "m.conf:1: misbehaviour 'drop-data' needs a byte count, got 'lots'");
  }
}

TEST(MisbehaviourSpec, ReplyFormats) {
  ReplyMisbehaviour rules;
  rules.code_on_every_line = true;
  EXPECT_EQ(format_misbehaving_reply(211, "Features:\n EPRT\nEnd", rules), "211-Features:\r\n211- EPRT\r\n211 End\r\n");
  EXPECT_EQ(format_misbehaving_reply(200, "one line", rules), "200 one line\r\n");
  rules.lf_only = true;
  EXPECT_EQ(format_misbehaving_reply(211, "a\nb", rules), "211-a\n211 b\n");
  rules.code_on_every_line = false;
  EXPECT_EQ(format_misbehaving_reply(220, "hi", rules), "220 hi\n");
}

TEST_F(MisbehaviourTest, MultilineCodesAndLfOnlyOnTheWire) {
  start_with({"multiline-codes", "lf-only"});
  Client client(port_);
  EXPECT_EQ(read_until(client.socket(), "\n"), "220 ftpspecd ready\n");
  client.send_raw("HELP\r\n");
  const std::string help = read_until(client.socket(), "\n214 ");
  EXPECT_EQ(help.find('\r'), std::string::npos) << help;
  std::istringstream lines(help);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) {
      EXPECT_TRUE(line.starts_with("214-") || line.starts_with("214 ")) << line;
    }
  }
}

TEST_F(MisbehaviourTest, DelayedRepliesKeepTheirOrder) {
  start_with({"delay-replies=20"});
  Client client(port_);
  EXPECT_EQ(client.read().code(), 220);
  client.send_raw("NOOP\r\nSYST\r\nNOOP\r\n");  // pipelined: three delayed replies, in order
  EXPECT_EQ(client.read().code(), 200);
  EXPECT_EQ(client.read().code(), 215);
  EXPECT_EQ(client.read().code(), 200);
}

TEST_F(MisbehaviourTest, PreliminaryThen451WithoutData) {
  start_with({"preliminary-then-4xx"});
  write_file(root() / "f.txt", "data");
  Client client(port_);
  client.read();
  client.login();
  EXPECT_EQ(client.download("RETR f.txt", 451), "");
  EXPECT_EQ(client.download("LIST", 451), "");
  EXPECT_EQ(client.upload("STOR up.txt", "kept"), 226);  // uploads are left alone
  EXPECT_EQ(read_file(root() / "up.txt"), "kept");
}

TEST_F(MisbehaviourTest, PasvAnnouncesTheConfiguredAddress) {
  start_with({"pasv-address=127.0.0.2"});
  Client client(port_);
  client.read();
  client.login();
  const Received pasv = client.cmd("PASV");
  ASSERT_EQ(pasv.code(), 227);
  const auto target = ftpspec::proto::parse_pasv_reply(pasv.reply.text());
  ASSERT_TRUE(target) << pasv.raw;
  EXPECT_EQ(target->host, "127.0.0.2");
  // The listener is really on the control address: a client that substitutes it gets the data.
  write_file(root() / "p.txt", "passive");
  tcp::socket data(client.io());
  data.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), target->port));
  set_socket_timeouts(data);
  EXPECT_EQ(client.cmd("RETR p.txt").code(), 150);
  EXPECT_EQ(Client::read_all(data), "passive");
  EXPECT_EQ(client.final_reply("RETR").code(), 226);
}

TEST_F(MisbehaviourTest, DropDataCutsDownloadsAndUploads) {
  start_with({"drop-data=1000"});
  write_file(root() / "big.bin", std::string(100'000, 'x'));
  Client client(port_);
  client.read();
  client.login();
  ASSERT_EQ(client.cmd("TYPE I").code(), 200);
  EXPECT_EQ(client.download("RETR big.bin", 426), std::string(1000, 'x'));
  write_file(root() / "up.bin", "the old file");
  tcp::socket data = client.open_passive();
  EXPECT_EQ(client.cmd("STOR up.bin").code(), 150);
  boost::system::error_code ignored;
  asio::write(data, asio::buffer(std::string(5000, 'y')), ignored);  // fits the socket buffers
  EXPECT_EQ(client.final_reply("STOR").code(), 426);  // the server stopped reading at 1000
  data.close();
  EXPECT_EQ(read_file(root() / "up.bin"), "the old file");  // a failed upload changes nothing
}

TEST_F(MisbehaviourTest, ThrottledTransferIsIntactAndReportsItsRate) {
  start_with({"throttle=400000"});
  std::string payload(200'000, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 7);
  write_file(root() / "t.bin", payload);
  Client client(port_);
  client.read();
  client.login();
  ASSERT_EQ(client.cmd("TYPE I").code(), 200);
  tcp::socket data = client.open_passive();
  EXPECT_EQ(client.cmd("RETR t.bin").code(), 150);
  EXPECT_EQ(Client::read_all(data), payload);
  const Received done = client.final_reply("RETR");
  EXPECT_EQ(done.code(), 226);
  // The server's own account: bytes and elapsed time (a rate it guarantees by construction).
  std::smatch match;
  const std::string text = done.reply.text();
  ASSERT_TRUE(std::regex_search(text, match, std::regex(R"(throttled: (\d+) bytes in (\d+) ms)"))) << done.raw;
  const double bytes = std::stod(match[1]);
  const double ms = std::stod(match[2]);
  EXPECT_EQ(bytes, 200'000);
  EXPECT_LE(bytes / (ms / 1000.0), 400'000 * 1.01);
}

TEST_F(MisbehaviourTest, Close421AtTheNthCommand) {
  start_with({"close-421=3"});
  Client client(port_);
  client.read();
  client.login();  // commands 1 and 2
  const Received third = client.cmd("PWD");
  EXPECT_EQ(third.code(), 421);
  char byte;
  boost::system::error_code ec;
  client.socket().read_some(asio::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, asio::error::eof);
}

TEST_F(MisbehaviourTest, ListFormatsDosAndEplf) {
  start_with({"list-format=dos"});
  write_file(root() / "f.txt", "12345");
  fs::create_directory(root() / "sub");
  Client client(port_);
  client.read();
  client.login();
  const std::string dos = client.download("LIST");
  EXPECT_TRUE(std::regex_match(dos, std::regex(R"(\d\d-\d\d-\d\d  \d\d:\d\d[AP]M {20}5 f\.txt\r\n)"
                                               R"(\d\d-\d\d-\d\d  \d\d:\d\d[AP]M       <DIR>          sub\r\n)")))
      << dos;
  EXPECT_EQ(client.download("NLST"), "f.txt\r\nsub\r\n");  // NLST stays names only

  start_with({"list-format=eplf"});
  Client eplf_client(port_);
  eplf_client.read();
  eplf_client.login();
  const std::string eplf = eplf_client.download("LIST");
  EXPECT_TRUE(std::regex_match(eplf, std::regex("\\+i[0-9a-f]+\\.[0-9a-f]+,m\\d+,r,s5,\tf\\.txt\r\n"
                                                "\\+i[0-9a-f]+\\.[0-9a-f]+,m\\d+,/,\tsub\r\n")))
      << eplf;
}

TEST_F(MisbehaviourTest, UserMisbehaviourStartsAtLoginAndEndsWithRein) {
  Config config = make_config();
  config.user_misbehave["alice"] = {"list-format=dos,close-421=6"};
  start(std::move(config));
  write_file(root() / "f.txt", "1");
  Client client(port_);
  client.read();
  client.login();                                                                 // 1, 2
  EXPECT_NE(client.download("LIST").find("                    1 f.txt"), std::string::npos);  // 3, 4
  EXPECT_EQ(client.cmd("REIN").code(), 220);                                      // 5
  EXPECT_EQ(client.cmd("NOOP").code(), 200);  // 6: REIN ended alice's misbehaviours
}

TEST_F(MisbehaviourTest, EpsvAndEprtUnknownProtocolsAre522) {
  start(make_config());
  Client client(port_);
  client.read();
  client.login();
  // RFC 2428 §3: "If not, the server MUST return the 522 error".
  EXPECT_EQ(client.cmd("EPSV 9").code(), 522);
  EXPECT_EQ(client.cmd("EPSV 2").code(), 522);  // IPv6 on an IPv4 control connection
  EXPECT_EQ(client.cmd("EPSV 11").code(), 522);
  EXPECT_EQ(client.cmd("EPSV x").code(), 501);
  // RFC 2428 §2: an unsupported network protocol in EPRT is 522 as well.
  EXPECT_EQ(client.cmd("EPRT |3|127.0.0.1|5000|").code(), 522);
  EXPECT_EQ(client.cmd("EPRT |1|not-an-address|5000|").code(), 501);
}

TEST_F(MisbehaviourTest, SizeUnderTypeAIsRefusedForLargeFiles) {
  start(make_config());
  fs::path big = root() / "huge.txt";
  write_file(big, "");
  fs::resize_file(big, 17u * 1024 * 1024);  // sparse: cheap to make
  write_file(root() / "small.txt", "a\nb\n");
  Client client(port_);
  client.read();
  client.login();
  EXPECT_EQ(client.cmd("SIZE huge.txt").code(), 550);  // TYPE A: would encode 17 MiB on the io thread
  EXPECT_EQ(client.cmd("SIZE small.txt").reply.text(), "6");
  ASSERT_EQ(client.cmd("TYPE I").code(), 200);
  EXPECT_EQ(client.cmd("SIZE huge.txt").reply.text(), std::to_string(17u * 1024 * 1024));
}

}  // namespace
}  // namespace ftpspecd::test
