// ftpspec.Session, TransferResult and Transcript over session::Session (RFC 959 §2.3 user-PI and
// user-DTP). Every call that waits on the network releases the GIL; Python objects are built only
// after it is taken back.
#include <fmt/format.h>
#include <pybind11/stl.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <utility>

#include "common.hpp"
#include "interruptible.hpp"
#include "proto/listing.hpp"
#include "session/session.hpp"

namespace ftpspec::python {
namespace {

/// A session::Session shared between Python threads and the worker threads of interruptible calls
/// (interruptible.hpp): calls are serialized by a mutex taken only on the worker (so a thread
/// waiting for it never holds the GIL). Ctrl-C calls Session::interrupt(), which ends the call in
/// progress within the drain timeout and leaves the session in step; the state is shared-owned
/// because a call that does not end within the grace period is abandoned and finishes on its own.
class PySession {
 public:
  explicit PySession(const session::Timeouts& timeouts) : core_(std::make_shared<Core>(timeouts)) {}

  /// Runs `work(session)` on a worker thread, under the session's mutex, while this thread waits
  /// without the GIL and watches for Ctrl-C; returns work's C++ result. `work` must capture by value.
  template <class Work>
  auto blocking(Work work) {
    auto core = core_;
    Interruption interruption;
    interruption.request = [core] { interrupt(*core, "interrupted (KeyboardInterrupt)"); };
    interruption.grace = kInterruptGrace;
    interruption.abandoned = [core] { core->abandoned = true; };
    return call_interruptibly(
        [core, work = std::move(work)]() mutable {
          std::lock_guard lock(core->mutex);
          close_if_abandoned(*core);
          // An interrupt that came as the previous call ended would end this one: drop it.
          if (core->interrupt_requested.exchange(false)) core->session.discard_interrupt();
          CloseWhenAbandoned after{*core};  // also when work throws
          return work(core->session);
        },
        interruption);
  }
  /// Session.interrupt(), from any thread: no lock (the call in progress holds it).
  void interrupt() { interrupt(*core_, "interrupted (Session.interrupt)"); }
  /// The transcript is thread-safe on its own: no lock needed.
  session::Transcript& transcript() noexcept { return core_->session.transcript(); }

 private:
  /// How long Ctrl-C waits for the interrupted call to read the server's answer and end (the
  /// engine's drain timeout, 500 ms by default, plus room) before abandoning it.
  static constexpr std::chrono::milliseconds kInterruptGrace{5000};

  struct Core {
    explicit Core(const session::Timeouts& timeouts) : session(timeouts) {}
    std::mutex mutex;
    session::Session session;
    /// Session::interrupt() was called; the next call discards it if no wait took it.
    std::atomic<bool> interrupt_requested{false};
    /// An interrupted call did not end in time: the conversation is in an unknown state.
    std::atomic<bool> abandoned{false};
  };
  static void interrupt(Core& core, const char* why) {
    core.session.transcript().event(session::Channel::control, why);
    core.interrupt_requested = true;
    core.session.interrupt();
  }
  /// An abandoned session is closed: the caller never saw the replies of its last call, so any
  /// later command would be answered out of step. Runs before and after each call (the flag may
  /// be set after the call's own check).
  static void close_if_abandoned(Core& core) noexcept {
    if (!core.abandoned.exchange(false)) return;
    try {
      core.session.transcript().event(session::Channel::control, "the interrupted call did not end in time: closing");
      core.session.close();
    } catch (...) {  // closing is best effort; the socket goes with the Session anyway
    }
  }
  struct CloseWhenAbandoned {
    Core& core;
    ~CloseWhenAbandoned() { close_if_abandoned(core); }
  };
  std::shared_ptr<Core> core_;
};

/// Reply codes a caller accepts: an int, or an iterable of ints; 1..5 stands for a whole class
/// (2 matches every 2yz), three digits for one code.
std::vector<int> accepted_codes(py::handle codes) {
  std::vector<int> accepted;
  if (py::isinstance<py::int_>(codes)) accepted.push_back(codes.cast<int>());
  else for (py::handle code : codes) accepted.push_back(code.cast<int>());
  for (int code : accepted)
    if (!(code >= 1 && code <= 5) && !(code >= 100 && code <= 599))
      throw py::value_error("expected codes are 1..5 (a reply class) or 100..599, not " + std::to_string(code));
  if (accepted.empty()) throw py::value_error("expected codes must not be empty");
  return accepted;
}

bool accepts(const std::vector<int>& accepted, int code) {
  for (int wanted : accepted)
    if (wanted == code || (wanted < 10 && wanted == code / 100)) return true;
  return false;
}

std::string describe_codes(const std::vector<int>& accepted) {
  std::string out;
  for (int code : accepted) out += (out.empty() ? "" : " or ") + (code < 10 ? std::to_string(code) + "yz" : std::to_string(code));
  return out;
}

void check_reply(const proto::Reply& reply, py::handle expect) {
  if (expect.is_none()) return;
  const auto accepted = accepted_codes(expect);
  if (!accepts(accepted, reply.code)) raise_reply_error(reply, "expected " + describe_codes(accepted) + ", got ");
}

/// Raises unless the reply is a completion (2yz): ftplib's convention for convenience methods.
void require_completion(const proto::Reply& reply) {
  if (reply.code / 100 != 2) raise_reply_error(reply);
}

session::DataConnection parse_via(const std::string& via) {
  for (const auto kind : {session::DataConnection::epsv, session::DataConnection::pasv, session::DataConnection::port,
                          session::DataConnection::eprt, session::DataConnection::kept})
    if (via == session::to_string(kind)) return kind;
  throw py::value_error("via must be 'epsv', 'pasv', 'port', 'eprt' or 'kept', not '" + via + "'");
}

/// Keyword arguments shared by every transfer method, parsed while the GIL is held.
struct TransferRequest {
  RepresentationRequest representation;
  session::DataConnection connection;
  std::optional<std::uint64_t> restart;
  bool keep_open = false;

  session::TransferOptions resolve(const session::Session& s) const {
    session::TransferOptions options;
    options.connection = connection;
    options.keep_open = keep_open;
    if (!representation.empty()) options.representation = representation.applied_to(s.representation());
    options.type_form = representation.type_form;
    options.restart = restart;
    return options;
  }
};

TransferRequest transfer_request(const std::optional<std::string>& type, const std::optional<std::string>& stru,
                                 const std::optional<std::string>& mode, const std::string& via,
                                 std::optional<std::uint64_t> rest, bool keep_open) {
  return {RepresentationRequest::parse(type, stru, mode), parse_via(via), rest, keep_open};
}

session::TransferResult checked(session::TransferResult result, bool check) {
  if (!check) return result;
  if (result.final_reply.code / 100 != 2) raise_reply_error(result.final_reply);
  if (result.codec_error) raise_codec_error("received data does not decode: " + result.codec_error.message());
  return result;
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

const char* direction_name(session::Direction d) {
  switch (d) {
    case session::Direction::client_to_server: return "client";
    case session::Direction::server_to_client: return "server";
    case session::Direction::event: return "event";
  }
  return "event";
}

/// Jupyter's rich display: one row per entry, client and server bytes told apart by colour.
std::string transcript_html(const session::Transcript& transcript) {
  std::string html =
      "<table class=\"ftpspec-transcript\" style=\"font-family:monospace;border-collapse:collapse\">"
      "<tr><th>time</th><th>channel</th><th>from</th><th>bytes</th></tr>";
  for (const auto& entry : transcript.entries()) {
    const char* colour = entry.direction == session::Direction::client_to_server   ? "#1f5fbf"
                         : entry.direction == session::Direction::server_to_client ? "#2e7d32"
                                                                                    : "#777777";
    char at[32];
    std::snprintf(at, sizeof at, "+%.6f", static_cast<double>(entry.at.count()) / 1e6);
    html += "<tr class=\"" + std::string(direction_name(entry.direction)) + "\" style=\"color:" + colour + "\"><td>" +
            at + "</td><td>" + (entry.channel == session::Channel::control ? "control" : "data") + "</td><td>" +
            direction_name(entry.direction) + "</td><td style=\"white-space:pre\">" +
            html_escape(entry.direction == session::Direction::event ? entry.bytes : session::escape_bytes(entry.bytes)) +
            "</td></tr>";
  }
  return html + "</table>";
}

void bind_transcript(py::module_& m) {
  py::class_<session::TranscriptEntry> entry(m, "TranscriptEntry", "One recorded chunk of bytes or connection event.");
  entry
      .def_property_readonly("at", [](const session::TranscriptEntry& e) { return static_cast<double>(e.at.count()) / 1e6; },
                             "Seconds since the transcript started.")
      .def_property_readonly("channel", [](const session::TranscriptEntry& e) {
        return e.channel == session::Channel::control ? "control" : "data"; }, "'control' or 'data'.")
      .def_property_readonly("direction", [](const session::TranscriptEntry& e) { return direction_name(e.direction); },
                             "'client' (sent by the session), 'server' (received) or 'event'.")
      .def_property_readonly("data", [](const session::TranscriptEntry& e) { return py::bytes(e.bytes); },
                             "The raw bytes, or the event's description (UTF-8).")
      .def("__repr__", [](const session::TranscriptEntry& e) {
        return "<TranscriptEntry +" + std::to_string(static_cast<double>(e.at.count()) / 1e6) + " " +
               direction_name(e.direction) + " " + session::escape_bytes(e.bytes) + ">";
      });
  entry.attr("__module__") = kPublicModule;

  py::class_<session::Transcript> transcript(m, "Transcript", R"doc(
Every byte a Session exchanged, with timestamps: the evidence behind a verdict.

``str(transcript)`` renders it (``+0.001234 C> USER anonymous``); in Jupyter it displays as a
table with client and server lines in different colours.
)doc");
  transcript
      .def("render", [](const session::Transcript& t, std::size_t start) { return to_py_str(t.render(start)); },
           py::arg("start") = 0, "The readable rendering from entry index `start` on.")
      .def("entries", &session::Transcript::entries, py::arg("start") = 0, "The entries from index `start` on.")
      .def("clear", &session::Transcript::clear, "Forgets every entry.")
      .def("__len__", &session::Transcript::size)
      .def("__str__", [](const session::Transcript& t) { return to_py_str(t.render()); })
      .def("__repr__", [](const session::Transcript& t) { return "<Transcript " + std::to_string(t.size()) + " entries>"; })
      .def("_repr_html_", [](const session::Transcript& t) { return to_py_str(transcript_html(t)); });
  transcript.attr("__module__") = kPublicModule;
}

py::list reply_list(const std::vector<proto::Reply>& replies) {
  py::list out;
  for (const auto& reply : replies) out.append(py::cast(reply));
  return out;
}

void bind_transfer_result(py::module_& m) {
  py::class_<session::TransferResult> result(m, "TransferResult", R"doc(
The outcome of one data transfer (RFC 959 §4.1.3): received data and every reply.

``replies`` holds the whole exchange (REST 350, the 1yz, the final reply); ``final_reply`` is the
completion (226/250) or the failure; ``ok`` is True for a 2yz final reply with decodable data.
)doc");
  result
      .def_property_readonly("data", [](const session::TransferResult& r) { return py::bytes(r.data); },
                             "Local-form bytes received (RETR/LIST/NLST); b'' for uploads.")
      .def_property_readonly("replies", [](const session::TransferResult& r) { return reply_list(r.replies); },
                             "Every reply of the exchange: REST 350, the 1yz, the final reply.")
      .def_readonly("final_reply", &session::TransferResult::final_reply, "The completion (226/250) or the failure.")
      .def_readonly("wire_bytes", &session::TransferResult::wire_bytes, "Bytes that crossed the data connection.")
      .def_readonly("data_connection_kept", &session::TransferResult::data_connection_kept,
                    "keep_open=True in MODE B/C and the server answered 250: the data connection stays "
                    "open for the next transfer with via='kept' (RFC 959 §3.3).")
      .def_property_readonly("codec_error", [](const session::TransferResult& r) -> py::object {
        if (!r.codec_error) return py::none();
        return py::str(r.codec_error.message());
      }, "Why the received wire data did not decode, or None.")
      .def_property_readonly("ok", &session::TransferResult::ok, "A 2yz final reply, all data received and decodable.")
      .def_property_readonly("lines", [](const session::TransferResult& r) {
        py::list lines;
        std::string_view rest = r.data;
        while (!rest.empty()) {
          std::size_t end = rest.find('\n');
          std::string_view line = rest.substr(0, end);
          if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
          lines.append(to_py_str(line));
          rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
        }
        return lines;
      }, "``data`` as text lines (for LIST/NLST listings).")
      .def("__repr__", [](const session::TransferResult& r) {
        return "<TransferResult " + std::to_string(r.final_reply.code) + " " + std::to_string(r.data.size()) +
               " bytes" + (r.ok() ? "" : " failed") + ">";
      });
  result.attr("__module__") = kPublicModule;
}

using OptionalText = std::optional<std::string>;
using Restart = std::optional<std::uint64_t>;

/// Runs one transfer without the GIL; `start` calls the right session::Session method.
/// `start` must capture by value (the call may outlive this frame after a Ctrl-C).
template <class Start>
session::TransferResult run_transfer(PySession& self, const TransferRequest& request, Start start) {
  return self.blocking([request, start](session::Session& s) { return start(s, request.resolve(s)); });
}

std::uint16_t port_number(int port) {
  if (port < 1 || port > 65535) throw py::value_error("port must be in 1..65535");
  return static_cast<std::uint16_t>(port);
}

proto::Reply connect(PySession& self, const std::string& host, int port) {
  const std::uint16_t number = port_number(port);
  proto::Reply greeting = self.blocking([host, number](session::Session& s) { return s.connect(host, number); });
  require_completion(greeting);
  return greeting;
}

// The keyword arguments every transfer method takes (RFC 959 §5.3.2 TYPE/STRU/MODE syntax).
#define FTPSPEC_TRANSFER_KWARGS                                                                   \
  py::kw_only(), py::arg("type") = py::none(), py::arg("stru") = py::none(), py::arg("mode") = py::none(), \
      py::arg("via") = "epsv", py::arg("rest") = py::none(), py::arg("keep_open") = false

const char* const kSessionDoc = R"doc(
One FTP control connection (RFC 959 §2.3 user-PI) and its data connections.

Every network wait has a timeout (seconds, floats) and releases the GIL. Low-level calls
(``cmd``, ``send``, ``read_reply``, ``transfer``) return whatever the server answers;
convenience calls (``connect``, ``login``, ``retr``, ``stor``...) raise ``error_temp`` /
``error_perm`` (carrying ``.reply``) when it refuses, like ftplib.

    with ftpspec.Session("127.0.0.1", 2121) as s:
        s.login("user", "pass")
        data = s.retr("hello.txt", type="I")

Calls are serialized: several threads may share a Session, one call at a time. Ctrl-C during a
call closes its data connection, reads the server's answer and raises KeyboardInterrupt; the
session stays usable (``interrupt()`` does the same from another thread).
)doc";

void bind_session_class(py::module_& m) {
  py::class_<PySession> cls(m, "Session", kSessionDoc);
  cls.def(py::init([](py::object host, int port, double connect_timeout, double reply_timeout, double data_timeout) {
            session::Timeouts timeouts{to_duration(connect_timeout, "connect_timeout"),
                                       to_duration(reply_timeout, "reply_timeout"),
                                       to_duration(data_timeout, "data_timeout")};
            auto self = std::make_unique<PySession>(timeouts);
            if (!host.is_none()) connect(*self, host.cast<std::string>(), port);
            return self;
          }),
          py::arg("host") = py::none(), py::arg("port") = 21, py::kw_only(), py::arg("connect_timeout") = 5.0,
          py::arg("reply_timeout") = 10.0, py::arg("data_timeout") = 30.0,
          "Session(host=None, port=21, *, connect_timeout=5.0, reply_timeout=10.0, data_timeout=30.0): "
          "connects at once when `host` is given.")
      .def("connect", &connect, py::arg("host") = "127.0.0.1", py::arg("port") = 21,
           "Connects and reads the greeting (RFC 959 §5.4: 120 replies, then 220); returns the 220. "
           "Raises error_temp/error_perm for a negative greeting (e.g. 421).")
      .def("login", [](PySession& self, const std::string& user, std::string password, const std::string& acct) {
             if (password.empty() && (user == "anonymous" || user == "ftp")) password = "anonymous@";
             proto::Reply reply = self.blocking([user, password, acct](session::Session& s) { return s.login(user, password, acct); });
             require_completion(reply);
             return reply;
           },
           py::arg("user") = "anonymous", py::arg("password") = "", py::arg("acct") = "",
           "USER, then PASS on 331, then ACCT on 332 (RFC 959 §5.4); returns the final 2yz reply. "
           "Raises error_perm (e.g. 530) or error_temp when refused, error_reply when it ends in 3yz.")
      .def("cmd", [](PySession& self, py::handle line, py::handle expect) {
             const std::string text = to_bytes(line, "line");
             proto::Reply reply = self.blocking([text](session::Session& s) { return s.command(text); });
             check_reply(reply, expect);
             return reply;
           },
           py::arg("line"), py::kw_only(), py::arg("expect") = py::none(),
           "Sends one command line (no CRLF) and returns its first reply, whatever it is. With `expect` "
           "(a code, a class 1-5, or several), raises error_reply/temp/perm for any other reply.")
      .def("send", [](PySession& self, py::handle data) {
             const std::string bytes = to_bytes(data, "data");
             self.blocking([bytes](session::Session& s) { s.send_raw(bytes); });
           },
           py::arg("data"), "Sends bytes exactly as given (malformed input on purpose); reads nothing.")
      .def("send_urgent", [](PySession& self, py::handle data) {
             const std::string bytes = to_bytes(data, "data");
             self.blocking([bytes](session::Session& s) { s.send_urgent(bytes); });
           },
           py::arg("data"), "Sends bytes as TCP urgent data (Telnet Synch, RFC 959 §4.1.3 ABOR).")
      .def("abort", [](PySession& self) {
             // 426 (the transfer was cut) comes first when one was running; the 225/226 ends it.
             auto replies = self.blocking([](session::Session& s) {
               s.send_abort();
               std::vector<proto::Reply> out{s.read_reply()};
               if (out.back().code == 426 || out.back().code == 425 || out.back().code == 451) out.push_back(s.read_reply());
               return out;
             });
             if (replies.back().code / 100 != 2) raise_reply_error(replies.back());
             return replies.back();
           },
           "ABOR with Telnet IP and Synch (RFC 959 §4.1.3), like ftplib's abort(): returns the "
           "closing 225/226 (after reading a 426 for a transfer that was cut); raises "
           "error_temp/error_perm otherwise. For a transfer you drive yourself (send + your own "
           "data connection); a transfer method of this Session is ended with Ctrl-C or interrupt().")
      .def("connect_tls", [](PySession& self, const std::string& host, int port) {
             const std::uint16_t number = port_number(port);
             proto::Reply greeting = self.blocking([host, number](session::Session& s) { return s.connect_tls(host, number); });
             require_completion(greeting);
             return greeting;
           },
           py::arg("host") = "127.0.0.1", py::arg("port") = 990,
           "Implicit FTPS: connects, runs the TLS handshake at once, then reads the greeting. Raises "
           "ConnectionFailed when the handshake fails.")
      .def("auth_tls", [](PySession& self) {
             return self.blocking([](session::Session& s) { return s.auth_tls(); });
           },
           "AUTH TLS (RFC 4217 §4.1): on 234 secures the control connection (ConnectionFailed when the "
           "handshake fails). Any other reply is returned as is and the connection stays clear.")
      .def("secure_data", [](PySession& self, const std::string& level) {
             if (level != "P" && level != "C") throw py::value_error("level must be 'P' (private) or 'C' (clear)");
             const char protection = level.front();
             return reply_list(self.blocking([protection](session::Session& s) { return s.secure_data(protection); }));
           },
           py::arg("level") = "P",
           "PBSZ 0 then PROT `level` (RFC 4217 §8-9); returns both replies. After a 2yz to PROT P, data "
           "connections use TLS.")
      .def("ccc", [](PySession& self) { return self.blocking([](session::Session& s) { return s.ccc(); }); },
           "CCC (RFC 4217 §5): on 200 the control connection returns to clear text. Returns the reply.")
      .def("set_tls_options", [](PySession& self, bool verify, const std::string& ca_file, const std::string& server_name,
                                 bool reuse_session) {
             const session::TlsOptions options{verify, ca_file, server_name, reuse_session};
             self.blocking([options](session::Session& s) { s.set_tls_options(options); });
           },
           py::kw_only(), py::arg("verify") = false, py::arg("ca_file") = "", py::arg("server_name") = "",
           py::arg("reuse_session") = true,
           "TLS client settings: certificate verification is off by default (test servers use "
           "self-signed certificates); `reuse_session` resumes the control TLS session on data "
           "connections (RFC 4217 §10.2).")
      .def_property_readonly("control_secure", [](PySession& self) {
        return self.blocking([](session::Session& s) { return s.control_secure(); }); },
        "True when the control connection runs over TLS.")
      .def_property_readonly("data_protection", [](PySession& self) {
        return std::string(1, self.blocking([](session::Session& s) { return s.data_protection(); })); },
        "The PROT level in force: 'C' (clear) or 'P' (private).")
      .def("read_reply", [](PySession& self, std::optional<double> timeout) {
             std::optional<std::chrono::milliseconds> wait;
             if (timeout) wait = to_duration(*timeout, "timeout");
             return self.blocking([wait](session::Session& s) { return s.read_reply(wait); });
           },
           py::arg("timeout") = py::none(),
           "Reads the next reply; raises Timeout when none completes within `timeout` seconds "
           "(default: the session's reply_timeout).")
      .def("expect", [](PySession& self, py::handle codes, std::optional<double> timeout) {
             const auto accepted = accepted_codes(codes);  // validated before waiting
             std::optional<std::chrono::milliseconds> wait;
             if (timeout) wait = to_duration(*timeout, "timeout");
             proto::Reply reply = self.blocking([wait](session::Session& s) { return s.read_reply(wait); });
             if (!accepts(accepted, reply.code)) raise_reply_error(reply, "expected " + describe_codes(accepted) + ", got ");
             return reply;
           },
           py::arg("codes"), py::kw_only(), py::arg("timeout") = py::none(),
           "Reads the next reply and returns it if its code is in `codes` (an int or several; 1-5 "
           "stands for a whole class: 2 accepts any 2yz); raises error_reply/temp/perm otherwise.")
      .def("deviations", [](PySession& self) {
             auto deviations = self.blocking([](session::Session& s) { return s.take_deviations(); });
             py::list out;
             for (const auto& d : deviations) out.append(py::make_tuple(to_py_str(d.rule), d.offset));
             return out;
           },
           "Departures from the RFCs the reply parser tolerated since the last call, as "
           "(rule, offset) tuples (e.g. a bare LF line ending, RFC 959 §4.2).")
      .def("retr", [](PySession& self, py::handle path, OptionalText type, OptionalText stru, OptionalText mode,
                      const std::string& via, Restart rest, bool keep_open) {
             const std::string name = to_bytes(path, "path");
             const auto request = transfer_request(type, stru, mode, via, rest, keep_open);
             auto result = run_transfer(self, request, [=](session::Session& s, const auto& o) { return s.retr(name, o); });
             return py::bytes(checked(std::move(result), true).data);
           },
           py::arg("path"), FTPSPEC_TRANSFER_KWARGS,
           "RETR (RFC 959 §4.1.3): the file's bytes in local form. Raises error_temp/error_perm when "
           "refused, CodecError when the data does not decode. Use transfer() to inspect the replies.")
      .def("stor", [](PySession& self, py::handle path, py::handle data, OptionalText type, OptionalText stru,
                      OptionalText mode, const std::string& via, Restart rest, bool keep_open, bool check) {
             const std::string name = to_bytes(path, "path"), payload = to_bytes(data, "data");
             const auto request = transfer_request(type, stru, mode, via, rest, keep_open);
             return checked(run_transfer(self, request, [=](session::Session& s, const auto& o) {
               return s.stor(name, payload, o); }), check);
           },
           py::arg("path"), py::arg("data"), FTPSPEC_TRANSFER_KWARGS, py::arg("check") = true,
           "STOR (RFC 959 §4.1.3) `data` (local form). With check=True raises when refused.")
      .def("appe", [](PySession& self, py::handle path, py::handle data, OptionalText type, OptionalText stru,
                      OptionalText mode, const std::string& via, Restart rest, bool keep_open, bool check) {
             const std::string name = to_bytes(path, "path"), payload = to_bytes(data, "data");
             const auto request = transfer_request(type, stru, mode, via, rest, keep_open);
             return checked(run_transfer(self, request, [=](session::Session& s, const auto& o) {
               return s.appe(name, payload, o); }), check);
           },
           py::arg("path"), py::arg("data"), FTPSPEC_TRANSFER_KWARGS, py::arg("check") = true,
           "APPE (RFC 959 §4.1.3): appends `data`. With check=True raises when refused.")
      .def("stou", [](PySession& self, py::handle data, OptionalText type, OptionalText stru, OptionalText mode,
                      const std::string& via, Restart rest, bool keep_open, bool check) {
             const std::string payload = to_bytes(data, "data");
             const auto request = transfer_request(type, stru, mode, via, rest, keep_open);
             return checked(run_transfer(self, request, [=](session::Session& s, const auto& o) {
               return s.stou(payload, o); }), check);
           },
           py::arg("data"), FTPSPEC_TRANSFER_KWARGS, py::arg("check") = true,
           "STOU (RFC 959 §4.1.3): stores under a name the server chooses (in the replies, RFC 1123 §4.1.2.9).")
      .def("list", [](PySession& self, py::handle path, OptionalText type, OptionalText stru, OptionalText mode,
                      const std::string& via, Restart rest, bool keep_open, bool check) {
             const std::string name = to_bytes(path, "path");
             const auto request = transfer_request(type, stru, mode, via, rest, keep_open);
             return checked(run_transfer(self, request, [=](session::Session& s, const auto& o) {
               return s.list(name, o); }), check);
           },
           py::arg("path") = "", FTPSPEC_TRANSFER_KWARGS, py::arg("check") = true,
           "LIST (RFC 959 §4.1.3): the listing is in `.data` / `.lines`.")
      .def("nlst", [](PySession& self, py::handle path, OptionalText type, OptionalText stru, OptionalText mode,
                      const std::string& via, Restart rest, bool keep_open, bool check) {
             const std::string name = to_bytes(path, "path");
             const auto request = transfer_request(type, stru, mode, via, rest, keep_open);
             return checked(run_transfer(self, request, [=](session::Session& s, const auto& o) {
               return s.nlst(name, o); }), check);
           },
           py::arg("path") = "", FTPSPEC_TRANSFER_KWARGS, py::arg("check") = true,
           "NLST (RFC 959 §4.1.3): the names are in `.lines`.")
      .def("mlsd", [](PySession& self, py::handle path, const std::string& via) {
             const std::string name = to_bytes(path, "path");
             const auto request = transfer_request(std::nullopt, std::nullopt, std::nullopt, via, std::nullopt, false);
             auto result = checked(run_transfer(self, request, [=](session::Session& s, const auto& o) {
               return s.transfer(name.empty() ? std::string("MLSD") : "MLSD " + name, std::nullopt, o); }), true);
             // RFC 3659 §7.2: one entry per CRLF-terminated line, facts then SP pathname.
             py::list entries;
             std::string_view rest = result.data;
             while (!rest.empty()) {
               const std::size_t end = rest.find('\n');
               const std::string_view line = rest.substr(0, end);
               rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
               if (line.empty() || line == "\r") continue;
               proto::ListingError error;
               const auto entry = proto::parse_mlsx_line(line, &error);
               if (!entry)
                 raise_protocol_error(fmt::format("MLSD line \"{}\": {} at byte {} (RFC 3659 §7.2)",
                                                  session::escape_bytes(line), error.message, error.offset));
               py::dict facts;
               for (const auto& [fact, value] : entry->facts) facts[to_py_str(fact)] = to_py_str(value);
               entries.append(py::make_tuple(to_py_str(entry->name), facts));
             }
             return entries;
           },
           py::arg("path") = "", py::kw_only(), py::arg("via") = "epsv",
           "MLSD (RFC 3659 §7): a list of (name, facts) with fact names lower-cased, as ftplib's "
           "mlsd() yields them. Raises error_temp/error_perm when refused, ProtocolError for a line "
           "that breaks the RFC 3659 §7.2 grammar.")
      .def("transfer", [](PySession& self, py::handle line, py::handle data, OptionalText type, OptionalText stru,
                          OptionalText mode, const std::string& via, Restart rest, bool keep_open, bool check) {
             const std::string text = to_bytes(line, "line");
             std::optional<std::string> upload;
             if (!data.is_none()) upload = to_bytes(data, "data");
             const auto request = transfer_request(type, stru, mode, via, rest, keep_open);
             return checked(run_transfer(self, request, [=](session::Session& s, const auto& o) {
               return s.transfer(text, upload ? std::optional<std::string_view>(*upload) : std::nullopt, o); }), check);
           },
           py::arg("line"), py::arg("data") = py::none(), FTPSPEC_TRANSFER_KWARGS, py::arg("check") = false,
           "Any transfer command: prepares the data connection, sends `line`, then uploads `data` or "
           "receives. Returns the TransferResult without raising (check=False) for conformance checks.")
      .def("set_representation", [](PySession& self, OptionalText type, OptionalText stru, OptionalText mode) {
             const auto request = RepresentationRequest::parse(type, stru, mode);
             auto replies = self.blocking([request](session::Session& s) {
               return s.set_representation(request.applied_to(s.representation()), request.type_form); });
             return reply_list(replies);
           },
           py::kw_only(), py::arg("type") = py::none(), py::arg("stru") = py::none(), py::arg("mode") = py::none(),
           "Sends TYPE/STRU/MODE as needed (RFC 959 §4.1.2); returns the replies without judging them.")
      .def_property_readonly("representation", [](PySession& self) {
             auto rep = self.blocking([](session::Session& s) { return s.representation(); });
             return py::make_tuple(codec::type_argument(rep, codec::FormCode::written), std::string(1, codec::stru_argument(rep.structure)),
                                   std::string(1, codec::mode_argument(rep.mode)));
           }, "The current (TYPE, STRU, MODE) arguments, e.g. ('A N', 'F', 'S').")
      .def("quit", [](PySession& self) { self.blocking([](session::Session& s) { s.quit(); }); },
           "QUIT and close; errors are ignored.")
      .def("close", [](PySession& self) { self.blocking([](session::Session& s) { s.close(); }); },
           "Closes without QUIT.")
      .def("interrupt", [](PySession& self) { self.interrupt(); },
           "From another thread: ends the call this session is in (a transfer closes its data connection "
           "and reads the server's 426), which raises ftpspec.Error; the session stays usable. Ctrl-C does "
           "the same and raises KeyboardInterrupt. One that no call took is dropped by the next call.")
      .def_property_readonly("connected", [](PySession& self) {
        return self.blocking([](session::Session& s) { return s.connected(); }); }, "True while the control connection is open.")
      .def_property_readonly("greeting", [](PySession& self) {
        return reply_list(self.blocking([](session::Session& s) { return s.greeting_replies(); }));
      }, "Every greeting reply (any 120s, then the 220).")
      .def_property_readonly("welcome", [](PySession& self) -> py::object {
        auto greeting = self.blocking([](session::Session& s) { return s.greeting_replies(); });
        if (greeting.empty()) return py::none();
        return to_py_str(greeting.back().text());
      }, "The final greeting's text, or None before connect().")
      .def_property_readonly("local_address", [](PySession& self) {
        return self.blocking([](session::Session& s) { return s.local_address(); }); }, "Our end of the control connection.")
      .def_property_readonly("remote_address", [](PySession& self) {
        return self.blocking([](session::Session& s) { return s.remote_address(); }); }, "The server's end of the control connection.")
      .def_property_readonly("transcript", &PySession::transcript, py::return_value_policy::reference_internal,
                             "The Transcript of every byte exchanged (str() renders it).");

  // Timeouts as float seconds, readable and settable one by one.
  using Field = std::chrono::milliseconds session::Timeouts::*;
  const std::pair<const char*, Field> fields[] = {{"connect_timeout", &session::Timeouts::connect},
                                                  {"reply_timeout", &session::Timeouts::reply},
                                                  {"data_timeout", &session::Timeouts::data}};
  for (const auto& [name, field] : fields) {
    cls.def_property(
        name,
        [field = field](PySession& self) {
          auto t = self.blocking([](session::Session& s) { return s.timeouts(); });
          return static_cast<double>((t.*field).count()) / 1000.0;
        },
        [field = field, name = name](PySession& self, double seconds) {
          const auto value = to_duration(seconds, name);
          self.blocking([field, value](session::Session& s) {
            session::Timeouts t = s.timeouts();
            t.*field = value;
            s.set_timeouts(t);
          });
        },
        "Seconds (a float); settable at any time.");
  }

  cls.def("__enter__", [](py::object self) { return self; })
      .def("__exit__", [](PySession& self, py::args) {
             self.blocking([](session::Session& s) {
               if (s.connected()) s.quit();
               else s.close();
             });
             return false;
           }, "Quits (QUIT, then close) when connected.")
      .def("__repr__", [](PySession& self) {
        return self.blocking([](session::Session& s) {
          return s.connected() ? "<Session connected to " + s.remote_address() + ">" : std::string("<Session not connected>");
        });
      });
  cls.attr("__module__") = kPublicModule;
}

#undef FTPSPEC_TRANSFER_KWARGS

}  // namespace

void init_session(py::module_& m) {
  bind_transcript(m);
  bind_transfer_result(m);
  bind_session_class(m);
}

}  // namespace ftpspec::python
