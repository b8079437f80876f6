// RFC 959 §3.5 restart markers in MODE B/C, byte for byte over loopback: "110 MARK yyyy = mmmm"
// for each marker in uploaded data (§4.2.1), markers every restart_marker_interval bytes in
// downloads, and REST <marker> (§4.1.3) resuming there.
#include <sstream>
#include <string>
#include <vector>

#include "codec/codec.hpp"
#include "server/config_file.hpp"
#include "test_support.hpp"

namespace ftpspecd::test {
namespace {
namespace codec = ftpspec::codec;

std::string blob(std::size_t size) {
  std::string out(size, '\0');
  std::mt19937 random(959);
  for (auto& c : out) c = static_cast<char>(random() & 0xFF);
  return out;
}

codec::Representation image_in(codec::Mode mode) {
  codec::Representation rep;
  rep.type = codec::RepType::image;
  rep.mode = mode;
  return rep;
}

/// `local` encoded in `rep`, with a restart marker (the decimal offset) before every `interval` bytes.
std::string encode_with_markers(const codec::Representation& rep, const std::string& local, std::size_t interval) {
  auto encoder = codec::make_encoder(rep);
  std::string wire;
  for (std::size_t at = 0; at < local.size(); at += interval) {
    if (at > 0) {
      EXPECT_TRUE(encoder->emit_restart_marker(wire));
    }
    encoder->put(std::span<const char>(local.data() + at, std::min(interval, local.size() - at)), wire);
  }
  encoder->finish(wire);
  return wire;
}

class RestartMarkerTest : public ServerFixture {};

TEST_F(RestartMarkerTest, BlockModeStorAnswersEachMarkerWith110Mark) {
  Client client(port_);
  client.read();
  client.login();
  ASSERT_EQ(client.cmd("TYPE I").code(), 200);
  ASSERT_EQ(client.cmd("MODE B").code(), 200);
  const std::string local = blob(5000);
  tcp::socket data = client.open_passive();
  ASSERT_EQ(client.cmd("STOR marked.bin").code(), 150);
  asio::write(data, asio::buffer(encode_with_markers(image_in(codec::Mode::block), local, 1000)));
  data.shutdown(tcp::socket::shutdown_send);

  std::vector<std::string> marks;
  Received reply = client.final_reply("STOR");
  while (reply.code() == 110) {
    marks.push_back(reply.raw);
    reply = client.final_reply("STOR");  // each 110 also passes is_allowed(after_preliminary)
  }
  EXPECT_EQ(reply.code(), 250) << reply.raw;  // the data connection stays open (RFC 959 §3.3)
  EXPECT_EQ(marks, (std::vector<std::string>{"110 MARK 1000 = 1000\r\n", "110 MARK 2000 = 2000\r\n",
                                             "110 MARK 3000 = 3000\r\n", "110 MARK 4000 = 4000\r\n"}));
  EXPECT_EQ(read_file(root() / "marked.bin"), local);
}

TEST_F(RestartMarkerTest, CompressedStorAfterRestReportsTheFileOffset) {
  const std::string original = blob(3000);
  write_file(root() / "resume.bin", original.substr(0, 1000));
  Client client(port_);
  client.read();
  client.login();
  ASSERT_EQ(client.cmd("TYPE I").code(), 200);
  ASSERT_EQ(client.cmd("MODE C").code(), 200);
  tcp::socket data = client.open_passive();
  ASSERT_EQ(client.cmd("REST 1000").code(), 350);
  ASSERT_EQ(client.cmd("STOR resume.bin").code(), 150);
  asio::write(data, asio::buffer(encode_with_markers(image_in(codec::Mode::compressed), original.substr(1000), 1500)));
  data.shutdown(tcp::socket::shutdown_send);
  const Received mark = client.final_reply("STOR");
  EXPECT_EQ(mark.raw, "110 MARK 1500 = 2500\r\n");  // the sender's marker, then the server's file offset
  EXPECT_EQ(client.final_reply("STOR").code(), 250);
  EXPECT_EQ(read_file(root() / "resume.bin"), original);
}

class RestartMarkerRetr : public RestartMarkerTest, public ::testing::WithParamInterface<codec::Mode> {};

TEST_P(RestartMarkerRetr, MarkersEveryMebibyteThenRestAtTheSecondResumesThere) {
  constexpr std::size_t kMiB = 1024 * 1024;
  const std::string local = blob(3 * kMiB);
  write_file(root() / "big.bin", local);
  const codec::Representation rep = image_in(GetParam());
  Client client(port_);
  client.read();
  client.login();
  ASSERT_EQ(client.cmd("TYPE I").code(), 200);
  ASSERT_EQ(client.cmd(GetParam() == codec::Mode::block ? "MODE B" : "MODE C").code(), 200);

  auto decoder = codec::make_decoder(rep);
  const std::string decoded = client.download_decoded("RETR big.bin", *decoder);
  EXPECT_EQ(decoded, local);
  const std::vector<codec::RestartMark> marks = decoder->take_restart_marks();
  ASSERT_EQ(marks, (std::vector<codec::RestartMark>{{"1048576", kMiB}, {"2097152", 2 * kMiB}}));

  ASSERT_EQ(client.cmd("REST " + marks[1].marker).code(), 350);
  auto tail_decoder = codec::make_decoder(rep);
  const std::string tail = client.download_decoded("RETR big.bin", *tail_decoder);
  EXPECT_EQ(tail.size(), kMiB);
  EXPECT_TRUE(tail == local.substr(2 * kMiB));
  EXPECT_TRUE(tail_decoder->take_restart_marks().empty());  // no further full mebibyte follows
}

std::string mode_name(const ::testing::TestParamInfo<codec::Mode>& param) {
  return param.param == codec::Mode::block ? "block" : "compressed";
}

INSTANTIATE_TEST_SUITE_P(BlockAndCompressed, RestartMarkerRetr, ::testing::Values(codec::Mode::block, codec::Mode::compressed),
                         mode_name);

TEST_F(RestartMarkerTest, IntervalZeroSendsNoMarkers) {
  Config config = make_config();
  config.restart_marker_interval = 0;
  start(std::move(config));
  write_file(root() / "plain.bin", blob(3 * 1024 * 1024));
  Client client(port_);
  client.read();
  client.login();
  ASSERT_EQ(client.cmd("TYPE I").code(), 200);
  ASSERT_EQ(client.cmd("MODE B").code(), 200);
  auto decoder = codec::make_decoder(image_in(codec::Mode::block));
  const std::string decoded = client.download_decoded("RETR plain.bin", *decoder);
  EXPECT_EQ(decoded.size(), 3u * 1024 * 1024);
  EXPECT_TRUE(decoder->take_restart_marks().empty());
}

TEST(RestartMarkerConfig, IntervalDefaultsToAMebibyteAndTheConfigFileSetsIt) {
  Config config;
  EXPECT_EQ(config.restart_marker_interval, 1024u * 1024u);
  std::istringstream file("restart_marker_interval = 4096\n");
  apply_config(file, "test.conf", config);
  EXPECT_EQ(config.restart_marker_interval, 4096u);
  std::istringstream bad("restart_marker_interval = often\n");
  EXPECT_THROW(apply_config(bad, "test.conf", config), std::runtime_error);
}

}  // namespace
}  // namespace ftpspecd::test
