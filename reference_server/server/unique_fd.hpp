// A file descriptor with one owner.
#pragma once
#include <unistd.h>

#include <utility>

namespace ftpspecd {

/// Owns a file descriptor (closed on destruction unless released).
class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      close();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~UniqueFd() { close(); }
  int get() const noexcept { return fd_; }
  /// Gives the descriptor up (the caller closes it).
  int release() noexcept { return std::exchange(fd_, -1); }
  /// Closes now and reports whether close(2) succeeded (a failed close can lose written data).
  bool close() noexcept { return fd_ < 0 || ::close(std::exchange(fd_, -1)) == 0; }

 private:
  int fd_;
};

/// Hands `fd` to an Asio socket or acceptor, which owns (and closes) it from then on; when the
/// assignment fails `fd` keeps it.
template <class AsioObject, class Protocol, class ErrorCode>
void adopt(AsioObject& object, const Protocol& protocol, UniqueFd& fd, ErrorCode& ec) {
  object.assign(protocol, fd.get(), ec);
  if (!ec) (void)fd.release();
}

}  // namespace ftpspecd
