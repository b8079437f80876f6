// libFuzzer: for the binary representations (TYPE I, L 8) under every STRU and MODE, encoding any
// local bytes and decoding the result gives the same bytes back, with no error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "codec/codec.hpp"

using namespace ftpspec::codec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  Representation rep;
  rep.type = (data[0] & 1) ? RepType::image : RepType::local;
  rep.byte_size = 8;
  rep.structure = (data[0] >> 1) % 3 == 0 ? Structure::file : (data[0] >> 1) % 3 == 1 ? Structure::page : Structure::file;
  rep.mode = (data[0] >> 3) % 3 == 0 ? Mode::stream : (data[0] >> 3) % 3 == 1 ? Mode::block : Mode::compressed;
  if (!unsupported_reason(rep).empty()) return 0;
  const std::string_view local(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::error_code ec;
  const std::string wire = encode_all(rep, local, ec);
  if (ec) std::abort();
  const std::string back = decode_all(rep, wire, ec);
  if (ec || back != local) std::abort();
  return 0;
}
