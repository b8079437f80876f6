// Issue #18: an upload counts only once its completion reply (226, or 250 on a kept data
// connection; RFC 959 §4.2) reached a live control connection. A killed client ends its data
// connection with a FIN, which stream mode reads as the end of the file (§3.4.1), and its control
// connection at the same moment: the file it was replacing must stay intact, byte for byte, and
// no staged file may be left. With keep_partial_uploads what arrived stays for REST + STOR
// (RFC 3659 §5). Clients here "die" by closing their sockets as a killed process's kernel does.
#include <sys/socket.h>
#include <sys/stat.h>

#include <memory>
#include <optional>
#include <regex>
#include <thread>
#include <tuple>
#include <vector>

#include "server/upload.hpp"
#include "server/vfs.hpp"
#include "test_support.hpp"

namespace ftpspecd::test {
namespace {
namespace codec = ftpspec::codec;

std::string blob(std::size_t size, unsigned seed) {
  std::string out(size, '\0');
  std::mt19937 random(seed);
  for (auto& c : out) c = static_cast<char>(random() & 0xFF);
  return out;
}

/// How a connection of a killed process ends: FIN (its descriptor closed), or RST (unread data,
/// or SO_LINGER 0).
enum class Ending { fin, rst };

void end_connection(tcp::socket& socket, Ending how) {
  if (how == Ending::rst) {
    const linger abort_on_close{1, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  }
  boost::system::error_code ignored;
  socket.close(ignored);
}

/// The staged uploads in `dir` (kUploadStagingPrefix names).
std::vector<std::string> staged_files(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (is_upload_staging_name(entry.path().filename().string())) out.push_back(entry.path().filename().string());
  }
  return out;
}

/// MODE B data: `local` then the EOF marker (RFC 959 §3.4.2).
std::string block_mode(const std::string& local) {
  codec::Representation rep;
  rep.type = codec::RepType::image;
  rep.mode = codec::Mode::block;
  auto encoder = codec::make_encoder(rep);
  std::string wire;
  encoder->put(std::span<const char>(local.data(), local.size()), wire);
  encoder->finish(wire);
  return wire;
}

class UploadTest : public ServerFixture {
 protected:
  void SetUp() override { start(config(false)); }

  /// One session at a time: a new client connects only once the previous session has ended and
  /// its upload is settled, which makes "after the client died" a point the test can wait for.
  Config config(bool keep_partial) {
    Config c = make_config();
    c.max_sessions = 1;
    c.keep_partial_uploads = keep_partial;
    return c;
  }

  /// A logged-in client, once every earlier session has ended (their slot is free).
  std::unique_ptr<Client> next_client() {
    for (int attempt = 0; attempt < 500; ++attempt) {
      auto client = std::make_unique<Client>(port_);
      if (client->read().code() == 220) {
        client->login();
        return client;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw std::runtime_error("the previous session never ended");
  }

  /// Polls STAT until the running transfer has moved `bytes` (so the server has them).
  static void wait_until_received(Client& client, std::size_t bytes) {
    const std::string wanted = "transfer in progress, " + std::to_string(bytes) + " bytes";
    for (int attempt = 0; attempt < 500; ++attempt) {
      const Received status = client.cmd("STAT");
      ASSERT_EQ(status.code(), 213) << status.raw;
      if (status.raw.find(wanted) != std::string::npos) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "the server never received " << bytes << " bytes";
  }

  /// An upload under way: the next client sent `setup`, then `command` (150) and `bytes`, which
  /// the server has; its data connection is still open.
  struct Sending {
    std::unique_ptr<Client> client;
    tcp::socket data;
  };
  Sending sending(const std::string& command, const std::string& bytes, const std::vector<std::string>& setup = {}) {
    auto client = next_client();
    for (const auto& line : setup) EXPECT_LT(client->cmd(line).code(), 400) << line;
    tcp::socket data = client->open_passive();
    EXPECT_EQ(client->cmd(command).code(), 150);
    asio::write(data, asio::buffer(bytes));
    wait_until_received(*client, bytes.size());
    return {std::move(client), std::move(data)};
  }

  /// sending(), then the client dies: the data connection ends as `data_end`, then at once the
  /// control connection as `control_end`, no completion reply read.
  void upload_then_die(const std::vector<std::string>& setup, const std::string& command, const std::string& bytes,
                       Ending data_end = Ending::fin, Ending control_end = Ending::fin) {
    Sending upload = sending(command, bytes, setup);
    end_connection(upload.data, data_end);
    end_connection(upload.client->socket(), control_end);
  }

  /// Once every earlier session has ended: `name` holds `content` and no staged file is left.
  /// The next client.
  std::unique_ptr<Client> expect_settled(const std::string& name, const std::string& content) {
    auto client = next_client();
    const std::string held = read_file(root() / name);
    EXPECT_TRUE(held == content) << name << " holds " << held.size() << " bytes";
    EXPECT_EQ(staged_files(root()), std::vector<std::string>{});
    return client;
  }

  /// A complete upload over a fresh passive connection; the final reply code.
  static int upload(Client& client, const std::string& command, const std::string& bytes) {
    return client.upload(command, bytes);
  }
};

class KilledUploader : public UploadTest, public ::testing::WithParamInterface<std::tuple<Ending, Ending>> {};

TEST_P(KilledUploader, LeavesTheOldFileIntactAndNoStagedFile) {
  const std::string old_file = blob(1 << 20, 1);
  write_file(root() / "keep.bin", old_file);
  const auto [data_end, control_end] = GetParam();
  upload_then_die({"TYPE I"}, "STOR keep.bin", blob(256 << 10, 2), data_end, control_end);

  auto client = expect_settled("keep.bin", old_file);
  // The target is free again: an acknowledged upload replaces it.
  ASSERT_EQ(client->cmd("TYPE I").code(), 200);
  const std::string fresh = blob(300 << 10, 3);
  EXPECT_EQ(upload(*client, "STOR keep.bin", fresh), 226);
  EXPECT_TRUE(read_file(root() / "keep.bin") == fresh);
}

std::string endings_name(const ::testing::TestParamInfo<std::tuple<Ending, Ending>>& endings) {
  auto name = [](Ending e) { return e == Ending::fin ? "Fin" : "Rst"; };
  return std::string("Data") + name(std::get<0>(endings.param)) + "Control" + name(std::get<1>(endings.param));
}

INSTANTIATE_TEST_SUITE_P(DataThenControl, KilledUploader,
                         ::testing::Combine(::testing::Values(Ending::fin, Ending::rst),
                                            ::testing::Values(Ending::fin, Ending::rst)),
                         endings_name);

TEST_F(UploadTest, DyingWithTheReplyUnreadRollsTheCommitBack) {
  // The server has committed and sent its 226, which sits unread in the client's socket when the
  // client dies: closing with unread data sends a RST, as a killed client's kernel does.
  write_file(root() / "keep.bin", "old");
  Sending upload = sending("STOR keep.bin", "new");
  end_connection(upload.data, Ending::fin);
  tcp::socket& control = upload.client->socket();
  for (int attempt = 0; attempt < 500 && control.available() == 0; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_GT(control.available(), 0u) << "no 226 arrived";
  EXPECT_EQ(read_file(root() / "keep.bin"), "new");  // committed: visible to anyone reading it now
  end_connection(control, Ending::fin);
  expect_settled("keep.bin", "old");
}

TEST_F(UploadTest, ReadingTheReplyThenClosingKeepsTheUpload) {
  write_file(root() / "keep.bin", "old");
  Sending upload = sending("STOR keep.bin", "new");
  end_connection(upload.data, Ending::fin);
  EXPECT_EQ(upload.client->final_reply("STOR").code(), 226);
  end_connection(upload.client->socket(), Ending::fin);  // no QUIT: a FIN right after the reply
  expect_settled("keep.bin", "new");
}

TEST_F(UploadTest, ControlClosedBeforeTheDataEndsChangesNothing) {
  write_file(root() / "keep.bin", "old");
  Sending upload = sending("STOR keep.bin", "new data");
  end_connection(upload.client->socket(), Ending::fin);
  end_connection(upload.data, Ending::fin);
  expect_settled("keep.bin", "old");
}

TEST_F(UploadTest, UnacknowledgedNewFileIsNotCreated) {
  upload_then_die({}, "STOR new.bin", "never acknowledged");
  next_client();
  EXPECT_FALSE(fs::exists(root() / "new.bin"));
  EXPECT_EQ(staged_files(root()), std::vector<std::string>{});
}

TEST_F(UploadTest, UnacknowledgedAppendIsCutBackToTheOldSize) {
  write_file(root() / "log.txt", "line one\n");
  upload_then_die({}, "APPE log.txt", "line two\n");
  auto client = expect_settled("log.txt", "line one\n");
  EXPECT_EQ(upload(*client, "APPE log.txt", "line two\n"), 226);
  EXPECT_EQ(read_file(root() / "log.txt"), "line one\nline two\n");
}

TEST_F(UploadTest, UnacknowledgedRestStorChangesNoByte) {
  write_file(root() / "r.bin", "0123456789");
  upload_then_die({"TYPE I", "REST 5"}, "STOR r.bin", "ABCDE");    // into the file's bytes: a staged copy
  upload_then_die({"TYPE I", "REST 10"}, "STOR r.bin", "KLMNO");   // at its end: in place, cut back
  upload_then_die({"TYPE I", "REST 12"}, "APPE r.bin", "QRSTU");   // past its end: cut back
  auto client = expect_settled("r.bin", "0123456789");
  // Acknowledged, the same commands do what RFC 3659 §5 says: the data goes at byte n, nothing is cut.
  ASSERT_EQ(client->cmd("TYPE I").code(), 200);
  ASSERT_EQ(client->cmd("REST 5").code(), 350);
  EXPECT_EQ(upload(*client, "STOR r.bin", "AB"), 226);
  EXPECT_EQ(read_file(root() / "r.bin"), "01234AB789");
  ASSERT_EQ(client->cmd("REST 10").code(), 350);
  EXPECT_EQ(upload(*client, "STOR r.bin", "KL"), 226);
  EXPECT_EQ(read_file(root() / "r.bin"), "01234AB789KL");
}

TEST_F(UploadTest, UnacknowledgedStouLeavesNoFile) {
  upload_then_die({}, "STOU unique", "made up");
  next_client();
  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(root())) left.push_back(entry.path().filename().string());
  EXPECT_EQ(left, std::vector<std::string>{});
}

TEST_F(UploadTest, AbortedUploadChangesNothing) {
  write_file(root() / "keep.bin", "old");
  auto client = next_client();
  for (const std::string name : {"keep.bin", "new.bin"}) {
    tcp::socket data = client->open_passive();
    ASSERT_EQ(client->cmd("STOR " + name).code(), 150);
    asio::write(data, asio::buffer(std::string("0123456789")));
    wait_until_received(*client, 10);
    client->send_raw("ABOR\r\n");
    EXPECT_EQ(client->final_reply("STOR").code(), 426);  // the transfer's reply, then ABOR's
    EXPECT_EQ(client->read().code(), 226);
  }
  EXPECT_EQ(read_file(root() / "keep.bin"), "old");
  EXPECT_FALSE(fs::exists(root() / "new.bin"));
  EXPECT_EQ(staged_files(root()), std::vector<std::string>{});
}

TEST_F(UploadTest, InvalidBlockModeDataGets451AndChangesNothing) {
  write_file(root() / "keep.bin", "old");
  auto client = next_client();
  ASSERT_EQ(client->cmd("TYPE I").code(), 200);
  ASSERT_EQ(client->cmd("MODE B").code(), 200);
  std::string cut = block_mode("new data that will not all arrive");
  cut.resize(cut.size() / 2);  // a block header promising more than comes, and no EOF marker
  EXPECT_EQ(upload(*client, "STOR keep.bin", cut), 451);
  EXPECT_EQ(read_file(root() / "keep.bin"), "old");
  EXPECT_EQ(staged_files(root()), std::vector<std::string>{});
}

TEST_F(UploadTest, BlockModeUploadsReplaceOnlyWhenAcknowledgedAndKeepTheConnection) {
  write_file(root() / "keep.bin", "old");
  auto client = next_client();
  ASSERT_EQ(client->cmd("TYPE I").code(), 200);
  ASSERT_EQ(client->cmd("MODE B").code(), 200);
  tcp::socket data = client->open_passive();
  ASSERT_EQ(client->cmd("STOR keep.bin").code(), 150);
  asio::write(data, asio::buffer(block_mode("first")));
  EXPECT_EQ(client->final_reply("STOR").code(), 250);  // RFC 959 §3.3: the connection stays open
  EXPECT_EQ(read_file(root() / "keep.bin"), "first");
  ASSERT_EQ(client->cmd("STOR keep.bin").code(), 125);  // the kept connection
  asio::write(data, asio::buffer(block_mode("second")));
  EXPECT_EQ(client->final_reply("STOR").code(), 250);
  EXPECT_EQ(read_file(root() / "keep.bin"), "second");
  // Dying before the EOF marker arrived: the control connection goes first, the marker after.
  ASSERT_EQ(client->cmd("STOR keep.bin").code(), 125);
  end_connection(client->socket(), Ending::fin);
  asio::write(data, asio::buffer(block_mode("third")));
  end_connection(data, Ending::fin);
  expect_settled("keep.bin", "second");
}

TEST_F(UploadTest, WithKeepPartialUploadsTheKilledUploadStaysForRestStor) {
  start(config(true));
  write_file(root() / "keep.bin", "the old file");
  const std::string fresh = blob(300 << 10, 4);
  upload_then_die({"TYPE I"}, "STOR keep.bin", fresh.substr(0, 100 << 10));
  auto client = expect_settled("keep.bin", fresh.substr(0, 100 << 10));
  // RFC 3659 §5: the client resumes where the file ends.
  ASSERT_EQ(client->cmd("TYPE I").code(), 200);
  EXPECT_EQ(client->cmd("SIZE keep.bin").raw, "213 102400\r\n");
  ASSERT_EQ(client->cmd("REST 102400").code(), 350);
  EXPECT_EQ(upload(*client, "STOR keep.bin", fresh.substr(100 << 10)), 226);
  EXPECT_TRUE(read_file(root() / "keep.bin") == fresh);
}

TEST_F(UploadTest, WithKeepPartialUploadsAFailedUploadThatGotNoByteChangesNothing) {
  start(config(true));
  write_file(root() / "keep.bin", "the old file");
  auto client = next_client();
  tcp::socket data = client->open_passive();
  ASSERT_EQ(client->cmd("STOR keep.bin").code(), 150);
  client->send_raw("ABOR\r\n");
  EXPECT_EQ(client->final_reply("STOR").code(), 426);
  EXPECT_EQ(client->read().code(), 226);
  EXPECT_EQ(read_file(root() / "keep.bin"), "the old file");
  EXPECT_EQ(staged_files(root()), std::vector<std::string>{});
}

TEST_F(UploadTest, StagedUploadIsHiddenAndReadersSeeTheOldFileUntilTheCommit) {
  start(make_config());  // two sessions at once
  write_file(root() / "keep.bin", "old");
  ::chmod((root() / "keep.bin").c_str(), 0640);
  Client writer(port_);
  writer.read();
  writer.login();
  tcp::socket data = writer.open_passive();
  ASSERT_EQ(writer.cmd("STOR keep.bin").code(), 150);
  asio::write(data, asio::buffer(std::string("new")));
  wait_until_received(writer, 3);
  ASSERT_EQ(staged_files(root()).size(), 1u);  // it is there, on disk

  Client reader(port_);
  reader.read();
  reader.login();
  EXPECT_EQ(reader.download("NLST"), "keep.bin\r\n");
  const std::string list = reader.download("LIST");
  EXPECT_EQ(std::count(list.begin(), list.end(), '\n'), 1) << list;
  const std::string mlsd = reader.download("MLSD");
  EXPECT_EQ(mlsd.find(std::string(kUploadStagingPrefix)), std::string::npos) << mlsd;
  EXPECT_EQ(std::count(mlsd.begin(), mlsd.end(), '\n'), 2) << mlsd;  // "." and keep.bin
  EXPECT_EQ(reader.download("RETR keep.bin"), "old");
  // The staged name is the server's own: no command may reach it.
  const std::string staged = staged_files(root()).front();
  EXPECT_EQ(reader.cmd("SIZE " + staged).code(), 550);
  EXPECT_EQ(reader.cmd("DELE " + staged).code(), 550);
  EXPECT_EQ(reader.cmd("EPSV").code(), 229);
  EXPECT_EQ(reader.cmd("STOR " + std::string(kUploadStagingPrefix) + "mine").code(), 553);

  data.close();
  EXPECT_EQ(writer.final_reply("STOR").code(), 226);
  EXPECT_EQ(writer.cmd("NOOP").code(), 200);  // the transfer (and its clean-up) is over
  EXPECT_EQ(read_file(root() / "keep.bin"), "new");
  EXPECT_EQ(staged_files(root()), std::vector<std::string>{});
  struct stat st {};
  ASSERT_EQ(::stat((root() / "keep.bin").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);  // the replaced file's permissions
}

TEST_F(UploadTest, ConcurrentUploadsIntoOneDirectoryGetTheirOwnStagedFiles) {
  start(make_config());
  std::vector<std::unique_ptr<Client>> clients;
  std::vector<tcp::socket> data;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<Client>(port_));
    clients.back()->read();
    clients.back()->login();
    data.push_back(clients.back()->open_passive());
    ASSERT_EQ(clients.back()->cmd("STOR f" + std::to_string(i)).code(), 150);
    asio::write(data.back(), asio::buffer("from " + std::to_string(i)));
    wait_until_received(*clients.back(), 6);
  }
  EXPECT_EQ(staged_files(root()).size(), 3u);
  for (int i = 0; i < 3; ++i) {
    data[static_cast<std::size_t>(i)].close();
    EXPECT_EQ(clients[static_cast<std::size_t>(i)]->final_reply("STOR").code(), 226);
    EXPECT_EQ(clients[static_cast<std::size_t>(i)]->cmd("NOOP").code(), 200);
    EXPECT_EQ(read_file(root() / ("f" + std::to_string(i))), "from " + std::to_string(i));
  }
  EXPECT_EQ(staged_files(root()), std::vector<std::string>{});
}

// ---- Upload on its own: the steps the session takes, without sockets ----

class UploadSteps : public ::testing::Test {
 protected:
  void write_to(Upload& upload, const std::string& bytes) {
    ASSERT_EQ(::write(upload.fd(), bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  fs::path target() const { return dir_.path() / "t.bin"; }
  /// `bytes` uploaded over target() (holding `old`, or absent), committed: where the session is
  /// between commit() and the fate of its reply.
  Upload committed(const std::optional<std::string>& old, const std::string& bytes) {
    struct stat st {};
    if (old) {
      write_file(target(), *old);
      ::stat(target().c_str(), &st);
    }
    auto upload = Upload::stage(lock(), target(), old ? &st : nullptr, false);
    if (!upload) throw std::runtime_error("cannot stage an upload");
    write_to(*upload, bytes);
    EXPECT_TRUE(upload->close_file());
    EXPECT_TRUE(upload->commit());
    return std::move(*upload);
  }
  UploadLocks::Held lock() { return *locks_.try_lock(target()); }
  TempDir dir_;
  UploadLocks locks_;
};

TEST_F(UploadSteps, RollbackAfterCommitPutsTheOldFileBack) {
  Upload upload = committed("old", "new");
  EXPECT_EQ(read_file(target()), "new");  // visible before the reply goes out
  upload.rollback();                      // the client did not outlive the reply
  EXPECT_EQ(read_file(target()), "old");
  EXPECT_EQ(staged_files(dir_.path()), std::vector<std::string>{});
}

TEST_F(UploadSteps, FinishDropsTheOldFile) {
  Upload upload = committed("old", "new");
  EXPECT_EQ(staged_files(dir_.path()).size(), 1u);  // the old file, until finish()
  upload.finish();
  EXPECT_EQ(read_file(target()), "new");
  EXPECT_EQ(staged_files(dir_.path()), std::vector<std::string>{});
}

TEST_F(UploadSteps, RollbackOfANewFileRemovesIt) {
  Upload upload = committed(std::nullopt, "new");
  EXPECT_EQ(read_file(target()), "new");
  upload.rollback();
  EXPECT_FALSE(fs::exists(target()));
  EXPECT_EQ(staged_files(dir_.path()), std::vector<std::string>{});
}

TEST_F(UploadSteps, RollbackLeavesAFileAnotherWriterChangedSince) {
  Upload upload = committed("old", "new");
  upload.unlock();  // as after the 226: the next writer may come
  write_file(target(), "the next writer's");
  upload.rollback();
  EXPECT_EQ(read_file(target()), "the next writer's");
  EXPECT_EQ(staged_files(dir_.path()), std::vector<std::string>{});
}

TEST_F(UploadSteps, AnUploadDestroyedMidWayIsAbandoned) {
  write_file(target(), "old");
  {
    auto upload = Upload::stage(lock(), target(), nullptr, false);  // e.g. the server stopping
    ASSERT_TRUE(upload);
    write_to(*upload, "half");
  }
  EXPECT_EQ(read_file(target()), "old");
  EXPECT_EQ(staged_files(dir_.path()), std::vector<std::string>{});
  {
    auto upload = Upload::stage(lock(), target(), nullptr, true);  // with keep_partial: what arrived stays
    ASSERT_TRUE(upload);
    write_to(*upload, "half");
  }
  EXPECT_EQ(read_file(target()), "half");
  EXPECT_EQ(staged_files(dir_.path()), std::vector<std::string>{});
}

TEST_F(UploadSteps, AbandonedExtensionIsTruncatedBack) {
  write_file(target(), "start");
  UniqueFd file(::open(target().c_str(), O_WRONLY | O_APPEND));
  ASSERT_GE(file.get(), 0);
  Upload upload = Upload::extend(lock(), std::move(file), target(), 5, false);
  write_to(upload, " and more");
  ASSERT_TRUE(upload.close_file());
  EXPECT_EQ(read_file(target()), "start and more");
  upload.abandon();
  EXPECT_EQ(read_file(target()), "start");
}

TEST_F(UploadSteps, ConcurrentLocksOnOneTarget) {
  UploadLocks locks;
  auto first = locks.try_lock(target());
  ASSERT_TRUE(first);
  EXPECT_FALSE(locks.try_lock(target()));
  EXPECT_TRUE(locks.try_lock(dir_.path() / "other"));
  first.reset();
  EXPECT_TRUE(locks.try_lock(target()));
}

}  // namespace
}  // namespace ftpspecd::test
