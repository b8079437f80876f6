// Hostile and broken servers (project issue "Reliability and security"): every Session call must
// end within its timeout with the right session::Error code, memory bounded by the configured
// limits, no crash. Also the control connection watched while a transfer waits on data.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>

#include "fake_server.hpp"
#include "session/session.hpp"

namespace ftpspec::session {
namespace {
using ftpspec::testing::FakeListener;
using ftpspec::testing::FakePeer;
using ftpspec::testing::FakeServer;
using ::testing::HasSubstr;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

Timeouts quick() { return {.connect = 2000ms, .reply = 2000ms, .data = 2000ms}; }

/// Control bytes the session received, as its transcript recorded them (what it held in memory).
std::size_t control_bytes_received(const Session& session) {
  std::size_t total = 0;
  for (const auto& entry : session.transcript().entries())
    if (entry.channel == Channel::control && entry.direction == Direction::server_to_client) total += entry.bytes.size();
  return total;
}

/// Runs `call`, expecting Error with `code`; returns its message.
template <class Call>
std::string expect_error(errc code, Call call) {
  try {
    call();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), make_error_code(code)) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no session::Error";
  return {};
}

/// Sends `chunk` repeatedly until the client goes away or `limit` bytes were sent.
void flood(FakePeer& peer, const std::string& chunk, std::size_t limit) {
  for (std::size_t sent = 0; sent < limit && peer.try_send(chunk); sent += chunk.size()) {
  }
}

TEST(SessionHostile, TenMegabyteLineHitsTheLineLimit) {
  FakeServer server([](FakePeer& peer) {
    peer.try_send("220 ");
    flood(peer, std::string(64 * 1024, 'A'), 10 * 1024 * 1024);
  });
  Session session(quick());
  const std::string what = expect_error(errc::reply_too_long, [&] { session.connect("127.0.0.1", server.port()); });
  EXPECT_THAT(what, HasSubstr("65536 bytes a line"));
  EXPECT_FALSE(session.connected());  // no later reply boundary can be found: the session ends
  EXPECT_LT(control_bytes_received(session), 1024u * 1024);  // the limit hit, not 10 MB held
  EXPECT_EQ(server.join(), "");
}

TEST(SessionHostile, EndlessMultiLineReplyHitsTheLineCountLimit) {
  FakeServer server([](FakePeer& peer) {
    peer.try_send("220-Welcome\r\n");
    flood(peer, "220-and more\r\n", 64 * 1024 * 1024);
  });
  Session session(quick());
  session.set_reply_limits({.max_line = 1024, .max_lines = 1000, .max_bytes = 1024 * 1024});
  const std::string what = expect_error(errc::reply_too_long, [&] { session.connect("127.0.0.1", server.port()); });
  EXPECT_THAT(what, HasSubstr("1000 lines"));
  EXPECT_LT(control_bytes_received(session), 256u * 1024);
  EXPECT_EQ(server.join(), "");
}

TEST(SessionHostile, EndlessMultiLineReplyWithDefaultLimitsEndsToo) {
  FakeServer server([](FakePeer& peer) { flood(peer, "220-" + std::string(100, 'x') + "\r\n", 256 * 1024 * 1024); });
  Session session(Timeouts{.connect = 2000ms, .reply = 20000ms, .data = 2000ms});
  expect_error(errc::reply_too_long, [&] { session.connect("127.0.0.1", server.port()); });
  EXPECT_LT(control_bytes_received(session), 32u * 1024 * 1024);  // ~16 MiB (max_bytes) at most
  EXPECT_EQ(server.join(), "");
}

TEST(SessionHostile, BinaryGarbageIsMalformed) {
  FakeServer server([](FakePeer& peer) {
    peer.try_send(std::string("\x00\x01\xfe\x80 garbage\r\n", 14));
    peer.read_all(3000ms);
  });
  Session session(quick());
  const std::string what = expect_error(errc::malformed_reply, [&] { session.connect("127.0.0.1", server.port()); });
  EXPECT_THAT(what, HasSubstr("\\x00\\x01"));
  session.close();
  EXPECT_EQ(server.join(), "");
}

TEST(SessionHostile, OneByteASecondEndsAtTheReplyTimeout) {
  FakeServer server([](FakePeer& peer) {
    const std::string greeting = "220 Slowly\r\n";
    for (char c : greeting) {  // bounded: gives up as soon as the client is gone
      if (!peer.try_send(std::string(1, c)) || peer.read_all(1000ms)) return;
    }
  });
  Session session({.connect = 2000ms, .reply = 1500ms, .data = 2000ms});
  const auto start = Clock::now();
  expect_error(errc::timeout, [&] { session.connect("127.0.0.1", server.port()); });
  EXPECT_LT(Clock::now() - start, 10s);  // the deadline covers the whole reply, not each byte
  EXPECT_TRUE(session.connected());
  session.close();
  EXPECT_EQ(server.join(), "");
}

TEST(SessionHostile, ResetMidReplyIsConnectionClosed) {
  FakeServer server([](FakePeer& peer) {
    peer.send("220 Ready\r\n");
    EXPECT_EQ(peer.read_line(), "HELP");
    peer.send("214-Commands:\r\n214 US");
    std::this_thread::sleep_for(50ms);
    peer.reset();  // RST, not FIN
  });
  Session session(quick());
  session.connect("127.0.0.1", server.port());
  expect_error(errc::connection_closed, [&] { session.command("HELP"); });
  EXPECT_FALSE(session.connected());
  EXPECT_EQ(server.join(), "");
}

/// The EPSV + RETR prologue of a download script; returns the data listener's accepted peer.
FakePeer start_download(FakePeer& peer, const std::string& command) {
  FakeListener data_listener;
  peer.send("220 Ready\r\n");
  EXPECT_EQ(peer.read_line(), "EPSV");
  peer.send("229 ok (|||" + std::to_string(data_listener.port()) + "|)\r\n");
  EXPECT_EQ(peer.read_line(), command);
  FakePeer data = data_listener.accept();
  peer.send("150 Here it comes\r\n");
  return data;
}

TEST(SessionHostile, EndlessDataConnectionStopsAtMaxBytes) {
  FakeServer server([](FakePeer& peer) {
    FakePeer data = start_download(peer, "RETR endless");
    flood(data, std::string(64 * 1024, 'z'), 512 * 1024 * 1024);
    peer.send("426 Connection closed; transfer aborted\r\n");
    EXPECT_EQ(peer.read_line(), "NOOP");
    peer.send("200 ok\r\n");
    peer.read_all();
  });
  Session session(quick());
  session.connect("127.0.0.1", server.port());
  std::size_t sunk = 0;
  TransferOptions options;
  options.max_bytes = 3 * 1024 * 1024 + 7;
  const TransferResult result = session.retr_to("endless", [&](std::string_view bytes) { sunk += bytes.size(); }, options);
  EXPECT_TRUE(result.truncated);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(sunk, options.max_bytes);
  EXPECT_TRUE(result.data.empty());  // a sink gets the bytes instead
  EXPECT_EQ(result.final_reply.code, 426);
  EXPECT_EQ(session.command("NOOP").code, 200);  // back in step
  session.close();
  EXPECT_EQ(server.join(), "");
  EXPECT_THAT(session.transcript().render(), HasSubstr("download stopped at the 3145735-byte limit"));
}

TEST(SessionHostile, DownloadIntoMemoryIsCappedToo) {
  FakeServer server([](FakePeer& peer) {
    FakePeer data = start_download(peer, "RETR big");
    flood(data, std::string(64 * 1024, 'q'), 64 * 1024 * 1024);
    peer.send("426 Aborted\r\n");
    peer.read_all();
  });
  Session session(quick());
  session.connect("127.0.0.1", server.port());
  TransferOptions options;
  options.max_bytes = 100'000;
  const TransferResult result = session.retr("big", options);
  EXPECT_TRUE(result.truncated);
  EXPECT_EQ(result.data, std::string(100'000, 'q'));
  session.close();
  EXPECT_EQ(server.join(), "");
}

TEST(SessionHostile, TricklingDataEndsAtTheTransferDeadlineAndResynchronises) {
  FakeServer server([](FakePeer& peer) {
    FakePeer data = start_download(peer, "RETR trickle");
    for (int i = 0; i < 40 && data.try_send("."); ++i)  // 4 s at most; never silent for 1 s
      if (data.read_all(100ms)) break;                    // the client closed the data connection
    peer.send("426 Data connection closed by the client\r\n");
    EXPECT_EQ(peer.read_line(), "NOOP");
    peer.send("200 ok\r\n");
    peer.read_all();
  });
  Session session({.connect = 2000ms, .reply = 2000ms, .data = 1000ms, .transfer = 1500ms, .drain = 1000ms});
  session.connect("127.0.0.1", server.port());
  const std::string what = expect_error(errc::timeout, [&] { session.retr("trickle"); });
  EXPECT_THAT(what, HasSubstr("the transfer took longer than 1500 ms"));
  EXPECT_THAT(what, HasSubstr("the server then answered 426"));
  EXPECT_EQ(session.command("NOOP").code, 200);  // not the stale 426
  session.close();
  EXPECT_EQ(server.join(), "");
}

TEST(SessionHostile, SilentDataConnectionTimesOutAndTheLate426IsDrained) {
  FakeServer server([](FakePeer& peer) {
    FakePeer data = start_download(peer, "RETR silent");
    EXPECT_TRUE(data.read_all(5000ms).has_value());  // waits for the client to give up
    peer.send("426 Transfer aborted\r\n");
    EXPECT_EQ(peer.read_line(), "NOOP");
    peer.send("200 ok\r\n");
    peer.read_all();
  });
  Session session({.connect = 2000ms, .reply = 2000ms, .data = 300ms, .transfer = {}, .drain = 1000ms});
  session.connect("127.0.0.1", server.port());
  const std::string what = expect_error(errc::timeout, [&] { session.retr("silent"); });
  EXPECT_THAT(what, HasSubstr("nothing for 300 ms; the server then answered 426"));
  EXPECT_EQ(session.command("NOOP").code, 200);
  session.close();
  EXPECT_EQ(server.join(), "");
}

// RFC 959 §5.4: 150 then 425 when the server cannot connect: the session must not sit out its
// connect timeout waiting for a data connection that will not come.
TEST(SessionHostile, Active425InsteadOfTheConnectionEndsTheWaitAtOnce) {
  FakeServer server([](FakePeer& peer) {
    peer.send("220 Ready\r\n");
    const auto eprt = peer.read_line();
    EXPECT_THAT(eprt.value_or(""), HasSubstr("EPRT |1|127.0.0.1|"));
    peer.send("200 EPRT ok\r\n");
    EXPECT_EQ(peer.read_line(), "RETR f");
    peer.send("150 Opening\r\n");
    std::this_thread::sleep_for(100ms);
    peer.send("425 Can't open data connection\r\n");
    EXPECT_EQ(peer.read_line(), "NOOP");
    peer.send("200 ok\r\n");
    peer.read_all();
  });
  Session session({.connect = 30000ms, .reply = 2000ms, .data = 30000ms});
  session.connect("127.0.0.1", server.port());
  TransferOptions options;
  options.connection = DataConnection::eprt;
  const auto start = Clock::now();
  const TransferResult result = session.retr("f", options);
  EXPECT_LT(Clock::now() - start, 15s);  // ended by the reply, not by the 30 s timeout
  EXPECT_EQ(result.final_reply.code, 425);
  ASSERT_EQ(result.replies.size(), 3u);
  EXPECT_EQ(result.replies[1].code, 150);
  EXPECT_EQ(session.command("NOOP").code, 200);
  session.close();
  EXPECT_EQ(server.join(), "");
  EXPECT_THAT(session.transcript().render(), HasSubstr("the server's final reply 425 ended the wait"));
}

TEST(SessionHostile, Passive451WhileTheDataConnectionStaysOpenEndsTheWait) {
  FakeServer server([](FakePeer& peer) {
    FakePeer data = start_download(peer, "RETR f");
    data.send("partial");
    peer.send("451 Local error in processing\r\n");
    EXPECT_EQ(peer.read_line(), "NOOP");  // the data connection is still open here
    peer.send("200 ok\r\n");
    peer.read_all();
  });
  Session session({.connect = 2000ms, .reply = 2000ms, .data = 30000ms, .transfer = {}, .drain = 300ms});
  session.connect("127.0.0.1", server.port());
  const auto start = Clock::now();
  const TransferResult result = session.retr("f");
  EXPECT_LT(Clock::now() - start, 15s);
  EXPECT_EQ(result.final_reply.code, 451);
  EXPECT_EQ(result.data, "partial");  // what arrived before is kept
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(session.command("NOOP").code, 200);
  session.close();
  EXPECT_EQ(server.join(), "");
}

TEST(SessionHostile, DataResetMidDownloadIsADataError) {
  FakeServer server([](FakePeer& peer) {
    FakePeer data = start_download(peer, "RETR f");
    data.send("some bytes");
    std::this_thread::sleep_for(50ms);
    data.reset();
    peer.send("226 Sure, all sent\r\n");
    peer.read_all();
  });
  Session session(quick());
  session.connect("127.0.0.1", server.port());
  const TransferResult result = session.retr("f");
  EXPECT_EQ(result.final_reply.code, 226);
  EXPECT_EQ(result.data_error.value(), ECONNRESET) << result.data_error.message();
  EXPECT_FALSE(result.ok());  // a 226 does not make a reset transfer whole
  session.close();
  EXPECT_EQ(server.join(), "");
}

}  // namespace
}  // namespace ftpspec::session
