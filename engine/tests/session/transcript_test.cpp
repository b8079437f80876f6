#include "session/transcript.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <thread>
#include <vector>

namespace ftpspec::session {
namespace {
using ::testing::HasSubstr;

TEST(Transcript, RecordsEntriesInOrderWithChannelAndDirection) {
  Transcript t;
  t.event(Channel::control, "connected");
  t.record(Channel::control, Direction::client_to_server, "USER anonymous\r\n");
  t.record(Channel::control, Direction::server_to_client, "331 Password\r\n");
  const auto entries = t.entries();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].direction, Direction::event);
  EXPECT_EQ(entries[1].bytes, "USER anonymous\r\n");
  EXPECT_EQ(entries[2].direction, Direction::server_to_client);
  EXPECT_LE(entries[0].at, entries[2].at);
  EXPECT_EQ(t.entries(2).size(), 1u);
  EXPECT_TRUE(t.entries(7).empty());
}

TEST(Transcript, RenderShowsPrefixesAndEscapes) {
  Transcript t;
  t.record(Channel::control, Direction::client_to_server, "USER anonymous\r\n");
  t.record(Channel::control, Direction::server_to_client, "220 hi\n");
  t.record(Channel::data, Direction::client_to_server, std::string("a\0\xff", 3));
  t.record(Channel::data, Direction::server_to_client, "x\\y");
  t.event(Channel::data, "closed");
  t.event(Channel::control, "timeout");
  const std::string text = t.render();
  std::vector<std::string> lines;
  for (std::size_t at = 0, lf; (lf = text.find('\n', at)) != std::string::npos; at = lf + 1)
    lines.push_back(text.substr(at, lf - at));
  ASSERT_EQ(lines.size(), 6u) << text;
  EXPECT_TRUE(std::regex_match(lines[0], std::regex(R"(\+\d+\.\d{6} C> USER anonymous\\r\\n)"))) << lines[0];
  EXPECT_THAT(lines[1], testing::EndsWith(" S> 220 hi\\n"));
  EXPECT_THAT(lines[2], testing::EndsWith(" D> a\\x00\\xFF"));
  EXPECT_THAT(lines[3], testing::EndsWith(" D< x\\\\y"));
  EXPECT_THAT(lines[4], testing::EndsWith(" ** data: closed"));
  EXPECT_THAT(lines[5], testing::EndsWith(" ** control: timeout"));
  EXPECT_EQ(t.render(5), lines[5] + "\n");
}

TEST(Transcript, DataPayloadIsCappedPerConnectionWithACountingEvent) {
  Transcript t(10);
  t.event(Channel::data, "connected");
  t.record(Channel::data, Direction::server_to_client, std::string(6, 'a'));
  t.record(Channel::data, Direction::server_to_client, std::string(6, 'b'));  // 4 of these fit
  t.record(Channel::data, Direction::server_to_client, std::string(100, 'c'));
  t.record(Channel::control, Direction::server_to_client, std::string(50, 'k'));  // control: unlimited
  t.event(Channel::data, "closed after receiving 112 bytes");
  auto entries = t.entries();
  ASSERT_EQ(entries.size(), 6u);
  EXPECT_EQ(entries[1].bytes, "aaaaaa");
  EXPECT_EQ(entries[2].bytes, "bbbb");
  EXPECT_EQ(entries[3].bytes.size(), 50u);
  EXPECT_THAT(entries[4].bytes, HasSubstr("102 more payload bytes not recorded"));
  EXPECT_EQ(entries[5].bytes, "closed after receiving 112 bytes");

  // The next connection starts with a fresh allowance.
  t.record(Channel::data, Direction::client_to_server, std::string(10, 'd'));
  t.event(Channel::data, "closed");
  entries = t.entries(6);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].bytes, std::string(10, 'd'));
  EXPECT_EQ(entries[1].bytes, "closed");
}

TEST(Transcript, ClearEmptiesIt) {
  Transcript t;
  t.event(Channel::control, "x");
  t.clear();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.render(), "");
}

TEST(Transcript, ConcurrentWritersLoseNothing) {
  Transcript t(1'000'000);
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w)
    writers.emplace_back([&t, w] {
      for (int i = 0; i < 500; ++i) {
        t.record(w % 2 ? Channel::data : Channel::control, Direction::client_to_server, "0123456789");
        if (i % 100 == 0) (void)t.render();
      }
    });
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(t.size(), 2000u);
}

TEST(EscapeBytes, EscapesControlsHighBytesAndBackslash) {
  EXPECT_EQ(escape_bytes("ok"), "ok");
  EXPECT_EQ(escape_bytes("\r\n\t"), "\\r\\n\\x09");
  EXPECT_EQ(escape_bytes("\x7f\x80\\"), "\\x7F\\x80\\\\");
}

}  // namespace
}  // namespace ftpspec::session
