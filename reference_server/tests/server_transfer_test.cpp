// ftpspecd data transfers: RETR/STOR/APPE/STOU/LIST/NLST over PASV, EPSV and PORT, REST, ABOR,
// QUIT during a transfer (RFC 959 §3, §4.1.2, §4.1.3; RFC 2428; RFC 1123 §4.1.2.9).
#include <fcntl.h>
#include <unistd.h>

#include <regex>
#include <thread>

#include "test_support.hpp"

namespace ftpspecd::test {
namespace {

using TransferTest = ServerFixture;

std::string binary_pattern(std::size_t size) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<char>((i * 7 + i / 251) & 0xFF);
  return out;
}

TEST_F(TransferTest, PasvRetrSendsTheExactBytes) {
  const std::string content = binary_pattern(300'000);
  write_file(root() / "blob.bin", content);
  Client client(port_);
  client.read();
  client.login();
  ASSERT_EQ(client.cmd("TYPE I").code(), 200);
  const Received pasv = client.cmd("PASV");
  ASSERT_EQ(pasv.code(), 227);
  EXPECT_TRUE(std::regex_match(pasv.raw, std::regex(R"(227 Entering Passive Mode \(127,0,0,1,\d+,\d+\)\.?\r\n)"))) << pasv.raw;
  const auto hp = ftpspec::proto::parse_pasv_reply(pasv.reply.text());
  ASSERT_TRUE(hp);
  tcp::socket data(client.io());
  data.connect(tcp::endpoint(asio::ip::make_address(hp->host), hp->port));
  set_socket_timeouts(data);
  EXPECT_EQ(client.cmd("RETR blob.bin").code(), 150);
  EXPECT_EQ(Client::read_all(data), content);
  EXPECT_EQ(client.final_reply("RETR").raw, "226 Transfer complete\r\n");
}

TEST_F(TransferTest, RetrOfEverySizeAroundTheAtOnceLimit) {
  // A file the handler sends at once (the client has connected), one that goes on in the transfer
  // coroutine after 256 KiB, and one that fills the socket buffer first: the same bytes and 226.
  Client client(port_);
  client.read();
  client.login();
  ASSERT_EQ(client.cmd("TYPE I").code(), 200);
  for (const std::size_t size : {std::size_t{0}, std::size_t{4096}, std::size_t{256 * 1024}, std::size_t{256 * 1024 + 1},
                                 std::size_t{8 << 20}}) {
    const std::string content = binary_pattern(size);
    write_file(root() / "sized.bin", content);
    EXPECT_EQ(client.download("RETR sized.bin"), content) << size;
  }
  write_file(root() / "small.bin", binary_pattern(4096));
  ASSERT_EQ(client.cmd("REST 1000").code(), 350);
  EXPECT_EQ(client.download("RETR small.bin"), binary_pattern(4096).substr(1000));
}

TEST_F(TransferTest, PassiveConnectionThatComesAfterTheCommandIsStillAccepted) {
  // The passive listener is not watched until the transfer command needs it (passive_ports.hpp):
  // a client that connects only after the 150 takes the asynchronous accept path.
  const std::string content = binary_pattern(200'000);
  write_file(root() / "late.bin", content);
  Client client(port_);
  client.read();
  client.login();
  ASSERT_EQ(client.cmd("TYPE I").code(), 200);
  for (const std::string command : {"RETR late.bin", "STOR late-copy.bin"}) {
    const std::uint16_t port = client.epsv();
    EXPECT_EQ(client.cmd(command).code(), 150) << command;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    tcp::socket data = client.connect_data(port);
    if (command.starts_with("RETR")) {
      EXPECT_EQ(Client::read_all(data), content);
    } else {
      asio::write(data, asio::buffer(content));
      data.shutdown(tcp::socket::shutdown_send);
      data.close();
    }
    EXPECT_EQ(client.final_reply(command.substr(0, 4)).code(), 226) << command;
  }
  EXPECT_EQ(read_file(root() / "late-copy.bin"), content);
}

TEST_F(TransferTest, StorReplacesALongerFileAndFillsANewOne) {
  // STOR truncates an existing file and skips the truncation for an empty one (handlers_transfer.cpp).
  write_file(root() / "old.bin", std::string(50'000, 'x'));
  write_file(root() / "empty.bin", "");
  Client client(port_);
  client.read();
  client.login();
  ASSERT_EQ(client.cmd("TYPE I").code(), 200);
  EXPECT_EQ(client.upload("STOR old.bin", "short"), 226);
  EXPECT_EQ(read_file(root() / "old.bin"), "short");
  EXPECT_EQ(client.upload("STOR empty.bin", "filled"), 226);
  EXPECT_EQ(read_file(root() / "empty.bin"), "filled");
  EXPECT_EQ(client.upload("STOR new.bin", "fresh"), 226);
  EXPECT_EQ(read_file(root() / "new.bin"), "fresh");
}

ftpspec::codec::Representation binary_block_mode() {
  ftpspec::codec::Representation rep;
  rep.type = ftpspec::codec::RepType::image;
  rep.mode = ftpspec::codec::Mode::block;
  return rep;
}

/// Reads one MODE B file from `data` up to its EOF marker (the connection stays open).
std::string read_block_file(tcp::socket& data) {
  auto decoder = ftpspec::codec::make_decoder(binary_block_mode());
  return Client::read_to_eof_marker(data, *decoder);
}

void write_block_file(tcp::socket& data, const std::string& content) {
  auto encoder = ftpspec::codec::make_encoder(binary_block_mode());
  std::string wire;
  encoder->put(content, wire);
  encoder->finish(wire);
  asio::write(data, asio::buffer(wire));
}

TEST_F(TransferTest, BlockModeKeepsTheDataConnectionForTheNextTransfer) {
  // RFC 959 §3.3 "Reuse of the Data Connection": MODE B ends each file with an EOF marker, so
  // one connection carries several transfers: 150 and 250 for the first, then 125 and 250.
  const std::string first = binary_pattern(70'000), second = "second file";
  write_file(root() / "first.bin", first);
  write_file(root() / "second.bin", second);
  Client client(port_);
  client.read();
  client.login();
  ASSERT_EQ(client.cmd("TYPE I").code(), 200);
  ASSERT_EQ(client.cmd("MODE B").code(), 200);
  tcp::socket data = client.open_passive();
  EXPECT_EQ(client.cmd("RETR first.bin").code(), 150);
  EXPECT_EQ(read_block_file(data), first);
  EXPECT_EQ(client.final_reply("RETR").raw, "250 Transfer complete; data connection stays open (RFC 959 §3.3)\r\n");
  EXPECT_EQ(client.cmd("RETR second.bin").code(), 125);
  EXPECT_EQ(read_block_file(data), second);
  EXPECT_EQ(client.final_reply("RETR").code(), 250);
  EXPECT_EQ(client.cmd("STOR copy.bin").code(), 125);
  write_block_file(data, first);
  EXPECT_EQ(client.final_reply("STOR").code(), 250);
  EXPECT_EQ(read_file(root() / "copy.bin"), first);
  EXPECT_EQ(client.cmd("NLST").code(), 125);
  EXPECT_NE(read_block_file(data).find("copy.bin"), std::string::npos);
  EXPECT_EQ(client.final_reply("NLST").code(), 250);

  // RFC 959 §4.1.3: ABOR with no transfer running closes the open data connection (226).
  EXPECT_EQ(client.cmd("ABOR").raw, "226 No transfer to abort; data connection closed\r\n");
  EXPECT_EQ(Client::read_all(data), "");
  EXPECT_EQ(client.cmd("RETR first.bin").code(), 425);

  // A client may close the kept connection instead of reusing it: the next command gets 425.
  tcp::socket again = client.open_passive();
  EXPECT_EQ(client.cmd("RETR second.bin").code(), 150);
  EXPECT_EQ(read_block_file(again), second);
  EXPECT_EQ(client.final_reply("RETR").code(), 250);
  again.close();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the FIN reaches the server first
  EXPECT_EQ(client.cmd("RETR second.bin").code(), 425);

  // A new EPSV replaces a kept connection: the server closes the old one.
  tcp::socket third = client.open_passive();
  EXPECT_EQ(client.cmd("RETR second.bin").code(), 150);
  EXPECT_EQ(read_block_file(third), second);
  EXPECT_EQ(client.final_reply("RETR").code(), 250);
  tcp::socket fourth = client.open_passive();
  EXPECT_EQ(Client::read_all(third), "");
  EXPECT_EQ(client.cmd("RETR first.bin").code(), 150);
  EXPECT_EQ(read_block_file(fourth), first);
  EXPECT_EQ(client.final_reply("RETR").code(), 250);

  // Back in stream mode the close ends the file again (RFC 959 §3.4.1), and the reply is 226.
  ASSERT_EQ(client.cmd("MODE S").code(), 200);
  EXPECT_EQ(client.download("RETR second.bin"), second);
}

TEST_F(TransferTest, AsciiRetrConvertsLineEnds) {
  write_file(root() / "text.txt", "one\ntwo\n");
  Client client(port_);
  client.read();
  client.login();
  EXPECT_EQ(client.download("RETR text.txt"), "one\r\ntwo\r\n");  // TYPE A N is the default (§5.1)
  EXPECT_EQ(client.cmd("SIZE text.txt").raw, "213 10\r\n");
  ASSERT_EQ(client.cmd("TYPE I").code(), 200);
  EXPECT_EQ(client.cmd("SIZE text.txt").raw, "213 8\r\n");
}

TEST_F(TransferTest, RetrOfDataTheTypeCannotCarryFailsWith451NotA226) {
  // TYPE L 4 carries local octets 0x00-0x0F (RFC 959 §3.1.1.4, docs/codecs.md): 0xFF cannot be
  // sent, so the transfer must not end with "226" after whatever went out before it.
  write_file(root() / "wide.bin", std::string(100'000, '\x01') + "\xFF");
  Client client(port_);
  client.read();
  client.login();
  ASSERT_EQ(client.cmd("TYPE L 4").code(), 200);
  for (const char* mode : {"S", "B"}) {
    ASSERT_EQ(client.cmd(std::string("MODE ") + mode).code(), 200);
    client.download("RETR wide.bin", 451);
  }
}

TEST_F(TransferTest, StorWritesEveryByteBefore226) {
  const std::string content = binary_pattern(1'000'000);
  Client client(port_);
  client.read();
  client.login();
  ASSERT_EQ(client.cmd("TYPE I").code(), 200);
  EXPECT_EQ(client.upload("STOR up.bin", content), 226);
  EXPECT_EQ(read_file(root() / "up.bin"), content);  // checked right after the 226
  EXPECT_EQ(client.upload("APPE up.bin", "tail"), 226);
  EXPECT_EQ(read_file(root() / "up.bin"), content + "tail");
}

TEST_F(TransferTest, AsciiStorStoresLocalLineEnds) {
  Client client(port_);
  client.read();
  client.login();
  EXPECT_EQ(client.upload("STOR t.txt", "a\r\nb\r\n"), 226);
  EXPECT_EQ(read_file(root() / "t.txt"), "a\nb\n");
}

TEST_F(TransferTest, StouTellsTheUniqueName) {
  Client client(port_);
  client.read();
  client.login();
  tcp::socket data = client.open_passive();
  const Received first = client.cmd("STOU");
  ASSERT_EQ(first.code(), 150);
  std::smatch match;
  const std::string raw = first.raw;
  ASSERT_TRUE(std::regex_match(raw, match, std::regex("150 FILE: (\\S+)\r\n"))) << raw;
  asio::write(data, asio::buffer(std::string("unique")));
  data.close();
  EXPECT_EQ(client.final_reply("STOU").code(), 226);
  EXPECT_EQ(read_file(root() / match[1].str()), "unique");
}

TEST_F(TransferTest, ListAndNlstFormats) {
  write_file(root() / "a.txt", "hello");
  fs::create_directory(root() / "dir");
  Client client(port_);
  client.read();
  client.login();
  const std::string list = client.download("LIST");
  const std::regex line(R"(-rw-r--r-- 1 ftp ftp +5 [A-Z][a-z]{2} \d\d (\d\d:\d\d| \d{4}) a\.txt\r\n)"
                        R"(drwx.{6} \d+ ftp ftp +\d+ [A-Z][a-z]{2} \d\d (\d\d:\d\d| \d{4}) dir\r\n)");
  EXPECT_TRUE(std::regex_match(list, line)) << list;
  EXPECT_EQ(client.download("NLST"), "a.txt\r\ndir\r\n");
  EXPECT_EQ(client.download("LIST -la dir"), "");
  EXPECT_EQ(client.cmd("LIST missing").code(), 450);
}

TEST_F(TransferTest, RestResumesRetrAndStor) {
  write_file(root() / "r.bin", "0123456789");
  Client client(port_);
  client.read();
  client.login();
  ASSERT_EQ(client.cmd("TYPE I").code(), 200);
  EXPECT_EQ(client.cmd("REST 4").raw, "350 Restarting at 4. Send STORE or RETRIEVE to initiate transfer\r\n");
  EXPECT_EQ(client.download("RETR r.bin"), "456789");
  EXPECT_EQ(client.download("RETR r.bin"), "0123456789");  // the marker is used once
  ASSERT_EQ(client.cmd("REST 5").code(), 350);
  EXPECT_EQ(client.upload("STOR r.bin", "ABC"), 226);
  EXPECT_EQ(read_file(root() / "r.bin"), "01234ABC89");
  ASSERT_EQ(client.cmd("REST 99").code(), 350);
  EXPECT_EQ(client.cmd("RETR r.bin").code(), 554);
}

TEST_F(TransferTest, RestThenAppeActsAsStorAtTheMarker) {
  // RFC 3659 §5.3: "If APPE (append) is permitted, it MUST act identically to STOR when a restart
  // marker has been set": the data goes at the marker, not at the end of the file.
  write_file(root() / "ap.bin", "0123456789");
  Client client(port_);
  client.read();
  client.login();
  ASSERT_EQ(client.cmd("TYPE I").code(), 200);
  ASSERT_EQ(client.cmd("REST 5").code(), 350);
  EXPECT_EQ(client.upload("APPE ap.bin", "XY"), 226);
  EXPECT_EQ(read_file(root() / "ap.bin"), "01234XY789");
  EXPECT_EQ(client.upload("APPE ap.bin", "!"), 226);  // the marker was used once: a plain append
  EXPECT_EQ(read_file(root() / "ap.bin"), "01234XY789!");
  ASSERT_EQ(client.cmd("REST 0").code(), 350);  // REST 0 disables restart (§5.3): append again
  EXPECT_EQ(client.upload("APPE ap.bin", "?"), 226);
  EXPECT_EQ(read_file(root() / "ap.bin"), "01234XY789!?");
}

TEST_F(TransferTest, ActivePortRetr) {
  write_file(root() / "a.txt", "active bytes");
  Client client(port_);
  client.read();
  client.login();
  ASSERT_EQ(client.cmd("TYPE I").code(), 200);
  tcp::acceptor listener(client.io(), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = listener.local_endpoint().port();
  EXPECT_EQ(client.cmd(ftpspec::proto::format_port_argument({"127.0.0.1", port}).insert(0, "PORT ")).code(), 200);
  EXPECT_EQ(client.cmd("RETR a.txt").code(), 150);
  tcp::socket data = listener.accept();
  set_socket_timeouts(data);
  EXPECT_EQ(Client::read_all(data), "active bytes");
  EXPECT_EQ(client.final_reply("RETR").code(), 226);
  // EPRT to the same listener
  EXPECT_EQ(client.cmd("EPRT |1|127.0.0.1|" + std::to_string(port) + "|").code(), 200);
  EXPECT_EQ(client.cmd("RETR a.txt").code(), 150);
  tcp::socket data2 = listener.accept();
  set_socket_timeouts(data2);
  EXPECT_EQ(Client::read_all(data2), "active bytes");
  EXPECT_EQ(client.final_reply("RETR").code(), 226);
}

TEST_F(TransferTest, EpsvGrammarAndEpsvAll) {
  Client client(port_);
  client.read();
  client.login();
  const Received epsv = client.cmd("EPSV");
  EXPECT_TRUE(std::regex_match(epsv.raw, std::regex(R"(229 Entering Extended Passive Mode \(\|\|\|\d{1,5}\|\)\r\n)"))) << epsv.raw;
  EXPECT_EQ(client.cmd("EPSV 1").code(), 229);
  EXPECT_EQ(client.cmd("EPSV 2").raw, "522 Network protocol not supported, use (1)\r\n");
  EXPECT_EQ(client.cmd("EPRT |3|x|5000|").code(), 522);
  EXPECT_EQ(client.cmd("EPRT 1,127.0.0.1,2000").code(), 501);  // not <d>af<d>addr<d>port<d>
  EXPECT_EQ(client.cmd("EPSV ALL").code(), 200);
  EXPECT_EQ(client.cmd("PASV").code(), 501);
  EXPECT_EQ(client.cmd("PORT 127,0,0,1,100,100").code(), 501);
  EXPECT_EQ(client.cmd("EPSV").code(), 229);
}

TEST_F(TransferTest, RetrWithoutDataSetupGets425) {
  write_file(root() / "a.txt", "x");
  Client client(port_);
  client.read();
  client.login();
  EXPECT_EQ(client.cmd("RETR a.txt").code(), 425);
}

TEST_F(TransferTest, AborDuringTransferGives426Then226) {
  // A large sparse file and a reader that stops reading: the server blocks on a full socket.
  const fs::path big = root() / "big.bin";
  { std::ofstream create(big); }
  fs::resize_file(big, 256ull * 1024 * 1024);
  Client client(port_);
  client.read();
  client.login();
  ASSERT_EQ(client.cmd("TYPE I").code(), 200);
  tcp::socket data = client.open_passive();
  ASSERT_EQ(client.cmd("RETR big.bin").code(), 150);
  char some[1024];
  asio::read(data, asio::buffer(some));
  // RFC 959 §4.1.3: Telnet IP + Synch precede ABOR; the server must read it mid-transfer.
  client.send_raw("\xFF\xF4\xFF\xF2" "ABOR\r\n");
  EXPECT_EQ(client.read().code(), 426);
  EXPECT_EQ(client.read().raw, "226 ABOR command successful\r\n");
  EXPECT_EQ(client.cmd("NOOP").code(), 200);
}

TEST_F(TransferTest, StatAndQuitDuringTransfer) {
  const std::string content = binary_pattern(8 * 1024 * 1024);
  write_file(root() / "mid.bin", content);
  Client client(port_);
  client.read();
  client.login();
  ASSERT_EQ(client.cmd("TYPE I").code(), 200);
  tcp::socket data = client.open_passive();
  ASSERT_EQ(client.cmd("RETR mid.bin").code(), 150);
  char some[1024];
  asio::read(data, asio::buffer(some));
  EXPECT_EQ(client.cmd("STAT").code(), 213);  // status of the transfer in progress
  client.send_raw("QUIT\r\n");
  std::string rest = Client::read_all(data);
  EXPECT_EQ(std::string(some, sizeof some) + rest, content);
  EXPECT_EQ(client.read().code(), 226);  // the transfer's reply comes first
  EXPECT_EQ(client.read().code(), 221);
}

TEST_F(TransferTest, RenameDeleteMkdRmd) {
  write_file(root() / "old.txt", "x");
  Client client(port_);
  client.read();
  client.login();
  EXPECT_EQ(client.cmd("RNFR old.txt").code(), 350);
  EXPECT_EQ(client.cmd("RNTO new.txt").code(), 250);
  EXPECT_TRUE(fs::exists(root() / "new.txt"));
  EXPECT_EQ(client.cmd("RNFR missing").code(), 550);
  EXPECT_EQ(client.cmd("RNFR new.txt").code(), 350);
  EXPECT_EQ(client.cmd("NOOP").code(), 200);
  EXPECT_EQ(client.cmd("RNTO other.txt").code(), 503);  // RNTO must follow RNFR at once
  EXPECT_EQ(client.cmd("DELE new.txt").code(), 250);
  EXPECT_EQ(client.cmd("DELE new.txt").code(), 550);
  EXPECT_EQ(client.cmd("XMKD d").code(), 257);
  EXPECT_EQ(client.cmd("MKD d").code(), 550);
  EXPECT_EQ(client.cmd("XRMD d").code(), 250);
  EXPECT_FALSE(fs::exists(root() / "d"));
}

TEST_F(TransferTest, MdtmIsUtc) {
  write_file(root() / "m.txt", "x");
  const auto when = fs::file_time_type::clock::from_sys(std::chrono::sys_days{std::chrono::year{2021} / 3 / 4} +
                                                        std::chrono::hours{5} + std::chrono::minutes{6} + std::chrono::seconds{7});
  fs::last_write_time(root() / "m.txt", when);
  Client client(port_);
  client.read();
  client.login();
  EXPECT_EQ(client.cmd("MDTM m.txt").raw, "213 20210304050607\r\n");
  EXPECT_EQ(client.cmd("MDTM nope").code(), 550);
}

}  // namespace
}  // namespace ftpspecd::test
