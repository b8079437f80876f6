#include "run/launcher.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <condition_variable>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <thread>

#include "session/session.hpp"

namespace bp = boost::process;

namespace ftpspec::run {

std::optional<LaunchedAddress> parse_listening_line(std::string_view line) {
  static const std::regex pattern(R"(listening on (?:\[([0-9A-Fa-f:.]+)\]|([^\s:]+)):(\d{1,5}))");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_search(line.begin(), line.end(), m, pattern)) return std::nullopt;
  unsigned long port = std::stoul(m[3].str());
  if (port == 0 || port > 65535) return std::nullopt;
  return LaunchedAddress{m[1].matched ? m[1].str() : m[2].str(), static_cast<std::uint16_t>(port)};
}

struct LaunchedServer::Impl {
  bp::ipstream out;
  bp::child child;
  std::thread reader;
  mutable std::mutex mutex;
  std::condition_variable changed;
  std::string output;
  std::optional<LaunchedAddress> listening;
  bool eof = false;
  bool terminated = false;

  void read_lines() {
    std::string line;
    while (std::getline(out, line)) {
      std::lock_guard lock(mutex);
      output += line + "\n";
      if (!listening) listening = parse_listening_line(line);
      changed.notify_all();
    }
    std::lock_guard lock(mutex);
    eof = true;
    changed.notify_all();
  }
};

LaunchedServer::LaunchedServer(const std::string& command) : impl_(std::make_unique<Impl>()) {
  try {
    // Its own process group, so terminate() reaches the server even when sh does not exec it.
    impl_->child = bp::child("/bin/sh", "-c", command, (bp::std_out & bp::std_err) > impl_->out, bp::std_in < bp::null,
                             bp::extend::on_exec_setup = [](auto&) { ::setpgid(0, 0); });
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("cannot start '{}': {}", command, e.what()));
  }
  impl_->reader = std::thread([this] { impl_->read_lines(); });
}

LaunchedServer::~LaunchedServer() { terminate(); }

LaunchedAddress LaunchedServer::wait_listening(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mutex);
  if (!impl_->changed.wait_for(lock, timeout, [&] { return impl_->listening || impl_->eof; }))
    throw std::runtime_error(fmt::format("the launched server printed no 'listening on HOST:PORT' within {} ms", timeout.count()));
  if (!impl_->listening) throw std::runtime_error("the launched server exited before it was listening");
  return *impl_->listening;
}

void LaunchedServer::wait_accepting(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  session::Timeouts quick;
  quick.connect = std::chrono::milliseconds(500);
  quick.reply = std::chrono::milliseconds(2000);
  while (true) {
    try {
      session::Session session(quick);
      session.connect(host, port);
      session.close();
      return;
    } catch (const session::Error&) {
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error(fmt::format("the launched server did not accept on {}:{} within {} ms", host, port, timeout.count()));
      {
        std::lock_guard lock(impl_->mutex);
        if (impl_->eof) throw std::runtime_error("the launched server exited before it accepted connections");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

void LaunchedServer::terminate(std::chrono::milliseconds grace) {
  if (impl_->terminated) return;
  impl_->terminated = true;
  const pid_t group = impl_->child.id();
  std::error_code ec;
  if (group > 0 && impl_->child.running(ec)) {
    ::kill(-group, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (impl_->child.running(ec) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (impl_->child.running(ec)) ::kill(-group, SIGKILL);
  }
  ::kill(-group, SIGKILL);  // anything the server left behind in its group
  impl_->child.wait(ec);
  if (impl_->reader.joinable()) impl_->reader.join();
}

int LaunchedServer::pid() const { return impl_->child.id(); }

std::string LaunchedServer::output() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->output;
}

}  // namespace ftpspec::run
