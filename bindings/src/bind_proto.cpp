// ftpspec.Reply and ftpspec.ReplyKind: a server reply (RFC 959 §4.2) as an immutable value.
#include <pybind11/stl.h>

#include "common.hpp"

namespace ftpspec::python {
namespace {

py::object optional_text(std::string_view text) {
  if (text.empty()) return py::none();
  return to_py_str(text);
}

/// Lines of a reply built from a code and free text, in the RFC 959 §4.2 multi-line form.
std::vector<std::string> lines_from_text(int code, std::string_view text) {
  const std::string wire = proto::format_reply(code, text);
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < wire.size()) {
    const std::size_t end = wire.find("\r\n", start);
    lines.push_back(wire.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

std::string reply_repr(const proto::Reply& reply) {
  const std::string text = reply.text();
  const std::string first = text.substr(0, text.find('\n'));
  std::string out = "<Reply " + std::to_string(reply.code) + " " +
                    std::string(py::repr(to_py_str(first)));
  if (reply.is_multiline()) out += " +" + std::to_string(reply.lines.size() - 1) + " lines";
  return out + ">";
}

}  // namespace

void init_proto(py::module_& m) {
  py::enum_<proto::ReplyKind>(m, "ReplyKind", "The first digit of a reply code (RFC 959 §4.2.1).")
      .value("POSITIVE_PRELIMINARY", proto::ReplyKind::positive_preliminary, "1yz: started, another reply follows")
      .value("POSITIVE_COMPLETION", proto::ReplyKind::positive_completion, "2yz: completed")
      .value("POSITIVE_INTERMEDIATE", proto::ReplyKind::positive_intermediate, "3yz: more information needed")
      .value("TRANSIENT_NEGATIVE", proto::ReplyKind::transient_negative, "4yz: failed, may succeed if retried")
      .value("PERMANENT_NEGATIVE", proto::ReplyKind::permanent_negative, "5yz: failed, do not retry as is")
      .attr("__module__") = kPublicModule;

  py::class_<proto::Reply> reply(m, "Reply", R"doc(
A server reply (RFC 959 §4.2): a three-digit code and its text lines, as received.

``lines`` keeps every line without its line ending, the code included
(``["211-Features:", " EPSV", "211 End"]``); ``text`` is the human-readable part.
Bytes that are not UTF-8 are kept as surrogate escapes (like ``os.fsdecode``).
)doc");
  reply
      .def(py::init([](int code, py::object text) {
             if (code < 100 || code > 599) throw py::value_error("reply code must be in 100..599");
             if (text.is_none()) return proto::Reply{code, {std::to_string(code)}};
             if (py::isinstance<py::str>(text)) return proto::Reply{code, lines_from_text(code, to_bytes(text, "text"))};
             std::vector<std::string> lines;
             for (py::handle line : text) lines.push_back(to_bytes(line, "line"));
             if (lines.empty()) throw py::value_error("a reply has at least one line");
             return proto::Reply{code, std::move(lines)};
           }),
           py::arg("code"), py::arg("text") = py::none(),
           "Reply(code, text=None): ``text`` is a str (split into RFC 959 §4.2 lines, multi-line "
           "when it contains newlines) or the list of raw lines.")
      .def_readonly("code", &proto::Reply::code, "The three-digit reply code.")
      .def_property_readonly("lines", [](const proto::Reply& r) {
             py::list lines;
             for (const auto& line : r.lines) lines.append(to_py_str(line));
             return lines;
           }, "Every line as received (Telnet-decoded), without line endings.")
      .def_property_readonly("text", [](const proto::Reply& r) { return to_py_str(r.text()); },
                             "The text without the code: lines joined with '\\n'.")
      .def_property_readonly("kind", &proto::Reply::kind, "The ReplyKind (first digit).")
      .def_property_readonly("function_digit", &proto::Reply::function_digit,
                             "The second digit: 0 syntax, 1 information, 2 connections, 3 authentication, "
                             "5 file system (RFC 959 §4.2.1).")
      .def_property_readonly("is_multiline", &proto::Reply::is_multiline)
      .def_property_readonly("is_preliminary", &proto::Reply::is_preliminary, "1yz.")
      .def_property_readonly("is_positive", &proto::Reply::is_positive, "1yz, 2yz or 3yz.")
      .def_property_readonly("is_negative", &proto::Reply::is_negative, "4yz or 5yz.")
      .def_property_readonly("meaning", [](const proto::Reply& r) { return optional_text(proto::describe_code(r.code)); },
                             "What the RFCs say the code means, or None for a code no RFC here defines.")
      .def_property_readonly("wire", [](const proto::Reply& r) { return py::bytes(r.wire()); },
                             "The reply as bytes on the wire (CRLF line endings).")
      .def("__repr__", &reply_repr)
      .def("__str__", [](const proto::Reply& r) {
        std::string joined;
        for (std::size_t i = 0; i < r.lines.size(); ++i) joined += (i ? "\n" : "") + r.lines[i];
        return to_py_str(joined);
      })
      .def("__eq__", [](const proto::Reply& a, const proto::Reply& b) { return a.code == b.code && a.lines == b.lines; })
      .def("__hash__", [](const proto::Reply& r) {
        py::tuple lines(r.lines.size());
        for (std::size_t i = 0; i < r.lines.size(); ++i) lines[i] = py::bytes(r.lines[i]);
        return py::hash(py::make_tuple(r.code, lines));
      });
  reply.attr("__module__") = kPublicModule;

  m.def("describe_code", [](int code) { return optional_text(proto::describe_code(code)); }, py::arg("code"),
        "What RFC 959 §4.2.1-§4.2.2 (and RFC 2228/2428/3659/4217) say a reply code means, or None.");
}

}  // namespace ftpspec::python
