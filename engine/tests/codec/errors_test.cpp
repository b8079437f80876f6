// Malformed wire input: every error of codec::errc, at every chunk split, sticky; and which
// representations unsupported_reason() refuses.
#include <gtest/gtest.h>

#include "codec_test_util.hpp"

namespace ftpspec::codec::test {
namespace {
using namespace std::string_literals;
constexpr auto N = FormatControl::non_print;
constexpr auto C = FormatControl::carriage_control;

TEST(CodecErrors, CategoryNamesTheRule) {
  const std::error_code ec = errc::block_header_truncated;
  EXPECT_STREQ(ec.category().name(), "ftpspec.codec");
  EXPECT_NE(ec.message().find("§3.4.2"), std::string::npos);
}

TEST(CodecErrors, BlockMode) {  // RFC 959 §3.4.2
  const auto rep = make_rep(RepType::image, Structure::file, Mode::block);
  expect_decode_error(rep, "\x00\x00"s, errc::block_header_truncated);
  expect_decode_error(rep, "\x00\x00\x05hel"s, errc::block_data_truncated);
  expect_decode_error(rep, "\x00\x00\x01" "a"s, errc::eof_missing);
  expect_decode_error(rep, ""s, errc::eof_missing);
  expect_decode_error(rep, "\x01\x00\x00"s, errc::block_descriptor_invalid);
  expect_decode_error(rep, "\x40\x00\x00x"s, errc::data_after_eof);
  expect_decode_error(rep, "\x10\x00\x03" "a b\x40\x00\x00"s, errc::restart_marker_invalid);
  expect_decode_error(rep, "\x10\x00\x00\x40\x00\x00"s, errc::restart_marker_invalid);
}

TEST(CodecErrors, CompressedMode) {  // RFC 959 §3.4.3
  const auto rep = make_rep(RepType::image, Structure::file, Mode::compressed);
  expect_decode_error(rep, "\x00\x01"s, errc::compressed_escape_invalid);
  expect_decode_error(rep, "\x00\x10\x81x"s, errc::compressed_escape_invalid);
  expect_decode_error(rep, "\x03" "ab"s, errc::compressed_truncated);
  expect_decode_error(rep, "\x85"s, errc::compressed_truncated);
  expect_decode_error(rep, "\x00"s, errc::compressed_truncated);
  expect_decode_error(rep, "\x02" "ab"s, errc::eof_missing);
  expect_decode_error(rep, "\x00\x40\x01" "a"s, errc::data_after_eof);
  expect_decode_error(rep, "\x00\x10\x01\x07\x00\x40"s, errc::restart_marker_invalid);
}

TEST(CodecErrors, RecordStream) {  // RFC 959 §3.4.1
  const auto rep = make_rep(RepType::image, Structure::record, Mode::stream);
  expect_decode_error(rep, "ab\xFF\x04"s, errc::record_escape_invalid);
  expect_decode_error(rep, "ab\xFF"s, errc::record_escape_truncated);
  expect_decode_error(rep, "ab\xFF\x01"s, errc::eof_missing);
  expect_decode_error(rep, "ab\xFF\x02"s, errc::record_unterminated);
  expect_decode_error(rep, "ab\xFF\x03x"s, errc::data_after_eof);
  const auto text_block = make_rep(RepType::ascii, Structure::record, Mode::block);
  expect_decode_error(text_block, "\x40\x00\x02" "ab"s, errc::record_unterminated);
}

TEST(CodecErrors, PageStructure) {  // RFC 959 §3.1.2.3
  const auto rep = make_rep(RepType::image, Structure::page, Mode::stream);
  expect_decode_error(rep, "\x03\x00\x00\x01"s, errc::page_header_invalid);
  expect_decode_error(rep, "\x04\x00\x00\x05"s, errc::page_header_invalid);
  expect_decode_error(rep, "\x04\x00\x01\x00x"s, errc::page_header_invalid);
  expect_decode_error(rep, "\x05\x00\x00\x01\x00"s, errc::page_header_invalid);
  expect_decode_error(rep, "\x04\x00\x00\x03"s, errc::page_header_invalid);
  expect_decode_error(rep, "\x04\x00\x05\x01" "ab"s, errc::page_truncated);
  expect_decode_error(rep, "\x04\x00"s, errc::page_truncated);
  expect_decode_error(rep, "\x04\x00\x01\x01" "a"s, errc::page_last_missing);
  expect_decode_error(rep, "\x04\x00\x00\x00" "junk"s, errc::data_after_eof);
  const auto block = make_rep(RepType::image, Structure::page, Mode::block);
  expect_decode_error(block, "\x40\x00\x05\x04\x00\x01\x01" "a"s, errc::page_last_missing);
}

TEST(CodecErrors, LogicalBytePadding) {  // RFC 959 §3.1.1.4
  const auto l12 = make_rep(RepType::local, Structure::file, Mode::stream, N, 12);
  expect_decode_error(l12, "\xAB\xC1"s, errc::logical_byte_padding_invalid);
  expect_decode_error(l12, "\xAB\xCD\xEF\x01"s, errc::logical_byte_padding_invalid);  // 8 bits left
  const auto l36 = make_rep(RepType::local, Structure::file, Mode::stream, N, 36);
  expect_decode_error(l36, "\x00\x00\x00\x00\x0F"s, errc::logical_byte_padding_invalid);
}

TEST(CodecErrors, CarriageControl) {  // RFC 959 §3.1.1.5.2
  const auto rep = make_rep(RepType::ascii, Structure::file, Mode::stream, C);
  expect_decode_error(rep, " ok\r\nxbad\r\n"s, errc::carriage_control_invalid);
}

TEST(CodecErrors, ErrorsAreStickyAndStopOutput) {
  const auto rep = make_rep(RepType::image, Structure::file, Mode::block);
  auto decoder = make_decoder(rep);
  std::string local;
  std::error_code ec;
  decoder->put(std::string_view("\x01\x00\x00", 3), local, ec);
  EXPECT_EQ(ec, errc::block_descriptor_invalid);
  std::error_code later;
  decoder->put(std::string_view("\x40\x00\x02ok", 5), local, later);
  decoder->finish(local, later);
  EXPECT_EQ(later, errc::block_descriptor_invalid);
  EXPECT_EQ(local, "");
}

TEST(CodecErrors, EncoderRejectsUnrepresentableLocalData) {  // RFC 959 §3.1.1.4
  std::error_code ec;
  encode_all(make_rep(RepType::local, Structure::file, Mode::stream, N, 4), "\x01\x10", ec);
  EXPECT_EQ(ec, errc::local_byte_too_wide);
  encode_all(make_rep(RepType::local, Structure::file, Mode::stream, N, 12), "\x01\x02\x03", ec);
  EXPECT_EQ(ec, errc::local_byte_incomplete);
  encode_all(make_rep(RepType::image, Structure::record, Mode::stream), "a\xFF\x09", ec);
  EXPECT_EQ(ec, errc::record_escape_invalid);
}

TEST(UnsupportedReason, EveryMeaningfulCombinationIsSupported) {
  const std::vector<std::pair<RepType, FormatControl>> types = {
      {RepType::ascii, N}, {RepType::ascii, FormatControl::telnet}, {RepType::ascii, C},
      {RepType::ebcdic, N}, {RepType::ebcdic, FormatControl::telnet}, {RepType::ebcdic, C},
      {RepType::image, N}};
  for (auto [type, format] : types)
    for (auto stru : {Structure::file, Structure::record, Structure::page})
      for (auto mode : {Mode::stream, Mode::block, Mode::compressed})
        EXPECT_EQ(unsupported_reason(make_rep(type, stru, mode, format)), "") << describe(make_rep(type, stru, mode, format));
  for (int n = 1; n <= 255; ++n)
    for (auto stru : {Structure::file, Structure::record})
      EXPECT_EQ(unsupported_reason(make_rep(RepType::local, stru, Mode::block, N, n)), "") << n;
  EXPECT_EQ(unsupported_reason(make_rep(RepType::local, Structure::page, Mode::stream, N, 3)), "");
}

TEST(UnsupportedReason, MeaninglessCombinationsAreRefusedWithTheRule) {
  const auto format_on_image = unsupported_reason(make_rep(RepType::image, Structure::file, Mode::stream, C));
  EXPECT_NE(format_on_image.find("§3.1.1.5"), std::string::npos);
  const auto tiny_pages = unsupported_reason(make_rep(RepType::local, Structure::page, Mode::stream, N, 2));
  EXPECT_NE(tiny_pages.find("§3.1.2.3"), std::string::npos);
  EXPECT_NE(unsupported_reason(make_rep(RepType::local, Structure::file, Mode::stream, N, 0)), "");
  EXPECT_NE(unsupported_reason(make_rep(RepType::local, Structure::file, Mode::stream, N, 256)), "");
  // A converter built anyway refuses to work instead of producing garbage.
  std::error_code ec;
  decode_all(make_rep(RepType::local, Structure::page, Mode::stream, N, 2), "x", ec);
  EXPECT_EQ(ec, errc::representation_unsupported);
}

}  // namespace
}  // namespace ftpspec::codec::test
