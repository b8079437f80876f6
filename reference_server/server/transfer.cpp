#include "server/transfer.hpp"

#include <sys/sendfile.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "codec/codec.hpp"

namespace ftpspecd {
namespace {
constexpr std::size_t kChunk = 64 * 1024;
/// One sendfile(2) call asks for this much, and the loop calls again until EAGAIN. Below the
/// 64 KiB pipe that sendfile splices through, each call reaches the receiver as its own segment
/// and the reader copies while the next one is built. Measured on loopback with curl
/// (docs/performance.md, run F): 24-48 KiB gave 3.6-3.9 GB/s, 64 KiB 2.6, 16 MiB 2.1-2.5.
constexpr std::size_t kSendfileCount = 32 * 1024;
/// Plain uploads read this much per recv(2). Measured (run F): 512 KiB 1.9 GB/s, 256 KiB 1.4,
/// 64 KiB 1.3 (each read is also one write(2) to the file).
constexpr std::size_t kReceiveChunk = 512 * 1024;
/// The zero-copy and plain paths turn over to the other sessions of this io thread after this
/// much without waiting (the codec paths already do after every chunk: each asynchronous socket
/// operation completes through the io_context's queue).
constexpr std::size_t kYieldEvery = 4 * 1024 * 1024;

TransferResult lost(const boost::system::error_code& ec, const TransferState& state) {
  if (state.aborted) return {TransferOutcome::connection_lost, "Connection closed; transfer aborted"};
  return {TransferOutcome::connection_lost, "Connection closed; transfer aborted: " + ec.message()};
}

TransferResult local(const char* what) {
  return {TransferOutcome::local_error, std::string(what) + ": " + std::strerror(errno)};
}

/// The file holds data its representation cannot carry (e.g. TYPE L 4 and an octet above 0x0F):
/// the transfer fails with 451 instead of ending early with a 226 (docs/codecs.md, errors).
std::optional<TransferResult> unencodable(const ftpspec::codec::Encoder& encoder) {
  if (!encoder.error()) return std::nullopt;
  return TransferResult{TransferOutcome::local_error, "The file cannot be sent in this representation: " + encoder.error().message()};
}

/// A failed write to the file: a full disk or quota is "exceeded storage allocation" (RFC 959
/// §4.2 552, allowed after STOR's 150), anything else a local error (451).
TransferResult write_failed() {
  if (errno == ENOSPC || errno == EDQUOT) return {TransferOutcome::storage_exceeded, std::strerror(errno)};
  return local("write failed");
}

bool write_all(int fd, std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

/// Writes `wire` through the shaper. nullopt when all of it went out; otherwise why not.
asio::awaitable<std::optional<TransferResult>> write_wire(SwitchableStream& data, std::string_view wire,
                                                          TransferState& state) {
  for (std::size_t pos = 0; pos < wire.size();) {
    if (state.shaper.dropped()) co_return TransferResult{TransferOutcome::connection_lost, state.shaper.drop_detail()};
    const std::size_t slice = state.shaper.allowance(wire.size() - pos);
    boost::system::error_code ec;
    const std::size_t n = co_await data.write_all(asio::buffer(wire.data() + pos, slice), ec);
    state.progressed(n);
    pos += n;
    if (ec) co_return lost(ec, state);
    co_await state.shaper.moved(n);
  }
  co_return std::nullopt;
}

/// RFC 959 §3.5 for the sender: cuts local data so that a restart marker goes before the first
/// byte past every `interval` local bytes. The marker text is the file offset (REST's argument).
class RestartMarkerPacer {
 public:
  RestartMarkerPacer(ftpspec::codec::Encoder& encoder, std::uint64_t file_offset, std::uint64_t interval)
      : encoder_(encoder), file_offset_(file_offset), interval_(interval), next_(interval) {}
  void put(std::span<const char> local, std::string& wire) {
    while (interval_ > 0 && !local.empty()) {
      if (encoder_.local_offset() >= next_) {
        encoder_.emit_restart_marker(std::to_string(file_offset_ + encoder_.local_offset()), wire);
        next_ += interval_;
      }
      const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(local.size(), next_ - encoder_.local_offset()));
      encoder_.put(local.first(take), wire);
      local = local.subspan(take);
    }
    if (!local.empty()) encoder_.put(local, wire);
  }

 private:
  ftpspec::codec::Encoder& encoder_;
  std::uint64_t file_offset_;
  std::uint64_t interval_;
  std::uint64_t next_;
};

/// The zero-copy path: sendfile(2) on the non-blocking socket, waiting for writability on EAGAIN.
asio::awaitable<TransferResult> sendfile_all(tcp::socket& data, int fd, std::uint64_t offset, TransferState& state,
                                             std::optional<std::uint64_t> size) {
  boost::system::error_code ec;
  data.native_non_blocking(true, ec);
  if (ec) co_return lost(ec, state);
  off_t position = static_cast<off_t>(offset);
  while (true) {
    // A reader that keeps up never makes sendfile() say EAGAIN: after kYieldEvery bytes the
    // other sessions run.
    const SendfileRound round = sendfile_round(data.native_handle(), fd, position, size, kYieldEvery);
    state.progressed(round.bytes);
    switch (round.end) {
      case SendfileRound::End::done: co_return TransferResult{};
      case SendfileRound::End::budget_used: co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable); break;
      case SendfileRound::End::would_block:
        state.watch();
        co_await data.async_wait(tcp::socket::wait_write, asio::redirect_error(asio::use_awaitable, ec));
        if (ec || !data.is_open()) co_return lost(ec ? ec : asio::error::operation_aborted, state);
        break;
      case SendfileRound::End::failed:
        if (round.error == EPIPE || round.error == ECONNRESET || round.error == EBADF) {
          co_return lost(boost::system::error_code(round.error, boost::system::system_category()), state);
        }
        errno = round.error;
        co_return local("sendfile failed");
    }
  }
}

/// TYPE I / STRU F / MODE S in clear, unshaped: the bytes go to the file as they come. recv(2)
/// on the non-blocking socket until EAGAIN, then one wait for readability, so a fast sender
/// costs one reactor round trip per socket-buffer-full instead of one per 64 KiB.
asio::awaitable<TransferResult> receive_plain(tcp::socket& data, int fd, TransferState& state) {
  boost::system::error_code ec;
  data.native_non_blocking(true, ec);
  if (ec) co_return lost(ec, state);
  std::string chunk(kReceiveChunk, '\0');
  std::size_t since_yield = 0;
  while (true) {
    const ssize_t n = ::recv(data.native_handle(), chunk.data(), chunk.size(), 0);
    if (n > 0) {
      state.progressed(static_cast<std::size_t>(n));
      if (!write_all(fd, std::string_view(chunk.data(), static_cast<std::size_t>(n)))) co_return write_failed();
      if ((since_yield += static_cast<std::size_t>(n)) >= kYieldEvery) {
        since_yield = 0;
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
      }
      continue;
    }
    if (n == 0) break;  // RFC 959 §3.4.1: in stream mode the sender's close ends the file
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {
      co_await data.async_wait(tcp::socket::wait_read, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !data.is_open()) co_return lost(ec ? ec : asio::error::operation_aborted, state);
      continue;
    }
    co_return lost(boost::system::error_code(errno, boost::system::system_category()), state);
  }
  co_return TransferResult{};
}

/// After a sent file: the close ends it in stream mode (RFC 959 §3.4.1); the EOF marker, already
/// written, ends it when the connection stays open for the next transfer (§3.3). A script may
/// hold the end back (linger) or end without close_notify; a reset is the caller's close.
asio::awaitable<void> end_of_data(SwitchableStream& data, const ftpspec::codec::Representation& rep,
                                  const TransferState& state) {
  if (keeps_connection_open(rep, data.secure()) || state.hold_end || state.end == TransferShape::End::reset) co_return;
  co_await data.finish_sending(state.end != TransferShape::End::no_close_notify);
}
}  // namespace

SendfileRound sendfile_round(int socket, int fd, off_t& position, std::optional<std::uint64_t> size, std::size_t budget) {
  SendfileRound round;
  while (!size || static_cast<std::uint64_t>(position) < *size) {
    if (round.bytes >= budget) {
      round.end = SendfileRound::End::budget_used;
      return round;
    }
    const std::size_t count = size ? std::min<std::uint64_t>(kSendfileCount, *size - static_cast<std::uint64_t>(position))
                                   : kSendfileCount;
    const ssize_t n = ::sendfile(socket, fd, &position, count);
    if (n > 0) {
      round.bytes += static_cast<std::size_t>(n);
      continue;
    }
    if (n == 0) break;  // end of file (it shrank since the 150, or its size was not known)
    if (errno == EINTR) continue;
    round.end = errno == EAGAIN ? SendfileRound::End::would_block : SendfileRound::End::failed;
    round.error = errno;
    return round;
  }
  round.end = SendfileRound::End::done;
  return round;
}

bool keeps_connection_open(const ftpspec::codec::Representation& rep, bool secure) noexcept {
  return rep.mode != ftpspec::codec::Mode::stream && !secure;
}

asio::awaitable<TransferResult> send_file(SwitchableStream& data, int fd, std::uint64_t offset,
                                          const ftpspec::codec::Representation& rep, TransferState& state,
                                          std::optional<std::uint64_t> size) {
  if (rep.is_plain_binary() && !data.secure() && !state.shaper.active()) {
    TransferResult result = co_await sendfile_all(data.socket(), fd, offset, state, size);
    if (result.outcome == TransferOutcome::complete) co_await end_of_data(data, rep, state);
    co_return result;
  }
  if (offset > 0 && ::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) co_return local("seek failed");
  auto encoder = ftpspec::codec::make_encoder(rep);
  RestartMarkerPacer pacer(*encoder, offset, rep.mode == ftpspec::codec::Mode::stream ? 0 : state.restart_marker_interval);
  // Stream-mode image (over TLS or shaped): the wire bytes are the file's, so no encoder copy.
  const bool identity = rep.is_plain_binary();
  std::vector<char> chunk(kChunk);
  std::string wire;
  std::uint64_t position = offset;
  while (true) {
    // Up to the size told in the 150, as sendfile_all does; reaching it ends the file at once, so
    // the end (MODE B/C: the EOF marker) goes out with the last data instead of after one more read.
    const std::size_t want = size ? static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, *size - std::min(*size, position)))
                                  : kChunk;
    const ssize_t n = want == 0 ? 0 : ::read(fd, chunk.data(), want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) co_return local("read failed");
    position += static_cast<std::uint64_t>(n);
    const bool last = n == 0 || (size && position >= *size);
    if (identity) {
      if (auto failed = co_await write_wire(data, std::string_view(chunk.data(), static_cast<std::size_t>(n)), state))
        co_return *failed;
      if (last) break;
      continue;
    }
    wire.clear();
    if (n > 0) pacer.put(std::span<const char>(chunk.data(), static_cast<std::size_t>(n)), wire);
    if (last) encoder->finish(wire);
    if (auto failed = unencodable(*encoder)) co_return *failed;
    if (auto failed = co_await write_wire(data, wire, state)) co_return *failed;
    if (last) break;
  }
  co_await end_of_data(data, rep, state);
  co_return TransferResult{};
}

asio::awaitable<TransferResult> send_text(SwitchableStream& data, std::string text,
                                          const ftpspec::codec::Representation& rep, TransferState& state) {
  auto encoder = ftpspec::codec::make_encoder(rep);
  std::string wire;
  for (std::size_t pos = 0; pos < text.size(); pos += kChunk) {
    wire.clear();
    encoder->put(std::span<const char>(text.data() + pos, std::min(kChunk, text.size() - pos)), wire);
    if (auto failed = unencodable(*encoder)) co_return *failed;
    if (auto failed = co_await write_wire(data, wire, state)) co_return *failed;
  }
  wire.clear();
  encoder->finish(wire);
  if (auto failed = unencodable(*encoder)) co_return *failed;
  if (auto failed = co_await write_wire(data, wire, state)) co_return *failed;
  co_await end_of_data(data, rep, state);
  co_return TransferResult{};
}

asio::awaitable<TransferResult> receive_file(SwitchableStream& data, int fd, const ftpspec::codec::Representation& rep,
                                             TransferState& state) {
  if (rep.is_plain_binary() && !data.secure() && !state.shaper.active()) co_return co_await receive_plain(data.socket(), fd, state);
  auto decoder = ftpspec::codec::make_decoder(rep);
  std::vector<char> chunk(kChunk);
  std::string local_bytes;
  std::error_code decode_ec;
  while (true) {
    if (state.shaper.dropped()) co_return TransferResult{TransferOutcome::connection_lost, state.shaper.drop_detail()};
    boost::system::error_code ec;
    const std::size_t n =
        co_await data.read_some(asio::buffer(chunk.data(), state.shaper.allowance(chunk.size())), ec);
    if (n > 0) {
      state.progressed(n);
      co_await state.shaper.moved(n);
      local_bytes.clear();
      decoder->put(std::span<const char>(chunk.data(), n), local_bytes, decode_ec);
      if (decode_ec) co_return TransferResult{TransferOutcome::decode_error, "Invalid data for the representation: " + decode_ec.message()};
      if (!write_all(fd, local_bytes)) co_return write_failed();
      // RFC 959 §3.5: each marker is answered once the bytes before it are in the file.
      for (const auto& mark : decoder->take_restart_marks())
        if (state.on_restart_mark) state.on_restart_mark(mark);
      if (decoder->saw_eof()) break;  // MODE B/C end-of-file marker
    }
    if (ec == asio::error::eof) break;
    if (ec) co_return lost(ec, state);
  }
  local_bytes.clear();
  decoder->finish(local_bytes, decode_ec);
  if (decode_ec) co_return TransferResult{TransferOutcome::decode_error, "Invalid data for the representation: " + decode_ec.message()};
  if (!write_all(fd, local_bytes)) co_return write_failed();
  co_return TransferResult{};
}

std::size_t DataShaper::allowance(std::size_t wanted) {
  if (!start_) start_ = last_ = std::chrono::steady_clock::now();
  std::uint64_t limit = wanted;
  if (rules_.drop_after) limit = std::min<std::uint64_t>(limit, *rules_.drop_after - std::min(moved_, *rules_.drop_after));
  if (rules_.bytes_per_second > 0) limit = std::min<std::uint64_t>(limit, std::max<std::uint64_t>(1, rules_.bytes_per_second / 20));
  return static_cast<std::size_t>(limit);
}

asio::awaitable<void> DataShaper::moved(std::size_t n) {
  moved_ += n;
  if (!start_) start_ = std::chrono::steady_clock::now();
  last_ = std::chrono::steady_clock::now();
  if (rules_.bytes_per_second == 0) co_return;
  // Not before start + moved/rate: the average rate never exceeds the limit. Timers never fire
  // early, so the rate in summary() is at most the limit by construction.
  const auto due = *start_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                 std::chrono::duration<double>(static_cast<double>(moved_) /
                                                               static_cast<double>(rules_.bytes_per_second)));
  if (due > last_) {
    asio::steady_timer timer(co_await asio::this_coro::executor, due);
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    last_ = std::chrono::steady_clock::now();
  }
}

std::string DataShaper::drop_detail() const {
  return fmt::format("Connection closed; transfer aborted (data connection cut after {} bytes)", moved_);
}

std::string DataShaper::summary() const {
  if (rules_.bytes_per_second == 0 || !start_) return {};
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(last_ - *start_);
  return fmt::format(" (throttled: {} bytes in {} ms)", moved_, elapsed.count());
}

}  // namespace ftpspecd
