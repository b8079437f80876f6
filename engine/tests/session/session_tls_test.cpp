// RFC 4217 in the session: scripted TLS servers (exact control of close_notify), pyftpdlib's
// TLS_FTPHandler, and ftpspecd with a certificate, all on loopback with a certificate made here.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "fake_server.hpp"
#include "pyftpdlib.hpp"
#include "server/server.hpp"
#include "session/session.hpp"
#include "test_cert.hpp"
#include "tls_fake_peer.hpp"

namespace ftpspec::session {
namespace {
using ftpspec::testing::FakeListener;
using ftpspec::testing::FakePeer;
using ftpspec::testing::FakeServer;
using ftpspec::testing::Pyftpdlib;
using ftpspec::testing::SelfSignedCert;
using ftpspec::testing::TlsFakePeer;
using ftpspec::testing::TlsServerContext;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

Timeouts quick() { return {.connect = 3000ms, .reply = 3000ms, .data = 3000ms}; }

const SelfSignedCert& certificate() {
  static const SelfSignedCert cert;
  return cert;
}
const TlsServerContext& server_context() {
  static const TlsServerContext context(certificate().cert(), certificate().key());
  return context;
}

std::string binary_blob(std::size_t size) {
  std::string out(size, '\0');
  std::mt19937 random(4217);
  for (auto& c : out) c = static_cast<char>(random() & 0xFF);
  return out;
}

/// The control-connection part every explicit-TLS script starts with: AUTH TLS, PBSZ, PROT P.
std::unique_ptr<TlsFakePeer> accept_auth_tls_and_prot_p(FakePeer& peer) {
  peer.send("220 Ready\r\n");
  EXPECT_EQ(peer.read_line(), "AUTH TLS");
  peer.send("234 Go ahead\r\n");
  auto control = std::make_unique<TlsFakePeer>(server_context(), peer);
  EXPECT_EQ(control->read_line(), "PBSZ 0");
  control->send("200 PBSZ=0\r\n");
  EXPECT_EQ(control->read_line(), "PROT P");
  control->send("200 Protection set to Private\r\n");
  return control;
}

void secure(Session& session, std::uint16_t port) {
  ASSERT_EQ(session.connect("127.0.0.1", port).code, 220);
  ASSERT_EQ(session.auth_tls().code, 234);
  ASSERT_TRUE(session.control_secure());
  const auto replies = session.secure_data();
  ASSERT_EQ(replies.size(), 2u);
  ASSERT_EQ(session.data_protection(), 'P');
}

TEST(SessionTlsFake, ImplicitFtpsReadsTheGreetingOverTls) {
  FakeServer server([](FakePeer& peer) {
    TlsFakePeer tls(server_context(), peer);  // TLS from the first byte: no AUTH
    tls.send("220 Secure hello\r\n");
    EXPECT_EQ(tls.read_line(), "QUIT");
    tls.send("221 Bye\r\n");
  });
  Session session(quick());
  EXPECT_EQ(session.connect_tls("127.0.0.1", server.port()).text(), "Secure hello");
  EXPECT_TRUE(session.control_secure());
  EXPECT_EQ(session.data_protection(), 'C');
  session.quit();
  EXPECT_EQ(server.join(), "");
  const std::string text = session.transcript().render();
  EXPECT_THAT(text, HasSubstr("TLS handshake done: TLSv1.3, cipher TLS_"));
  EXPECT_THAT(text, HasSubstr("session reused: no, server certificate /CN=localhost"));
  EXPECT_THAT(text, HasSubstr(" S> 220 Secure hello\\r\\n"));  // decrypted bytes in the transcript
}

// Two protected downloads: one ended with close_notify, one by a bare TCP close (interop bug
// class 19: truncation without close_notify must be visible). The second resumes the session.
TEST(SessionTlsFake, DownloadsDetectAMissingCloseNotifyAndResumeTheSession) {
  bool resumed[2] = {false, false};
  FakeServer server([&](FakePeer& peer) {
    auto control = accept_auth_tls_and_prot_p(peer);
    for (int round = 0; round < 2; ++round) {
      FakeListener data_listener;
      EXPECT_EQ(control->read_line(), "EPSV");
      control->send("229 ok (|||" + std::to_string(data_listener.port()) + "|)\r\n");
      EXPECT_EQ(control->read_line(), "RETR f" + std::to_string(round));
      FakePeer data = data_listener.accept();
      control->send("150 Opening\r\n");
      TlsFakePeer tls_data(server_context(), data);  // RFC 4217 §7: the FTP client is the TLS client
      resumed[round] = tls_data.session_reused();
      tls_data.send("payload " + std::to_string(round));
      if (round == 0) tls_data.send_close_notify();
      data.close();
      control->send("226 Done\r\n");
    }
    control->read_all();
  });
  Session session(quick());
  secure(session, server.port());
  const TransferResult clean = session.retr("f0");
  EXPECT_TRUE(clean.ok()) << session.transcript().render();
  EXPECT_EQ(clean.data, "payload 0");
  EXPECT_TRUE(clean.tls);
  EXPECT_FALSE(clean.tls_truncated);
  const TransferResult cut = session.retr("f1");
  EXPECT_TRUE(cut.ok());  // the 226 on the protected control connection vouches for the file
  EXPECT_EQ(cut.data, "payload 1");
  EXPECT_TRUE(cut.tls_truncated);
  session.close();
  EXPECT_EQ(server.join(), "");
  EXPECT_TRUE(resumed[0]);
  EXPECT_TRUE(resumed[1]);
  const std::string text = session.transcript().render();
  EXPECT_THAT(text, HasSubstr("** data: TLS handshake done: TLSv1.3"));
  EXPECT_THAT(text, HasSubstr("session reused: yes"));
  EXPECT_THAT(text, HasSubstr("without close_notify after 9 bytes"));
}

TEST(SessionTlsFake, UploadEndsWithCloseNotifyBeforeTheTcpClose) {
  const std::string blob = binary_blob(200'000);
  std::string received;
  bool close_notify = false;
  FakeServer server([&](FakePeer& peer) {
    auto control = accept_auth_tls_and_prot_p(peer);
    EXPECT_EQ(control->read_line(), "TYPE I");
    control->send("200 Binary\r\n");
    FakeListener data_listener;
    EXPECT_EQ(control->read_line(), "EPSV");
    control->send("229 ok (|||" + std::to_string(data_listener.port()) + "|)\r\n");
    EXPECT_EQ(control->read_line(), "STOR up.bin");
    FakePeer data = data_listener.accept();
    control->send("150 Go\r\n");
    TlsFakePeer tls_data(server_context(), data);
    received = tls_data.read_all();
    close_notify = tls_data.got_close_notify();
    tls_data.send_close_notify();
    control->send("226 Stored\r\n");
    control->read_all();
  });
  Session session(quick());
  secure(session, server.port());
  TransferOptions binary;
  binary.representation = codec::Representation{};
  binary.representation->type = codec::RepType::image;
  const TransferResult stored = session.stor("up.bin", blob, binary);
  EXPECT_TRUE(stored.ok()) << session.transcript().render();
  EXPECT_TRUE(stored.tls);
  session.close();
  EXPECT_EQ(server.join(), "");
  EXPECT_EQ(received.size(), blob.size());
  EXPECT_TRUE(received == blob);
  EXPECT_TRUE(close_notify);
  EXPECT_THAT(session.transcript().render(), HasSubstr("close_notify sent and answered"));
}

TEST(SessionTlsFake, CccShutsTlsDownAndTheSessionContinuesInClear) {
  FakeServer server([](FakePeer& peer) {
    auto control = accept_auth_tls_and_prot_p(peer);
    EXPECT_EQ(control->read_line(), "CCC");
    control->send("200 Clearing\r\n");
    EXPECT_TRUE(control->shutdown_both_ways());
    EXPECT_EQ(peer.read_line(), "NOOP");  // plaintext on the same TCP connection
    peer.send("200 Clear again\r\n");
    peer.read_all();
  });
  Session session(quick());
  secure(session, server.port());
  EXPECT_EQ(session.ccc().code, 200);
  EXPECT_FALSE(session.control_secure());
  EXPECT_EQ(session.command("NOOP").text(), "Clear again");
  session.close();
  EXPECT_EQ(server.join(), "");
  EXPECT_THAT(session.transcript().render(), HasSubstr("TLS shutdown for CCC (close_notify both ways); continuing in clear"));
}

TEST(SessionTlsFake, AuthRefusedLeavesTheConnectionClear) {
  FakeServer server([](FakePeer& peer) {
    peer.send("220 Ready\r\n");
    EXPECT_EQ(peer.read_line(), "AUTH TLS");
    peer.send("502 No TLS here\r\n");
    EXPECT_EQ(peer.read_line(), "NOOP");
    peer.send("200 Still clear\r\n");
    peer.read_all();
  });
  Session session(quick());
  session.connect("127.0.0.1", server.port());
  EXPECT_EQ(session.auth_tls().code, 502);
  EXPECT_FALSE(session.control_secure());
  EXPECT_EQ(session.command("NOOP").code, 200);
  session.close();
  EXPECT_EQ(server.join(), "");
}

/// One AUTH TLS against a server whose handshake may fail; returns the session's error, if any.
std::optional<Error> auth_with(const TlsOptions& options) {
  FakeServer server([](FakePeer& peer) {
    peer.send("220 Ready\r\n");
    EXPECT_EQ(peer.read_line(), "AUTH TLS");
    peer.send("234 Go ahead\r\n");
    try {
      TlsFakePeer control(server_context(), peer);
      control.read_all();
    } catch (const std::exception&) {
      // the client refused the certificate: the handshake failing here is the point
    }
  });
  Session session(quick());
  session.set_tls_options(options);
  session.connect("127.0.0.1", server.port());
  std::optional<Error> error;
  try {
    session.auth_tls();
  } catch (const Error& e) {
    error = e;
  }
  session.close();
  EXPECT_EQ(server.join(), "");
  return error;
}

TEST(SessionTlsFake, VerificationAcceptsTheRightNameAndRefusesOthers) {
  TlsOptions trusted{.verify = true, .ca_file = certificate().cert().string(), .server_name = "localhost"};
  EXPECT_FALSE(auth_with(trusted).has_value());

  TlsOptions wrong_name = trusted;
  wrong_name.server_name = "ftp.example.org";
  const auto name_error = auth_with(wrong_name);
  ASSERT_TRUE(name_error.has_value());
  EXPECT_EQ(name_error->code(), make_error_code(errc::tls_failed));
  EXPECT_THAT(name_error->what(), HasSubstr("control connection"));

  const auto untrusted = auth_with(TlsOptions{.verify = true, .ca_file = {}, .server_name = "localhost"});
  ASSERT_TRUE(untrusted.has_value());
  EXPECT_EQ(untrusted->code(), make_error_code(errc::tls_failed));

  EXPECT_FALSE(auth_with(TlsOptions{}).has_value());  // verification off by default
}

// pyftpdlib 1.5.7 resets a data connection whose TLS starts before the transfer command; the
// session starts it after the 1yz (as ftplib's FTP_TLS does), which works in every mode.
class SessionTlsPyftpdlib : public ::testing::TestWithParam<DataConnection> {};

TEST_P(SessionTlsPyftpdlib, ProtectedStorAndRetrRoundTrip) {
  Pyftpdlib server("127.0.0.1", certificate().cert(), certificate().key());
  if (server.port() == 0) GTEST_SKIP() << server.skip_reason();
  Session session(Timeouts{.connect = 5000ms, .reply = 5000ms, .data = 5000ms});
  ASSERT_EQ(session.connect("127.0.0.1", server.port()).code, 220);
  ASSERT_EQ(session.auth_tls().code, 234);
  ASSERT_EQ(session.login("user", "secret").code, 230);
  const auto replies = session.secure_data('P');
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[1].code, 200);
  TransferOptions options;
  options.connection = GetParam();
  options.representation = codec::Representation{};
  options.representation->type = codec::RepType::image;
  const std::string blob = binary_blob(150'000);
  const TransferResult stored = session.stor("tls.bin", blob, options);
  ASSERT_TRUE(stored.ok()) << session.transcript().render();
  EXPECT_TRUE(stored.tls);
  EXPECT_EQ(server.read("tls.bin"), blob);
  const TransferResult fetched = session.retr("tls.bin", options);
  ASSERT_TRUE(fetched.ok()) << session.transcript().render();
  EXPECT_TRUE(fetched.tls);
  EXPECT_EQ(fetched.data, blob);
  EXPECT_FALSE(fetched.tls_truncated);  // pyftpdlib ends its data connections with close_notify
  session.quit();
  const std::string text = session.transcript().render();
  EXPECT_THAT(text, HasSubstr("** data: TLS handshake done: TLSv1.3"));
  EXPECT_THAT(text, HasSubstr("offering the control connection's session"));
  EXPECT_THAT(text, HasSubstr("session reused: yes"));
}

INSTANTIATE_TEST_SUITE_P(AllDataConnections, SessionTlsPyftpdlib,
                         ::testing::Values(DataConnection::pasv, DataConnection::epsv, DataConnection::port,
                                           DataConnection::eprt));

/// ftpspecd in-process with the test certificate (its --tls-cert/--tls-key, RFC 4217).
class SessionTlsFtpspecd : public ::testing::TestWithParam<DataConnection> {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "ftpspec-tls-d-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    ftpspecd::Config config;
    config.root = root_;
    config.users.push_back({"user", "secret", {}, false});
    config.tls_cert = certificate().cert();
    config.tls_key = certificate().key();
    server_ = std::make_unique<ftpspecd::Server>(config);
    ASSERT_NE(server_->start(), 0);
  }
  void TearDown() override {
    server_.reset();
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  std::filesystem::path root_;
  std::unique_ptr<ftpspecd::Server> server_;
};

TEST_P(SessionTlsFtpspecd, ProtectedRoundTripThenCccContinuesInClear) {
  Session session(Timeouts{.connect = 5000ms, .reply = 5000ms, .data = 5000ms});
  ASSERT_EQ(session.connect("127.0.0.1", server_->port()).code, 220);
  ASSERT_EQ(session.auth_tls().code, 234) << session.transcript().render();
  ASSERT_EQ(session.login("user", "secret").code, 230);
  const auto replies = session.secure_data('P');
  ASSERT_EQ(replies.size(), 2u);
  ASSERT_EQ(replies[1].code, 200);
  TransferOptions options;
  options.connection = GetParam();
  options.representation = codec::Representation{};
  options.representation->type = codec::RepType::image;
  const std::string blob = binary_blob(120'000);
  const TransferResult stored = session.stor("d.bin", blob, options);
  ASSERT_TRUE(stored.ok()) << session.transcript().render();
  EXPECT_TRUE(stored.tls);
  const TransferResult fetched = session.retr("d.bin", options);
  ASSERT_TRUE(fetched.ok()) << session.transcript().render();
  EXPECT_EQ(fetched.data, blob);
  EXPECT_FALSE(fetched.tls_truncated) << "ftpspecd ends its data with close_notify";
  // RFC 4217 §5: after CCC the control connection is clear; PROT P stays in force for data.
  ASSERT_EQ(session.ccc().code, 200) << session.transcript().render();
  EXPECT_FALSE(session.control_secure());
  EXPECT_EQ(session.command("NOOP").code, 200);
  const TransferResult after = session.retr("d.bin", options);
  ASSERT_TRUE(after.ok()) << session.transcript().render();
  EXPECT_TRUE(after.tls);
  EXPECT_EQ(after.data, blob);
  session.quit();
}

INSTANTIATE_TEST_SUITE_P(AllDataConnections, SessionTlsFtpspecd,
                         ::testing::Values(DataConnection::pasv, DataConnection::epsv, DataConnection::port,
                                           DataConnection::eprt));

}  // namespace
}  // namespace ftpspec::session
