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
#include "proto/sequences.hpp"
#include "run/cleanup.hpp"
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


/// The commands a transfer step sends to set itself up (RFC 959 §4.1.2): the representation and the
/// data connection. The case is about the transfer, so their failures block it (or make it
/// unsupported) rather than fail it.
bool is_transfer_setup(std::string_view command) {
  const std::string verb = proto::upper_ascii(verb_of(command));
  return verb == "TYPE" || verb == "STRU" || verb == "MODE" || verb == "PASV" || verb == "EPSV" || verb == "PORT" ||
         verb == "EPRT";
}

/// Errors that are the server's bytes breaking the protocol, not the harness or the network.
bool is_protocol_violation(const std::error_code& ec) {
  return ec == session::errc::malformed_reply || ec == session::errc::reply_too_long ||
         ec == session::errc::unexpected_reply || ec == session::errc::bad_passive_reply;
}

/// The RFC section a protocol violation breaks, for findings.
std::pair<std::string, std::string> violated_rule(const std::error_code& ec, std::string_view command) {
  const std::string verb = proto::upper_ascii(verb_of(command));
  if (ec == session::errc::bad_passive_reply)
    return verb == "EPSV" ? std::pair{std::string("RFC 2428 §3: the 229 reply carries the port as (|||port|)"), std::string("2428 §3")}
                          : std::pair{std::string("RFC 959 §4.1.2: the 227 reply carries the address as h1,h2,h3,h4,p1,p2"),
                                      std::string("959 §4.1.2")};
  if (ec == session::errc::unexpected_reply)
    return {fmt::format("RFC 959 §5.4: {} answers in its command-reply sequence", verb.empty() ? "a command" : verb), "959 §5.4"};
  return {"RFC 959 §4.2: a reply is a code, a space or hyphen, text, and CRLF", "959 §4.2"};
}

/// What a judged reply answered: the command line and the reply code (0: no reply was judged).
struct Answer {
  Answer() = default;
  Answer(std::string command_line, int reply_code, std::string rule_text = {}, std::string rule_rfc = {})
      : command(std::move(command_line)), code(reply_code), rule(std::move(rule_text)), rfc(std::move(rule_rfc)) {}
  std::string command;
  int code = 0;
  std::string rule;  ///< the rule the verdict rests on when it is not the case's own
  std::string rfc;
};

class CaseExecutor {
 public:
  CaseExecutor(const scenario::Case& c, const CaseContext& context)
      : case_(c), context_(context), session_(context.timeouts), known_(context.features) {
    result_.id = c.id;
    result_.title = c.title;
    result_.rfc = c.rfc;
    result_.level = c.level;
    result_.loc = c.loc;
  }

  CaseResult run() {
    if (!case_.intrusive.empty() && !context_.intrusive) {
      result_.verdict = Verdict::skipped;
      result_.reason = fmt::format("intrusive, run only with --intrusive: {}", case_.intrusive);
      return std::move(result_);
    }
    const auto started = std::chrono::steady_clock::now();
    bool ready = guarded(nullptr, [&] { return prepare(); });
    excerpt_from_ = session_.transcript().size();  // step excerpts leave out the fixture
    for (std::size_t i = 0; ready && i < case_.steps.size(); ++i) {
      const Step& step = case_.steps[i];
      if (!guarded(&step, [&] { return execute(step); })) break;
    }
    cleanup();  // also keeps the transcript
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
      on_session_error(step, e);
    } catch (const std::exception& e) {
      record(step, Verdict::error, {}, {}, fmt::format("harness error: {}", e.what()));
    }
    return false;
  }

  /// A session::Error is the harness's or the network's (`error`), unless it is the server's
  /// garbage: a malformed reply, a reply out of sequence, a passive reply without an address. Those
  /// fail the case when they answer what it tests, and block it when they answer its set-up. A data
  /// connection that cannot be made or secured during a transfer's set-up blocks the case too.
  void on_session_error(const Step* step, const session::Error& e) {
    const bool transfer = step && (std::holds_alternative<scenario::Transfer>(step->body) ||
                                   std::holds_alternative<scenario::AbortRetr>(step->body));
    const std::string command = answered_command(step);
    const bool setup = !step || (transfer && is_transfer_setup(command));
    if (is_protocol_violation(e.code())) {
      auto [rule, rfc] = violated_rule(e.code(), command);
      if (setup) return void(block(step, {command, 0, e.what(), std::move(rule), std::move(rfc)}));
      return void(record(step, Verdict::fail, "a reply as RFC 959 §4.2 and §5.4 define it", e.what(),
                         fmt::format("the server's answer to {} breaks the protocol: {}", command.empty() ? "the connection" : command,
                                     std::move(rule)),
                         {command, 0}));
    }
    if (e.code() == session::errc::tls_failed && (setup || transfer)) {
      const bool data = transfer;
      return void(block(step, {data ? "TLS on the data connection" : "AUTH TLS", 0, e.what(),
                               data ? "RFC 4217 §7: after PROT P the client and server complete a TLS handshake on the data connection"
                                    : "RFC 4217 §4: after 234 the client and server complete a TLS handshake on the control connection",
                               data ? "4217 §7" : "4217 §4"}));
    }
    const bool data_connect = setup && transfer && (proto::upper_ascii(verb_of(command)) == "PASV" || proto::upper_ascii(verb_of(command)) == "EPSV");
    if (data_connect && e.code() != session::errc::timeout && e.code() != session::errc::interrupted)
      return void(block(step, {command, 0, e.what(),
                               "RFC 959 §4.1.2 (PASV), RFC 2428 §3 (EPSV): the server listens at the address it announces",
                               proto::upper_ascii(verb_of(command)) == "EPSV" ? "2428 §3" : "959 §4.1.2"}));
    if (e.code() == session::errc::timeout) result_.strain = CaseResult::Strain::timed_out;
    record(step, Verdict::error, {}, e.code().message(), e.what());
  }

  /// The command line a reply (or an error while reading one) answers: the oldest pending `>` line
  /// for a `<` step, else what the session sent last.
  std::string answered_command(const Step* step) const {
    if (step && std::holds_alternative<scenario::Expect>(step->body) && !pending_.empty()) return pending_.front().command;
    return session_.last_command();
  }

  /// A step judged blocked by a set-up defect (the defect becomes a finding, run/findings.hpp).
  bool block(const Step* step, SetupDefect defect) {
    std::string reason = fmt::format("blocked: {} — {}", defect.command.empty() ? std::string("the set-up") : defect.command,
                                     defect.rule);
    std::string actual = defect.observed;
    const Answer answer{defect.command, defect.code};
    result_.blocked_on = std::move(defect);
    return record(step, Verdict::blocked, "set-up the case is not about", std::move(actual), std::move(reason), answer);
  }

  /// A set-up command of a transfer step (TYPE/STRU/MODE, PASV/EPSV/PORT/EPRT) was refused: an
  /// optional one (500/502/504, 521/522: not implemented, or not for this protocol) makes the case
  /// unsupported; a required one (RFC 1123 §4.1.2.13) or a reply outside RFC 959 §5.4 blocks it.
  bool setup_refused(const Step& step, const std::string& command, const proto::Reply& reply) {
    const std::string verb = proto::upper_ascii(verb_of(command));
    const std::string actual = reply_summary(reply);
    const Answer answer{command, reply.code};
    if (reply.code == 421)
      return record(&step, Verdict::error, fmt::format("2xx to {}", command), actual,
                    "the server is closing the control connection (421): nothing more can be judged", answer);
    const bool refusal = proto::is_not_implemented(reply.code) || reply.code == 504 || reply.code == 521 || reply.code == 522;
    const bool required = proto::obligation(command) == proto::Obligation::required;
    if (refusal && !required && !known_.implements(command))
      return record(&step, Verdict::unsupported, fmt::format("2xx to {}", command), actual,
                    fmt::format("the case needs {}, which this server does not offer ({}); it is optional", command, reply.code),
                    answer);
    if (refusal || !proto::is_allowed(verb, reply.code) || required) {
      const bool table = !proto::is_allowed(verb, reply.code);
      return block(&step, {command, reply.code, actual,
                           table ? fmt::format("RFC 959 §5.4: {} is not a reply to {}", reply.code, verb)
                           : required ? fmt::format("RFC 1123 §4.1.2.13: {} is part of the minimum implementation every "
                                                    "server MUST support", command)
                                      : fmt::format("the server offers {} (FEAT, or an earlier reply) but refuses it here", command),
                           table ? "959 §5.4" : required ? "1123 §4.1.2.13" : "2389 §3"});
    }
    return record(&step, Verdict::unsupported, fmt::format("2xx to {}", command), actual,
                  fmt::format("the server refused {} ({}), which the case needs", command, reply.code), answer);
  }

  /// Adds a judged step; returns whether the case may go on (pass and warn continue).
  bool record(const Step* step, Verdict verdict, std::string expected, std::string actual, std::string reason,
              Answer answer = {}) {
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
    out.command = std::move(answer.command);
    out.reply_code = answer.code;
    out.rule = std::move(answer.rule);
    out.rfc = std::move(answer.rfc);
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
    note_refusal(greeting);
    if (greeting.code != 220)
      return record(nullptr, Verdict::error, "220", reply_summary(greeting), "precondition: the server did not greet with 220");
    if (needs_auth_tls(context_.target, case_.require) && !fixture_step(run_auth_tls(session_)))
      return false;
    if (case_.require == Requirement::connection) return true;
    if (!login()) return false;
    if (needs_protected_data(context_.target, case_.require) && !fixture_step(run_secure_data(session_, 'P', case_.level, known_)))
      return false;
    if (case_.require == Requirement::login || case_.require == Requirement::tls_login) return true;
    std::mt19937 random(std::random_device{}());
    std::string name = fmt::format("ftpspec-{}-{:08x}", case_.id, random());
    std::string path = join_path(context_.target.dir, name);
    proto::Reply made = session_.command("MKD", path);
    if (made.code != 257)
      return record(nullptr, Verdict::error, "257", reply_summary(made),
                    fmt::format("precondition: cannot make the scratch directory {} under --dir", path), {"MKD " + path, made.code});
    scratch_ = path;
    set_variables();
    return true;
  }

  /// A TLS fixture step that did not pass. When only the target's TLS mode asked for it, that is the
  /// target's set-up: `error`. A `require tls-*` case merely needs TLS: a refusal means the server
  /// does not offer it (`unsupported`; auth-tls-234 and the secure-data cases judge those replies),
  /// and anything else blocks the case on a defect reported once as a finding.
  bool fixture_step(const TlsStepOutcome& outcome) {
    if (outcome.ok()) return true;
    const Answer answer{outcome.command, outcome.code};
    const bool tls_case = case_.require == scenario::Requirement::tls_login || case_.require == scenario::Requirement::tls_scratch;
    if (!tls_case)
      return record(nullptr, Verdict::error, outcome.expected, outcome.actual, "precondition: " + outcome.reason, answer);
    if (outcome.verdict == Verdict::unsupported)
      return record(nullptr, Verdict::unsupported, outcome.expected, outcome.actual,
                    fmt::format("the server does not offer FTP over TLS, which the case needs: {} was answered {}",
                                outcome.command, outcome.code),
                    answer);
    return block(nullptr, {outcome.command, outcome.code, outcome.actual, outcome.reason, "4217 §9"});
  }

  bool login() {
    proto::Reply reply = session_.login(context_.target.user, context_.target.password);
    if (reply.code / 100 == 2) return true;
    return record(nullptr, Verdict::error, "230", reply_summary(reply),
                  "precondition: login with the target's user and password failed", {"USER " + context_.target.user, reply.code});
  }

  bool execute(const Step& step) {
    return std::visit([&](const auto& body) { return execute(step, body); }, step.body);
  }

  bool execute(const Step&, const scenario::Connect&) {
    held_ = Held{open_control(session_, context_.target), {}, proto::ReplyStage::first, {}, std::nullopt};
    note_refusal(held_->reply);
    return true;
  }

  /// RFC 959 §5.4 lists 421 as a greeting: "Service not available" — servers send it when they
  /// (or the client's address) have as many sessions as they take. The runner tries again later.
  void note_refusal(const proto::Reply& greeting) {
    if (greeting.code == 421) result_.strain = CaseResult::Strain::session_refused;
  }

  bool execute(const Step& step, const scenario::AuthTls&) {
    drain();
    return record_outcome(step, run_auth_tls(session_));
  }
  bool execute(const Step& step, const scenario::SecureData& secure) {
    drain();
    return record_outcome(step, run_secure_data(session_, secure.level, case_.level, known_));
  }
  bool execute(const Step& step, const scenario::Ccc&) {
    drain();
    return record_outcome(step, run_ccc(session_, case_.level, known_));
  }
  bool record_outcome(const Step& step, const TlsStepOutcome& outcome) {
    return record(&step, outcome.verdict, outcome.expected, outcome.actual, outcome.reason,
                  {outcome.command, outcome.code, outcome.rule, outcome.rfc});
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
      pending_.push_back({command_line(command), Clock::now(), {}});
    } else {
      session_.send_raw(line + "\r\n");
      pending_.push_back({command_line(proto::split_command_line(line)), Clock::now(), {}});
    }
    return true;
  }

  /// "TYPE A N" from a parsed line: the verb in capitals (verbs are case-insensitive, RFC 959 §5.3).
  static std::string command_line(const proto::Command& command) {
    return command.has_arg ? fmt::format("{} {}", proto::upper_ascii(command.verb), command.arg) : proto::upper_ascii(command.verb);
  }

  bool execute(const Step&, const scenario::SendRaw& raw) {
    const std::string bytes = expand(raw.bytes);
    session_.send_raw(bytes);
    // No §5.4 verb: the reply is judged by the case alone; evidence shows the bytes.
    pending_.push_back({{}, Clock::now(), fmt::format(">! \"{}\"", session::escape_bytes(bytes))});
    return true;
  }

  bool execute(const Step& step, const scenario::Expect& expect) {
    if (expect.closed) return expect_closed(step, expect);
    std::string command, shown;
    proto::ReplyStage stage = stage_;
    proto::Reply reply;
    std::string note;
    std::optional<HeldTransfer> transfer;
    std::optional<std::chrono::milliseconds> waited;  // since the command was sent
    if (held_) {
      Held held = *std::exchange(held_, std::nullopt);
      reply = std::move(held.reply);
      command = std::move(held.command);
      stage = held.stage;
      note = std::move(held.note);
      transfer = std::move(held.transfer);
    } else {
      reply = session_.read_reply(expect.within ? std::optional(std::max(*expect.within, context_.timeouts.reply)) : std::nullopt);
      if (!pending_.empty()) {
        command = pending_.front().command;
        shown = pending_.front().shown;
        waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - pending_.front().sent);
      }
      if (reply.is_preliminary()) {
        stage_ = proto::ReplyStage::after_preliminary;
      } else {
        if (!pending_.empty()) pending_.pop_front();
        stage_ = proto::ReplyStage::first;
      }
    }
    Judgement judgement = judge_reply(expect, reply, case_.level, command, stage, waited, known_);
    known_.saw_reply(command, reply.code);
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
    if (!note.empty()) actual += fmt::format(" ({})", note);
    if (judgement.verdict == Verdict::blocked)  // the case's own `blocked` alternative: a set-up refusal
      return block(&step, {command.empty() ? shown : command, reply.code, actual, judgement.reason,
                           case_.rfc.empty() ? std::string{} : case_.rfc.front()});
    const bool passed = judgement.verdict == Verdict::pass || judgement.verdict == Verdict::warn;
    if (passed && transfer && reply.code / 100 == 2)  // a completed leave-reply transfer: now its data
      if (auto failed = check_transfer(step, *transfer->transfer, transfer->outcome, transfer->wire_received)) return *failed;
    return record(&step, judgement.verdict, judgement.expected, actual, judgement.reason,
                  {command.empty() ? shown : command, reply.code, judgement.rule, judgement.rfc});
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
      const std::string command = pending_.empty() ? std::string{} : pending_.front().command;
      proto::Reply reply = session_.read_reply();
      return record(&step, grade_unmatched(case_.level, reply.code, true), describe(expect), reply_summary(reply),
                    "a reply arrived where the server should have closed the connection", {command, reply.code});
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
    // "TYPE A", as clients send it; "TYPE A N" only where the case writes the form code (type=AN).
    options.type_form = transfer.type && codec::names_form_code(*transfer.type) ? codec::FormCode::written
                                                                               : codec::FormCode::implied;
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
    const std::string& answered = outcome.final_command;
    if (outcome.final_reply.code / 100 != 2 && is_transfer_setup(answered)) return setup_refused(step, answered, outcome.final_reply);
    known_.saw_reply(answered, outcome.final_reply.code);
    const bool sends = transfer.upload.has_value();
    if (!transfer.save_as.empty()) contents_[transfer.save_as] = sends ? upload : outcome.data;
    const bool after_data = std::any_of(outcome.replies.begin(), outcome.replies.end(), [](const auto& r) { return r.is_preliminary(); });
    const proto::ReplyStage stage = after_data ? proto::ReplyStage::after_preliminary : proto::ReplyStage::first;
    if (transfer.leave_reply) {  // the next `<` judges the final reply, with the data that came as evidence
      std::string note;
      if (!sends && outcome.wire_bytes > 0)
        note = fmt::format("{} bytes arrived on the data connection, beginning \"{}\"", outcome.wire_bytes,
                           session::escape_bytes(std::string_view(outcome.data).substr(0, 48)));
      held_ = Held{outcome.final_reply, answered, stage, std::move(note),
                   HeldTransfer{&transfer, outcome, received_wire_bytes(data_from)}};
      return true;
    }
    std::string actual = reply_summary(outcome.final_reply);
    if (outcome.final_reply.code / 100 != 2) {
      const bool rest = proto::upper_ascii(verb_of(answered)) == "REST";
      Judgement graded = grade_reply(outcome.final_reply, case_.level, answered, rest ? proto::ReplyStage::first : stage,
                                     rest ? "350" : "2xx after the transfer", known_);
      std::string reason = graded.basis == Judgement::Basis::level ? fmt::format("{} did not complete: {}", answered, actual)
                                                                   : std::move(graded.reason);
      return record(&step, graded.verdict, std::move(graded.expected), actual, std::move(reason),
                    {answered, outcome.final_reply.code, std::move(graded.rule), std::move(graded.rfc)});
    }
    if (auto failed = check_transfer(step, transfer, outcome, received_wire_bytes(data_from))) return *failed;
    return record(&step, Verdict::pass, "2xx and the expected data", actual, {}, {answered, outcome.final_reply.code});
  }

  /// The data and TLS checks of a completed transfer; the recorded outcome of the first that fails,
  /// or nullopt when all hold.
  std::optional<bool> check_transfer(const Step& step, const scenario::Transfer& transfer, const session::TransferResult& outcome,
                                     const std::string& wire_received) {
    const Answer data_answer{outcome.final_command, 0};  // a defect in the data, not in a reply code
    if (outcome.codec_error)
      return record(&step, grade_unmatched(case_.level, 0, true), "decodable data", reply_summary(outcome.final_reply),
                    fmt::format("the data could not be decoded: {}", outcome.codec_error.message()), data_answer);
    for (const auto& check : transfer.checks) {
      if (is_tls_check(check)) {
        TlsCheckResult tls = check_tls(check, outcome);
        if (tls.ok) continue;
        // An absent optional feature (session resumption) is `unsupported` in a MAY case.
        Verdict verdict = tls.optional_feature && case_.level == scenario::Level::may ? Verdict::unsupported
                                                                                      : grade_unmatched(case_.level, 0, true);
        return record(&step, verdict, tls.expected, tls.actual, tls.reason, data_answer);
      }
      if (check.kind == scenario::DataCheck::Kind::reply_matches) {
        if (any_reply_matches(outcome.replies, check.regex)) continue;
        return record(&step, grade_unmatched(case_.level, 0, true), fmt::format("a reply matching ~ \"{}\"", check.regex),
                      replies_summary(outcome.replies), "no reply of the exchange has the expected text", data_answer);
      }
      DataCheckResult checked = check_data(check, outcome.data, wire_received, [&](const scenario::Content& c) { return resolve(c); });
      if (!checked.ok)
        return record(&step, grade_unmatched(case_.level, 0, true), checked.expected, checked.actual, checked.reason,
                      data_answer);
    }
    return std::nullopt;
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
    if (passive.code / 100 != 2) return setup_refused(step, extended ? "EPSV" : "PASV", passive);
    if (!where) {
      auto [rule, rfc] = violated_rule(session::errc::bad_passive_reply, extended ? "EPSV" : "PASV");
      return block(&step, {extended ? "EPSV" : "PASV", passive.code, reply_summary(passive), std::move(rule), std::move(rfc)});
    }
    net::asio::io_context io;
    net::TimedSocket data(io);
    if (auto ec = data.connect(where->host, where->port, context_.timeouts.connect))
      throw session::Error(ec, "cannot open the passive data connection");
    const std::string retr = "RETR " + expand(abort.path);
    session_.send_raw(retr + "\r\n");
    proto::Reply started = session_.read_reply();
    if (!started.is_preliminary()) {
      Judgement graded = grade_reply(started, case_.level, retr, proto::ReplyStage::first, "125|150", known_);
      return record(&step, graded.verdict, std::move(graded.expected), reply_summary(started),
                    graded.basis == Judgement::Basis::level ? std::string("the RETR to abort did not start") : std::move(graded.reason),
                    {retr, started.code, std::move(graded.rule), std::move(graded.rfc)});
    }
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
    pending_.push_back({retr, Clock::now(), {}});
    pending_.push_back({"ABOR", Clock::now(), {}});
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
      std::string wanted = proto::upper_ascii(skip.argument);
      bool present = std::any_of(context_.features.begin(), context_.features.end(), [&](const std::string& f) {
        std::string feature = proto::upper_ascii(f);
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
    held_.reset();
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

  /// Removes the case's scratch directory (run/cleanup.hpp): on the case's own session when it is
  /// fit for it, else (or when that fails) on a fresh one; then ends the session and keeps the
  /// transcript, which shows the case's own exchanges (a cleanup on the same session is one line).
  /// A directory that stays is named in the result, not hidden; the verdict does not change.
  void cleanup() {
    std::size_t case_end = static_cast<std::size_t>(-1);
    bool removed = scratch_.empty();
    if (!removed && pending_.empty() && !held_ && fit_for_cleanup(session_)) {
      session_.transcript().event(session::Channel::control,
                                  fmt::format("the case is over: its session removes {}, then QUITs", scratch_));
      case_end = session_.transcript().size();
      try {
        removed = remove_tree(session_, scratch_);
      } catch (const std::exception&) {
        // Tried again on a fresh session below.
      }
    }
    try {
      session_.quit();
    } catch (const std::exception&) {
      session_.close();
    }
    result_.transcript = session_.transcript().render(0, case_end);
    if (removed) return;
    try {
      session::Session cleaner(context_.timeouts);
      open_cleanup_session(cleaner, context_.target);
      removed = remove_tree(cleaner, scratch_);
      cleaner.quit();
    } catch (const std::exception&) {
      // The server refused or dropped the cleanup: what stays is reported below.
    }
    if (!removed) result_.left_behind.push_back(scratch_);
  }

  const scenario::Case& case_;
  const CaseContext& context_;
  session::Session session_;
  CaseResult result_;
  std::vector<std::pair<std::string, std::string>> variables_;
  std::map<std::string, std::string> contents_;
  /// A command sent whose final reply is not read yet, and when it was sent (for `delay >=`).
  struct Pending {
    std::string command;  ///< the line as sent ("TYPE A N"); "" for raw bytes
    Clock::time_point sent;
    std::string shown;    ///< how evidence names it when `command` is "": the raw bytes
  };
  std::deque<Pending> pending_;
  proto::ReplyStage stage_ = proto::ReplyStage::first;
  /// A reply already read, for the next `<`: a `connect` step's greeting, or a `leave-reply`
  /// transfer's final reply with what it answered and a note on the data that came with it.
  /// A `leave-reply` transfer whose data checks run once its final reply passed its `<`.
  struct HeldTransfer {
    const scenario::Transfer* transfer;
    session::TransferResult outcome;
    std::string wire_received;
  };
  struct Held {
    proto::Reply reply;
    std::string command;
    proto::ReplyStage stage = proto::ReplyStage::first;
    std::string note;
    std::optional<HeldTransfer> transfer;
  };
  std::optional<Held> held_;
  ServerKnowledge known_;  ///< which commands the server implements: FEAT, then what this case saw
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
