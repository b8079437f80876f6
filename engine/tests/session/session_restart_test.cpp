// Session against ftpspecd with RFC 959 §3.5 restart markers in MODE B and C: markers the client
// puts in an upload are answered "110 MARK yyyy = mmmm" (§4.2.1) while the data flows, markers in
// a download are collected, and REST <marker> (§4.1.3) resumes a download there.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "proto/sequences.hpp"
#include "server/server.hpp"
#include "session/session.hpp"
#include "temp_root.hpp"

namespace ftpspec::session {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
constexpr std::uint64_t kMiB = 1024 * 1024;

using ftpspec::testing::TempRoot;

std::string blob(std::size_t size) {
  std::string out(size, '\0');
  std::mt19937 random(3659);
  for (auto& c : out) c = static_cast<char>(random() & 0xFF);
  return out;
}

TransferOptions image_in(codec::Mode mode) {
  codec::Representation rep;
  rep.type = codec::RepType::image;
  rep.mode = mode;
  TransferOptions options;
  options.representation = rep;
  return options;
}

class SessionRestartMarkers : public ::testing::Test {
 protected:
  void SetUp() override {
    ftpspecd::Config config;
    config.listen_host = "127.0.0.1";
    config.root = root_.path();
    config.users.push_back({"user", "secret", {}, false});
    server_ = std::make_unique<ftpspecd::Server>(std::move(config));
    ASSERT_NE(server_->start(), 0);
    ASSERT_EQ(session_.connect("127.0.0.1", server_->port()).code, 220);
    ASSERT_EQ(session_.login("user", "secret").code, 230);
  }
  void TearDown() override {
    session_.quit();
    server_->stop();
  }

  TempRoot root_;
  std::unique_ptr<ftpspecd::Server> server_;
  Session session_{Timeouts{.connect = 5000ms, .reply = 5000ms, .data = 10000ms}};
};

TEST_F(SessionRestartMarkers, BlockStorWithMarkersGets110MarkForEachThen250) {
  const std::string local = blob(5000);
  TransferOptions options = image_in(codec::Mode::block);
  options.restart_marker_interval = 1000;
  const TransferResult stored = session_.stor("marked.bin", local, options);
  ASSERT_TRUE(stored.ok()) << session_.transcript().render();
  EXPECT_EQ(stored.final_reply.code, 250);  // ftpspecd keeps the MODE B connection (RFC 959 §3.3)
  std::vector<std::string> marks;
  for (const auto& reply : stored.replies) {
    if (reply.code != 110) continue;
    marks.push_back(reply.text());
    EXPECT_TRUE(proto::is_allowed("STOR", reply.code, proto::ReplyStage::after_preliminary));
  }
  EXPECT_EQ(marks, (std::vector<std::string>{"MARK 1000 = 1000", "MARK 2000 = 2000", "MARK 3000 = 3000", "MARK 4000 = 4000"}))
      << session_.transcript().render();
  EXPECT_EQ(root_.read("marked.bin"), local);
}

TEST_F(SessionRestartMarkers, StreamStorIgnoresTheMarkerInterval) {
  const std::string local = blob(5000);
  TransferOptions options = image_in(codec::Mode::stream);
  options.restart_marker_interval = 1000;  // RFC 959 §3.5: no markers in stream mode
  const TransferResult stored = session_.stor("plain.bin", local, options);
  ASSERT_TRUE(stored.ok()) << session_.transcript().render();
  EXPECT_EQ(stored.wire_bytes, local.size());
  EXPECT_EQ(root_.read("plain.bin"), local);
}

class SessionRestartRetr : public SessionRestartMarkers, public ::testing::WithParamInterface<codec::Mode> {};

TEST_P(SessionRestartRetr, RetrCollectsMarkersAndRestAtTheSecondReturnsTheTail) {
  const std::string local = blob(3 * kMiB);
  root_.write("big.bin", local);
  const TransferResult fetched = session_.retr("big.bin", image_in(GetParam()));
  ASSERT_TRUE(fetched.ok()) << session_.transcript().render();
  EXPECT_TRUE(fetched.data == local);
  ASSERT_EQ(fetched.restart_marks,
            (std::vector<codec::RestartMark>{{"1048576", kMiB}, {"2097152", 2 * kMiB}}));

  TransferOptions resume = image_in(GetParam());
  resume.restart = std::stoull(fetched.restart_marks[1].marker);
  const TransferResult tail = session_.retr("big.bin", resume);
  ASSERT_TRUE(tail.ok()) << session_.transcript().render();
  EXPECT_EQ(tail.data.size(), kMiB);
  EXPECT_TRUE(tail.data == local.substr(2 * kMiB));
  EXPECT_TRUE(tail.restart_marks.empty());
}

std::string mode_name(const ::testing::TestParamInfo<codec::Mode>& param) {
  return param.param == codec::Mode::block ? "block" : "compressed";
}

INSTANTIATE_TEST_SUITE_P(BlockAndCompressed, SessionRestartRetr, ::testing::Values(codec::Mode::block, codec::Mode::compressed),
                         mode_name);

}  // namespace
}  // namespace ftpspec::session
