// libFuzzer: every codec decoder (TYPE A/E/I/L x format x STRU F/R/P x MODE S/B/C) never crashes,
// grows its output only in proportion to its input (MODE C replication is bounded), and decodes
// the same whether the wire bytes arrive at once or split at a position chosen by the input.
// Byte 0 picks the representation, byte 1 the split point, the rest is the wire data.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "codec/codec.hpp"

using namespace ftpspec::codec;

namespace {
Representation pick(std::uint8_t selector) {
  Representation rep;
  static constexpr RepType kTypes[] = {RepType::ascii, RepType::ebcdic, RepType::image, RepType::local};
  static constexpr FormatControl kFormats[] = {FormatControl::non_print, FormatControl::telnet,
                                               FormatControl::carriage_control};
  static constexpr Structure kStructures[] = {Structure::file, Structure::record, Structure::page};
  static constexpr Mode kModes[] = {Mode::stream, Mode::block, Mode::compressed};
  rep.type = kTypes[selector & 3];
  rep.format = kFormats[(selector >> 2) % 3];
  rep.structure = kStructures[(selector >> 4) % 3];
  rep.mode = kModes[(selector >> 6) % 3];
  if (rep.type == RepType::local) rep.byte_size = (selector & 0x80) ? 8 : 7;
  if (rep.type == RepType::image || rep.type == RepType::local) rep.format = FormatControl::non_print;
  return rep;
}

std::string decode(const Representation& rep, std::string_view a, std::string_view b, std::error_code& ec) {
  auto decoder = make_decoder(rep);
  std::string local;
  decoder->put(a, local, ec);
  if (!ec) decoder->put(b, local, ec);
  if (!ec) decoder->finish(local, ec);
  return local;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const Representation rep = pick(data[0]);
  if (!unsupported_reason(rep).empty()) return 0;
  const std::string_view wire(reinterpret_cast<const char*>(data) + 2, size - 2);
  const std::size_t split = data[1] % (wire.size() + 1);
  std::error_code ec_whole, ec_split;
  const std::string whole = decode(rep, wire, {}, ec_whole);
  const std::string split_out = decode(rep, wire.substr(0, split), wire.substr(split), ec_split);
  if (ec_whole != ec_split) std::abort();
  if (!ec_whole && whole != split_out) std::abort();
  // MODE C expands at most 63x (a 2-byte replicated string of 63 bytes); everything else at most 2x.
  if (whole.size() > 64 * wire.size() + 16) std::abort();
  return 0;
}
