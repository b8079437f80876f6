// Moving file bytes over an open data connection (RFC 959 §3.4 transmission modes), through the
// codec for every non-plain representation and sendfile(2) for TYPE I / STRU F / MODE S.
// Memory stays bounded: one chunk at a time.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "codec/representation.hpp"
#include "server/async_event.hpp"
#include "server/tls.hpp"

namespace ftpspecd {

using tcp = asio::ip::tcp;

/// Shared between a running transfer and the control loop (ABOR, STAT, timeouts).
struct TransferState {
  std::uint64_t bytes = 0;      ///< bytes moved on the data connection so far
  bool aborted = false;         ///< set by ABOR before it closes the socket
  std::shared_ptr<Watchdog> watchdog;  ///< touched on every progress; closes the socket when idle
  void progressed(std::size_t n) {
    bytes += n;
    if (watchdog) watchdog->touch();
  }
};

enum class TransferOutcome {
  complete,          ///< 226
  connection_lost,   ///< 426: the peer closed / reset, or ABOR / timeout closed it
  local_error,       ///< 451: a file read or write failed
  decode_error,      ///< 451: the wire data did not match the representation
  not_opened,        ///< 425: e.g. the data connection's TLS handshake failed (RFC 4217 §9)
};

struct TransferResult {
  TransferOutcome outcome = TransferOutcome::complete;
  std::string detail;
};

/// RETR: file `fd` from `offset` to the wire. Plain binary in clear uses sendfile(2); under TLS
/// the bytes go through the SSL stream.
asio::awaitable<TransferResult> send_file(SwitchableStream& data, int fd, std::uint64_t offset,
                                          const ftpspec::codec::Representation& rep, TransferState& state);
/// LIST/NLST: local text (LF line ends) to the wire through the representation's encoder.
asio::awaitable<TransferResult> send_text(SwitchableStream& data, std::string text,
                                          const ftpspec::codec::Representation& rep, TransferState& state);
/// STOR/APPE/STOU: the wire into `fd` through the representation's decoder. The caller closes
/// `fd` (and checks that close) before replying 226.
asio::awaitable<TransferResult> receive_file(SwitchableStream& data, int fd, const ftpspec::codec::Representation& rep,
                                             TransferState& state);

}  // namespace ftpspecd
