// The EBCDIC code page of TYPE E (RFC 959 §3.1.1.2): IBM-037 with LF/NL swapped (see ebcdic.cpp).
#pragma once
#include <array>
#include <string_view>

namespace ftpspec::codec {

/// Name of the code page TYPE E uses, for docs and replies.
inline constexpr std::string_view ebcdic_code_page = "IBM-037 (CP037) with LF<->NL swap";
/// Local byte (ISO-8859-1) -> EBCDIC byte. Local LF 0x0A -> EBCDIC NL 0x15.
extern const std::array<unsigned char, 256> latin1_to_ebcdic;
/// EBCDIC byte -> local byte; the exact inverse of latin1_to_ebcdic.
extern const std::array<unsigned char, 256> ebcdic_to_latin1;
/// EBCDIC <NL>, the end of line of TYPE E (RFC 959 §3.1.1.2).
inline constexpr unsigned char ebcdic_nl = 0x15;
/// EBCDIC <SP>, the compressed-mode filler of TYPE E (RFC 959 §3.4.3).
inline constexpr unsigned char ebcdic_space = 0x40;

}  // namespace ftpspec::codec
