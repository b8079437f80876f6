// RFC 4217 FTP over TLS: AUTH TLS, PBSZ, PROT, protected transfers, session reuse, CCC, REIN,
// --require-tls, and the sequence errors of RFC 4217 §8-§9.
#include "tls_support.hpp"

namespace ftpspecd::test {
namespace {

using TlsTest = TlsServerFixture;

TEST_F(TlsTest, FeatAdvertisesTls) {
  TlsClient client(port_);
  client.read();
  const Received feat = client.cmd("FEAT");
  EXPECT_NE(feat.raw.find("\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n"), std::string::npos) << feat.raw;
}

TEST_F(TlsTest, ProtectedDownloadUploadAndListing) {
  write_file(root() / "secret.bin", std::string(300'000, 'z') + "end");
  TlsClient client(port_);
  client.read();
  client.auth_tls();
  ASSERT_TRUE(client.secure());
  client.send_raw("USER alice\r\n");
  EXPECT_EQ(client.read().raw, "331 Password required for alice\r\n");  // read through TLS
  EXPECT_EQ(client.cmd("PASS secret").code(), 230);
  EXPECT_EQ(client.cmd("PBSZ 0").raw, "200 PBSZ=0 successful\r\n");
  EXPECT_EQ(client.cmd("PROT P").raw, "200 Protection level set to Private\r\n");
  EXPECT_EQ(client.cmd("TYPE I").code(), 200);
  EXPECT_EQ(client.download("RETR secret.bin"), std::string(300'000, 'z') + "end");  // no sendfile under TLS
  EXPECT_EQ(client.upload("STOR up.txt", "uploaded over TLS"), 226);
  EXPECT_EQ(read_file(root() / "up.txt"), "uploaded over TLS");
  EXPECT_EQ(client.download("NLST"), "secret.bin\r\nup.txt\r\n");
  // PROT C: the same session transfers in clear.
  EXPECT_EQ(client.cmd("PROT C").code(), 200);
  EXPECT_EQ(client.download("RETR up.txt", false), "uploaded over TLS");
  EXPECT_EQ(client.cmd("QUIT").code(), 221);
}

TEST_F(TlsTest, DataConnectionMayResumeTheControlSession) {
  write_file(root() / "a.txt", "resumed");
  TlsClient client(port_);
  client.read();
  client.auth_tls();
  client.login();
  EXPECT_EQ(client.cmd("PBSZ 0").code(), 200);
  EXPECT_EQ(client.cmd("PROT P").code(), 200);
  // TLS 1.3 sends the ticket after the handshake: it has arrived once a reply was read.
  std::unique_ptr<SSL_SESSION, decltype(&SSL_SESSION_free)> session(SSL_get1_session(client.control_ssl()),
                                                                    SSL_SESSION_free);
  ASSERT_NE(session, nullptr);
  bool reused = false;
  EXPECT_EQ(client.download("RETR a.txt", true, session.get(), &reused), "resumed");
  EXPECT_TRUE(reused) << "the server should accept the control connection's session on the data connection";
  reused = true;
  EXPECT_EQ(client.download("RETR a.txt", true, nullptr, &reused), "resumed");  // reuse is not required
  EXPECT_FALSE(reused);
}

TEST_F(TlsTest, SequenceErrors) {
  TlsClient client(port_);
  client.read();
  EXPECT_EQ(client.cmd("PBSZ 0").code(), 503);  // before AUTH (RFC 4217 §8)
  EXPECT_EQ(client.cmd("PROT P").code(), 503);
  EXPECT_EQ(client.cmd("CCC").code(), 533);     // not protected (RFC 4217 §6)
  EXPECT_EQ(client.cmd("AUTH KERBEROS_V4").code(), 504);
  EXPECT_EQ(client.cmd("AUTH").code(), 501);
  client.auth_tls();
  EXPECT_EQ(client.cmd("PROT P").code(), 503);  // PROT before PBSZ (RFC 4217 §9)
  EXPECT_EQ(client.cmd("PBSZ x").code(), 501);
  EXPECT_EQ(client.cmd("PBSZ 1024").raw, "200 PBSZ=0\r\n");  // RFC 4217 §8: the server's value
  EXPECT_EQ(client.cmd("PROT S").code(), 536);
  EXPECT_EQ(client.cmd("PROT E").code(), 536);
  EXPECT_EQ(client.cmd("PROT Q").code(), 504);
  EXPECT_EQ(client.cmd("AUTH TLS").code(), 534);  // already protected
}

TEST_F(TlsTest, CccReturnsToClearText) {
  write_file(root() / "c.txt", "after ccc");
  TlsClient client(port_);
  client.read();
  client.auth_tls();
  client.login();
  EXPECT_EQ(client.cmd("PBSZ 0").code(), 200);
  EXPECT_EQ(client.cmd("PROT P").code(), 200);
  client.clear_command_channel();
  ASSERT_FALSE(client.secure());
  EXPECT_EQ(client.cmd("NOOP").raw, "200 NOOP ok\r\n");  // now in clear
  EXPECT_EQ(client.cmd("PROT C").code(), 503);  // RFC 4217 §6: no PBSZ/PROT after CCC
  EXPECT_EQ(client.download("RETR c.txt"), "after ccc");  // data stays protected
}

TEST_F(TlsTest, ReinClearsTls) {
  TlsClient client(port_);
  client.read();
  client.auth_tls();
  EXPECT_EQ(client.cmd("REIN").code(), 220);  // protected reply, then TLS ends (RFC 4217 §13)
  client.end_tls();
  ASSERT_FALSE(client.secure());
  EXPECT_EQ(client.cmd("NOOP").code(), 200);
}

TEST_F(TlsTest, FailedHandshakeDropsTheConnection) {
  TlsClient client(port_);
  client.read();
  EXPECT_EQ(client.cmd("AUTH TLS").code(), 234);
  client.send_raw("this is not a ClientHello\r\n");
  EXPECT_THROW(client.read(), std::runtime_error);
}

TEST_F(TlsTest, RequireTlsRefusesUserInClear) {
  Config config = make_tls_config();
  config.require_tls = true;
  start(std::move(config));
  TlsClient client(port_);
  client.read();
  EXPECT_EQ(client.cmd("USER alice").code(), 534);
  client.auth_tls();
  client.login();
}

using NoTlsTest = ServerFixture;

TEST_F(NoTlsTest, AuthWithoutCertificateIs502AndFeatOmitsIt) {
  Client client(port_);
  client.read();
  EXPECT_EQ(client.cmd("AUTH TLS").code(), 502);
  EXPECT_EQ(client.cmd("FEAT").raw.find("AUTH"), std::string::npos);
}

}  // namespace
}  // namespace ftpspecd::test
