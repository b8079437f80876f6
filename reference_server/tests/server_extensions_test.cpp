// RFC 3659 (MLST, MLSD, OPTS MLST, SIZE, MDTM), RFC 1639 (LPRT, LPSV), RFC 7151 (HOST),
// RFC 2640 (LANG) — exact replies over loopback.
#include <regex>

#include "test_support.hpp"

namespace ftpspecd::test {
namespace {

using ExtensionsTest = ServerFixture;

void set_mtime(const fs::path& path) {
  // 2021-02-03 04:05:06 UTC
  fs::last_write_time(path, std::chrono::file_clock::from_sys(std::chrono::sys_seconds(std::chrono::seconds(1612325106))));
}

TEST_F(ExtensionsTest, MlstGivesOneFactLine) {
  write_file(root() / "f.txt", "12345");
  set_mtime(root() / "f.txt");
  Client client(port_);
  client.read();
  client.login();
  const Received r = client.cmd("MLST f.txt");
  ASSERT_EQ(r.code(), 250) << r.raw;
  const std::regex form(
      "250-Listing /f\\.txt\r\n type=file;size=5;modify=20210203040506;perm=adfrw;unique=[0-9a-f]+g[0-9a-f]+; "
      "/f\\.txt\r\n250 End\r\n");
  EXPECT_TRUE(std::regex_match(r.raw, form)) << r.raw;
  const Received dir = client.cmd("MLST");
  EXPECT_NE(dir.raw.find(" type=dir;modify="), std::string::npos) << dir.raw;
  EXPECT_NE(dir.raw.find(";perm=cdeflmp;"), std::string::npos) << dir.raw;
  EXPECT_EQ(client.cmd("MLST nothing.txt").code(), 550);
  EXPECT_EQ(client.cmd("MLST ../..").code(), 550);
}

TEST_F(ExtensionsTest, OptsMlstChoosesFactsAndFeatMarksThem) {
  write_file(root() / "f.txt", "12345");
  Client client(port_);
  client.read();
  client.login();
  EXPECT_EQ(client.cmd("OPTS MLST size;TYPE;bogus;").raw, "200 MLST OPTS type;size;\r\n");
  EXPECT_NE(client.cmd("FEAT").raw.find("\r\n MLST type*;size*;modify;perm;unique;\r\n"), std::string::npos);
  EXPECT_EQ(client.cmd("MLST f.txt").raw, "250-Listing /f.txt\r\n type=file;size=5; /f.txt\r\n250 End\r\n");
  EXPECT_EQ(client.cmd("OPTS MLST").raw, "200 MLST OPTS\r\n");
  EXPECT_EQ(client.cmd("MLST f.txt").raw, "250-Listing /f.txt\r\n  /f.txt\r\n250 End\r\n");
  EXPECT_EQ(client.cmd("OPTS MLSTX").code(), 501);
}

TEST_F(ExtensionsTest, MlsdListsADirectoryOverData) {
  write_file(root() / "b.txt", "bb");
  fs::create_directory(root() / "a-dir");
  fs::create_directory_symlink("/etc", root() / "escape");  // left out: leaves the jail
  Client client(port_);
  client.read();
  client.login("reader", "pw");
  EXPECT_EQ(client.cmd("OPTS MLST type;size;perm;").code(), 200);
  EXPECT_EQ(client.cmd("TYPE I").code(), 200);  // MLSD is still CRLF text (RFC 3659 §7.2)
  EXPECT_EQ(client.download("MLSD"),
            "type=cdir;perm=el; .\r\ntype=dir;perm=el; a-dir\r\ntype=file;size=2;perm=r; b.txt\r\n");
  EXPECT_EQ(client.cmd("MLSD b.txt").code(), 501);  // a file: use MLST
  EXPECT_EQ(client.cmd("MLSD missing").code(), 550);
  EXPECT_EQ(client.cmd("MLSD").code(), 425);  // no data connection set up
}

TEST_F(ExtensionsTest, SizeAndMdtm) {
  write_file(root() / "t.txt", "a\nb\n");
  set_mtime(root() / "t.txt");
  Client client(port_);
  client.read();
  client.login();
  EXPECT_EQ(client.cmd("MDTM t.txt").raw, "213 20210203040506\r\n");
  EXPECT_EQ(client.cmd("SIZE t.txt").raw, "213 6\r\n");  // TYPE A: the CRLF transfer size (RFC 3659 §4)
  EXPECT_EQ(client.cmd("TYPE I").code(), 200);
  EXPECT_EQ(client.cmd("SIZE t.txt").raw, "213 4\r\n");
  EXPECT_EQ(client.cmd("SIZE /").code(), 550);
  EXPECT_EQ(client.cmd("MDTM nope").code(), 550);
}

TEST_F(ExtensionsTest, LprtAndLpsv) {
  write_file(root() / "l.txt", "long passive");
  Client client(port_);
  client.read();
  client.login();
  const Received r = client.cmd("LPSV");
  ASSERT_EQ(r.code(), 228);
  const auto target = ftpspec::proto::parse_lpsv_reply(r.reply.text());
  ASSERT_TRUE(target) << r.raw;
  EXPECT_EQ(target->host, "127.0.0.1");
  tcp::socket data(client.io());
  data.connect(tcp::endpoint(asio::ip::make_address(target->host), target->port));
  set_socket_timeouts(data);
  EXPECT_EQ(client.cmd("RETR l.txt").code(), 150);
  EXPECT_EQ(Client::read_all(data), "long passive");
  EXPECT_EQ(client.final_reply("RETR").code(), 226);
  EXPECT_EQ(client.cmd("LPRT 4,4,127,0,0,1,2,4,1").code(), 200);
  EXPECT_EQ(client.cmd("LPRT 4,4,127,0,0,1,2,0,21").code(), 501);  // RFC 2577 §3: privileged port
  EXPECT_EQ(client.cmd("LPRT 9,4,1,2,3,4,2,4,1").code(), 521);
  EXPECT_EQ(client.cmd("LPRT garbage").code(), 501);
}

TEST_F(ExtensionsTest, HostBeforeLogin) {
  Client client(port_);
  client.read();
  EXPECT_EQ(client.cmd("HOST ftp.example.com").raw, "220 Host ftp.example.com selected; ftpspecd ready\r\n");
  EXPECT_EQ(client.cmd("HOST 127.0.0.1").code(), 220);
  EXPECT_EQ(client.cmd("HOST 192.0.2.1").code(), 504);  // not this server's address (RFC 7151 §3)
  EXPECT_EQ(client.cmd("HOST [::1]").code(), 504);
  EXPECT_EQ(client.cmd("HOST bad_name!").code(), 501);
  client.login();
  EXPECT_EQ(client.cmd("HOST ftp.example.com").code(), 503);
}

TEST_F(ExtensionsTest, FeatListsHost) {
  // RFC 7151 §3.4: a server that implements HOST MUST list it in FEAT, as the bare word "HOST".
  Client client(port_);
  client.read();
  const Received feat = client.cmd("FEAT");
  EXPECT_NE(feat.raw.find("\r\n HOST\r\n"), std::string::npos) << feat.raw;
  EXPECT_EQ(client.cmd("HOST ftp.example.com").code(), 220);  // and FEAT told the truth
}

TEST_F(ExtensionsTest, LangSmntAllo) {
  Client client(port_);
  client.read();
  EXPECT_EQ(client.cmd("LANG").code(), 200);
  EXPECT_EQ(client.cmd("LANG en-US").code(), 200);
  EXPECT_EQ(client.cmd("LANG fr").code(), 504);
  EXPECT_EQ(client.cmd("LANG 123-!!").code(), 501);  // RFC 2640 §4.2: not a language tag
  client.login();
  EXPECT_EQ(client.cmd("SMNT /").code(), 502);
  EXPECT_EQ(client.cmd("ALLO 1000 R 10").code(), 202);
}

}  // namespace
}  // namespace ftpspecd::test
