// Session against ftpspecd, the reference server, running in-process on loopback.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <span>
#include <stdexcept>
#include <thread>

#include "server/misbehaviour.hpp"
#include "server/server.hpp"
#include "session/session.hpp"
#include "temp_root.hpp"

namespace ftpspec::session {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

using ftpspec::testing::TempRoot;

ftpspecd::Config config_for(const fs::path& root, const std::string& host) {
  ftpspecd::Config config;
  config.listen_host = host;
  config.root = root;
  config.users.push_back({"user", "secret", {}, false});
  return config;
}

std::string binary_blob(std::size_t size) {
  std::string out(size, '\0');
  std::mt19937 random(2428);
  for (auto& c : out) c = static_cast<char>(random() & 0xFF);
  return out;
}

TransferOptions options(DataConnection connection, codec::Representation rep) {
  TransferOptions o;
  o.connection = connection;
  o.representation = rep;
  return o;
}

codec::Representation image() {
  codec::Representation rep;
  rep.type = codec::RepType::image;
  return rep;
}

class SessionFtpspecdBasics : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(server_.start(), 0);
    ASSERT_EQ(session_.connect("127.0.0.1", server_.port()).code, 220);
    ASSERT_EQ(session_.login("user", "secret").code, 230);
  }
  void TearDown() override {
    session_.quit();
    server_.stop();
  }

  TempRoot root_;
  ftpspecd::Server server_{config_for(root_.path(), "127.0.0.1")};
  Session session_{Timeouts{.connect = 5000ms, .reply = 5000ms, .data = 5000ms}};
};

class SessionFtpspecd : public SessionFtpspecdBasics, public ::testing::WithParamInterface<DataConnection> {};

TEST_P(SessionFtpspecd, ImageStorThenRetrRoundTripsEveryByte) {
  const std::string blob = binary_blob(200'000);
  const TransferResult stored = session_.stor("blob.bin", blob, options(GetParam(), image()));
  ASSERT_TRUE(stored.ok()) << session_.transcript().render();
  EXPECT_EQ(root_.read("blob.bin"), blob);

  const TransferResult fetched = session_.retr("blob.bin", options(GetParam(), image()));
  ASSERT_TRUE(fetched.ok()) << session_.transcript().render();
  EXPECT_EQ(fetched.data, blob);
  EXPECT_EQ(fetched.wire_bytes, blob.size());
}

TEST_F(SessionFtpspecdBasics, BlockModeKeepsTheDataConnectionForViaKept) {
  // RFC 959 §3.3: keep_open leaves the MODE B connection open after the EOF marker; ftpspecd
  // answers 250, and the next transfers use it with DataConnection::kept (125, no EPSV).
  codec::Representation block = image();
  block.mode = codec::Mode::block;
  TransferOptions keep = options(DataConnection::epsv, block);
  keep.keep_open = true;
  const std::string blob = binary_blob(150'000);
  const TransferResult stored = session_.stor("kept.bin", blob, keep);
  ASSERT_TRUE(stored.ok()) << session_.transcript().render();
  EXPECT_EQ(stored.final_reply.code, 250);
  EXPECT_TRUE(stored.data_connection_kept);
  EXPECT_TRUE(session_.data_connection_kept());
  EXPECT_EQ(root_.read("kept.bin"), blob);

  keep.connection = DataConnection::kept;
  const std::size_t before = session_.transcript().size();
  const TransferResult fetched = session_.retr("kept.bin", keep);
  ASSERT_TRUE(fetched.ok()) << session_.transcript().render();
  EXPECT_EQ(fetched.data, blob);
  EXPECT_EQ(fetched.replies.front().code, 125);
  EXPECT_TRUE(fetched.data_connection_kept);
  for (const auto& entry : session_.transcript().entries(before)) EXPECT_THAT(entry.bytes, ::testing::Not(HasSubstr("EPSV")));

  // Without keep_open the client closes after the EOF marker: nothing is kept any more.
  const TransferResult last = session_.list("", options(DataConnection::kept, block));
  ASSERT_TRUE(last.ok()) << session_.transcript().render();
  EXPECT_THAT(last.data, HasSubstr("kept.bin"));
  EXPECT_FALSE(last.data_connection_kept);
  EXPECT_FALSE(session_.data_connection_kept());
  try {
    (void)session_.retr("kept.bin", options(DataConnection::kept, block));
    ADD_FAILURE() << "via kept without a kept connection must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), make_error_code(errc::invalid_argument));
  }
  // A new data set-up works again (229, then 150: the server noticed the close).
  const TransferResult fresh = session_.retr("kept.bin", options(DataConnection::epsv, block));
  ASSERT_TRUE(fresh.ok()) << session_.transcript().render();
  EXPECT_EQ(fresh.replies.at(1).code, 150);
  EXPECT_EQ(fresh.data, blob);
}

TEST_F(SessionFtpspecdBasics, AKeptDataConnectionEndsWithItsControlConnection) {
  codec::Representation block = image();
  block.mode = codec::Mode::block;
  TransferOptions keep = options(DataConnection::epsv, block);
  keep.keep_open = true;
  ASSERT_TRUE(session_.stor("k.bin", "kept", keep).data_connection_kept) << session_.transcript().render();
  // The server ends the control connection; the session learns it from a failed command.
  EXPECT_EQ(session_.command("QUIT").code, 221);
  EXPECT_THROW((void)session_.command("NOOP"), Error);
  ASSERT_FALSE(session_.connected());
  ASSERT_EQ(session_.connect("127.0.0.1", server_.port()).code, 220);
  EXPECT_FALSE(session_.data_connection_kept());  // not usable with via kept on the new one
}

std::string connection_name(const ::testing::TestParamInfo<DataConnection>& param) {
  return std::string(to_string(param.param));
}

INSTANTIATE_TEST_SUITE_P(AllDataConnections, SessionFtpspecd,
                         ::testing::Values(DataConnection::pasv, DataConnection::epsv, DataConnection::port,
                                           DataConnection::eprt),
                         connection_name);

TEST_F(SessionFtpspecdBasics, AsciiStorStoresLocalLineEnds) {
  codec::Representation ascii;
  ASSERT_TRUE(session_.stor("text.txt", "one\ntwo\n", options(DataConnection::epsv, ascii)).ok())
      << session_.transcript().render();
  EXPECT_EQ(root_.read("text.txt"), "one\ntwo\n");
  const TransferResult fetched = session_.retr("text.txt", options(DataConnection::epsv, ascii));
  ASSERT_TRUE(fetched.ok());
  EXPECT_EQ(fetched.wire_bytes, 10u);  // CRLF on the wire (RFC 959 §3.1.1.1)
  EXPECT_EQ(fetched.data, "one\ntwo\n");
}

TEST_F(SessionFtpspecdBasics, ListAndNlst) {
  root_.write("alpha.txt", "a");
  root_.write("beta.txt", "bb");
  const TransferResult names = session_.nlst({}, options(DataConnection::pasv, {}));
  ASSERT_TRUE(names.ok()) << session_.transcript().render();
  EXPECT_THAT(names.data, HasSubstr("alpha.txt\n"));
  EXPECT_THAT(names.data, HasSubstr("beta.txt\n"));
  const TransferResult listing = session_.list({}, options(DataConnection::eprt, {}));
  ASSERT_TRUE(listing.ok()) << session_.transcript().render();
  EXPECT_THAT(listing.data, HasSubstr("beta.txt"));
}

TEST_F(SessionFtpspecdBasics, RestResumesRetr) {
  const std::string blob = binary_blob(4000);
  root_.write("resume.bin", blob);
  TransferOptions resume = options(DataConnection::epsv, image());
  resume.restart = 1000;
  const TransferResult fetched = session_.retr("resume.bin", resume);
  ASSERT_TRUE(fetched.ok()) << session_.transcript().render();
  EXPECT_TRUE(std::any_of(fetched.replies.begin(), fetched.replies.end(), [](const auto& r) { return r.code == 350; }));
  EXPECT_EQ(fetched.data, blob.substr(1000));
}

TEST_F(SessionFtpspecdBasics, BlockModeRoundTripThroughTheCodecs) {
  codec::Representation block = image();
  block.mode = codec::Mode::block;  // RFC 959 §3.4.2
  const std::string blob = binary_blob(100'000);
  const TransferResult stored = session_.stor("block.bin", blob, options(DataConnection::epsv, block));
  if (stored.final_reply.code == 504) GTEST_SKIP() << "ftpspecd does not offer MODE B";
  ASSERT_TRUE(stored.ok()) << session_.transcript().render();
  EXPECT_EQ(root_.read("block.bin"), blob);
  const TransferResult fetched = session_.retr("block.bin", options(DataConnection::epsv, block));
  ASSERT_TRUE(fetched.ok()) << session_.transcript().render();
  EXPECT_EQ(fetched.data, blob);
  EXPECT_GT(fetched.wire_bytes, blob.size());  // block headers and the EOF descriptor
}

TEST_F(SessionFtpspecdBasics, MissingFileIs550AndTheSessionStaysInStep) {
  const TransferResult missing = session_.retr("nothing-here", options(DataConnection::port, image()));
  EXPECT_EQ(missing.final_reply.code / 100, 5);
  EXPECT_TRUE(missing.data.empty());
  EXPECT_EQ(session_.command("NOOP").code, 200);
}

// A source of `total` bytes cut from `pattern`, `max_piece` at a time; throws after `fail_at` bytes.
UploadSource pattern_source(const std::string& pattern, std::size_t total, std::size_t max_piece,
                            std::size_t fail_at = SIZE_MAX) {
  return [=, at = std::size_t{0}](std::span<char> buffer) mutable -> std::size_t {
    if (at >= fail_at) throw std::runtime_error("disk read failed");
    std::size_t n = std::min({buffer.size(), total - at, max_piece});
    for (std::size_t i = 0; i < n; ++i) buffer[i] = pattern[(at + i) % pattern.size()];
    at += n;
    return n;
  };
}

TEST_F(SessionFtpspecdBasics, StorFromASourceStreamsEveryByteInEveryMode) {
  const std::string pattern = "line of text\n";
  const std::size_t total = 300'000;
  std::string expected;
  for (std::size_t i = 0; i < total; ++i) expected += pattern[i % pattern.size()];
  for (const auto mode : {codec::Mode::stream, codec::Mode::block, codec::Mode::compressed}) {
    codec::Representation rep;  // TYPE A: the source's LF line ends go out as CRLF
    rep.mode = mode;
    const TransferResult stored = session_.stor_from("source.txt", pattern_source(pattern, total, 1000), options(DataConnection::epsv, rep));
    ASSERT_TRUE(stored.ok()) << session_.transcript().render();
    EXPECT_EQ(root_.read("source.txt"), expected);
  }
}

TEST_F(SessionFtpspecdBasics, AFailingSourceResetsTheDataConnectionSoNoPartialFileIsAcknowledged) {
  try {
    session_.stor_from("partial.bin", pattern_source("x", 1'000'000, 4096, 100'000), options(DataConnection::epsv, image()));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("disk read failed"));
    // The server saw a reset, not an end of file: it must not answer 226 (RFC 959 §3.4.1).
    EXPECT_THAT(e.what(), ::testing::Not(HasSubstr("answered 226")));
  }
  EXPECT_EQ(session_.command("NOOP").code, 200) << session_.transcript().render();
}

TEST_F(SessionFtpspecdBasics, LocalDataTheTypeCannotCarryResetsTheUploadSoItIsNotAcknowledged) {
  codec::Representation l4;  // TYPE L 4: local octets 0x00-0x0F only (RFC 959 §3.1.1.4)
  l4.type = codec::RepType::local;
  l4.byte_size = 4;
  const std::string local = std::string(200'000, '\x01') + "\xFF" + std::string(1000, '\x02');
  const TransferResult stored = session_.stor("wide.bin", local, options(DataConnection::epsv, l4));
  EXPECT_EQ(stored.codec_error, codec::errc::local_byte_too_wide);
  EXPECT_NE(stored.final_reply.code, 226) << session_.transcript().render();  // stream mode: a FIN would mean "complete"
  EXPECT_FALSE(stored.ok());
  EXPECT_EQ(session_.command("NOOP").code, 200);
}

TEST(SessionFtpspecdIpv6, EpsvAndEprtOverLoopbackV6) {
  TempRoot root;
  ftpspecd::Server server(config_for(root.path(), "::1"));
  try {
    server.start();
  } catch (const std::exception& e) {
    GTEST_SKIP() << "cannot listen on ::1: " << e.what();
  }
  Session session(Timeouts{.connect = 5000ms, .reply = 5000ms, .data = 5000ms});
  ASSERT_EQ(session.connect("::1", server.port()).code, 220);
  ASSERT_EQ(session.login("user", "secret").code, 230);
  const std::string blob = binary_blob(50'000);
  ASSERT_TRUE(session.stor("v6.bin", blob, options(DataConnection::eprt, image())).ok()) << session.transcript().render();
  EXPECT_EQ(root.read("v6.bin"), blob);
  const TransferResult fetched = session.retr("v6.bin", options(DataConnection::epsv, image()));
  ASSERT_TRUE(fetched.ok()) << session.transcript().render();
  EXPECT_EQ(fetched.data, blob);
  session.quit();
}

// Session::interrupt() from another thread (Ctrl-C in Python): the call in progress ends at once with
// Error(interrupted), the server sees the transfer abandoned, and the session stays usable.
class SessionInterrupt : public ::testing::Test {
 protected:
  void start(const std::string& misbehave) {
    ftpspecd::Config config = config_for(root_.path(), "127.0.0.1");
    ASSERT_EQ(ftpspecd::apply_misbehaviour_list(misbehave, config.misbehaviour), "");
    server_.emplace(config);
    ASSERT_NE(server_->start(), 0);
    ASSERT_EQ(session_.connect("127.0.0.1", server_->port()).code, 220);
    ASSERT_EQ(session_.login("user", "secret").code, 230);
  }
  /// Runs `call`, interrupting it from another thread after `after`; returns the Error it threw
  /// and how long it ran.
  template <class Call>
  std::pair<std::error_code, std::chrono::milliseconds> interrupted(Call call, std::chrono::milliseconds after = 300ms) {
    std::thread interrupter([&] {
      std::this_thread::sleep_for(after);
      session_.interrupt();
    });
    const auto started = std::chrono::steady_clock::now();
    std::error_code code;
    try {
      call();
    } catch (const Error& e) {
      code = e.code();
    }
    interrupter.join();
    session_.discard_interrupt();
    return {code, std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)};
  }
  void TearDown() override {
    session_.quit();
    if (server_) server_->stop();
  }

  TempRoot root_;
  std::optional<ftpspecd::Server> server_;
  Session session_{Timeouts{.connect = 5000ms, .reply = 20000ms, .data = 20000ms}};
};

TEST_F(SessionInterrupt, EndsASlowRetrAndTheSessionStaysInStep) {
  root_.write("big.bin", binary_blob(1'000'000));  // at 20 kB/s: 50 s
  ASSERT_NO_FATAL_FAILURE(start("throttle=20000"));
  const auto [code, took] = interrupted([&] { session_.retr("big.bin", options(DataConnection::epsv, image())); });
  EXPECT_EQ(code, errc::interrupted) << session_.transcript().render();
  EXPECT_LT(took, 5s);
  EXPECT_THAT(session_.transcript().render(), HasSubstr("interrupted by the client"));
  ASSERT_TRUE(session_.connected());
  // Whatever the server said about the abandoned transfer was read: the next command is in step.
  EXPECT_EQ(session_.command("NOOP").code, 200) << session_.transcript().render();
  root_.write("small.bin", "abc");
  EXPECT_EQ(session_.retr("small.bin", options(DataConnection::pasv, image())).data, "abc");
}

TEST_F(SessionInterrupt, EndsAWaitForASlowReplyAndKeepsTheConnection) {
  ASSERT_NO_FATAL_FAILURE(start("delay-replies=1500"));
  const auto [code, took] = interrupted([&] { session_.command("NOOP"); });
  EXPECT_EQ(code, errc::interrupted);
  EXPECT_LT(took, 1200ms);
  ASSERT_TRUE(session_.connected());
  // The late 200 to the interrupted NOOP arrives first; the connection itself is fine.
  EXPECT_EQ(session_.read_reply().code, 200);
  EXPECT_EQ(session_.command("NOOP").code, 200);
}

TEST_F(SessionInterrupt, AnInterruptNoCallTookIsDiscarded) {
  ASSERT_NO_FATAL_FAILURE(start(""));
  session_.interrupt();  // between calls
  session_.discard_interrupt();
  EXPECT_EQ(session_.command("NOOP").code, 200);
  session_.interrupt();  // not discarded: the next wait ends at once
  EXPECT_THROW(session_.command("NOOP"), Error);
}

}  // namespace
}  // namespace ftpspec::session
