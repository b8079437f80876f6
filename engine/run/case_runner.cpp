#include "run/case_runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <regex>
#include <thread>

#include "net/timed_socket.hpp"
#include "proto/address.hpp"
#include "proto/command.hpp"
#include "run/data_check.hpp"
#include "run/expectation.hpp"
#include "run/tls_steps.hpp"

namespace ftpspec::run {

std::string expand_variables(std::string_view text, const std::vector<std::pair<std::string, std::string>>& variables) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t open = text.find("${", at);
    std::size_t close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos) break;
    out.append(text.substr(at, open - at));
    std::string_view name = text.substr(open + 2, close - open - 2);
    auto it = std::find_if(variables.begin(), variables.end(), [&](const auto& v) { return v.first == name; });
    out += it != variables.end() ? std::string_view(it->second) : text.substr(open, close - open + 1);
    at = close + 1;
  }
  if (at < text.size()) out.append(text.substr(at));
  return out;
}

namespace {

using scenario::Step;
using Clock = std::chrono::steady_clock;

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

/// Joins a directory and a name with exactly one '/'.
std::string join_path(std::string_view dir, std::string_view name) {
  std::string out(dir);
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  if (out.empty() || out.back() != '/') out += '/';
  return out + std::string(name);
}

class CaseExecutor {
 public:
  CaseExecutor(const scenario::Case& c, const CaseContext& context) : case_(c), context_(context), session_(context.timeouts) {
    result_.id = c.id;
    result_.title = c.title;
    result_.rfc = c.rfc;
    result_.level = c.level;
    result_.loc = c.loc;
  }

  CaseResult run() {
    const auto started = std::chrono::steady_clock::now();
    bool ready = guarded(nullptr, [&] { return prepare(); });
    excerpt_from_ = session_.transcript().size();  // step excerpts leave out the fixture
    for (std::size_t i = 0; ready && i < case_.steps.size(); ++i) {
      const Step& step = case_.steps[i];
      if (!guarded(&step, [&] { return execute(step); })) break;
    }
    cleanup();
    result_.transcript = session_.transcript().render();
    result_.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    return std::move(result_);
  }

 private:
  /// Runs `action`; a session::Error (or any exception) becomes an `error` step. Returns whether
  /// the case may go on.
  bool guarded(const Step* step, const std::function<bool()>& action) {
    try {
      return action();
    } catch (const session::Error& e) {
      record(step, Verdict::error, {}, e.code().message(), e.what());
    } catch (const std::exception& e) {
      record(step, Verdict::error, {}, {}, fmt::format("harness error: {}", e.what()));
    }
    return false;
  }

  /// Adds a judged step; returns whether the case may go on (pass and warn continue).
  bool record(const Step* step, Verdict verdict, std::string expected, std::string actual, std::string reason) {
    StepResult out;
    if (step) {
      out.loc = step->loc;
      out.source = step->source;
    } else {
      out.loc = case_.loc;
      out.source = fmt::format("require {}", scenario::to_string(case_.require));
    }
    out.verdict = verdict;
    out.expected = std::move(expected);
    out.actual = std::move(actual);
    out.reason = std::move(reason);
    out.transcript = session_.transcript().render(excerpt_from_);
    excerpt_from_ = session_.transcript().size();
    if (static_cast<int>(verdict) > static_cast<int>(result_.verdict)) {
      result_.verdict = verdict;
      result_.reason = out.reason;
    }
    result_.steps.push_back(std::move(out));
    return verdict == Verdict::pass || verdict == Verdict::warn;
  }

  void set_variables() {
    const Target& t = context_.target;
    variables_ = {{"user", t.user}, {"password", t.password}, {"dir", t.dir}, {"host", t.host},
                  {"port", std::to_string(t.port)}, {"case", case_.id}, {"scratch", scratch_}};
  }
  std::string expand(std::string_view text) const { return expand_variables(text, variables_); }

  /// The `require` fixture: connect, AUTH TLS (tls-* or a TLS target), login, PBSZ 0 + PROT P,
  /// scratch directory. Failures are harness errors, except that a `require tls-*` case whose
  /// server refuses TLS the way RFC 4217 allows is `unsupported` (it is what the case is about).
  bool prepare() {
    set_variables();
    using scenario::Requirement;
    if (case_.require == Requirement::nothing) return true;
    proto::Reply greeting = open_control(session_, context_.target);
    if (greeting.code != 220)
      return record(nullptr, Verdict::error, "220", reply_summary(greeting), "precondition: the server did not greet with 220");
    if (needs_auth_tls(context_.target, case_.require) && !fixture_step(run_auth_tls(session_, case_.level)))
      return false;
    if (case_.require == Requirement::connection) return true;
    if (!login()) return false;
    if (needs_protected_data(context_.target, case_.require) && !fixture_step(run_secure_data(session_, 'P', case_.level)))
      return false;
    if (case_.require == Requirement::login || case_.require == Requirement::tls_login) return true;
    std::mt19937 random(std::random_device{}());
    std::string name = fmt::format("ftpspec-{}-{:08x}", case_.id, random());
    std::string path = join_path(context_.target.dir, name);
    proto::Reply made = session_.command("MKD", path);
    if (made.code != 257)
      return record(nullptr, Verdict::error, "257", reply_summary(made),
                    fmt::format("precondition: cannot make the scratch directory {} under --dir", path));
    scratch_ = path;
    set_variables();
    return true;
  }

  /// Records a TLS fixture step that did not pass: its own verdict for a `require tls-*` case,
  /// an `error` when only the target's TLS mode asked for it.
  bool fixture_step(const TlsStepOutcome& outcome) {
    if (outcome.ok()) return true;
    const bool tls_case = case_.require == scenario::Requirement::tls_login || case_.require == scenario::Requirement::tls_scratch;
    return record(nullptr, tls_case ? outcome.verdict : Verdict::error, outcome.expected, outcome.actual,
                  tls_case ? outcome.reason : "precondition: " + outcome.reason);
  }

  bool login() {
    proto::Reply reply = session_.login(context_.target.user, context_.target.password);
    if (reply.code / 100 == 2) return true;
    return record(nullptr, Verdict::error, "230", reply_summary(reply),
                  "precondition: login with the target's user and password failed");
  }

  bool execute(const Step& step) {
    return std::visit([&](const auto& body) { return execute(step, body); }, step.body);
  }

  bool execute(const Step&, const scenario::Connect&) {
    pending_reply_ = open_control(session_, context_.target);
    return true;
  }

  bool execute(const Step& step, const scenario::AuthTls&) {
    drain();
    return record_outcome(step, run_auth_tls(session_, case_.level));
  }
  bool execute(const Step& step, const scenario::SecureData& secure) {
    drain();
    return record_outcome(step, run_secure_data(session_, secure.level, case_.level));
  }
  bool execute(const Step& step, const scenario::Ccc&) {
    drain();
    return record_outcome(step, run_ccc(session_, case_.level));
  }
  bool record_outcome(const Step& step, const TlsStepOutcome& outcome) {
    return record(&step, outcome.verdict, outcome.expected, outcome.actual, outcome.reason);
  }

  bool execute(const Step& step, const scenario::Login&) {
    drain();
    proto::Reply reply = session_.login(context_.target.user, context_.target.password);
    if (reply.code / 100 == 2) return true;
    return record(&step, Verdict::error, "230", reply_summary(reply), "login with the target's user and password failed");
  }

  bool execute(const Step&, const scenario::Send& send) {
    std::string line = expand(send.text);
    std::string wire;
    if (!send.quoted) {
      proto::Command command = proto::split_command_line(line);
      std::error_code ec;
      wire = command.has_arg ? proto::encode_command(command.verb, command.arg, ec) : proto::encode_command(command.verb, ec);
      // A verb outside RFC 959 §5.3.1 (e.g. "XYZZY") is sent as written: the case wants it so.
      if (ec) wire = line + "\r\n";
      session_.send_raw(wire);
      pending_.push_back({upper(command.verb), Clock::now()});
    } else {
      session_.send_raw(line + "\r\n");
      pending_.push_back({upper(proto::split_command_line(line).verb), Clock::now()});
    }
    return true;
  }

  bool execute(const Step&, const scenario::SendRaw& raw) {
    session_.send_raw(expand(raw.bytes));
    pending_.push_back({{}, Clock::now()});  // no §5.4 verb: the reply is judged by the case alone
    return true;
  }

  bool execute(const Step& step, const scenario::Expect& expect) {
    if (expect.closed) return expect_closed(step, expect);
    std::string verb;
    proto::ReplyStage stage = stage_;
    proto::Reply reply;
    std::optional<std::chrono::milliseconds> waited;  // since the command was sent
    if (pending_reply_) {
      reply = *std::exchange(pending_reply_, std::nullopt);
    } else {
      reply = session_.read_reply();
      if (!pending_.empty()) {
        verb = pending_.front().verb;
        waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - pending_.front().sent);
      }
      if (reply.is_preliminary()) {
        stage_ = proto::ReplyStage::after_preliminary;
      } else {
        if (!pending_.empty()) pending_.pop_front();
        stage_ = proto::ReplyStage::first;
      }
    }
    Judgement judgement = judge_reply(expect, reply, case_.level, verb, stage, waited);
    if (judgement.verdict == Verdict::pass) {
      std::string rules;
      for (const auto& deviation : session_.take_deviations()) rules += (rules.empty() ? "" : "; ") + deviation.rule;
      if (!rules.empty()) {
        judgement.verdict = Verdict::warn;
        judgement.reason = "tolerated deviation: " + rules;
      }
    }
    std::string actual = reply_summary(reply);
    if (waited && measures_delay(expect)) actual += fmt::format(" (after {} ms)", waited->count());
    return record(&step, judgement.verdict, judgement.expected, actual, judgement.reason);
  }

  static bool measures_delay(const scenario::Expect& expect) {
    return std::any_of(expect.alternatives.begin(), expect.alternatives.end(), [](const scenario::Alternative& a) {
      return std::any_of(a.checks.begin(), a.checks.end(),
                         [](const scenario::TextCheck& c) { return c.kind == scenario::TextCheck::Kind::min_delay; });
    });
  }

  /// `< closed`: the server must close the control connection (e.g. after QUIT, RFC 959 §4.1.1).
  bool expect_closed(const Step& step, const scenario::Expect& expect) {
    try {
      proto::Reply reply = session_.read_reply();
      return record(&step, grade_unmatched(case_.level, reply.code, true), describe(expect), reply_summary(reply),
                    "a reply arrived where the server should have closed the connection");
    } catch (const session::Error& e) {
      if (e.code() == session::errc::connection_closed || !session_.connected())
        return record(&step, Verdict::pass, describe(expect), "connection closed", {});
      if (e.code() == session::errc::timeout)
        return record(&step, grade_unmatched(case_.level, 0, true), describe(expect), "connection still open",
                      "the server did not close the connection within the reply timeout");
      throw;
    }
  }

  bool execute(const Step& step, const scenario::Transfer& transfer) {
    drain();
    session::TransferOptions options;
    if (transfer.via == "kept" && !session_.data_connection_kept()) {
      // RFC 959 §3.3 reuse is optional: a server that closed the connection (226) does not offer it.
      const Verdict verdict =
          case_.level == scenario::Level::may ? Verdict::unsupported : grade_unmatched(case_.level, 0, true);
      return record(&step, verdict, "a data connection kept open by the previous transfer (its final reply 250)",
                    "none", "the previous transfer did not leave its data connection open (RFC 959 §3.3)");
    }
    options.keep_open = transfer.keep_open;
    options.connection = transfer.via == "epsv"   ? session::DataConnection::epsv
                         : transfer.via == "kept" ? session::DataConnection::kept
                         : transfer.via == "port" ? session::DataConnection::port
                         : transfer.via == "eprt" ? session::DataConnection::eprt
                         : transfer.via == "pasv" || !ipv6() ? session::DataConnection::pasv
                                                             : session::DataConnection::epsv;
    codec::Representation rep = session_.representation();
    if (transfer.type) {
      auto parsed = codec::parse_type_argument(*transfer.type);
      if (parsed) {
        rep.type = parsed->type;
        rep.format = parsed->format;
        rep.byte_size = parsed->byte_size;
      }
    }
    if (transfer.stru) rep.structure = *codec::parse_stru_argument(std::string(1, *transfer.stru));
    if (transfer.mode) rep.mode = *codec::parse_mode_argument(std::string(1, *transfer.mode));
    options.representation = rep;
    options.restart = transfer.rest;

    std::string path = expand(transfer.path);
    std::string upload;
    if (transfer.upload) upload = resolve(*transfer.upload);
    std::size_t data_from = session_.transcript().size();
    session::TransferResult outcome;
    switch (transfer.verb) {
      case scenario::Transfer::Verb::retr: outcome = session_.retr(path, options); break;
      case scenario::Transfer::Verb::stor: outcome = session_.stor(path, upload, options); break;
      case scenario::Transfer::Verb::appe: outcome = session_.appe(path, upload, options); break;
      case scenario::Transfer::Verb::list: outcome = session_.list(path, options); break;
      case scenario::Transfer::Verb::nlst: outcome = session_.nlst(path, options); break;
      case scenario::Transfer::Verb::stou: outcome = session_.stou(upload, options); break;
      case scenario::Transfer::Verb::mlsd:  // RFC 3659 §7: a LIST-like transfer of fact lines
        outcome = session_.transfer(path.empty() ? std::string("MLSD") : "MLSD " + path, std::nullopt, options);
        break;
    }
    const bool sends = transfer.upload.has_value();
    if (!transfer.save_as.empty()) contents_[transfer.save_as] = sends ? upload : outcome.data;
    std::string verb(scenario::to_string(transfer.verb));
    std::string actual = reply_summary(outcome.final_reply);
    if (outcome.final_reply.code / 100 != 2) {
      bool after_data = std::any_of(outcome.replies.begin(), outcome.replies.end(), [](const auto& r) { return r.is_preliminary(); });
      bool allowed = !after_data || proto::is_allowed(verb, outcome.final_reply.code, proto::ReplyStage::after_preliminary);
      return record(&step, grade_unmatched(case_.level, outcome.final_reply.code, allowed), "2xx after the transfer",
                    actual, fmt::format("{} {} did not complete: {}", verb, path, actual));
    }
    if (outcome.codec_error)
      return record(&step, grade_unmatched(case_.level, 0, true), "decodable data", actual,
                    fmt::format("the data could not be decoded: {}", outcome.codec_error.message()));
    std::string wire_received = received_wire_bytes(data_from);
    for (const auto& check : transfer.checks) {
      if (is_tls_check(check)) {
        TlsCheckResult tls = check_tls(check, outcome);
        if (tls.ok) continue;
        // An absent optional feature (session resumption) is `unsupported` in a MAY case.
        Verdict verdict = tls.optional_feature && case_.level == scenario::Level::may ? Verdict::unsupported
                                                                                      : grade_unmatched(case_.level, 0, true);
        return record(&step, verdict, tls.expected, tls.actual, tls.reason);
      }
      if (check.kind == scenario::DataCheck::Kind::reply_matches) {
        if (any_reply_matches(outcome.replies, check.regex)) continue;
        return record(&step, grade_unmatched(case_.level, 0, true), fmt::format("a reply matching ~ \"{}\"", check.regex),
                      replies_summary(outcome.replies), "no reply of the exchange has the expected text");
      }
      DataCheckResult checked = check_data(check, outcome.data, wire_received, [&](const scenario::Content& c) { return resolve(c); });
      if (!checked.ok)
        return record(&step, grade_unmatched(case_.level, 0, true), checked.expected, checked.actual, checked.reason);
    }
    return record(&step, Verdict::pass, "2xx and the expected data", actual, {});
  }

  static bool any_reply_matches(const std::vector<proto::Reply>& replies, const std::string& pattern) {
    const std::regex re(pattern, std::regex::ECMAScript);
    return std::any_of(replies.begin(), replies.end(), [&](const proto::Reply& r) { return std::regex_search(r.text(), re); });
  }
  static std::string replies_summary(const std::vector<proto::Reply>& replies) {
    std::string out;
    for (const auto& reply : replies) out += (out.empty() ? "" : " / ") + reply_summary(reply);
    return out;
  }

  /// `abort-retr`: RETR over a passive data connection, read a little, then IAC IP, the Synch
  /// (IAC as TCP urgent data, then DM) and ABOR (RFC 959 §4.1.3 ABOR, RFC 854). The data is then
  /// read to its end, so a server that finishes the transfer instead cannot block on a full socket;
  /// the RETR and ABOR replies are left for the case's `<` lines.
  bool execute(const Step& step, const scenario::AbortRetr& abort) {
    drain();
    if (session_.data_protection() == 'P' || session_.control_secure())  // it reads the data and sends IP/Synch in clear
      return record(&step, Verdict::skipped, "clear control and data connections", "TLS",
                    "abort-retr sends the Telnet Synch and reads the data connection in clear");
    const bool extended = abort.via == "epsv" || (abort.via == "auto" && ipv6());
    proto::Reply passive = session_.command(extended ? "EPSV" : "PASV");
    std::optional<proto::HostPort> where;
    if (extended) {
      if (auto port = proto::parse_epsv_reply(passive.text())) where = proto::HostPort{context_.target.host, *port};
    } else {
      where = proto::parse_pasv_reply(passive.text());
    }
    if (!where)
      return record(&step, grade_unmatched(case_.level, passive.code, proto::is_allowed(extended ? "EPSV" : "PASV", passive.code)),
                    extended ? "229" : "227", reply_summary(passive), "no passive data connection for the RETR to abort");
    net::asio::io_context io;
    net::TimedSocket data(io);
    if (auto ec = data.connect(where->host, where->port, context_.timeouts.connect))
      throw session::Error(ec, "cannot open the passive data connection");
    session_.send_raw(fmt::format("RETR {}\r\n", expand(abort.path)));
    proto::Reply started = session_.read_reply();
    if (!started.is_preliminary())
      return record(&step, grade_unmatched(case_.level, started.code, proto::is_allowed("RETR", started.code)), "125|150",
                    reply_summary(started), "the RETR to abort did not start");
    std::array<char, 16384> buffer{};
    std::size_t received = 0;
    net::error_code ec;
    while (!ec && received < 65536) received += data.read_some(buffer, context_.timeouts.data, ec);
    session_.transcript().event(session::Channel::data, fmt::format("read {} bytes, now sending IP, Synch and ABOR", received));
    session_.send_abort();
    std::size_t after = 0;
    while (!ec) after += data.read_some(buffer, context_.timeouts.data, ec);
    session_.transcript().event(session::Channel::data, fmt::format("{} more bytes until the data connection closed", after));
    data.close();
    pending_.push_back({"RETR", Clock::now()});
    pending_.push_back({"ABOR", Clock::now()});
    stage_ = proto::ReplyStage::after_preliminary;
    return true;
  }

  bool execute(const Step&, const scenario::Wait& wait) {
    std::this_thread::sleep_for(wait.duration);
    return true;
  }

  bool execute(const Step& step, const scenario::SkipUnless& skip) {
    if (skip.kind == scenario::SkipUnless::Kind::clear) {
      if (!session_.control_secure()) return true;
      return record(&step, Verdict::skipped, "a clear control connection", "TLS",
                    "the case needs a control connection without TLS (RFC 4217)");
    }
    if (skip.kind == scenario::SkipUnless::Kind::ipv4) {
      if (!ipv6()) return true;
      return record(&step, Verdict::skipped, "an IPv4 control connection", session_.remote_address(),
                    "the control connection is IPv6: PASV and PORT carry IPv4 addresses only (RFC 2428 §1)");
    }
    if (skip.kind == scenario::SkipUnless::Kind::feat) {
      std::string wanted = upper(skip.argument);
      bool present = std::any_of(context_.features.begin(), context_.features.end(), [&](const std::string& f) {
        std::string feature = upper(f);
        return feature == wanted || feature.rfind(wanted + " ", 0) == 0;
      });
      if (present) return true;
      return record(&step, Verdict::skipped, fmt::format("FEAT lists {}", skip.argument), "not in FEAT",
                    fmt::format("the server does not list {} in FEAT", skip.argument));
    }
    drain();
    proto::Reply reply = session_.command(expand(skip.argument));
    if (reply.code / 100 == 2 || reply.code / 100 == 3) return true;
    return record(&step, Verdict::skipped, fmt::format("{} accepted", skip.argument), reply_summary(reply),
                  fmt::format("the server refused {}", skip.argument));
  }

  bool ipv6() const { return session_.connected() && session_.remote_address().find(':') != std::string::npos; }

  /// Reads the replies to commands whose `<` the case left out, so later steps read their own.
  void drain() {
    pending_reply_.reset();
    while (!pending_.empty()) {
      proto::Reply reply = session_.read_reply();
      if (!reply.is_preliminary()) pending_.pop_front();
    }
    stage_ = proto::ReplyStage::first;
  }

  std::string resolve(const scenario::Content& content) {
    switch (content.kind) {
      case scenario::Content::Kind::literal: return expand(content.text);
      case scenario::Content::Kind::random: {
        // Seeded by the case id: a rerun sends the same bytes, which eases comparing transcripts.
        std::mt19937 random(static_cast<std::mt19937::result_type>(std::hash<std::string>{}(case_.id) + content.size));
        std::string bytes(content.size, '\0');
        for (char& b : bytes) b = static_cast<char>(random() & 0xFF);
        return bytes;
      }
      case scenario::Content::Kind::named: {
        auto it = contents_.find(content.text);
        if (it == contents_.end()) throw std::runtime_error(fmt::format("no content was saved as @{}", content.text));
        return content.offset >= it->second.size() ? std::string{} : it->second.substr(content.offset);
      }
    }
    return {};
  }

  /// The bytes the server sent on data connections since transcript entry `from`, as recorded.
  std::string received_wire_bytes(std::size_t from) const {
    std::string out;
    for (const auto& entry : session_.transcript().entries(from))
      if (entry.channel == session::Channel::data && entry.direction == session::Direction::server_to_client)
        out += entry.bytes;
    return out;
  }

  /// Deletes what the case left in its scratch directory, then the directory (best effort).
  void cleanup() {
    if (scratch_.empty()) {
      session_.quit();
      return;
    }
    try {
      if (!session_.connected()) {
        open_control(session_, context_.target);
        if (needs_auth_tls(context_.target, case_.require)) session_.auth_tls();
        session_.login(context_.target.user, context_.target.password);
        if (needs_protected_data(context_.target, case_.require)) session_.secure_data('P');
      }
      drain();
      remove_tree(scratch_, 3);
    } catch (const std::exception&) {
      // Cleanup problems do not change the verdict; the transcript shows them.
    }
    session_.quit();
  }

  void remove_tree(const std::string& dir, int depth) {
    session::TransferOptions options;
    // TYPE I, STRU F, MODE S: the names arrive unchanged whatever representation the case left
    // (a trailing CR is dropped below; TYPE I because some servers refuse "TYPE A N"). EPSV first,
    // since a case may have sent EPSV ALL (RFC 2428 §3).
    options.representation = codec::Representation{};
    options.representation->type = codec::RepType::image;
    options.connection = session::DataConnection::epsv;
    session::TransferResult names = session_.nlst(dir, options);
    if (names.final_reply.code / 100 != 2 && !ipv6()) {
      options.connection = session::DataConnection::pasv;
      names = session_.nlst(dir, options);
    }
    if (names.final_reply.code / 100 == 2) {
      std::size_t start = 0;
      const std::string& text = names.data;
      while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string name = text.substr(start, end - start);
        if (!name.empty() && name.back() == '\r') name.pop_back();
        start = end + 1;
        // Some servers (pure-ftpd) list "dir/." and "dir/..": never descend into a parent.
        const std::string_view last = std::string_view(name).substr(name.rfind('/') == std::string::npos ? 0 : name.rfind('/') + 1);
        if (name.empty() || last.empty() || last == "." || last == "..") continue;
        std::string path = name.find('/') != std::string::npos ? name : join_path(dir, name);
        if (session_.command("DELE", path).code / 100 != 2 && depth > 0) remove_tree(path, depth - 1);
      }
    }
    session_.command("RMD", dir);
  }

  const scenario::Case& case_;
  const CaseContext& context_;
  session::Session session_;
  CaseResult result_;
  std::vector<std::pair<std::string, std::string>> variables_;
  std::map<std::string, std::string> contents_;
  /// A command sent whose final reply is not read yet, and when it was sent (for `delay >=`).
  struct Pending {
    std::string verb;
    Clock::time_point sent;
  };
  std::deque<Pending> pending_;
  proto::ReplyStage stage_ = proto::ReplyStage::first;
  std::optional<proto::Reply> pending_reply_;  ///< the greeting of a `connect` step
  std::string scratch_;
  std::size_t excerpt_from_ = 0;
};

}  // namespace

CaseResult run_case(const scenario::Case& c, const CaseContext& context) {
  try {
    return CaseExecutor(c, context).run();
  } catch (const std::exception& e) {  // e.g. the session could not even be constructed
    CaseResult result;
    result.id = c.id;
    result.title = c.title;
    result.rfc = c.rfc;
    result.level = c.level;
    result.loc = c.loc;
    result.verdict = Verdict::error;
    result.reason = fmt::format("harness error: {}", e.what());
    return result;
  }
}

}  // namespace ftpspec::run
