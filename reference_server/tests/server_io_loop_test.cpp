// The io threads' loop (io_loop.hpp): the adaptive polling window, and that a spinning thread
// still runs every handler, fires timers and ends when its io_context stops.
#include <atomic>
#include <chrono>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <gtest/gtest.h>

#include "server/io_loop.hpp"

namespace ftpspecd::test {
namespace {
using namespace std::chrono_literals;
using Window = SpinWindow::Duration;

TEST(SpinWindowTest, GrowsWhileWorkComesJustAfterItCloses) {
  SpinWindow window(200us);
  EXPECT_EQ(window.current(), Window::zero());  // no polling until a short gap is seen
  window.idle_ended(30us);                      // a window would have caught it: start
  EXPECT_EQ(window.current(), SpinWindow::kStart);
  window.idle_ended(30us);
  EXPECT_EQ(window.current(), Window(20us));
  window.idle_ended(30us);
  EXPECT_EQ(window.current(), Window(40us));
  window.idle_ended(30us);  // caught by the 40 us window: it stays
  EXPECT_EQ(window.current(), Window(40us));
  for (int i = 0; i < 10; ++i) window.idle_ended(190us);
  EXPECT_EQ(window.current(), Window(200us));  // never past the maximum
}

TEST(SpinWindowTest, ShrinksToNothingWhileGapsAreLongerThanTheMaximum) {
  SpinWindow window(200us);
  for (int i = 0; i < 6; ++i) window.idle_ended(190us);
  ASSERT_EQ(window.current(), Window(200us));
  window.idle_ended(5ms);  // an idle session: polling would only have burnt the CPU
  EXPECT_EQ(window.current(), Window(100us));
  window.idle_ended(5ms);
  window.idle_ended(5ms);
  EXPECT_EQ(window.current(), Window(25us));
  window.idle_ended(5ms);
  EXPECT_EQ(window.current(), Window(12500ns));
  window.idle_ended(5ms);
  EXPECT_EQ(window.current(), Window::zero());
  window.idle_ended(1s);
  EXPECT_EQ(window.current(), Window::zero());
}

TEST(SpinWindowTest, ZeroMaximumNeverPolls) {
  SpinWindow window(Window::zero());
  for (int i = 0; i < 5; ++i) window.idle_ended(1us);
  EXPECT_EQ(window.current(), Window::zero());
  SpinWindow small(5us);  // a maximum below the start window is the window
  small.idle_ended(3us);
  EXPECT_EQ(small.current(), Window(5us));
}

TEST(TransferOnThisThreadTest, CountsPerThread) {
  EXPECT_EQ(TransferOnThisThread::running(), 0);
  {
    const TransferOnThisThread one;
    const TransferOnThisThread two;
    EXPECT_EQ(TransferOnThisThread::running(), 2);
    int elsewhere = -1;
    std::thread([&elsewhere] { elsewhere = TransferOnThisThread::running(); }).join();
    EXPECT_EQ(elsewhere, 0);  // another io thread polls as before
  }
  EXPECT_EQ(TransferOnThisThread::running(), 0);
}

/// Posts `rounds` handlers one after another from outside, each a short gap after the last one
/// ran: the pattern of a client's commands. Returns how many ran.
int ping_pong(boost::asio::io_context& io, int rounds) {
  std::atomic<int> ran{0};
  for (int i = 0; i < rounds; ++i) {
    boost::asio::post(io, [&ran] { ran.fetch_add(1); });
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (ran.load() <= i && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    std::this_thread::sleep_for(20us);
  }
  return ran.load();
}

TEST(IoLoopTest, SpinningThreadRunsHandlersAndTimersAndStops) {
  for (const auto spin : {0us, 200us, 1000us}) {
    SCOPED_TRACE(spin.count());
    boost::asio::io_context io;
    auto work = boost::asio::make_work_guard(io);
    std::thread thread([&io, spin] { run_io_thread(io, spin); });
    EXPECT_EQ(ping_pong(io, 200), 200);
    std::atomic<bool> fired{false};
    boost::asio::steady_timer timer(io, 2ms);
    timer.async_wait([&fired](const boost::system::error_code& ec) { fired = !ec; });
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!fired && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
    EXPECT_TRUE(fired);
    io.stop();  // from another thread, as Server::stop does
    thread.join();
    EXPECT_TRUE(io.stopped());
  }
}

TEST(IoLoopTest, ReturnsWhenOutOfWork) {
  boost::asio::io_context io;
  int ran = 0;
  boost::asio::post(io, [&] { boost::asio::post(io, [&] { ++ran; }); });
  run_io_thread(io, 200us);  // no work guard: it returns once both handlers ran
  EXPECT_EQ(ran, 1);
}

}  // namespace
}  // namespace ftpspecd::test
