// ftpspecd running a client case's script (server/script.hpp) byte for byte over loopback: rules
// per verb and occurrence, reply/send/wait/close actions, the greeting, the serve options that
// bend transfers and replies, and the Recorder's account of what the client sent.
#include <regex>

#include "server/script.hpp"
#include "test_support.hpp"

namespace ftpspecd::test {
namespace {

using Action = ScriptAction;

Action reply_action(int code, std::string text) { return {Action::Kind::reply, code, std::move(text), {}, 0, {}}; }
Action send_action(std::string bytes, std::size_t segment = 0) { return {Action::Kind::send, 0, {}, std::move(bytes), segment, {}}; }
Action wait_action(std::chrono::milliseconds duration) { return {Action::Kind::wait, 0, {}, {}, 0, duration}; }
Action close_action() { return {Action::Kind::close, 0, {}, {}, 0, {}}; }

ScriptRule rule(std::vector<std::string> verbs, std::vector<Action> actions = {}, unsigned occurrence = 0) {
  ScriptRule out;
  out.verbs = std::move(verbs);
  out.actions = std::move(actions);
  out.occurrence = occurrence;
  return out;
}

/// A rule that serves `verb` with `shape`.
ScriptRule serving(std::string verb, TransferShape shape, unsigned occurrence = 0) {
  ScriptRule out = rule({std::move(verb)}, {}, occurrence);
  out.serve.transfer = std::move(shape);
  return out;
}

class ScriptTest : public ServerFixture {
 protected:
  void SetUp() override {}
  void start_with(Script script) {
    Config config = make_config();
    config.script = std::make_shared<const Script>(std::move(script));
    config.recorder = recorder_;
    start(std::move(config));
  }
  /// A client that has read the greeting and logged in.
  std::unique_ptr<Client> logged_in() {
    auto client = std::make_unique<Client>(port_);
    client->read();
    client->login();
    return client;
  }
  /// Everything readable until the peer closes.
  static std::string read_to_close(tcp::socket& socket) {
    std::string out;
    char buffer[4096];
    while (true) {
      boost::system::error_code ec;
      const std::size_t n = socket.read_some(asio::buffer(buffer), ec);
      out.append(buffer, n);
      if (ec) return out;
    }
  }
  std::vector<Recorder::Entry> entries(Recorder::Kind kind) const {
    std::vector<Recorder::Entry> out;
    for (const auto& entry : recorder_->entries())
      if (entry.kind == kind) out.push_back(entry);
    return out;
  }

  std::shared_ptr<Recorder> recorder_ = std::make_shared<Recorder>();
};

TEST_F(ScriptTest, OccurrenceRulesCountEveryMatchingCommand) {
  Script script;
  script.rules.push_back(rule({"NOOP"}, {reply_action(250, "the second NOOP")}, 2));
  start_with(std::move(script));
  auto client = logged_in();
  EXPECT_EQ(client->cmd("NOOP").code(), 200);
  client->send_raw("NOOP\r\n");
  EXPECT_EQ(client->read().raw, "250 the second NOOP\r\n");
  EXPECT_EQ(client->cmd("NOOP").code(), 200);  // the rule fired once
}

TEST_F(ScriptTest, OccurrencesCountAcrossConnections) {
  Script script;
  script.rules.push_back(rule({"SYST"}, {reply_action(215, "Second SYST of the server")}, 2));
  start_with(std::move(script));
  {
    Client first(port_);
    first.read();
    EXPECT_EQ(first.cmd("SYST").reply.text(), "UNIX Type: L8");
  }
  Client second(port_);
  second.read();
  EXPECT_EQ(second.cmd("SYST").reply.text(), "Second SYST of the server");
}

TEST_F(ScriptTest, ArgumentPatternSelectsTheRule) {
  Script script;
  ScriptRule options = rule({"LIST", "NLST"}, {reply_action(501, "No options")});
  options.argument_pattern = "^-";
  options.argument.emplace("^-");
  script.rules.push_back(std::move(options));
  start_with(std::move(script));
  auto client = logged_in();
  EXPECT_EQ(client->cmd("LIST -la").code(), 501);
  write_file(root() / "a.txt", "a");
  EXPECT_NE(client->download("LIST").find(" a.txt\r\n"), std::string::npos);  // without options: served
}

TEST_F(ScriptTest, SendGoesOutExactlyAndSplitsIntoSegments) {
  Script script;
  script.rules.push_back(rule({"SYST"}, {send_action("215-one\r\n123 not the end\r\n215 two\r\n", 1)}));
  start_with(std::move(script));
  auto client = logged_in();
  client->send_raw("SYST\r\n");
  const Received reply = client->read();
  EXPECT_EQ(reply.raw, "215-one\r\n123 not the end\r\n215 two\r\n");
  // Every byte was written on its own (the recorder sees the writes; a write is recorded just
  // after it returns, so stop the server first).
  server_->stop();
  std::size_t one_byte_writes = 0;
  for (const auto& entry : entries(Recorder::Kind::sent)) one_byte_writes += entry.bytes.size() == 1;
  EXPECT_EQ(one_byte_writes, reply.raw.size());
}

TEST_F(ScriptTest, ReplyStyleAppliesToScriptedReplies) {
  Script script;
  script.replies.lf_only = true;
  script.replies.code_on_every_line = true;
  script.rules.push_back(rule({"SYST"}, {reply_action(215, "first\nlast")}));
  start_with(std::move(script));
  Client client(port_);
  client.read();
  client.send_raw("SYST\r\n");
  EXPECT_EQ(client.read().raw, "215-first\n215 last\n");
}

TEST_F(ScriptTest, GreetingActionsComeBeforeAnyReplyAndAreRecorded) {
  Script script;
  script.greeting = {reply_action(120, "Ready in a moment"), wait_action(std::chrono::milliseconds(100)),
                     reply_action(220, "Ready")};
  start_with(std::move(script));
  Client client(port_);
  client.send_raw("NOOP\r\n");  // sent before the greeting: answered only after it
  EXPECT_EQ(client.read().raw, "120 Ready in a moment\r\n");
  EXPECT_EQ(client.read().raw, "220 Ready\r\n");
  EXPECT_EQ(client.read().code(), 200);
  client.send_raw("QUIT\r\n");
  client.read();
  server_->stop();
  const auto events = entries(Recorder::Kind::event);
  const auto complete = std::find_if(events.begin(), events.end(), [](const auto& e) { return e.tag == Recorder::Tag::greeting_complete; });
  ASSERT_NE(complete, events.end());
  EXPECT_EQ(complete->bytes, std::to_string(std::string("120 Ready in a moment\r\n220 Ready\r\n").size()));
  const auto commands = entries(Recorder::Kind::command);
  ASSERT_GE(commands.size(), 2u);
  EXPECT_EQ(commands[0].bytes, "NOOP");
  EXPECT_EQ(commands[1].bytes, "QUIT");
}

TEST_F(ScriptTest, CloseEndsTheConnectionAfterTheReply) {
  Script script;
  script.rules.push_back(rule({"PWD"}, {reply_action(421, "Going away"), close_action()}));
  start_with(std::move(script));
  auto client = logged_in();
  client->send_raw("PWD\r\n");
  EXPECT_EQ(read_to_close(client->socket()), "421 Going away\r\n");
}

TEST_F(ScriptTest, ServeKeepsTheHandlerAndBendsItsReplyCode) {
  Script script;
  ScriptRule dele = rule({"DELE"});
  dele.serve.code = 200;
  script.rules.push_back(std::move(dele));
  ScriptRule noop = rule({"NOOP"});
  noop.serve.append = "X-extra bytes\r\n";
  script.rules.push_back(std::move(noop));
  start_with(std::move(script));
  write_file(root() / "old.txt", "old");
  auto client = logged_in();
  client->send_raw("DELE old.txt\r\n");
  EXPECT_EQ(client->read().raw, "200 File deleted\r\n");
  EXPECT_FALSE(fs::exists(root() / "old.txt"));
  client->send_raw("NOOP\r\n");
  char buffer[256];
  const std::size_t n = client->socket().read_some(asio::buffer(buffer));  // one write: one read
  EXPECT_EQ(std::string(buffer, n), "200 NOOP ok\r\nX-extra bytes\r\n");
}

TEST_F(ScriptTest, TransferMarkAndFinalCode) {
  TransferShape shape;
  shape.mark = 125;
  shape.final_code = 250;
  Script script;
  script.rules.push_back(serving("RETR", shape));
  start_with(std::move(script));
  write_file(root() / "f.bin", "file bytes");
  auto client = logged_in();
  tcp::socket data = client->open_passive();
  client->send_raw("RETR f.bin\r\n");
  EXPECT_EQ(client->read().code(), 125);
  EXPECT_EQ(Client::read_all(data), "file bytes");
  EXPECT_EQ(client->read().raw, "250 Requested file action okay, completed\r\n");
}

TEST_F(ScriptTest, OrderTogetherSendsTheMarkWithTheFinalReply) {
  TransferShape shape;
  shape.order = TransferShape::Order::together;
  Script script;
  script.rules.push_back(serving("RETR", shape));
  start_with(std::move(script));
  write_file(root() / "f.bin", "file bytes");
  auto client = logged_in();
  tcp::socket data = client->open_passive();
  client->send_raw("RETR f.bin\r\n");
  EXPECT_EQ(Client::read_all(data), "file bytes");  // the data first, with no reply yet
  char buffer[512];
  const std::size_t n = client->socket().read_some(asio::buffer(buffer));
  EXPECT_TRUE(std::regex_match(std::string(buffer, n), std::regex("150 [^\r]*\r\n226 Transfer complete\r\n")))
      << std::string(buffer, n);
}

TEST_F(ScriptTest, FinalFirstAndLingerAndRawFinal) {
  Script script;
  TransferShape first;
  first.order = TransferShape::Order::final_first;
  script.rules.push_back(serving("RETR", first, 1));
  TransferShape raw;
  raw.final_raw = "226-Done\r\n550 inside\r\n226 End\r\n";
  raw.linger = std::chrono::milliseconds(50);
  script.rules.push_back(serving("RETR", raw, 2));
  start_with(std::move(script));
  write_file(root() / "f.bin", std::string(100000, 'x'));
  auto client = logged_in();
  {
    tcp::socket data = client->open_passive();
    client->send_raw("RETR f.bin\r\n");
    EXPECT_EQ(client->read().code(), 150);
    EXPECT_EQ(client->read().code(), 226);  // before any data is read
    EXPECT_EQ(Client::read_all(data).size(), 100000u);
  }
  tcp::socket data = client->open_passive();
  client->send_raw("RETR f.bin\r\n");
  EXPECT_EQ(client->read().code(), 150);
  EXPECT_EQ(client->read().raw, "226-Done\r\n550 inside\r\n226 End\r\n");  // while the data is still open
  EXPECT_EQ(Client::read_all(data).size(), 100000u);
}

TEST_F(ScriptTest, CutResetAndNoDataConnection) {
  Script script;
  TransferShape cut;
  cut.data.drop_after = 1000;
  cut.final_code = 226;  // a lying server
  script.rules.push_back(serving("RETR", cut, 1));
  TransferShape none;
  none.no_data_connection = true;
  script.rules.push_back(serving("RETR", none, 2));
  start_with(std::move(script));
  write_file(root() / "f.bin", std::string(100000, 'y'));
  auto client = logged_in();
  EXPECT_EQ(client->download("RETR f.bin").size(), 1000u);
  client->send_raw("EPSV\r\n");
  EXPECT_EQ(client->read().code(), 229);
  client->send_raw("RETR f.bin\r\n");
  EXPECT_EQ(client->read().code(), 150);
  EXPECT_EQ(client->read().code(), 425);
}

TEST_F(ScriptTest, IgnoreRestSendsFromTheStartAndListingBodyIsExact) {
  Script script;
  TransferShape ignore;
  ignore.ignore_rest = true;
  script.rules.push_back(serving("RETR", ignore));
  TransferShape body;
  body.listing_body = "+i1.2,m3,r,s5,\tfile.txt\r\n";
  script.rules.push_back(serving("LIST", body));
  start_with(std::move(script));
  write_file(root() / "f.bin", "0123456789");
  auto client = logged_in();
  EXPECT_EQ(client->cmd("REST 4").code(), 350);
  EXPECT_EQ(client->download("RETR f.bin"), "0123456789");
  EXPECT_EQ(client->download("LIST"), "+i1.2,m3,r,s5,\tfile.txt\r\n");
}

TEST_F(ScriptTest, PasvTextAddressAndDecoy) {
  Script script;
  ScriptRule pasv = rule({"PASV"});
  pasv.serve.pasv_address = "127.0.0.2";
  pasv.serve.decoy = true;
  pasv.serve.text = "Entering Passive Mode {address}";
  script.rules.push_back(std::move(pasv));
  start_with(std::move(script));
  auto client = logged_in();
  const Received reply = client->cmd("PASV");
  ASSERT_EQ(reply.code(), 227);
  std::smatch m;
  const std::string text = reply.reply.text();
  ASSERT_TRUE(std::regex_match(text, m, std::regex(R"(Entering Passive Mode 127,0,0,2,(\d+),(\d+))"))) << text;
  const auto port = static_cast<std::uint16_t>(std::stoi(m[1]) * 256 + std::stoi(m[2]));
  tcp::socket visitor(client->io());
  visitor.connect(tcp::endpoint(asio::ip::make_address("127.0.0.2"), port));  // the "third party"
  EXPECT_EQ(read_to_close(visitor), "");
  client->send_raw("QUIT\r\n");
  client->read();
  server_->stop();
  const auto events = entries(Recorder::Kind::event);
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const auto& e) { return e.tag == Recorder::Tag::third_party; }));
}

TEST_F(ScriptTest, InterruptAnswers421DuringTheTransfer) {
  TransferShape slow;
  slow.data.bytes_per_second = 20000;
  slow.interrupt = std::chrono::milliseconds(100);
  Script script;
  script.rules.push_back(serving("RETR", slow));
  start_with(std::move(script));
  write_file(root() / "f.bin", std::string(200000, 'z'));
  auto client = logged_in();
  tcp::socket data = client->open_passive();
  client->send_raw("RETR f.bin\r\n");
  EXPECT_EQ(client->read().code(), 150);
  EXPECT_LT(Client::read_all(data).size(), 200000u);
  EXPECT_EQ(read_to_close(client->socket()), "421 Idle timeout, closing control connection\r\n");
}

TEST_F(ScriptTest, HomeIsTheLoginDirectory) {
  Script script;
  script.home = "/q\"dir";
  start_with(std::move(script));
  fs::create_directories(root() / "q\"dir");
  auto client = logged_in();
  EXPECT_EQ(client->cmd("PWD").raw, "257 \"/q\"\"dir\" is the current directory\r\n");
}

TEST(ScriptCompile, MisbehavioursBecomeRules) {
  Misbehaviour m;
  ASSERT_EQ(apply_misbehaviour_list("close-421=3,drop-data=10,throttle=100,preliminary-then-4xx,list-format=dos,"
                                    "pasv-address=127.0.0.2,lf-only",
                                    m),
            "");
  const Script script = compile_misbehaviour(m);
  EXPECT_TRUE(script.replies.lf_only);
  ASSERT_FALSE(script.rules.empty());
  EXPECT_TRUE(script.rules.front().verbs.empty());  // close-421 counts every command, first
  EXPECT_EQ(script.rules.front().occurrence, 3u);
  EXPECT_TRUE(script.rules.front().per_connection);
  const auto find = [&](const std::string& verb) {
    return std::find_if(script.rules.begin(), script.rules.end(), [&](const ScriptRule& r) { return r.verbs == std::vector{verb}; });
  };
  ASSERT_NE(find("RETR"), script.rules.end());
  EXPECT_EQ(find("RETR")->serve.transfer.data.drop_after, 0u);  // preliminary-then-4xx: no data, then 451
  EXPECT_EQ(find("RETR")->serve.transfer.final_code, 451);
  EXPECT_EQ(find("STOR")->serve.transfer.data.drop_after, 10u);  // uploads are only cut
  EXPECT_EQ(find("STOR")->serve.transfer.data.bytes_per_second, 100u);
  EXPECT_EQ(find("LIST")->serve.transfer.listing, ListFormat::dos);
  EXPECT_EQ(find("PASV")->serve.pasv_address, "127.0.0.2");
  EXPECT_TRUE(compile_misbehaviour(Misbehaviour{}).empty());
}

}  // namespace
}  // namespace ftpspecd::test
