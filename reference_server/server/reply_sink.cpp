#include "server/reply_sink.hpp"

#include <boost/asio/write.hpp>

#include "proto/reply.hpp"

namespace ftpspecd {

void ReplySink::send(int code, std::string_view text) { send_raw(ftpspec::proto::format_reply(code, text)); }

SocketReplySink::SocketReplySink(std::shared_ptr<SwitchableStream> stream)
    : stream_(std::move(stream)), drained_(stream_->socket().get_executor()) {}

void SocketReplySink::send_raw(std::string bytes) {
  if (failed_) return;
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
    co_await stream_->write_all(asio::buffer(bytes), ec);
    if (ec) {
      failed_ = true;
      queue_.clear();
    }
  }
  writing_ = false;
  drained_.notify_all();
  (void)self;
}

}  // namespace ftpspecd
