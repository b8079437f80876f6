// Conversions between Python objects and the engine's byte strings.
#include <cmath>
#include <string>

#include "common.hpp"

namespace ftpspec::python {

py::str to_py_str(std::string_view text) {
  PyObject* decoded = PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "surrogateescape");
  if (decoded == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(decoded);
}

std::string to_bytes(py::handle value, const char* what) {
  if (PyUnicode_Check(value.ptr())) {
    auto encoded = py::reinterpret_steal<py::object>(PyUnicode_AsEncodedString(value.ptr(), "utf-8", "surrogateescape"));
    if (!encoded) throw py::error_already_set();
    char* data = nullptr;
    Py_ssize_t size = 0;
    if (PyBytes_AsStringAndSize(encoded.ptr(), &data, &size) != 0) throw py::error_already_set();
    return std::string(data, static_cast<std::size_t>(size));
  }
  if (PyObject_CheckBuffer(value.ptr())) {
    Py_buffer view;
    if (PyObject_GetBuffer(value.ptr(), &view, PyBUF_SIMPLE) != 0) throw py::error_already_set();
    std::string copy(static_cast<const char*>(view.buf), static_cast<std::size_t>(view.len));
    PyBuffer_Release(&view);
    return copy;
  }
  throw py::type_error(std::string(what) + " must be str or a bytes-like object, not " +
                       std::string(py::str(py::type::handle_of(value).attr("__name__"))));
}

std::chrono::milliseconds to_duration(double seconds, const char* what) {
  if (!std::isfinite(seconds) || seconds <= 0)
    throw py::value_error(std::string(what) + " must be a positive number of seconds");
  // Round up: a positive timeout below 1 ms must not become "no time at all".
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(seconds * 1000.0)));
}

}  // namespace ftpspec::python
