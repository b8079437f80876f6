#include "server/transfer.hpp"

#include <sys/sendfile.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "codec/codec.hpp"

namespace ftpspecd {
namespace {
constexpr std::size_t kChunk = 64 * 1024;

TransferResult lost(const boost::system::error_code& ec, const TransferState& state) {
  if (state.aborted) return {TransferOutcome::connection_lost, "Connection closed; transfer aborted"};
  return {TransferOutcome::connection_lost, "Connection closed; transfer aborted: " + ec.message()};
}

TransferResult local(const char* what) {
  return {TransferOutcome::local_error, std::string(what) + ": " + std::strerror(errno)};
}

bool write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

asio::awaitable<boost::system::error_code> write_wire(SwitchableStream& data, const std::string& wire, TransferState& state) {
  boost::system::error_code ec;
  if (wire.empty()) co_return ec;
  const std::size_t n = co_await data.write_all(asio::buffer(wire), ec);
  state.progressed(n);
  co_return ec;
}

/// The zero-copy path: sendfile(2) on the non-blocking socket, waiting for writability on EAGAIN.
asio::awaitable<TransferResult> sendfile_all(tcp::socket& data, int fd, std::uint64_t offset, TransferState& state) {
  boost::system::error_code ec;
  data.native_non_blocking(true, ec);
  if (ec) co_return lost(ec, state);
  off_t position = static_cast<off_t>(offset);
  while (true) {
    const ssize_t n = ::sendfile(data.native_handle(), fd, &position, kChunk);
    if (n > 0) {
      state.progressed(static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) break;  // end of file
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {
      co_await data.async_wait(tcp::socket::wait_write, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !data.is_open()) co_return lost(ec ? ec : asio::error::operation_aborted, state);
      continue;
    }
    if (errno == EPIPE || errno == ECONNRESET || errno == EBADF) {
      co_return lost(boost::system::error_code(errno, boost::system::system_category()), state);
    }
    co_return local("sendfile failed");
  }
  co_return TransferResult{};
}
}  // namespace

asio::awaitable<TransferResult> send_file(SwitchableStream& data, int fd, std::uint64_t offset,
                                          const ftpspec::codec::Representation& rep, TransferState& state) {
  if (rep.is_plain_binary() && !data.secure()) {
    TransferResult result = co_await sendfile_all(data.socket(), fd, offset, state);
    if (result.outcome == TransferOutcome::complete) co_await data.finish_sending();
    co_return result;
  }
  if (offset > 0 && ::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) co_return local("seek failed");
  auto encoder = ftpspec::codec::make_encoder(rep);
  std::vector<char> chunk(kChunk);
  std::string wire;
  while (true) {
    const ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) co_return local("read failed");
    wire.clear();
    if (n == 0) encoder->finish(wire);
    else encoder->put(std::span<const char>(chunk.data(), static_cast<std::size_t>(n)), wire);
    if (auto ec = co_await write_wire(data, wire, state)) co_return lost(ec, state);
    if (n == 0) break;
  }
  co_await data.finish_sending();
  co_return TransferResult{};
}

asio::awaitable<TransferResult> send_text(SwitchableStream& data, std::string text,
                                          const ftpspec::codec::Representation& rep, TransferState& state) {
  auto encoder = ftpspec::codec::make_encoder(rep);
  std::string wire;
  for (std::size_t pos = 0; pos < text.size(); pos += kChunk) {
    wire.clear();
    encoder->put(std::span<const char>(text.data() + pos, std::min(kChunk, text.size() - pos)), wire);
    if (auto ec = co_await write_wire(data, wire, state)) co_return lost(ec, state);
  }
  wire.clear();
  encoder->finish(wire);
  if (auto ec = co_await write_wire(data, wire, state)) co_return lost(ec, state);
  co_await data.finish_sending();
  co_return TransferResult{};
}

asio::awaitable<TransferResult> receive_file(SwitchableStream& data, int fd, const ftpspec::codec::Representation& rep,
                                             TransferState& state) {
  auto decoder = ftpspec::codec::make_decoder(rep);
  std::vector<char> chunk(kChunk);
  std::string local_bytes;
  std::error_code decode_ec;
  while (true) {
    boost::system::error_code ec;
    const std::size_t n =
        co_await data.read_some(asio::buffer(chunk), ec);
    if (n > 0) {
      state.progressed(n);
      local_bytes.clear();
      decoder->put(std::span<const char>(chunk.data(), n), local_bytes, decode_ec);
      if (decode_ec) co_return TransferResult{TransferOutcome::decode_error, "Invalid data for the representation: " + decode_ec.message()};
      if (!write_all(fd, local_bytes)) co_return local("write failed");
      if (decoder->saw_eof()) break;  // MODE B/C end-of-file marker
    }
    if (ec == asio::error::eof) break;
    if (ec) co_return lost(ec, state);
  }
  local_bytes.clear();
  decoder->finish(local_bytes, decode_ec);
  if (decode_ec) co_return TransferResult{TransferOutcome::decode_error, "Invalid data for the representation: " + decode_ec.message()};
  if (!write_all(fd, local_bytes)) co_return local("write failed");
  co_return TransferResult{};
}

}  // namespace ftpspecd
