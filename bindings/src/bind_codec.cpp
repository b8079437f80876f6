// ftpspec.codec: the TYPE x STRU x MODE data codecs (RFC 959 §3.1-§3.4) on in-memory bytes.
#include <pybind11/stl.h>

#include <stdexcept>
#include <system_error>

#include "codec/codec.hpp"
#include "common.hpp"

namespace ftpspec::python {
namespace {

/// Thrown by the codec functions; registered as ftpspec.codec.CodecError.
class CodecFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

codec::Representation requested(const std::string& type, const std::string& stru, const std::string& mode) {
  codec::Representation rep = RepresentationRequest::parse(type, stru, mode).applied_to({});
  if (std::string reason = codec::unsupported_reason(rep); !reason.empty())
    throw CodecFailure("unsupported representation (TYPE " + codec::type_argument(rep, codec::FormCode::written) + ", STRU " +
                       codec::stru_argument(rep.structure) + ", MODE " + codec::mode_argument(rep.mode) +
                       "): " + reason);
  return rep;
}

py::bytes encode(py::handle data, const std::string& type, const std::string& stru, const std::string& mode) {
  const codec::Representation rep = requested(type, stru, mode);
  const std::string local = to_bytes(data, "data");
  std::string wire;
  {
    py::gil_scoped_release nogil;
    const auto encoder = codec::make_encoder(rep);
    encoder->put(local, wire);
    encoder->finish(wire);
  }
  return py::bytes(wire);
}

py::bytes decode(py::handle data, const std::string& type, const std::string& stru, const std::string& mode) {
  const codec::Representation rep = requested(type, stru, mode);
  const std::string wire = to_bytes(data, "data");
  std::string local;
  std::error_code ec;
  {
    py::gil_scoped_release nogil;
    const auto decoder = codec::make_decoder(rep);
    decoder->put(wire, local, ec);
    if (!ec) decoder->finish(local, ec);
  }
  if (ec) throw CodecFailure("malformed " + codec::type_argument(rep, codec::FormCode::written) + "/" + codec::stru_argument(rep.structure) +
                             "/" + codec::mode_argument(rep.mode) + " data: " + ec.message());
  return py::bytes(local);
}

py::object* codec_error_type = nullptr;  // leaked with the module, like pybind11's own types

}  // namespace

RepresentationRequest RepresentationRequest::parse(const std::optional<std::string>& type,
                                                   const std::optional<std::string>& stru,
                                                   const std::optional<std::string>& mode) {
  RepresentationRequest request;
  if (type) {
    request.type = codec::parse_type_argument(*type);
    if (!request.type) throw py::value_error("invalid TYPE '" + *type + "' (RFC 959 §5.3.2: A, E, I or L n, "
                                             "with an optional format N, T or C)");
    if (codec::names_form_code(*type)) request.type_form = codec::FormCode::written;
  }
  if (stru) {
    request.structure = codec::parse_stru_argument(*stru);
    if (!request.structure) throw py::value_error("invalid STRU '" + *stru + "' (F, R or P)");
  }
  if (mode) {
    request.mode = codec::parse_mode_argument(*mode);
    if (!request.mode) throw py::value_error("invalid MODE '" + *mode + "' (S, B or C)");
  }
  return request;
}

codec::Representation RepresentationRequest::applied_to(codec::Representation base) const {
  if (type) {
    base.type = type->type;
    base.format = type->format;
    base.byte_size = type->byte_size;
  }
  if (structure) base.structure = *structure;
  if (mode) base.mode = *mode;
  return base;
}

void raise_codec_error(const std::string& message) {
  PyErr_SetString(codec_error_type->ptr(), message.c_str());
  throw py::error_already_set();
}

void init_codec(py::module_& m) {
  py::module_ sub = m.def_submodule("codec", "In-memory TYPE x STRU x MODE codecs (RFC 959 §3.1-§3.4).");
  py::object bases = py::make_tuple(m.attr("Error"), py::handle(PyExc_ValueError));
  auto& registered = py::register_exception<CodecFailure>(sub, "CodecError", bases.ptr());
  registered.attr("__module__") = "ftpspec.codec";
  registered.attr("__doc__") = "Data that cannot be encoded or decoded in the requested representation.";
  codec_error_type = new py::object(registered);

  sub.def("encode", &encode, py::arg("data"), py::arg("type") = "A", py::arg("stru") = "F", py::arg("mode") = "S",
          "Local (Unix) bytes -> the bytes a sender puts on the data connection, e.g. TYPE A turns "
          "LF into CRLF (RFC 959 §3.1.1.1). Raises CodecError for an unsupported representation.");
  sub.def("decode", &decode, py::arg("data"), py::arg("type") = "A", py::arg("stru") = "F", py::arg("mode") = "S",
          "Bytes received on a data connection -> local (Unix) bytes. Raises CodecError when the data is "
          "malformed for the representation (truncated block header, missing EOF...).");
  sub.def("unsupported_reason",
          [](const std::string& type, const std::string& stru, const std::string& mode) -> py::object {
            std::string reason = codec::unsupported_reason(RepresentationRequest::parse(type, stru, mode).applied_to({}));
            if (reason.empty()) return py::none();
            return py::str(reason);
          },
          py::arg("type") = "A", py::arg("stru") = "F", py::arg("mode") = "S",
          "Why the representation cannot be transferred (what a server would say in its 504), or None.");
}

}  // namespace ftpspec::python
