// ftpspec._core: the C++ engine seen from Python. The public API is re-exported by
// bindings/ftpspec/__init__.py; this module is an implementation detail.
#include "common.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "ftpspec's C++ engine (sessions, codecs, reference server, suite runner, the ftpspec and ftpspecd programs); import `ftpspec` instead.";
  using namespace ftpspec::python;
  init_errors(m);  // first: the other parts raise these types
  init_proto(m);
  init_codec(m);
  init_session(m);
  init_server(m);
  init_run(m);
  init_programs(m);
  init_client(m);
}
