// Helpers shared by the codec tests: building representations, feeding chunks, grinding.
#pragma once
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codec/codec.hpp"
#include "grind.hpp"

namespace ftpspec::codec::test {

inline Representation make_rep(RepType type, Structure structure, Mode mode,
                               FormatControl format = FormatControl::non_print, int byte_size = 8) {
  Representation rep;
  rep.type = type;
  rep.format = format;
  rep.byte_size = byte_size;
  rep.structure = structure;
  rep.mode = mode;
  return rep;
}

/// "A N/F/S" style name for messages.
inline std::string describe(const Representation& rep) {
  return type_argument(rep, FormCode::written) + "/" + stru_argument(rep.structure) + "/" + mode_argument(rep.mode);
}

struct Decoded {
  std::string local;
  std::error_code ec;
  bool saw_eof = false;
  std::vector<RestartMark> marks;
};

inline Decoded decode_chunks(const Representation& rep, const std::vector<std::string>& chunks) {
  auto decoder = make_decoder(rep);
  Decoded result;
  for (const auto& chunk : chunks) {
    decoder->put(chunk, result.local, result.ec);
    for (auto& mark : decoder->take_restart_marks()) result.marks.push_back(std::move(mark));
  }
  decoder->finish(result.local, result.ec);
  result.saw_eof = decoder->saw_eof();
  return result;
}

/// Decodes `wire` split at every position; every split must give `local` without error.
inline void expect_decodes(const Representation& rep, const std::string& wire, const std::string& local,
                           const std::vector<RestartMark>& marks = {}) {
  ftpspec::testing::grind(wire, [&](const std::vector<std::string>& chunks) {
    const auto result = decode_chunks(rep, chunks);
    ASSERT_FALSE(result.ec) << describe(rep) << ": " << result.ec.message();
    ASSERT_EQ(result.local, local) << describe(rep);
    ASSERT_EQ(result.marks, marks) << describe(rep);
  });
}

/// Decodes `wire` split at every position; every split must fail with `expected`.
inline void expect_decode_error(const Representation& rep, const std::string& wire, errc expected) {
  ftpspec::testing::grind(wire, [&](const std::vector<std::string>& chunks) {
    const auto result = decode_chunks(rep, chunks);
    ASSERT_EQ(result.ec, make_error_code(expected)) << describe(rep) << ": got " << result.ec.message();
  });
}

inline std::string encode(const Representation& rep, std::string_view local) {
  std::error_code ec;
  std::string wire = encode_all(rep, local, ec);
  EXPECT_FALSE(ec) << describe(rep) << ": " << ec.message();
  return wire;
}

}  // namespace ftpspec::codec::test
