// Session against a real third-party server: pyftpdlib (Debian's python3-pyftpdlib), started as a
// child process on loopback; bytes are checked on its disk.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "pyftpdlib.hpp"
#include "session/session.hpp"

namespace ftpspec::session {
namespace {
using ftpspec::testing::Pyftpdlib;
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

std::string binary_blob(std::size_t size) {
  std::string out(size, '\0');
  std::mt19937 random(959);
  for (auto& c : out) c = static_cast<char>(random() & 0xFF);
  return out;
}

codec::Representation image() {
  codec::Representation rep;
  rep.type = codec::RepType::image;
  return rep;
}

TransferOptions options(DataConnection connection, std::optional<codec::Representation> rep = image()) {
  TransferOptions o;
  o.connection = connection;
  o.representation = rep;
  return o;
}

class SessionPyftpdlib : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<Pyftpdlib>("127.0.0.1"); }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    if (server_->port() == 0) GTEST_SKIP() << server_->skip_reason();
    ASSERT_EQ(session_.connect("127.0.0.1", server_->port()).code, 220);
    ASSERT_EQ(session_.login("user", "secret").code, 230);
  }
  void TearDown() override { session_.quit(); }

  static std::unique_ptr<Pyftpdlib> server_;
  Session session_{Timeouts{.connect = 5000ms, .reply = 5000ms, .data = 5000ms}};
};
std::unique_ptr<Pyftpdlib> SessionPyftpdlib::server_;

class SessionPyftpdlibModes : public SessionPyftpdlib, public ::testing::WithParamInterface<DataConnection> {};

TEST_P(SessionPyftpdlibModes, ImageStorThenRetrRoundTripsEveryByte) {
  const std::string name = "blob-" + std::to_string(static_cast<int>(GetParam())) + ".bin";
  const std::string blob = binary_blob(300'000);
  const TransferResult stored = session_.stor(name, blob, options(GetParam()));
  ASSERT_TRUE(stored.ok()) << session_.transcript().render();
  EXPECT_EQ(stored.final_reply.code, 226);
  EXPECT_EQ(stored.wire_bytes, blob.size());
  EXPECT_EQ(server_->read(name), blob);

  const TransferResult fetched = session_.retr(name, options(GetParam()));
  ASSERT_TRUE(fetched.ok()) << session_.transcript().render();
  EXPECT_EQ(fetched.data, blob);
  EXPECT_EQ(fetched.wire_bytes, blob.size());
  ASSERT_GE(fetched.replies.size(), 3u);
  EXPECT_TRUE(fetched.replies[fetched.replies.size() - 2].is_preliminary());
}

std::string connection_name(const ::testing::TestParamInfo<DataConnection>& param) {
  return std::string(to_string(param.param));
}

INSTANTIATE_TEST_SUITE_P(AllDataConnections, SessionPyftpdlibModes,
                         ::testing::Values(DataConnection::pasv, DataConnection::epsv, DataConnection::port,
                                           DataConnection::eprt),
                         connection_name);

TEST_F(SessionPyftpdlib, AsciiTransfersConvertLineEnds) {
  codec::Representation ascii;  // TYPE A N, RFC 959 §3.1.1.1
  ASSERT_TRUE(session_.stor("text.txt", "one\ntwo\n", options(DataConnection::epsv, ascii)).ok());
  EXPECT_EQ(session_.representation(), ascii);
  EXPECT_EQ(server_->read("text.txt"), "one\ntwo\n");  // CRLF on the wire, LF on pyftpdlib's disk

  server_->write("unix.txt", "x\ny\n");
  const TransferResult fetched = session_.retr("unix.txt", options(DataConnection::epsv, ascii));
  ASSERT_TRUE(fetched.ok());
  EXPECT_EQ(fetched.wire_bytes, 6u);  // x CR LF y CR LF
  EXPECT_EQ(fetched.data, "x\ny\n");
}

TEST_F(SessionPyftpdlib, ListAndNlstShowTheFiles) {
  server_->write("listed-a.txt", "a");
  server_->write("listed-b.txt", "bb");
  const TransferResult names = session_.nlst({}, options(DataConnection::pasv, std::nullopt));
  ASSERT_TRUE(names.ok());
  EXPECT_THAT(names.data, HasSubstr("listed-a.txt\n"));
  EXPECT_THAT(names.data, HasSubstr("listed-b.txt\n"));
  EXPECT_EQ(names.data.find('\r'), std::string::npos);  // ASCII: CRLF became LF

  const TransferResult listing = session_.list("listed-b.txt", options(DataConnection::eprt, std::nullopt));
  ASSERT_TRUE(listing.ok());
  EXPECT_THAT(listing.data, HasSubstr(" listed-b.txt\n"));
  EXPECT_EQ(listing.data.find("listed-a.txt"), std::string::npos);
}

TEST_F(SessionPyftpdlib, RestResumesARetrAtTheOffset) {
  const std::string blob = binary_blob(5000);
  server_->write("resume.bin", blob);
  TransferOptions resume = options(DataConnection::epsv);
  resume.restart = 1234;
  const TransferResult fetched = session_.retr("resume.bin", resume);
  ASSERT_TRUE(fetched.ok()) << session_.transcript().render();
  // RFC 959 §5.4: REST -> 350, then RETR -> 1yz.
  const auto rest = std::find_if(fetched.replies.begin(), fetched.replies.end(), [](const auto& r) { return r.code == 350; });
  ASSERT_NE(rest, fetched.replies.end());
  EXPECT_TRUE(std::next(rest)->is_preliminary());
  EXPECT_EQ(fetched.data, blob.substr(1234));
}

TEST_F(SessionPyftpdlib, AppeAppendsAndMissingFilesAreRefusedWithoutData) {
  server_->write("log.txt", "first,");
  ASSERT_TRUE(session_.appe("log.txt", "second", options(DataConnection::port)).ok());
  EXPECT_EQ(server_->read("log.txt"), "first,second");

  const TransferResult missing = session_.retr("no-such-file", options(DataConnection::port));
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(missing.final_reply.code, 550);
  EXPECT_TRUE(missing.data.empty());
  EXPECT_EQ(session_.command("NOOP").code, 200);  // the session is still in step
}

TEST_F(SessionPyftpdlib, LargeDownloadKeepsTheTranscriptBounded) {
  const std::string blob = binary_blob(1 << 20);
  server_->write("large.bin", blob);
  const std::size_t before = session_.transcript().size();
  const TransferResult fetched = session_.retr("large.bin", options(DataConnection::epsv));
  ASSERT_TRUE(fetched.ok());
  EXPECT_EQ(fetched.data, blob);
  std::size_t recorded = 0;
  for (const auto& entry : session_.transcript().entries(before))
    if (entry.channel == Channel::data && entry.direction == Direction::server_to_client) recorded += entry.bytes.size();
  EXPECT_EQ(recorded, 64u * 1024);
  EXPECT_THAT(session_.transcript().render(before), HasSubstr(std::to_string((1 << 20) - 64 * 1024) + " more payload bytes"));
}

TEST(SessionPyftpdlibIpv6, EpsvAndEprtOverLoopbackV6) {
  Pyftpdlib server("::1");
  if (server.port() == 0) GTEST_SKIP() << server.skip_reason();
  Session session(Timeouts{.connect = 5000ms, .reply = 5000ms, .data = 5000ms});
  ASSERT_EQ(session.connect("::1", server.port()).code, 220);
  EXPECT_EQ(session.remote_address(), "::1");
  ASSERT_EQ(session.login("user", "secret").code, 230);
  const std::string blob = binary_blob(70'000);
  ASSERT_TRUE(session.stor("v6.bin", blob, options(DataConnection::eprt)).ok()) << session.transcript().render();
  EXPECT_EQ(server.read("v6.bin"), blob);
  const TransferResult fetched = session.retr("v6.bin", options(DataConnection::epsv));
  ASSERT_TRUE(fetched.ok());
  EXPECT_EQ(fetched.data, blob);
  EXPECT_THROW(session.retr("v6.bin", options(DataConnection::port)), Error);  // PORT is IPv4-only
  session.quit();
}

}  // namespace
}  // namespace ftpspec::session
