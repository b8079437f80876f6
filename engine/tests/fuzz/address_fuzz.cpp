// libFuzzer: host-port grammars never crash, and whatever parses formats back to something that
// parses to the same value (PORT, EPRT, LPRT, 227, 229).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "proto/address.hpp"

using namespace ftpspec::proto;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto hp = parse_port_argument(text); hp && parse_port_argument(format_port_argument(*hp)) != hp) std::abort();
  if (auto hp = parse_pasv_reply(text); hp && parse_pasv_reply(format_pasv_reply(*hp)) != hp) std::abort();
  if (auto hp = parse_eprt_argument(text); hp && !parse_eprt_argument(format_eprt_argument(*hp))) std::abort();
  if (auto port = parse_epsv_reply(text); port && parse_epsv_reply(format_epsv_reply(*port)) != port) std::abort();
  if (auto hp = parse_lprt_argument(text); hp && parse_lprt_argument(format_lprt_argument(*hp)) != hp) std::abort();
  if (auto hp = parse_lpsv_reply(text); hp && parse_lpsv_reply(format_lpsv_reply(*hp)) != hp) std::abort();
  return 0;
}
