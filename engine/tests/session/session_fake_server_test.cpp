// Session against a scripted fake server: exact bytes, exact segmentation, misbehaviour on purpose.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_server.hpp"
#include "proto/address.hpp"
#include "session/session.hpp"

namespace ftpspec::session {
namespace {
using ftpspec::testing::FakeListener;
using ftpspec::testing::FakePeer;
using ftpspec::testing::FakeServer;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

Timeouts quick() { return {.connect = 2000ms, .reply = 2000ms, .data = 2000ms}; }
TransferOptions with_connection(DataConnection connection) {
  TransferOptions options;
  options.connection = connection;
  return options;
}
TransferOptions restarting_at(std::uint64_t offset) {
  TransferOptions options;
  options.restart = offset;
  return options;
}

TEST(SessionFake, GreetingCollects120RepliesThenReturns220) {
  FakeServer server([](FakePeer& peer) {
    peer.send("120 Service ready in 5 minutes\r\n");
    peer.send("120 Still waking up\r\n");
    peer.send("220 Ready\r\n");
    EXPECT_EQ(peer.read_line(), "QUIT");
    peer.send("221 Bye\r\n");
  });
  Session session(quick());
  const proto::Reply greeting = session.connect("127.0.0.1", server.port());
  EXPECT_EQ(greeting.code, 220);
  ASSERT_EQ(session.greeting_replies().size(), 3u);
  EXPECT_EQ(session.greeting_replies()[0].code, 120);
  EXPECT_EQ(session.greeting_replies()[1].text(), "Still waking up");
  EXPECT_EQ(session.remote_address(), "127.0.0.1");
  session.quit();
  EXPECT_FALSE(session.connected());
  EXPECT_EQ(server.join(), "");
  const std::string text = session.transcript().render();
  EXPECT_THAT(text, HasSubstr(" C> QUIT\\r\\n\n"));
  EXPECT_THAT(text, HasSubstr(" S> 221 Bye\\r\\n\n"));
}

TEST(SessionFake, MultiLineReplyArrivingOneByteAtATime) {
  const std::string reply = "230-Welcome\r\n231 is not the end\r\n 230 nor this\r\n230-nor this\r\n230 End\r\n";
  FakeServer server([&](FakePeer& peer) {
    peer.send("220 Ready\r\n");
    EXPECT_EQ(peer.read_line(), "USER anonymous");
    peer.send_bytewise(reply);
    peer.read_all();
  });
  Session session(quick());
  session.connect("127.0.0.1", server.port());
  const proto::Reply r = session.login("anonymous", "x");
  EXPECT_EQ(r.code, 230);
  EXPECT_EQ(r.wire(), reply);
  session.close();
  EXPECT_EQ(server.join(), "");
}

TEST(SessionFake, PipelinedRepliesInOneSegmentAreBothRead) {
  FakeServer server([](FakePeer& peer) {
    peer.send("220 Ready\r\n");
    EXPECT_EQ(peer.read_line(), "NOOP");
    peer.send("150 Opening\r\n226 Done\r\n");
    peer.read_all();
  });
  Session session(quick());
  session.connect("127.0.0.1", server.port());
  EXPECT_EQ(session.command("NOOP").code, 150);
  EXPECT_EQ(session.read_reply(200ms).code, 226);  // already buffered: no more bytes needed
  session.close();
  EXPECT_EQ(server.join(), "");
}

// The server answers RETR with 150 and 226 in one segment, before the data even starts: the
// session must still read all data to EOF, then take the already buffered 226.
TEST(SessionFake, TransferWhoseFinalReplyOvertakesTheData) {
  const std::string payload = "line one\r\nline two\r\n";
  FakeServer server([&](FakePeer& peer) {
    FakeListener data_listener;
    peer.send("220 Ready\r\n");
    EXPECT_EQ(peer.read_line(), "EPSV");
    peer.send("229 Entering Extended Passive Mode (|||" + std::to_string(data_listener.port()) + "|)\r\n");
    EXPECT_EQ(peer.read_line(), "RETR notes.txt");
    FakePeer data = data_listener.accept();
    peer.send("150 Here it comes\r\n226 Transfer complete\r\n");
    std::this_thread::sleep_for(50ms);
    data.send(payload.substr(0, 7));
    std::this_thread::sleep_for(20ms);
    data.send(payload.substr(7));
    data.close();
    peer.read_all();
  });
  Session session(quick());
  session.connect("127.0.0.1", server.port());
  const TransferResult result = session.retr("notes.txt");
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.final_reply.code, 226);
  EXPECT_EQ(result.data, "line one\nline two\n");  // TYPE A N: CRLF -> local LF
  EXPECT_EQ(result.wire_bytes, payload.size());
  ASSERT_EQ(result.replies.size(), 3u);
  EXPECT_EQ(result.replies[0].code, 229);
  EXPECT_EQ(result.replies[1].code, 150);
  session.close();
  EXPECT_EQ(server.join(), "");
  EXPECT_THAT(session.transcript().render(), HasSubstr(" D< line on\n"));
}

TEST(SessionFake, PasvAnnouncing0000UsesTheControlHostAndSaysSo) {
  FakeServer server([](FakePeer& peer) {
    FakeListener data_listener;
    peer.send("220 Ready\r\n");
    EXPECT_EQ(peer.read_line(), "PASV");
    peer.send("227 Entering Passive Mode (" + proto::format_port_argument({"0.0.0.0", data_listener.port()}) + ")\r\n");
    EXPECT_EQ(peer.read_line(), "STOR up.bin");
    FakePeer data = data_listener.accept();
    peer.send("150 Go\r\n");
    const auto received = data.read_all();
    EXPECT_EQ(received, "a\r\nb\r\n");
    peer.send("226 Stored\r\n");
    peer.read_all();
  });
  Session session(quick());
  session.connect("127.0.0.1", server.port());
  const TransferResult result = session.stor("up.bin", "a\nb\n", with_connection(DataConnection::pasv));
  EXPECT_EQ(result.final_reply.code, 226);
  EXPECT_EQ(result.wire_bytes, 6u);
  session.close();
  EXPECT_EQ(server.join(), "");
  EXPECT_THAT(session.transcript().render(), HasSubstr("227 announced 0.0.0.0; using the control connection's host 127.0.0.1"));
}

TEST(SessionFake, RefusedTransferReturnsTheReplyWithoutData) {
  FakeServer server([](FakePeer& peer) {
    FakeListener data_listener;
    peer.send("220 Ready\r\n");
    EXPECT_EQ(peer.read_line(), "EPSV");
    peer.send("229 ok (|||" + std::to_string(data_listener.port()) + "|)\r\n");
    EXPECT_EQ(peer.read_line(), "REST 10");
    peer.send("350 Restarting at 10\r\n");
    EXPECT_EQ(peer.read_line(), "RETR missing");
    peer.send("550 No such file\r\n");
    peer.read_all();
  });
  Session session(quick());
  session.connect("127.0.0.1", server.port());
  const TransferResult result = session.retr("missing", restarting_at(10));
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.final_reply.code, 550);
  ASSERT_EQ(result.replies.size(), 3u);
  EXPECT_EQ(result.replies[1].code, 350);
  EXPECT_EQ(result.data, "");
  session.close();
  EXPECT_EQ(server.join(), "");
}

TEST(SessionFake, SilentDataConnectionTimesOutWithTheDataTimeout) {
  FakeServer server([](FakePeer& peer) {
    FakeListener data_listener;
    peer.send("220 Ready\r\n");
    EXPECT_EQ(peer.read_line(), "EPSV");
    peer.send("229 ok (|||" + std::to_string(data_listener.port()) + "|)\r\n");
    EXPECT_EQ(peer.read_line(), "RETR slow");
    FakePeer data = data_listener.accept();
    peer.send("150 Sending nothing\r\n");
    data.send("partial");
    EXPECT_TRUE(data.read_all().has_value());  // the client gives up and closes the data connection
    peer.read_all();
  });
  Session session({.connect = 2000ms, .reply = 2000ms, .data = 300ms});
  session.connect("127.0.0.1", server.port());
  try {
    session.retr("slow");
    FAIL() << "no timeout";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), make_error_code(errc::timeout));
    EXPECT_THAT(e.what(), HasSubstr("reading data"));
  }
  session.close();
  EXPECT_EQ(server.join(), "");
  EXPECT_THAT(session.transcript().render(), HasSubstr(" D< partial\n"));
}

TEST(SessionFake, TransferCompletedWithout1yzIsUnexpected) {
  FakeServer server([](FakePeer& peer) {
    FakeListener data_listener;
    peer.send("220 Ready\r\n");
    EXPECT_EQ(peer.read_line(), "EPSV");
    peer.send("229 ok (|||" + std::to_string(data_listener.port()) + "|)\r\n");
    EXPECT_EQ(peer.read_line(), "NLST");
    peer.send("226 Nothing to send\r\n");
    peer.read_all();
  });
  Session session(quick());
  session.connect("127.0.0.1", server.port());
  try {
    session.nlst();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), make_error_code(errc::unexpected_reply));
  }
  session.close();
  EXPECT_EQ(server.join(), "");
}

TEST(SessionFake, PassiveReplyWithoutAddressIsBadPassiveReply) {
  FakeServer server([](FakePeer& peer) {
    peer.send("220 Ready\r\n");
    EXPECT_EQ(peer.read_line(), "PASV");
    peer.send("227 Entering Passive Mode, somewhere\r\n");
    peer.read_all();
  });
  Session session(quick());
  session.connect("127.0.0.1", server.port());
  try {
    session.retr("x", with_connection(DataConnection::pasv));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), make_error_code(errc::bad_passive_reply));
    EXPECT_THAT(e.what(), HasSubstr("somewhere"));
  }
  session.close();
  EXPECT_EQ(server.join(), "");
}

TEST(SessionFake, SilentServerTimesOutWithinTheTimeout) {
  FakeServer server([](FakePeer& peer) {
    peer.send("220 Ready\r\n");
    EXPECT_EQ(peer.read_line(), "NOOP");
    peer.read_all();  // never answers; returns when the client closes
  });
  Session session(quick());
  session.connect("127.0.0.1", server.port());
  session.set_timeouts({.connect = 2000ms, .reply = 300ms, .data = 2000ms});
  const auto start = std::chrono::steady_clock::now();
  try {
    session.command("NOOP");
    FAIL() << "no timeout";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), make_error_code(errc::timeout));
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 5s);  // bounded, not a speed test
  EXPECT_TRUE(session.connected());  // a timeout leaves the connection usable
  session.close();
  EXPECT_EQ(server.join(), "");
}

TEST(SessionFake, ServerClosingMidReplyIsConnectionClosed) {
  FakeServer server([](FakePeer& peer) {
    peer.send("220 Ready\r\n");
    EXPECT_EQ(peer.read_line(), "HELP");
    peer.send("214-The following commands\r\n214 are rec");
    peer.close();
  });
  Session session(quick());
  session.connect("127.0.0.1", server.port());
  try {
    session.command("HELP");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), make_error_code(errc::connection_closed));
  }
  EXPECT_FALSE(session.connected());
  EXPECT_THROW(session.command("NOOP"), Error);
  EXPECT_EQ(server.join(), "");
}

TEST(SessionFake, GarbageReplyIsMalformedWithTheBytesInTheMessage) {
  FakeServer server([](FakePeer& peer) {
    peer.send("hello there\r\n");
    peer.read_all();
  });
  Session session(quick());
  try {
    session.connect("127.0.0.1", server.port());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), make_error_code(errc::malformed_reply));
    EXPECT_THAT(e.what(), HasSubstr("hello there\\r\\n"));
    EXPECT_THAT(e.what(), HasSubstr("three-digit code"));
  }
  session.close();
  EXPECT_EQ(server.join(), "");
}

TEST(SessionFake, BareLfIsToleratedAndReportedAsDeviation) {
  FakeServer server([](FakePeer& peer) {
    peer.send("220 Ready\n");
    peer.read_all();
  });
  Session session(quick());
  EXPECT_EQ(session.connect("127.0.0.1", server.port()).code, 220);
  const auto deviations = session.take_deviations();
  ASSERT_EQ(deviations.size(), 1u);
  EXPECT_THAT(deviations[0].rule, HasSubstr("CRLF"));
  EXPECT_TRUE(session.take_deviations().empty());
  session.close();
  EXPECT_EQ(server.join(), "");
}

TEST(SessionFake, LoginSendsAcctOn332AndArgumentsAreTelnetEncoded) {
  FakeServer server([](FakePeer& peer) {
    peer.send("220 Ready\r\n");
    EXPECT_EQ(peer.read_line(), "USER bob");
    peer.send("331 Password\r\n");
    EXPECT_EQ(peer.read_line(), "PASS pw\xff\xff");  // RFC 854: a data 0xFF is doubled
    peer.send("332 Account\r\n");
    EXPECT_EQ(peer.read_line(), "ACCT acme");
    peer.send("230 In\r\n");
    peer.read_all();
  });
  Session session(quick());
  session.connect("127.0.0.1", server.port());
  EXPECT_EQ(session.login("bob", "pw\xff", "acme").code, 230);
  EXPECT_THROW(session.command("NOOP", "a\r\nQUIT"), Error);  // a smuggled second command
  session.close();
  EXPECT_EQ(server.join(), "");
}

TEST(SessionFake, UrgentBytesArriveAsOutOfBandData) {
  FakeServer server([](FakePeer& peer) {
    peer.send("220 Ready\r\n");
    EXPECT_EQ(peer.read_urgent(), '\xff');
    EXPECT_EQ(peer.read_line(), "\xff\xf4\xf2" "ABOR");  // the urgent byte is out of the stream
    peer.send("226 Aborted\r\n");
    peer.read_all();
  });
  Session session(quick());
  session.connect("127.0.0.1", server.port());
  // RFC 959 §4.1.3: IAC IP, then the Synch (IAC as urgent data, then DM), then ABOR.
  session.send_raw("\xff\xf4");
  session.send_urgent("\xff");
  session.send_raw("\xf2");
  EXPECT_EQ(session.command("ABOR").code, 226);
  session.close();
  EXPECT_EQ(server.join(), "");
}

TEST(SessionFake, NotConnectedAndRefusedConnections) {
  Session session(quick());
  try {
    session.command("NOOP");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), make_error_code(errc::not_connected));
  }
  std::uint16_t closed_port = 0;
  { closed_port = FakeListener().port(); }  // a port nobody listens on any more
  EXPECT_THROW(session.connect("127.0.0.1", closed_port), Error);
  EXPECT_FALSE(session.connected());
}

}  // namespace
}  // namespace ftpspec::session
