// The exception hierarchy of ftpspec and the translation of C++ failures into it.
//
//   Error(Exception)                       everything ftpspec raises on its own
//   ├── ProtocolError                      a reply the parser rejected, a bad 227/229 address...
//   ├── Timeout(Error, TimeoutError)       a network wait ran out (every wait has a timeout)
//   ├── ConnectionFailed(Error, ConnectionError)  refused, reset, or closed by the server
//   ├── error_reply                        a reply other than the expected one (ftplib's names)
//   │   ├── error_temp                     4yz, RFC 959 §4.2.1 Transient Negative Completion
//   │   └── error_perm                     5yz, RFC 959 §4.2.1 Permanent Negative Completion
//   └── codec.CodecError(Error, ValueError)  data that does not decode in its representation
//
// Harness problems (timeouts, refused connections) and server answers (error_reply family) are
// different families on purpose: a conformance test must not mistake one for the other.
#include <boost/system/system_error.hpp>

#include <cerrno>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "common.hpp"
#include "session/session.hpp"

namespace ftpspec::python {
namespace {

struct ErrorTypes {
  py::object error, protocol, timeout, connection, reply, temp, perm;
};
/// Leaked on purpose: Python objects must not be released after the interpreter is finalized.
ErrorTypes& error_types() {
  static auto* types = new ErrorTypes;
  return *types;
}

py::object new_exception(py::module_& scope, const char* name, py::handle bases, const char* doc) {
  const std::string qualified = std::string(kPublicModule) + "." + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
  if (type == nullptr) throw py::error_already_set();
  auto object = py::reinterpret_steal<py::object>(type);
  scope.attr(name) = object;
  return object;
}

/// Sets `type(errno, message)` (OSError's two-argument form fills .errno/.strerror) or
/// `type(message)` as the pending Python exception.
void set_error(const py::object& type, const std::string& message, int error_number = 0) {
  py::object instance = error_number != 0 ? type(error_number, message) : type(message);
  PyErr_SetObject(type.ptr(), instance.ptr());
}

bool is_connection_errno(int value) {
  switch (value) {
    case ECONNREFUSED: case ECONNRESET: case ECONNABORTED: case EPIPE: case ENOTCONN:
    case EHOSTUNREACH: case ENETUNREACH:
      return true;
    default:
      return false;
  }
}

/// Maps an errno-valued failure (system or generic category) onto the hierarchy.
void set_errno_error(int value, const std::string& message) {
  const ErrorTypes& types = error_types();
  if (value == ETIMEDOUT) return set_error(types.timeout, message, value);
  if (is_connection_errno(value)) return set_error(types.connection, message, value);
  py::object os_error = py::reinterpret_borrow<py::object>(PyExc_OSError);
  set_error(os_error, message, value);
}

void set_session_error(const std::error_code& code, const std::string& message) {
  const ErrorTypes& types = error_types();
  if (code.category() == session::category()) {
    switch (static_cast<session::errc>(code.value())) {
      case session::errc::timeout: return set_error(types.timeout, message);
      case session::errc::connection_closed:
      case session::errc::not_connected: return set_error(types.connection, message);
      case session::errc::invalid_argument: {
        PyErr_SetString(PyExc_ValueError, message.c_str());
        return;
      }
      case session::errc::tls_failed: return set_error(types.connection, message);  // RFC 4217 §4 handshake
      case session::errc::reply_too_long:  // beyond the parser's limits; the session closed
      case session::errc::malformed_reply:
      case session::errc::bad_passive_reply:
      case session::errc::unexpected_reply: return set_error(types.protocol, message);
      case session::errc::interrupted: break;  // Session.interrupt() from another thread
    }
    return set_error(types.error, message);
  }
  // Boost.System codes converted to std::error_code keep Boost's category names ("system",
  // "generic", "asio.misc"), not std::system_category's identity: match by name.
  const std::string_view category = code.category().name();
  if (category == "system" || category == "generic") return set_errno_error(code.value(), message);
  if (category == "asio.misc") return set_error(types.connection, message);  // eof: the peer closed
  set_error(types.error, message);
}

void translate(std::exception_ptr failure) {
  try {
    if (failure) std::rethrow_exception(failure);
  } catch (const session::Error& e) {
    set_session_error(e.code(), e.what());
  } catch (const std::system_error& e) {
    set_session_error(e.code(), e.what());
  } catch (const boost::system::system_error& e) {
    // Asio's own exceptions, should one leak out of the engine.
    set_session_error(std::error_code(e.code()), e.what());
  }
}

}  // namespace

void raise_protocol_error(const std::string& message) {
  const ErrorTypes& types = error_types();
  PyErr_SetObject(types.protocol.ptr(), types.protocol(to_py_str(message)).ptr());
  throw py::error_already_set();
}

void raise_reply_error(const proto::Reply& reply, std::string_view prefix) {
  const ErrorTypes& types = error_types();
  const py::object& type = reply.code / 100 == 4 ? types.temp : reply.code / 100 == 5 ? types.perm : types.reply;
  std::string message(prefix);
  for (std::size_t i = 0; i < reply.lines.size(); ++i) message += (i ? "\n" : "") + reply.lines[i];
  if (reply.lines.empty()) message += std::to_string(reply.code);
  py::object instance = type(to_py_str(message));
  instance.attr("reply") = py::cast(reply);
  PyErr_SetObject(type.ptr(), instance.ptr());
  throw py::error_already_set();
}

void init_errors(py::module_& m) {
  ErrorTypes& types = error_types();
  types.error = new_exception(m, "Error", PyExc_Exception, "Base class of every error ftpspec raises itself.");
  types.protocol = new_exception(m, "ProtocolError", types.error,
                                 "The server's bytes broke the protocol: a reply the parser rejected "
                                 "(RFC 959 §4.2), an unparseable 227/229 address, a transfer reply out of order.");
  types.timeout = new_exception(m, "Timeout", py::make_tuple(types.error, py::handle(PyExc_TimeoutError)),
                                "A network wait (connect, reply, data) ran out. Also a builtin TimeoutError.");
  types.connection = new_exception(
      m, "ConnectionFailed", py::make_tuple(types.error, py::handle(PyExc_ConnectionError)),
      "The connection was refused, reset or closed by the server. Also a builtin ConnectionError.");
  types.reply = new_exception(m, "error_reply", types.error,
                              "The server answered with a reply other than the expected one (as ftplib's "
                              "error_reply). The reply is in `.reply`.");
  types.temp = new_exception(m, "error_temp", types.reply,
                             "A 4yz reply: transient negative completion (RFC 959 §4.2.1). See `.reply`.");
  types.perm = new_exception(m, "error_perm", types.reply,
                             "A 5yz reply: permanent negative completion (RFC 959 §4.2.1). See `.reply`.");
  py::register_exception_translator(&translate);
}

}  // namespace ftpspec::python
