#include "server/reply_sink.hpp"

#include <sys/socket.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "proto/reply.hpp"

namespace ftpspecd {

void ReplySink::send(int code, std::string_view text) { send_raw(ftpspec::proto::format_reply(code, text)); }

SocketReplySink::SocketReplySink(std::shared_ptr<SwitchableStream> stream)
    : stream_(std::move(stream)), drained_(stream_->socket().get_executor()) {}

void SocketReplySink::wrote(std::string_view bytes, std::chrono::steady_clock::time_point before) {
  written_ += bytes.size();
  if (observer_ && !bytes.empty()) observer_(bytes, before);
}

void SocketReplySink::send_raw(std::string bytes) {
  if (failed_) return;
  if (!writing_ && !stream_->secure()) {
    // Nothing queued or in flight, in clear text: write now, without a coroutine and a trip
    // through the io queue (three replies per transfer). Whatever the socket does not take at
    // once goes the asynchronous way below; order is kept because nothing else is pending.
    const auto before = std::chrono::steady_clock::now();
    const ssize_t n = ::send(stream_->socket().native_handle(), bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) wrote(std::string_view(bytes).substr(0, static_cast<std::size_t>(n)), before);
    if (n == static_cast<ssize_t>(bytes.size())) return;
    if (n > 0) bytes.erase(0, static_cast<std::size_t>(n));
  }
  queue_.push_back(std::move(bytes));
  if (!writing_) {
    writing_ = true;
    asio::co_spawn(stream_->socket().get_executor(), drain(shared_from_this()), asio::detached);
  }
}

asio::awaitable<void> SocketReplySink::flush() {
  while (writing_) co_await drained_.wait();
}

asio::awaitable<void> SocketReplySink::drain(std::shared_ptr<SocketReplySink> self) {
  while (!queue_.empty()) {
    std::string bytes = std::move(queue_.front());
    queue_.pop_front();
    boost::system::error_code ec;
    const auto before = std::chrono::steady_clock::now();
    const std::size_t n = co_await stream_->write_all(asio::buffer(bytes), ec);
    wrote(std::string_view(bytes).substr(0, n), before);
    if (ec) {
      failed_ = true;
      queue_.clear();
    }
  }
  writing_ = false;
  drained_.notify_all();
  (void)self;
}

std::string format_misbehaving_reply(int code, std::string_view text, const ReplyMisbehaviour& rules) {
  std::string out;
  if (rules.code_on_every_line && text.find('\n') != std::string_view::npos) {
    // RFC 959 §4.2: "123-First line / 123-Second line / ... / 123 The last line" is legal too.
    const std::string code_text = std::to_string(code);
    std::size_t start = 0;
    while (true) {
      const std::size_t end = text.find('\n', start);
      const bool last = end == std::string_view::npos;
      out.append(code_text).append(last ? " " : "-").append(text.substr(start, last ? end : end - start)).append("\r\n");
      if (last) break;
      start = end + 1;
    }
  } else {
    out = ftpspec::proto::format_reply(code, text);
  }
  if (rules.lf_only) {
    std::string bare;
    bare.reserve(out.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (out[i] == '\r' && i + 1 < out.size() && out[i + 1] == '\n') continue;
      bare += out[i];
    }
    out = std::move(bare);
  }
  return out;
}

MisbehavingReplySink::MisbehavingReplySink(std::shared_ptr<ReplySink> inner, asio::any_io_executor executor)
    : inner_(std::move(inner)), executor_(executor), released_(executor) {}

void MisbehavingReplySink::send(int code, std::string_view text) {
  send_raw(format_misbehaving_reply(code, text, rules_));
}

void MisbehavingReplySink::send_raw(std::string bytes) { send_paced(std::move(bytes), 0); }

void MisbehavingReplySink::send_paced(std::string bytes, std::size_t segment) {
  if (segment == 0) segment = rules_.segment;
  if (rules_.delay.count() == 0 && segment == 0 && delayed_.empty()) {
    inner_->send_raw(std::move(bytes));
    return;
  }
  if (segment == 0 || segment >= bytes.size()) {
    delayed_.push_back({std::move(bytes), rules_.delay});
  } else {
    for (std::size_t at = 0; at < bytes.size(); at += segment)
      delayed_.push_back({bytes.substr(at, segment), at == 0 ? rules_.delay : kSegmentPause});
  }
  if (!releasing_) {
    releasing_ = true;
    asio::co_spawn(executor_, release_delayed(shared_from_this()), asio::detached);
  }
}

asio::awaitable<void> MisbehavingReplySink::flush() {
  while (releasing_) co_await released_.wait();
  co_await inner_->flush();
}

asio::awaitable<void> MisbehavingReplySink::release_delayed(std::shared_ptr<MisbehavingReplySink> self) {
  // An async timer per reply: other sessions keep being served while this one dawdles.
  asio::steady_timer timer(executor_);
  while (!delayed_.empty()) {
    if (delayed_.front().delay.count() > 0) {
      timer.expires_after(delayed_.front().delay);
      boost::system::error_code ignored;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    inner_->send_raw(std::move(delayed_.front().bytes));
    delayed_.pop_front();
  }
  releasing_ = false;
  released_.notify_all();
  (void)self;
}

}  // namespace ftpspecd
