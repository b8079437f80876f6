// Hand-made vectors from the RFC 959 text: each encoder output is checked byte for byte and each
// decoder is fed the wire split at every position (grind).
#include <gtest/gtest.h>

#include "codec/ebcdic.hpp"
#include "codec_test_util.hpp"

namespace ftpspec::codec::test {
namespace {
using namespace std::string_literals;
constexpr auto N = FormatControl::non_print;
constexpr auto T = FormatControl::telnet;
constexpr auto C = FormatControl::carriage_control;

TEST(AsciiType, LocalLfIsWireCrlf) {  // RFC 959 §3.1.1.1
  const auto rep = make_rep(RepType::ascii, Structure::file, Mode::stream);
  EXPECT_EQ(encode(rep, "a\nb\n"), "a\r\nb\r\n");
  EXPECT_EQ(encode(rep, "a\r\n"), "a\r\r\n");
  expect_decodes(rep, "a\r\nb\r\n", "a\nb\n");
  expect_decodes(rep, "a\rb\r", "a\rb\r");  // a bare CR stays data
  expect_decodes(rep, "a\r\r\n", "a\r\n");
}

TEST(AsciiType, TelnetFormatPassesFormatEffectors) {  // RFC 959 §3.1.1.5.2
  const auto rep = make_rep(RepType::ascii, Structure::file, Mode::stream, T);
  EXPECT_EQ(encode(rep, "a\f\vb\n"), "a\f\vb\r\n");
  expect_decodes(rep, "a\f\vb\r\n", "a\f\vb\n");
}

TEST(EbcdicType, Ibm037Letters) {  // RFC 959 §3.1.1.2
  const auto rep = make_rep(RepType::ebcdic, Structure::file, Mode::stream);
  EXPECT_EQ(encode(rep, "HELLO"), "\xC8\xC5\xD3\xD3\xD6"s);
  EXPECT_EQ(encode(rep, "a 0\n"), "\x81\x40\xF0\x15"s);  // local LF is EBCDIC NL
  expect_decodes(rep, "\xC8\xC5\xD3\xD3\xD6\x15"s, "HELLO\n");
}

TEST(EbcdicType, TableIsABijection) {
  for (int i = 0; i < 256; ++i)
    EXPECT_EQ(ebcdic_to_latin1[latin1_to_ebcdic[static_cast<std::size_t>(i)]], i) << i;
  EXPECT_EQ(latin1_to_ebcdic['\n'], ebcdic_nl);
  EXPECT_EQ(latin1_to_ebcdic[' '], ebcdic_space);
}

TEST(CarriageControl, LinesGetAsaControls) {  // RFC 959 §3.1.1.5.2
  const auto rep = make_rep(RepType::ascii, Structure::file, Mode::stream, C);
  EXPECT_EQ(encode(rep, "a\n\fb\n"), " a\r\n1b\r\n");
  EXPECT_EQ(encode(rep, "a\rb\n"), " a\r\n+b\r\n");  // CR: overprint
  EXPECT_EQ(encode(rep, "a\n\nlast"), " a\r\n \r\n last");
  expect_decodes(rep, " a\r\n1b\r\n", "a\n\fb\n");
  expect_decodes(rep, " a\r\n0b\r\n+c\r\n", "a\n\nb\rc\n");
}

TEST(CarriageControl, EbcdicRecords) {
  const auto rep = make_rep(RepType::ebcdic, Structure::record, Mode::stream, C);
  EXPECT_EQ(encode(rep, "A\n"), "\x40\xC1\xFF\x03"s);
  expect_decodes(rep, "\x40\xC1\xFF\x01\xF1\xC2\xFF\x03"s, "A\n\fB\n");
}

TEST(RecordStructure, StreamModeEscapes) {  // RFC 959 §3.4.1
  const auto text = make_rep(RepType::ascii, Structure::record, Mode::stream);
  EXPECT_EQ(encode(text, "abc\ndef\n"), "abc\xFF\x01" "def\xFF\x03"s);
  EXPECT_EQ(encode(text, "x\xFFy\n"), "x\xFF\xFFy\xFF\x03"s);
  expect_decodes(text, "abc\xFF\x01" "def\xFF\x01\xFF\x02"s, "abc\ndef\n");
  expect_decodes(text, "abc\xFF\x03"s, "abc\n");

  const auto binary = make_rep(RepType::image, Structure::record, Mode::stream);
  // Binary records keep the §3.4.1 escape form in the local file (without the EOF code).
  expect_decodes(binary, "abc\xFF\x01\xFF\x02"s, "abc\xFF\x01"s);
  expect_decodes(binary, "a\xFF\xFF" "b\xFF\x03"s, "a\xFF\xFF" "b\xFF\x01"s);
  EXPECT_EQ(encode(binary, "a\xFF\xFF" "b\xFF\x01"s), "a\xFF\xFF" "b\xFF\x03"s);
}

TEST(BlockMode, HeadersAndDescriptors) {  // RFC 959 §3.4.2
  const auto rep = make_rep(RepType::image, Structure::file, Mode::block);
  expect_decodes(rep, "\x00\x00\x05hello\x40\x00\x00"s, "hello");
  expect_decodes(rep, "\x20\x00\x02he\x40\x00\x03llo"s, "hello");  // suspect data is still data
  EXPECT_EQ(encode(rep, "hello"), "\x40\x00\x05hello"s);
  EXPECT_EQ(encode(rep, ""), "\x40\x00\x00"s);
  const auto big = std::string(65536, 'z');
  EXPECT_EQ(encode(rep, big), "\x00\xFF\xFF"s + std::string(65535, 'z') + "\x40\x00\x01z"s);

  const auto records = make_rep(RepType::ascii, Structure::record, Mode::block);
  EXPECT_EQ(encode(records, "ab\ncd\n"), "\x80\x00\x02" "ab\xC0\x00\x02" "cd"s);
  EXPECT_EQ(encode(records, "\n\n"), "\x80\x00\x00\xC0\x00\x00"s);
  expect_decodes(records, "\x80\x00\x02" "ab\x00\x00\x01" "c\x80\x00\x01" "d\x40\x00\x00"s, "ab\ncd\n");
}

TEST(BlockMode, RestartMarkerBlock) {  // RFC 959 §3.4.2, §3.5
  const auto rep = make_rep(RepType::image, Structure::file, Mode::block);
  expect_decodes(rep, "\x00\x00\x03" "abc\x10\x00\x03" "100\x40\x00\x02" "de"s, "abcde", {{"100", 3}});
}

TEST(CompressedMode, StringsReplicationFiller) {  // RFC 959 §3.4.3
  const auto image = make_rep(RepType::image, Structure::file, Mode::compressed);
  const auto wire = "\x03" "abc\x84x\xC3\x00\x40"s;
  const auto local = "abcxxxx"s + std::string(3, '\0');
  EXPECT_EQ(encode(image, local), wire);
  expect_decodes(image, wire, local);
  const auto ascii = make_rep(RepType::ascii, Structure::file, Mode::compressed);
  expect_decodes(ascii, "\x01" "a\xC3\x01" "b\x00\x40"s, "a   b");  // filler is SP for A
  EXPECT_EQ(encode(ascii, "a   b"), "\x01" "a\xC3\x01" "b\x00\x40"s);
  const auto ebcdic = make_rep(RepType::ebcdic, Structure::file, Mode::compressed);
  expect_decodes(ebcdic, "\xC2\x00\x40"s, "  ");  // EBCDIC SP 0x40
  EXPECT_EQ(encode(image, std::string(64, 'q')), "\xBFq\x01q\x00\x40"s);  // runs of at most 63
}

TEST(CompressedMode, EscapesCarryEorEofAndMarkers) {
  const auto records = make_rep(RepType::ascii, Structure::record, Mode::compressed);
  EXPECT_EQ(encode(records, "ab\ncd\n"), "\x02" "ab\x00\x80\x02" "cd\x00\xC0"s);
  expect_decodes(records, "\x02" "ab\x00\x80\x02" "cd\x00\x80\x00\x40"s, "ab\ncd\n");
  const auto image = make_rep(RepType::image, Structure::file, Mode::compressed);
  expect_decodes(image, "\x01" "a\x00\x10\x02" "r1\x01" "b\x00\x40"s, "ab", {{"r1", 1}});
}

TEST(PageStructure, SimplePagesAndLastPage) {  // RFC 959 §3.1.2.3
  const auto rep = make_rep(RepType::image, Structure::page, Mode::stream);
  EXPECT_EQ(encode(rep, "abc"), "\x04\x00\x03\x01" "abc\x04\x01\x00\x00"s);
  EXPECT_EQ(encode(rep, ""), "\x04\x00\x00\x00"s);
  expect_decodes(rep, "\x04\x00\x03\x01" "abc\x04\x01\x00\x00"s, "abc");
  // Descriptor page (2) skipped; access-controlled page (3) has a 5th header field.
  expect_decodes(rep, "\x04\x00\x02\x02zz\x05\x07\x01\x03\x09q\x04\x00\x00\x00"s, "q");
  const auto pages = encode(rep, std::string(300, 'p'));
  EXPECT_EQ(pages.substr(0, 4), "\x04\x00\xFF\x01"s);  // 255 logical bytes per page when n = 8
  EXPECT_EQ(pages.substr(259, 4), "\x04\x01\x2D\x01"s);
}

TEST(PageStructure, Tops20WordsAppendixI) {  // RFC 959 Appendix I: TYPE L 36, STRU P
  const auto rep = make_rep(RepType::local, Structure::page, Mode::stream, N, 36);
  // One page holding one word: 5 header/data logical bytes of 36 bits = 180 bits -> 23 bytes.
  const auto local = "\x00\x00\x00\x00\x07"s;
  const auto wire = encode(rep, local);
  EXPECT_EQ(wire.size(), (5 * 36 + 4 * 36 + 7) / 8);
  expect_decodes(rep, wire, local);
}

TEST(LocalType, L36PacksTwoWordsInNineBytes) {  // RFC 959 §3.1.1.4 example
  const auto rep = make_rep(RepType::local, Structure::file, Mode::stream, N, 36);
  const auto local = "\x00\x00\x00\x00\x01\x0F\xFF\xFF\xFF\xFF"s;
  const auto wire = "\x00\x00\x00\x00\x1F\xFF\xFF\xFF\xFF"s;
  EXPECT_EQ(encode(rep, local), wire);
  expect_decodes(rep, wire, local);
}

TEST(LocalType, SmallAndOddByteSizes) {
  const auto l12 = make_rep(RepType::local, Structure::file, Mode::stream, N, 12);
  EXPECT_EQ(encode(l12, "\x0A\xBC"s), "\xAB\xC0"s);  // 4 zero padding bits
  expect_decodes(l12, "\xAB\xC0"s, "\x0A\xBC"s);
  const auto l4 = make_rep(RepType::local, Structure::file, Mode::stream, N, 4);
  EXPECT_EQ(encode(l4, "\x01\x02\x03\x04"s), "\x12\x34"s);
  // Padding of n or more bits cannot be told from a zero logical byte: it decodes as one.
  EXPECT_EQ(encode(l4, "\x01\x02\x03"s), "\x12\x30"s);
  expect_decodes(l4, "\x12\x30"s, "\x01\x02\x03\x00"s);
  const auto l8 = make_rep(RepType::local, Structure::file, Mode::stream, N, 8);
  EXPECT_EQ(encode(l8, "\xFF\x00"s), "\xFF\x00"s);
  const auto l4records = make_rep(RepType::local, Structure::record, Mode::block, N, 4);
  EXPECT_EQ(encode(l4records, "\x01\xFF\x01\x02\x03\xFF\x01"s), "\x80\x00\x01\x10\xC0\x00\x01\x23"s);
}

TEST(RestartMarkers, EncoderEmitsDecimalLocalOffset) {  // RFC 959 §3.5
  for (Mode mode : {Mode::block, Mode::compressed}) {
    const auto rep = make_rep(RepType::ascii, Structure::file, mode);
    auto encoder = make_encoder(rep);
    std::string wire;
    encoder->put(std::string_view("ab\n"), wire);
    EXPECT_TRUE(encoder->emit_restart_marker(wire));
    EXPECT_FALSE(encoder->emit_restart_marker("has space", wire));
    EXPECT_FALSE(encoder->emit_restart_marker("", wire));
    encoder->put(std::string_view("cd\n"), wire);
    encoder->finish(wire);
    expect_decodes(rep, wire, "ab\ncd\n", {{"3", 3}});
  }
  const auto block = make_rep(RepType::image, Structure::file, Mode::block);
  auto encoder = make_encoder(block);
  std::string wire;
  encoder->put(std::string_view("xyz"), wire);
  EXPECT_TRUE(encoder->emit_restart_marker("M1", wire));
  EXPECT_EQ(wire, "\x00\x00\x03xyz\x10\x00\x02M1"s);
}

TEST(RestartMarkers, RefusedWhereUndefined) {
  auto stream = make_encoder(make_rep(RepType::image, Structure::file, Mode::stream));
  std::string wire = "x";
  EXPECT_FALSE(stream->emit_restart_marker("1", wire));
  EXPECT_EQ(wire, "x");
  auto l4 = make_encoder(make_rep(RepType::local, Structure::file, Mode::block, N, 4));
  wire.clear();
  l4->put(std::string_view("\x01"), wire);
  EXPECT_FALSE(l4->emit_restart_marker("1", wire));  // mid transfer byte
  l4->put(std::string_view("\x02"), wire);
  EXPECT_TRUE(l4->emit_restart_marker("2", wire));
}

TEST(RestartMarkers, DeclinedInsideAnLnLogicalByteOfAPage) {
  // L 36: five local octets per logical byte. A marker asked for after 3 of them cannot end the
  // page there (a page holds whole logical bytes): it is declined and the transfer goes on. After
  // two whole logical bytes (header 4 x 36 + 2 x 36 bits = 27 octets) it fits.
  const std::string a = "\x00\x00\x00\x00\x41"s, b = "\x00\x00\x00\x00\x42"s;
  for (Mode mode : {Mode::block, Mode::compressed}) {
    const auto rep = make_rep(RepType::local, Structure::page, mode, N, 36);
    auto encoder = make_encoder(rep);
    std::string wire;
    encoder->put(std::string_view(a).substr(0, 3), wire);
    EXPECT_FALSE(encoder->emit_restart_marker("3", wire));
    encoder->put(std::string_view(a).substr(3), wire);
    encoder->put(std::string_view(b), wire);
    EXPECT_TRUE(encoder->emit_restart_marker("10", wire));
    encoder->put(std::string_view(a), wire);
    encoder->finish(wire);
    ASSERT_FALSE(encoder->error()) << encoder->error().message();
    expect_decodes(rep, wire, a + b + a, {{"10", 10}});
  }
}

TEST(Helpers, EncodeAllThrowsOnUnrepresentableData) {
  const auto l4 = make_rep(RepType::local, Structure::file, Mode::stream, N, 4);
  EXPECT_THROW(encode_all(l4, "\x10"), std::system_error);
  EXPECT_EQ(encode_all(make_rep(RepType::image, Structure::file, Mode::stream), "raw"), "raw");
}

}  // namespace
}  // namespace ftpspec::codec::test
