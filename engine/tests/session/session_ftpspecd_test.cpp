// Session against ftpspecd, the reference server, running in-process on loopback.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "server/server.hpp"
#include "session/session.hpp"
#include "temp_root.hpp"

namespace ftpspec::session {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

using ftpspec::testing::TempRoot;

ftpspecd::Config config_for(const fs::path& root, const std::string& host) {
  ftpspecd::Config config;
  config.listen_host = host;
  config.root = root;
  config.users.push_back({"user", "secret", {}, false});
  return config;
}

std::string binary_blob(std::size_t size) {
  std::string out(size, '\0');
  std::mt19937 random(2428);
  for (auto& c : out) c = static_cast<char>(random() & 0xFF);
  return out;
}

TransferOptions options(DataConnection connection, codec::Representation rep) {
  TransferOptions o;
  o.connection = connection;
  o.representation = rep;
  return o;
}

codec::Representation image() {
  codec::Representation rep;
  rep.type = codec::RepType::image;
  return rep;
}

class SessionFtpspecdBasics : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(server_.start(), 0);
    ASSERT_EQ(session_.connect("127.0.0.1", server_.port()).code, 220);
    ASSERT_EQ(session_.login("user", "secret").code, 230);
  }
  void TearDown() override {
    session_.quit();
    server_.stop();
  }

  TempRoot root_;
  ftpspecd::Server server_{config_for(root_.path(), "127.0.0.1")};
  Session session_{Timeouts{.connect = 5000ms, .reply = 5000ms, .data = 5000ms}};
};

class SessionFtpspecd : public SessionFtpspecdBasics, public ::testing::WithParamInterface<DataConnection> {};

TEST_P(SessionFtpspecd, ImageStorThenRetrRoundTripsEveryByte) {
  const std::string blob = binary_blob(200'000);
  const TransferResult stored = session_.stor("blob.bin", blob, options(GetParam(), image()));
  ASSERT_TRUE(stored.ok()) << session_.transcript().render();
  EXPECT_EQ(root_.read("blob.bin"), blob);

  const TransferResult fetched = session_.retr("blob.bin", options(GetParam(), image()));
  ASSERT_TRUE(fetched.ok()) << session_.transcript().render();
  EXPECT_EQ(fetched.data, blob);
  EXPECT_EQ(fetched.wire_bytes, blob.size());
}

std::string connection_name(const ::testing::TestParamInfo<DataConnection>& param) {
  switch (param.param) {
    case DataConnection::pasv: return "pasv";
    case DataConnection::epsv: return "epsv";
    case DataConnection::port: return "port";
    case DataConnection::eprt: return "eprt";
  }
  return "unknown";
}

INSTANTIATE_TEST_SUITE_P(AllDataConnections, SessionFtpspecd,
                         ::testing::Values(DataConnection::pasv, DataConnection::epsv, DataConnection::port,
                                           DataConnection::eprt),
                         connection_name);

TEST_F(SessionFtpspecdBasics, AsciiStorStoresLocalLineEnds) {
  codec::Representation ascii;
  ASSERT_TRUE(session_.stor("text.txt", "one\ntwo\n", options(DataConnection::epsv, ascii)).ok())
      << session_.transcript().render();
  EXPECT_EQ(root_.read("text.txt"), "one\ntwo\n");
  const TransferResult fetched = session_.retr("text.txt", options(DataConnection::epsv, ascii));
  ASSERT_TRUE(fetched.ok());
  EXPECT_EQ(fetched.wire_bytes, 10u);  // CRLF on the wire (RFC 959 §3.1.1.1)
  EXPECT_EQ(fetched.data, "one\ntwo\n");
}

TEST_F(SessionFtpspecdBasics, ListAndNlst) {
  root_.write("alpha.txt", "a");
  root_.write("beta.txt", "bb");
  const TransferResult names = session_.nlst({}, options(DataConnection::pasv, {}));
  ASSERT_TRUE(names.ok()) << session_.transcript().render();
  EXPECT_THAT(names.data, HasSubstr("alpha.txt\n"));
  EXPECT_THAT(names.data, HasSubstr("beta.txt\n"));
  const TransferResult listing = session_.list({}, options(DataConnection::eprt, {}));
  ASSERT_TRUE(listing.ok()) << session_.transcript().render();
  EXPECT_THAT(listing.data, HasSubstr("beta.txt"));
}

TEST_F(SessionFtpspecdBasics, RestResumesRetr) {
  const std::string blob = binary_blob(4000);
  root_.write("resume.bin", blob);
  TransferOptions resume = options(DataConnection::epsv, image());
  resume.restart = 1000;
  const TransferResult fetched = session_.retr("resume.bin", resume);
  ASSERT_TRUE(fetched.ok()) << session_.transcript().render();
  EXPECT_TRUE(std::any_of(fetched.replies.begin(), fetched.replies.end(), [](const auto& r) { return r.code == 350; }));
  EXPECT_EQ(fetched.data, blob.substr(1000));
}

TEST_F(SessionFtpspecdBasics, BlockModeRoundTripThroughTheCodecs) {
  codec::Representation block = image();
  block.mode = codec::Mode::block;  // RFC 959 §3.4.2
  const std::string blob = binary_blob(100'000);
  const TransferResult stored = session_.stor("block.bin", blob, options(DataConnection::epsv, block));
  if (stored.final_reply.code == 504) GTEST_SKIP() << "ftpspecd does not offer MODE B";
  ASSERT_TRUE(stored.ok()) << session_.transcript().render();
  EXPECT_EQ(root_.read("block.bin"), blob);
  const TransferResult fetched = session_.retr("block.bin", options(DataConnection::epsv, block));
  ASSERT_TRUE(fetched.ok()) << session_.transcript().render();
  EXPECT_EQ(fetched.data, blob);
  EXPECT_GT(fetched.wire_bytes, blob.size());  // block headers and the EOF descriptor
}

TEST_F(SessionFtpspecdBasics, MissingFileIs550AndTheSessionStaysInStep) {
  const TransferResult missing = session_.retr("nothing-here", options(DataConnection::port, image()));
  EXPECT_EQ(missing.final_reply.code / 100, 5);
  EXPECT_TRUE(missing.data.empty());
  EXPECT_EQ(session_.command("NOOP").code, 200);
}

TEST(SessionFtpspecdIpv6, EpsvAndEprtOverLoopbackV6) {
  TempRoot root;
  ftpspecd::Server server(config_for(root.path(), "::1"));
  try {
    server.start();
  } catch (const std::exception& e) {
    GTEST_SKIP() << "cannot listen on ::1: " << e.what();
  }
  Session session(Timeouts{.connect = 5000ms, .reply = 5000ms, .data = 5000ms});
  ASSERT_EQ(session.connect("::1", server.port()).code, 220);
  ASSERT_EQ(session.login("user", "secret").code, 230);
  const std::string blob = binary_blob(50'000);
  ASSERT_TRUE(session.stor("v6.bin", blob, options(DataConnection::eprt, image())).ok()) << session.transcript().render();
  EXPECT_EQ(root.read("v6.bin"), blob);
  const TransferResult fetched = session.retr("v6.bin", options(DataConnection::epsv, image()));
  ASSERT_TRUE(fetched.ok()) << session.transcript().render();
  EXPECT_EQ(fetched.data, blob);
  session.quit();
}

}  // namespace
}  // namespace ftpspec::session
