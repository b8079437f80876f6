// Property tests: for every supported TYPE x STRU x MODE, random representable local data,
// encoded and decoded in random chunks, comes back byte for byte.
#include <gtest/gtest.h>

#include <random>

#include "codec_test_util.hpp"

namespace ftpspec::codec::test {
namespace {

struct TypeCase {
  RepType type;
  FormatControl format;
  int byte_size;
};

std::vector<Representation> all_representations() {
  const TypeCase types[] = {
      {RepType::ascii, FormatControl::non_print, 8},  {RepType::ascii, FormatControl::telnet, 8},
      {RepType::ascii, FormatControl::carriage_control, 8}, {RepType::ebcdic, FormatControl::non_print, 8},
      {RepType::ebcdic, FormatControl::telnet, 8},    {RepType::ebcdic, FormatControl::carriage_control, 8},
      {RepType::image, FormatControl::non_print, 8},  {RepType::local, FormatControl::non_print, 8},
      {RepType::local, FormatControl::non_print, 1},  {RepType::local, FormatControl::non_print, 3},
      {RepType::local, FormatControl::non_print, 4},  {RepType::local, FormatControl::non_print, 7},
      {RepType::local, FormatControl::non_print, 12}, {RepType::local, FormatControl::non_print, 16},
      {RepType::local, FormatControl::non_print, 36}, {RepType::local, FormatControl::non_print, 255}};
  std::vector<Representation> reps;
  for (const auto& t : types)
    for (auto stru : {Structure::file, Structure::record, Structure::page})
      for (auto mode : {Mode::stream, Mode::block, Mode::compressed}) {
        auto rep = make_rep(t.type, stru, mode, t.format, t.byte_size);
        if (unsupported_reason(rep).empty()) reps.push_back(rep);
      }
  return reps;
}

/// Bytes biased towards the interesting ones: line ends, FF, SP, zero, 0xFF, and runs.
std::string random_bytes(std::mt19937& random, std::size_t size) {
  static const char special[] = {'\n', '\r', '\f', ' ', '\0', '\xFF', 'a'};
  std::string bytes;
  while (bytes.size() < size) {
    const char c = random() % 2 ? special[random() % sizeof special] : static_cast<char>(random());
    bytes.append(random() % 8 == 0 ? 1 + random() % 150 : 1, c);
  }
  bytes.resize(size);
  return bytes;
}

/// Logical bytes of TYPE L n as local units; for n < 8 whole groups of 8, so that padding is
/// never mistaken for a zero logical byte (docs/codecs.md).
std::string random_units(std::mt19937& random, int n, std::size_t approx_octets) {
  const std::size_t unit = static_cast<std::size_t>((n + 7) / 8);
  const unsigned first_mask = n % 8 == 0 ? 0xFF : (1u << (n % 8)) - 1;
  std::size_t count = approx_octets / unit;
  if (n < 8) count -= count % 8;
  std::string bytes = random_bytes(random, count * unit);
  for (std::size_t i = 0; i < bytes.size(); i += unit)
    bytes[i] = static_cast<char>(static_cast<unsigned char>(bytes[i]) & first_mask);
  return bytes;
}

/// Representable local data for `rep` (docs/codecs.md states the rules).
std::string random_local(const Representation& rep, std::mt19937& random, std::size_t size) {
  const bool text = rep.type == RepType::ascii || rep.type == RepType::ebcdic;
  if (text) {
    std::string local = random_bytes(random, size);
    // STRU R: every line is a record, so the file ends with LF.
    if (rep.structure == Structure::record && !local.empty() && local.back() != '\n') local += '\n';
    return local;
  }
  const int n = rep.type == RepType::local ? rep.byte_size : 8;
  if (rep.structure != Structure::record) return random_units(random, n, size);
  std::string local;  // binary records in the §3.4.1 escape form
  while (local.size() < size) {
    for (char c : random_units(random, n, random() % 64)) {
      local += c;
      if (c == '\xFF') local += c;
    }
    local += "\xFF\x01";
  }
  return local;
}

std::vector<std::string> random_chunks(std::mt19937& random, const std::string& bytes) {
  std::vector<std::string> chunks;
  for (std::size_t at = 0; at < bytes.size();) {
    const std::size_t size = 1 + random() % (random() % 4 == 0 ? 4 : 3000);
    chunks.push_back(bytes.substr(at, size));
    at += size;
  }
  return chunks;
}

TEST(RoundTrip, EveryCombinationRandomData) {
  std::mt19937 random(959);
  const auto reps = all_representations();
  ASSERT_GT(reps.size(), 130u);
  for (const auto& rep : reps) {
    for (int round = 0; round < 12; ++round) {
      const std::string local = random_local(rep, random, round == 0 ? 0 : random() % 5000);
      auto encoder = make_encoder(rep);
      std::string wire;
      for (const auto& chunk : random_chunks(random, local)) encoder->put(chunk, wire);
      encoder->finish(wire);
      ASSERT_FALSE(encoder->error()) << describe(rep) << ": " << encoder->error().message();
      const auto decoded = decode_chunks(rep, random_chunks(random, wire));
      ASSERT_FALSE(decoded.ec) << describe(rep) << ": " << decoded.ec.message();
      ASSERT_EQ(decoded.local, local) << describe(rep) << " round " << round;
      if (rep.mode != Mode::stream || rep.structure != Structure::file) {
        EXPECT_TRUE(decoded.saw_eof) << describe(rep);
      }
    }
  }
}

TEST(RoundTrip, LargeTransferCrossesBlockAndRunLimits) {
  std::mt19937 random(1985);
  const std::string local = random_bytes(random, 300'000);
  for (auto mode : {Mode::block, Mode::compressed}) {
    for (auto type : {RepType::image, RepType::ascii}) {
      const auto rep = make_rep(type, Structure::file, mode);
      const auto decoded = decode_chunks(rep, random_chunks(random, encode(rep, local)));
      ASSERT_FALSE(decoded.ec) << describe(rep);
      EXPECT_EQ(decoded.local, local) << describe(rep);
    }
  }
}

TEST(RoundTrip, RestartMarkersAtRandomPoints) {
  std::mt19937 random(110);
  // L 36 and L 4 too: a marker asked for inside a logical byte (n > 8) or off a transfer-byte
  // boundary (n < 8) is declined, and the data must still round-trip (a declined marker inside an
  // L 36 page once failed the whole STRU P transfer).
  std::vector<Representation> reps;
  for (auto mode : {Mode::block, Mode::compressed})
    for (auto stru : {Structure::file, Structure::record, Structure::page})
      for (int byte_size : {0, 36, 4})
        reps.push_back(byte_size == 0 ? make_rep(RepType::ascii, stru, mode)
                                      : make_rep(RepType::local, stru, mode, FormatControl::non_print, byte_size));
  for (const auto& rep : reps) {
    const std::string local = random_local(rep, random, 4000);
    auto encoder = make_encoder(rep);
    std::string wire;
    std::vector<std::string> sent;
    for (const auto& chunk : random_chunks(random, local)) {
      encoder->put(chunk, wire);
      const auto marker = std::to_string(encoder->local_offset());
      if (random() % 3 == 0 && encoder->emit_restart_marker(wire)) sent.push_back(marker);
    }
    encoder->finish(wire);
    ASSERT_FALSE(encoder->error()) << describe(rep) << ": " << encoder->error().message();
    const auto decoded = decode_chunks(rep, random_chunks(random, wire));
    ASSERT_FALSE(decoded.ec) << describe(rep);
    EXPECT_EQ(decoded.local, local) << describe(rep);
    ASSERT_EQ(decoded.marks.size(), sent.size()) << describe(rep);
    for (std::size_t i = 0; i < sent.size(); ++i) EXPECT_EQ(decoded.marks[i].marker, sent[i]);
  }
}

}  // namespace
}  // namespace ftpspec::codec::test
