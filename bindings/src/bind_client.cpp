// Client mode from Python (docs/client-mode.md, docs/python.md): ftpspec.load_client_cases,
// ftpspec.run_client and the ClientCase / ClientRequest objects. A client is a profile file, a
// dict of command templates, or Python callables run in this process (PythonDriver): each call
// gets a ClientRequest and does the operation with e.g. ftplib against the scripted ftpspecd.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include "client/case_parser.hpp"
#include "client/client_runner.hpp"
#include "client/command_driver.hpp"
#include "client/profile.hpp"
#include "common.hpp"
#include "interruptible.hpp"
#include "scenario/case_header.hpp"

namespace ftpspec::python {
namespace {

using std::chrono::milliseconds;

/// Runs a callable on a daemon thread with a deadline (bindings/ftpspec/_client.py). A hung
/// callable's thread is left behind: the server it talks to stops after the case, which usually
/// ends it, and a daemon thread never keeps the process from exiting.
constexpr const char* kHelperModule = "ftpspec._client";

/// Callables and command templates, per profile key ("download", "upload+tls", "any", ...).
/// Touches Python objects only with the GIL; the runner calls it from its worker threads.
class PythonDriver final : public client::ClientDriver {
 public:
  PythonDriver(std::string name, std::map<std::string, py::object> callables, client::ClientProfile commands)
      : name_(std::move(name)), callables_(std::move(callables)), commands_(std::move(commands)) {}
  ~PythonDriver() override {
    py::gil_scoped_acquire gil;  // py::object destructors need it; the last owner may be a worker
    callables_.clear();
  }
  std::string name() const override { return name_; }
  std::string version() const override { return commands_.version(); }

  bool supports(client::Operation operation, bool tls, std::string& why) const override {
    if (callable_key(operation, tls) || commands_.supports(operation, tls, why)) return true;
    why = fmt_missing(operation, tls);
    return false;
  }

  client::ClientOutcome run(const client::ClientRequest& request, milliseconds deadline) override {
    const auto key = callable_key(request.operation, request.tls);
    if (!key) return commands_.run(request, deadline);
    const auto started = std::chrono::steady_clock::now();
    client::ClientOutcome outcome;
    py::gil_scoped_acquire gil;
    const py::object helper = py::module_::import(kHelperModule);
    // A daemon thread runs the callable; join() waits without the GIL and returns at the
    // deadline whatever the callable does (a Python thread cannot be killed).
    const py::object call = helper.attr("start_call")(callables_.at(*key), py::cast(request));
    const py::object report = helper.attr("wait_call")(call, static_cast<double>(deadline.count()) / 1000.0);
    outcome.hung = report.attr("hung").cast<bool>();
    if (!outcome.hung) outcome.exit_status = report.attr("exit_status").cast<int>();
    outcome.output = to_bytes(report.attr("output"), "client output");
    outcome.command = "python: " + to_bytes(report.attr("name"), "callable name");
    outcome.duration = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
    return outcome;
  }

 private:
  std::optional<std::string> callable_key(client::Operation operation, bool tls) const {
    const std::string suffix = tls ? "+tls" : "";
    for (const std::string& key : {std::string(client::to_string(operation)) + suffix, "any" + suffix})
      if (callables_.count(key)) return key;
    return std::nullopt;
  }
  std::string fmt_missing(client::Operation operation, bool tls) const {
    return "the client '" + name_ + "' has no callable or command for '" + std::string(client::to_string(operation)) +
           (tls ? "+tls" : "") + "'";
  }

  std::string name_;
  std::map<std::string, py::object> callables_;
  client::CommandDriver commands_;
};

/// A profile key: an operation ("delete" for remove) or "any", each optionally with "+tls".
void check_key(const std::string& key) {
  std::string base = key;
  if (base.size() > 4 && base.substr(base.size() - 4) == "+tls") base.resize(base.size() - 4);
  if (base != "any" && !client::parse_operation(base))
    throw py::value_error("client: unknown operation '" + key +
                          "' (download, upload, list, resume, delete, mkdir, any; each also with +tls)");
}

std::string callable_name(py::handle callable) {
  for (const char* attribute : {"__qualname__", "__name__"})
    if (py::hasattr(callable, attribute)) return py::str(callable.attr(attribute));
  return py::str(py::type::of(callable).attr("__name__"));
}

/// `client`: a profile file; a callable (every operation, without TLS); or a mapping from keys
/// to callables or command templates.
std::shared_ptr<PythonDriver> make_driver(py::handle client, const std::optional<std::string>& name) {
  client::ClientProfile commands;
  std::map<std::string, py::object> callables;
  std::string default_name = "python";
  if (py::isinstance<py::str>(client) || py::hasattr(client, "__fspath__")) {
    const auto file = client.cast<std::filesystem::path>();
    client::ProfileResult loaded = client::load_profile(file);
    if (!loaded.profile) raise_script_error(loaded.diagnostics);
    commands = std::move(*loaded.profile);
    default_name = commands.name;
  } else if (PyCallable_Check(client.ptr())) {
    callables["any"] = py::reinterpret_borrow<py::object>(client);
    default_name = "python:" + callable_name(client);
  } else if (py::isinstance<py::dict>(client)) {
    std::string first;
    for (auto [key_handle, value] : client.cast<py::dict>()) {
      const std::string key = py::str(key_handle);
      check_key(key);
      if (py::isinstance<py::str>(value)) {
        if (const std::string problem = client::check_template(value.cast<std::string>()); !problem.empty())
          throw py::value_error("client['" + key + "']: " + problem);
        commands.commands[key] = value.cast<std::string>();
      } else if (PyCallable_Check(value.ptr())) {
        callables[key] = py::reinterpret_borrow<py::object>(value);
        if (first.empty()) first = callable_name(value);
      } else {
        throw py::type_error("client['" + key + "'] must be a callable or a command template (str)");
      }
    }
    if (!first.empty()) default_name = "python:" + first;
    if (callables.empty() && commands.commands.empty()) throw py::value_error("client: the mapping is empty");
  } else {
    throw py::type_error("client must be a profile file (str or path), a callable, or a dict of operation -> callable or command");
  }
  commands.directory = commands.directory.empty() ? std::filesystem::current_path() : commands.directory;
  if (commands.name.empty()) commands.name = default_name;
  return std::make_shared<PythonDriver>(name.value_or(default_name), std::move(callables), std::move(commands));
}

std::vector<client::ClientCase> load_client(const std::vector<std::filesystem::path>& paths) {
  client::ParseResult parsed;
  {
    py::gil_scoped_release nogil;
    parsed = client::load_suite(paths);
  }
  if (!parsed.ok()) raise_script_error(parsed.diagnostics);
  return std::move(parsed.cases);
}

std::vector<std::filesystem::path> paths_from(py::handle paths) {
  std::vector<std::filesystem::path> list;
  if (py::isinstance<py::str>(paths) || py::hasattr(paths, "__fspath__")) list.push_back(paths.cast<std::filesystem::path>());
  else for (py::handle p : paths) list.push_back(p.cast<std::filesystem::path>());
  return list;
}

void bind_classes(py::module_& m) {
  py::class_<client::ClientCase> cls(m, "ClientCase", R"doc(
One parsed client case (a `.ftpclient` file, docs/scenario-format.md §Client cases): the operation
asked of the client, the scripted server's side, the expectations. Run it with
``ftpspec.run_client(client, cases=[case])``.
)doc");
  cls.def_readonly("id", &client::ClientCase::id, "The unique case id.")
      .def_readonly("title", &client::ClientCase::title, "What the case checks, in one line.")
      .def_readonly("rfc", &client::ClientCase::rfc, "RFC references, e.g. ['959 §4.2'].")
      .def_property_readonly("level", [](const client::ClientCase& c) { return std::string(scenario::to_string(c.level)); },
                             "'MUST', 'SHOULD' or 'MAY' (RFC 2119).")
      .def_property_readonly("operation", [](const client::ClientCase& c) { return std::string(client::to_string(c.operation)); },
                             "'download', 'upload', 'list', 'resume', 'delete' or 'mkdir'.")
      .def_property_readonly("path", [](const client::ClientCase& c) { return to_py_str(c.path); },
                             "The remote path the operation is about.")
      .def_readonly("tls", &client::ClientCase::tls, "True for explicit FTPS (AUTH TLS, RFC 4217).")
      .def_property_readonly("deadline", [](const client::ClientCase& c) { return static_cast<double>(c.deadline.count()) / 1000.0; },
                             "Seconds the client may take before it is judged hung.")
      .def_property_readonly("file", [](const client::ClientCase& c) { return c.loc.file; }, "The case file.")
      .def_property_readonly("line", [](const client::ClientCase& c) { return c.loc.line; }, "The line of `case`.")
      .def_property_readonly("location", [](const client::ClientCase& c) { return c.loc.str(); }, "'file:line'.")
      .def("__repr__", [](const client::ClientCase& c) { return "<ClientCase " + c.id + " " + c.loc.str() + ">"; });
  cls.attr("__module__") = kPublicModule;

  py::class_<client::ClientRequest> request(m, "ClientRequest", R"doc(
What a Python client callable is asked to do in one client case (ftpspec.run_client): the
operation against the scripted server on 127.0.0.1. Download to ``local`` (a file in ``workdir``),
upload from ``local``, list ``path`` (return the names, or a text holding them), resume into
``local``, delete or make ``path``. Return normally when done; raise when the client reports a failure.
)doc");
  request.def_property_readonly("operation", [](const client::ClientRequest& r) { return std::string(client::to_string(r.operation)); },
                                "'download', 'upload', 'list', 'resume', 'delete' or 'mkdir'.")
      .def_readonly("tls", &client::ClientRequest::tls, "Explicit FTPS: AUTH TLS, PBSZ 0, PROT P (a self-signed certificate).")
      .def_readonly("host", &client::ClientRequest::host, "The server's address (127.0.0.1).")
      .def_readonly("port", &client::ClientRequest::port, "The server's port.")
      .def_readonly("user", &client::ClientRequest::user, "The account's name.")
      .def_readonly("password", &client::ClientRequest::password, "The account's password.")
      .def_property_readonly("path", [](const client::ClientRequest& r) { return to_py_str(r.path); },
                             "The remote path, relative to the login directory.")
      .def_readonly("local", &client::ClientRequest::local, "The local file (pathlib.Path).")
      .def_readonly("workdir", &client::ClientRequest::workdir, "A fresh folder for this case (pathlib.Path).")
      .def_property_readonly("url", &client::ClientRequest::url, "ftp://USER:PASS@HOST:PORT/PATH, percent-encoded.")
      .def_property_readonly("root_url", &client::ClientRequest::root_url, "ftp://USER:PASS@HOST:PORT/")
      .def("__repr__", [](const client::ClientRequest& r) {
        return "<ClientRequest " + std::string(client::to_string(r.operation)) + " " + r.path + ">";
      });
  request.attr("__module__") = kPublicModule;
}

void bind_functions(py::module_& m) {
  m.def("load_client_cases", [](py::handle paths) { return load_client(paths_from(paths)); }, py::arg("paths"),
        "Parses client case files and directories (every *.ftpclient below, in path order) into "
        "ClientCases. Raises ScriptError listing every problem as file:line:column: message.");

  m.def("run_client", [](py::handle client, std::optional<std::vector<client::ClientCase>> cases, py::handle suites,
                         py::handle case_glob, unsigned jobs, std::optional<double> deadline, std::optional<std::string> name,
                         bool keep_dirs) {
          if (jobs < 1 || jobs > 64) throw py::value_error("jobs must be in 1..64");
          std::vector<client::ClientCase> selected;
          if (cases) {
            if (!suites.is_none()) throw py::value_error("give cases= or suites=, not both");
            selected = std::move(*cases);
          } else {
            std::vector<std::filesystem::path> paths = suites.is_none() ? std::vector<std::filesystem::path>{}
                                                                        : paths_from(suites);
            if (paths.empty()) {
              // The bundled client suite (ftpspec.CLIENT_SUITE_DIR, inside the package's suite).
              const std::filesystem::path shipped =
                  py::str(py::module_::import("ftpspec").attr("CLIENT_SUITE_DIR")).cast<std::string>();
              std::error_code ec;
              if (!std::filesystem::is_directory(shipped, ec))
                throw py::value_error("give cases= or suites= (the shipped suite " + shipped.string() + " is not here)");
              paths.push_back(shipped);
            }
            selected = load_client(paths);
          }
          selected = scenario::select_cases(std::move(selected), globs_from(case_glob));
          if (selected.empty()) throw py::value_error("no client case selected");
          std::shared_ptr<PythonDriver> driver = make_driver(client, name);
          client::ClientRunOptions options;
          options.jobs = jobs;
          if (deadline) options.deadline = to_duration(*deadline, "deadline");
          options.keep_dirs = keep_dirs;
          options.tool_version = FTPSPEC_PYTHON_VERSION;
          auto stop = std::make_shared<std::atomic<bool>>(false);
          options.stop = stop;
          return call_interruptibly([driver, options, selected = std::move(selected)] {
            return client::run_client_suite(selected, *driver, options);
          }, Interruption{.request = [stop] { *stop = true; }, .grace = {}, .abandoned = {}});
        },
        py::arg("client"), py::kw_only(), py::arg("cases") = py::none(), py::arg("suites") = py::none(),
        py::arg("case") = py::none(), py::arg("jobs") = 4, py::arg("deadline") = py::none(), py::arg("name") = py::none(),
        py::arg("keep_dirs") = false,
        R"doc(Judges an FTP client against client cases and returns a RunResult (its reports as ftpspec run's).

`client` is a profile file (scenarios/clients/profiles/*.profile), a callable used for every
operation (it gets a ClientRequest; raise to report a failure; for a listing return the names or a
text), or a dict from "download", "upload", "list", "resume", "delete", "mkdir" or "any" (each also
with "+tls" for explicit FTPS) to a callable or a command template. Give `cases` (from
load_client_cases) or `suites` (default: the bundled client suite, ftpspec.CLIENT_SUITE_DIR); `case` keeps the ids
matching a glob (or any of several). `jobs` cases run at a time, each with its own ftpspecd in this
process; `deadline` (seconds) replaces each case's own: a client still running then is judged hung
(a callable's thread is left behind). The GIL is released while the cases run.)doc");
}

}  // namespace

void init_client(py::module_& m) {
  bind_classes(m);
  bind_functions(m);
}

}  // namespace ftpspec::python
