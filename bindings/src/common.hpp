// Shared helpers of the ftpspec._core binding: module init functions, text/bytes conversions that
// never fail on a peer's bytes, and the ftplib-style reply errors.
#pragma once
#include <pybind11/pybind11.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/representation.hpp"
#include "proto/reply.hpp"
#include "scenario/ast.hpp"

namespace ftpspec::python {

namespace py = pybind11;

/// The public names live in the `ftpspec` package; `__module__` says so in reprs and pickles.
inline constexpr const char* kPublicModule = "ftpspec";

void init_errors(py::module_& m);
void init_proto(py::module_& m);
void init_codec(py::module_& m);
void init_session(py::module_& m);
void init_server(py::module_& m);
void init_run(py::module_& m);
void init_programs(py::module_& m);
void init_client(py::module_& m);

/// Peer text as `str`: UTF-8 with "surrogateescape", so any byte a server sends survives the
/// conversion and round-trips through `to_bytes` (the os.fsdecode convention).
py::str to_py_str(std::string_view text);
/// A command line, path or payload from Python: `str` (UTF-8, surrogateescape) or any bytes-like
/// object. Raises TypeError for anything else.
std::string to_bytes(py::handle value, const char* what);
/// Seconds as a float (Python's timeout convention) to milliseconds; ValueError unless positive.
std::chrono::milliseconds to_duration(double seconds, const char* what);

/// A TYPE/STRU/MODE request from keyword arguments ("A", "I", "L 8", "E T"; "F"/"R"/"P";
/// "S"/"B"/"C"), RFC 959 §5.3.2 syntax. Unset fields keep the base representation's value.
struct RepresentationRequest {
  std::optional<codec::Representation> type;
  std::optional<codec::Structure> structure;
  std::optional<codec::Mode> mode;
  /// "A N" asks for the form code on the wire; "A" sends "TYPE A", as clients do.
  codec::FormCode type_form = codec::FormCode::implied;

  static RepresentationRequest parse(const std::optional<std::string>& type, const std::optional<std::string>& stru,
                                     const std::optional<std::string>& mode);
  bool empty() const noexcept { return !type && !structure && !mode; }
  codec::Representation applied_to(codec::Representation base) const;
};

/// Raises error_temp (4yz), error_perm (5yz) or error_reply (anything else) carrying `reply` as
/// `.reply`; the message is `prefix` followed by the reply as sent, as ftplib's errors read.
[[noreturn]] void raise_reply_error(const proto::Reply& reply, std::string_view prefix = {});
/// Raises ftpspec.ScriptError listing `diagnostics` (file:line:column: message), also as
/// `.diagnostics` tuples. For any case file (scenarios, client cases, profiles).
[[noreturn]] void raise_script_error(const std::vector<scenario::Diagnostic>& diagnostics);
/// A `case=` selection: None, one glob, or several.
std::vector<std::string> globs_from(py::handle selection);

/// Raises ftpspec.ProtocolError with `message` (the server's bytes broke the protocol).
[[noreturn]] void raise_protocol_error(const std::string& message);
/// Raises ftpspec.codec.CodecError with `message`.
[[noreturn]] void raise_codec_error(const std::string& message);

}  // namespace ftpspec::python
