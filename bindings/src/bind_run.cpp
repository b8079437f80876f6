// Conformance suites from Python: ftpspec.load_cases, ftpspec.run / probe / run_case, and the result
// objects (RunResult, CaseResult, StepResult, Verdict) with their reports (reports/*.hpp).
//
// Runs wait on a worker thread (interruptible.hpp): Ctrl-C raises KeyboardInterrupt at once and the
// run stops taking new cases; cases already started end on their own within their timeouts.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "common.hpp"
#include "interruptible.hpp"
#include "reports/html.hpp"
#include "reports/json.hpp"
#include "reports/junit.hpp"
#include "reports/terminal.hpp"
#include "run/case_runner.hpp"
#include "run/expected.hpp"
#include "run/runner.hpp"
#include "scenario/case_header.hpp"
#include "scenario/parser.hpp"

namespace ftpspec::python {
namespace {

using std::chrono::milliseconds;

/// Leaked on purpose, as errors.cpp's: Python objects must outlive nothing past finalization.
py::object& script_error_type() {
  static auto* type = new py::object;
  return *type;
}
py::object& connection_failed_type() {
  static auto* type = new py::object;
  return *type;
}

/// The engine's timeouts for one `timeout` in seconds, as `ftpspec run --timeout` sets them.
session::Timeouts run_timeouts(double timeout) {
  return run::run_timeouts(std::chrono::duration_cast<milliseconds>(to_duration(timeout, "timeout")));
}

run::Target target_from_url(const std::string& url, const std::string& dir) {
  std::string problem;
  auto target = run::parse_target(url, problem);
  if (!target) throw py::value_error("target: " + problem);
  if (dir.empty() || dir.front() != '/') throw py::value_error("dir must be an absolute server path");
  target->dir = dir;
  return *target;
}


std::vector<scenario::Case> load(const std::vector<std::filesystem::path>& paths) {
  scenario::ParseResult parsed;
  {
    py::gil_scoped_release nogil;  // file reading and parsing: quick, never interrupted
    parsed = scenario::load_suite(paths);
  }
  if (!parsed.ok()) raise_script_error(parsed.diagnostics);
  return std::move(parsed.cases);
}

std::string render(const run::RunResult& result, void (*writer)(const run::RunResult&, std::ostream&)) {
  std::ostringstream out;
  writer(result, out);
  return out.str();
}

void write_report(const run::RunResult& result, const std::filesystem::path& path,
                  void (*writer)(const run::RunResult&, std::ostream&)) {
  std::ofstream out(path, std::ios::binary);
  if (out) writer(result, out);
  if (!out) {
    PyErr_SetObject(PyExc_OSError, py::make_tuple(errno, "cannot write report", py::cast(path)).ptr());
    throw py::error_already_set();
  }
}

double seconds(milliseconds duration) { return static_cast<double>(duration.count()) / 1000.0; }

void bind_verdict(py::module_& m) {
  py::enum_<run::Verdict> verdict(m, "Verdict", R"doc(
What a case found (docs/scenario-format.md §Verdicts), from best to worst:
PASS, SKIPPED (a precondition was not met), UNSUPPORTED (an optional feature refused the way the
RFC allows), WARN (a SHOULD not met), BLOCKED (set-up the case is not about — a fixture, a TYPE,
the data connection, TLS — broke on a server defect that is reported once, as a finding; never a
fail), FAIL (a MUST broken), ERROR (the harness or network failed: inconclusive, never the server's
fault). ``str(v)`` is the report spelling ("pass", "fail"...).
)doc");
  verdict.value("PASS", run::Verdict::pass)
      .value("SKIPPED", run::Verdict::skipped)
      .value("UNSUPPORTED", run::Verdict::unsupported)
      .value("WARN", run::Verdict::warn)
      .value("BLOCKED", run::Verdict::blocked)
      .value("FAIL", run::Verdict::fail)
      .value("ERROR", run::Verdict::error);
  // Replaced, not overloaded: def() would chain behind enum_'s own __str__, which always matches.
  verdict.attr("__str__") = py::cpp_function([](run::Verdict v) { return std::string(run::to_string(v)); },
                                             py::name("__str__"), py::is_method(verdict));
  verdict.attr("__module__") = kPublicModule;
}

void bind_case(py::module_& m) {
  py::class_<scenario::Case> cls(m, "Case", R"doc(
One parsed scenario case (docs/scenario-format.md), as ``load_cases`` returns it: run it with
``ftpspec.run(url, cases=[case])`` or ``ftpspec.run_case``.
)doc");
  cls.def_readonly("id", &scenario::Case::id, "The unique case id.")
      .def_readonly("title", &scenario::Case::title, "What the case checks, in one line.")
      .def_readonly("rfc", &scenario::Case::rfc, "RFC references, e.g. ['959 §4.1.3'].")
      .def_property_readonly("level", [](const scenario::Case& c) { return std::string(scenario::to_string(c.level)); },
                             "'MUST', 'SHOULD' or 'MAY' (RFC 2119).")
      .def_property_readonly("require", [](const scenario::Case& c) { return std::string(scenario::to_string(c.require)); },
                             "What the runner sets up first: 'nothing', 'connection', 'login' or 'scratch'.")
      .def_readonly("intrusive", &scenario::Case::intrusive,
                    "Why the case runs only when asked for (it trips a server's defences), or ''.")
      .def_property_readonly("file", [](const scenario::Case& c) { return c.loc.file; }, "The scenario file.")
      .def_property_readonly("line", [](const scenario::Case& c) { return c.loc.line; }, "The line of `case` (1-based).")
      .def_property_readonly("location", [](const scenario::Case& c) { return c.loc.str(); }, "'file:line' of the case.")
      .def_property_readonly("steps", [](const scenario::Case& c) {
        py::list lines;
        for (const auto& step : c.steps) lines.append(to_py_str(step.source));
        return lines;
      }, "The steps' scenario lines, as written.")
      .def("__repr__", [](const scenario::Case& c) { return "<Case " + c.id + " " + c.loc.str() + ">"; });
  cls.attr("__module__") = kPublicModule;
}

void bind_results(py::module_& m) {
  py::class_<run::StepResult> step(m, "StepResult", "The evidence for one judged step of a case.");
  step.def_property_readonly("location", [](const run::StepResult& s) { return s.loc.str(); }, "'file:line:column'.")
      .def_property_readonly("source", [](const run::StepResult& s) { return to_py_str(s.source); }, "The scenario line.")
      .def_readonly("verdict", &run::StepResult::verdict, "This step's Verdict.")
      .def_property_readonly("expected", [](const run::StepResult& s) { return to_py_str(s.expected); },
                             "What the scenario allowed, e.g. '200|202'.")
      .def_property_readonly("actual", [](const run::StepResult& s) { return to_py_str(s.actual); },
                             "What happened, e.g. '500 Unknown command'.")
      .def_property_readonly("reason", [](const run::StepResult& s) { return to_py_str(s.reason); },
                             "Why the verdict is what it is.")
      .def_property_readonly("transcript", [](const run::StepResult& s) { return to_py_str(s.transcript); },
                             "The transcript of this step, rendered.")
      .def_property_readonly("command", [](const run::StepResult& s) { return to_py_str(s.command); },
                             "The command line the judged reply answered, e.g. 'TYPE L 8' ('' when none).")
      .def_readonly("reply_code", &run::StepResult::reply_code, "The judged reply's code (0 when no reply was judged).")
      .def("__repr__", [](const run::StepResult& s) {
        return "<StepResult " + std::string(run::to_string(s.verdict)) + " " + s.loc.str() + ">";
      });
  step.attr("__module__") = kPublicModule;

  py::class_<run::CaseResult> one(m, "CaseResult", "The verdict of one case, with its evidence.");
  one.def_readonly("id", &run::CaseResult::id, "The case id.")
      .def_readonly("title", &run::CaseResult::title, "The case title.")
      .def_readonly("rfc", &run::CaseResult::rfc, "RFC references, e.g. ['959 §4.1.3'].")
      .def_property_readonly("level", [](const run::CaseResult& c) { return std::string(scenario::to_string(c.level)); },
                             "'MUST', 'SHOULD' or 'MAY'.")
      .def_property_readonly("location", [](const run::CaseResult& c) { return c.loc.str(); }, "'file:line' of the case.")
      .def_readonly("verdict", &run::CaseResult::verdict, "The case's Verdict: the worst of its steps'.")
      .def_property_readonly("reason", [](const run::CaseResult& c) { return to_py_str(c.reason); },
                             "Why the verdict is not pass (the deciding step's reason); '' on pass.")
      .def_readonly("steps", &run::CaseResult::steps, "Every judged step, in order (StepResult).")
      .def_property_readonly("deciding_step", [](const run::CaseResult& c) -> py::object {
        const run::StepResult* decided = c.deciding_step();
        return decided ? py::cast(*decided) : py::none();
      }, "The StepResult that decided a non-pass verdict, or None.")
      .def_property_readonly("transcript", [](const run::CaseResult& c) { return to_py_str(c.transcript); },
                             "The case's whole session, rendered.")
      .def_property_readonly("duration", [](const run::CaseResult& c) { return seconds(c.duration); }, "Seconds.")
      .def_readonly("finding", &run::CaseResult::finding, "The id of the Finding this case belongs to ('F1'), or ''.")
      .def_readonly("blocked_by", &run::CaseResult::blocked_by,
                    "For a BLOCKED case: the case that tests the rule its set-up broke ('' when no case tests it).")
      .def_property_readonly("retried_because", [](const run::CaseResult& c) { return to_py_str(c.retried_because); },
                             "When the case ran more than once (the server refused a session or timed out while "
                             "others ran): why the attempt before the kept one was not kept; else ''.")
      .def("__repr__", [](const run::CaseResult& c) {
        return "<CaseResult " + c.id + " " + std::string(run::to_string(c.verdict)) + ">";
      });
  one.attr("__module__") = kPublicModule;

  py::class_<run::Finding> finding(m, "Finding", R"doc(
One distinct defect of the server (docs/reports.md §Findings): the command, what the server did,
the rule it breaks, and every case it touched — those that fail on it and those it blocked.
)doc");
  finding.def_readonly("id", &run::Finding::id, "'F1', 'F2', ... in report order (MUST first).")
      .def_property_readonly("command", [](const run::Finding& f) { return to_py_str(f.command); }, "What was sent.")
      .def_readonly("code", &run::Finding::code, "The reply code the server gave (0: no usable reply, or a data defect).")
      .def_property_readonly("observed", [](const run::Finding& f) { return to_py_str(f.observed); }, "What the server did.")
      .def_property_readonly("rule", [](const run::Finding& f) { return to_py_str(f.rule); }, "The rule it breaks.")
      .def_readonly("rfc", &run::Finding::rfc, "The RFC section, e.g. '2389 §4'.")
      .def_property_readonly("level", [](const run::Finding& f) { return std::string(scenario::to_string(f.level)); },
                             "'MUST', 'SHOULD' or 'MAY'.")
      .def_readonly("owner", &run::Finding::owner, "The case that tests this rule ('' for a set-up defect no case tests).")
      .def_readonly("failed", &run::Finding::failed, "Ids of the cases that fail on it.")
      .def_readonly("blocked", &run::Finding::blocked, "Ids of the cases it blocked.")
      .def_property_readonly("transcript", [](const run::Finding& f) { return to_py_str(f.transcript); },
                             "A transcript excerpt that shows it.")
      .def("__repr__", [](const run::Finding& f) {
        return "<Finding " + f.id + " " + std::string(scenario::to_string(f.level)) + " " + f.command + ">";
      });
  finding.attr("__module__") = kPublicModule;

  py::class_<run::RunResult> all(m, "RunResult", R"doc(
A whole run: the target's greeting and features (from a probe session), then every case's result
in file order. ``str(result)`` is the terminal summary; ``write_json/junit/html`` write the reports.
)doc");
  all.def_readonly("target", &run::RunResult::target, "ftp://user@host:port (never the password).")
      .def_property_readonly("greeting", [](const run::RunResult& r) {
        py::list lines;
        for (const auto& line : r.greeting) lines.append(to_py_str(line));
        return lines;
      }, "The probe session's greeting reply lines.")
      .def_property_readonly("features", [](const run::RunResult& r) {
        py::list lines;
        for (const auto& line : r.features) lines.append(to_py_str(line));
        return lines;
      }, "FEAT feature lines (RFC 2389 §3.2), without the leading space.")
      .def_readonly("started_at", &run::RunResult::started_at, "ISO 8601 UTC.")
      .def_property_readonly("duration", [](const run::RunResult& r) { return seconds(r.duration); }, "Seconds.")
      .def_property_readonly("cases", [](py::object self) {
        const auto& result = self.cast<const run::RunResult&>();
        py::list cases;
        for (const auto& c : result.cases) cases.append(py::cast(&c, py::return_value_policy::reference_internal, self));
        return cases;
      }, "Every CaseResult, in file order (views into this result).")
      .def("count", &run::RunResult::count, py::arg("verdict"), "How many cases got `verdict`.")
      .def_property_readonly("counts", [](const run::RunResult& r) {
        py::dict counts;
        for (const run::Verdict v : run::kAllVerdicts) counts[py::str(std::string(run::to_string(v)))] = r.count(v);
        return counts;
      }, "{'pass': n, 'skipped': n, 'unsupported': n, 'warn': n, 'blocked': n, 'fail': n, 'error': n}.")
      .def_readonly("findings", &run::RunResult::findings, "The distinct defects (Finding), MUST first.")
      .def_readonly("left_behind", &run::RunResult::left_behind,
                    "Paths the run made on the server and could not remove (normally empty).")
      .def_readonly("jobs", &run::RunResult::jobs, "Cases at a time the run started with.")
      .def_readonly("jobs_at_end", &run::RunResult::jobs_at_end,
                    "Cases at a time at the end: fewer when the server refused sessions (421) or timed out beside others.")
      .def_property_readonly("jobs_lowered_because", [](const run::RunResult& r) { return to_py_str(r.jobs_lowered_because); },
                             "The first sign that lowered the cases at a time, or ''.")
      .def_property_readonly("exit_code", [](const run::RunResult& r) { return run::exit_code(r); },
                             "`ftpspec run`'s exit code: 1 when a MUST or SHOULD case failed, else 2 when a "
                             "case erred, else 0 (a MAY case's fail does not fail the run).")
      .def("to_json", [](const run::RunResult& r) { return render(r, &reports::write_json); },
           "The canonical JSON report (docs/report-json.md) as a str.")
      .def("write_json", [](const run::RunResult& r, const std::filesystem::path& p) { write_report(r, p, &reports::write_json); },
           py::arg("path"), "Writes the JSON report (schema ftpspec-results/2).")
      .def("write_junit", [](const run::RunResult& r, const std::filesystem::path& p) { write_report(r, p, &reports::write_junit); },
           py::arg("path"), "Writes JUnit XML (one <testsuite> per RFC, one <testcase> per case).")
      .def("write_html", [](const run::RunResult& r, const std::filesystem::path& p) { write_report(r, p, &reports::write_html); },
           py::arg("path"), "Writes the self-contained HTML report.")
      .def("__str__", [](const run::RunResult& r) {
        std::ostringstream out;
        reports::write_terminal(r, out, reports::TerminalOptions{});  // plain: no colour codes
        return to_py_str(out.str());
      })
      .def("__repr__", [](const run::RunResult& r) {
        return "<RunResult " + r.target + " " + std::to_string(r.cases.size()) + " cases, " +
               std::to_string(r.count(run::Verdict::fail)) + " fail>";
      });
  all.attr("__module__") = kPublicModule;
}

/// Translates run::TargetUnreachable into ftpspec.ConnectionFailed (the probe could not connect or log in).
void translate_run_errors(std::exception_ptr failure) {
  try {
    if (failure) std::rethrow_exception(failure);
  } catch (const run::TargetUnreachable& e) {
    const py::object& type = connection_failed_type();
    PyErr_SetObject(type.ptr(), type(std::string("target unreachable: ") + e.what()).ptr());
  }
}

void bind_functions(py::module_& m) {
  m.def("load_cases", [](py::handle paths) {
          std::vector<std::filesystem::path> list;
          if (py::isinstance<py::str>(paths) || py::hasattr(paths, "__fspath__")) list.push_back(paths.cast<std::filesystem::path>());
          else for (py::handle p : paths) list.push_back(p.cast<std::filesystem::path>());
          return load(list);
        },
        py::arg("paths"),
        "Parses scenario files and directories (every *.ftpspec below, in path order) into Cases. "
        "Raises ScriptError listing every problem as file:line:column: message (also in "
        "`.diagnostics` as (file, line, column, message) tuples), e.g. a duplicate case id.");

  m.def("run", [](const std::string& url, std::optional<std::vector<scenario::Case>> cases,
                  std::optional<std::vector<std::filesystem::path>> suites, unsigned jobs, double timeout,
                  const std::string& dir, py::handle case_glob, bool intrusive) {
          if (cases.has_value() == suites.has_value()) throw py::value_error("give exactly one of cases= and suites=");
          if (jobs < 1 || jobs > 256) throw py::value_error("jobs must be in 1..256");
          run::RunOptions options;
          options.target = target_from_url(url, dir);
          options.timeouts = run_timeouts(timeout);
          options.jobs = jobs;
          options.intrusive = intrusive;
          options.tool_version = FTPSPEC_PYTHON_VERSION;
          auto selected = scenario::select_cases(cases ? std::move(*cases) : load(*suites), globs_from(case_glob));
          if (selected.empty()) throw py::value_error("no case selected");
          auto stop = std::make_shared<std::atomic<bool>>(false);
          options.stop = stop;
          return call_interruptibly([options, selected = std::move(selected)] {
            return run::run_suite(selected, options, {});
          }, Interruption{.request = [stop] { *stop = true; }, .grace = {}, .abandoned = {}});
        },
        py::arg("target"), py::kw_only(), py::arg("cases") = py::none(), py::arg("suites") = py::none(),
        py::arg("jobs") = 8, py::arg("timeout") = 10.0, py::arg("dir") = "/", py::arg("case") = py::none(),
        py::arg("intrusive") = false,
        R"doc(Runs conformance cases against `target` (ftp://user:pass@host:port) and returns a RunResult.

Give `cases` (from load_cases) or `suites` (files/directories of *.ftpspec); `case` keeps only the
ids matching a glob (or any of several). At most `jobs` cases run in parallel, each on its own
connection (fewer once the server refuses a session with 421 or times out beside others);
`timeout` (seconds) bounds each connect and reply; `dir` is a server directory the user may write
into (${dir}); `intrusive=True` also runs the cases marked `intrusive` (three wrong passwords on one
connection), which are skipped otherwise. Raises ConnectionFailed when the target cannot be reached or refuses the login, and
ScriptError for a bad scenario file. The GIL is released while it runs; Ctrl-C raises
KeyboardInterrupt at once (cases in flight end on their own, within their timeouts).)doc");

  m.def("probe", [](const std::string& url, double timeout) {
          run::RunOptions options;
          options.target = target_from_url(url, "/");
          options.timeouts = run_timeouts(timeout);
          options.tool_version = FTPSPEC_PYTHON_VERSION;
          return call_interruptibly([options] { return run::probe(options); });
        },
        py::arg("target"), py::kw_only(), py::arg("timeout") = 10.0,
        "Connects, logs in and asks FEAT once: a RunResult with target, greeting and features and no "
        "cases (what run() does first). Raises ConnectionFailed when unreachable or refused.");

  m.def("run_case", [](const scenario::Case& c, const std::string& url, std::vector<std::string> features,
                       double timeout, const std::string& dir, bool intrusive) {
          const run::CaseContext context{target_from_url(url, dir), run_timeouts(timeout), std::move(features), intrusive};
          return call_interruptibly([c, context] { return run::run_case(c, context); });
        },
        py::arg("case"), py::arg("target"), py::kw_only(), py::arg("features") = std::vector<std::string>{},
        py::arg("timeout") = 10.0, py::arg("dir") = "/", py::arg("intrusive") = false,
        "Runs one Case on its own session and returns its CaseResult (never raises for a finding: "
        "harness problems become Verdict.ERROR). `features` are the target's FEAT lines (probe()'s), "
        "which `skip-unless feat` steps consult. A case marked `intrusive` is SKIPPED unless "
        "`intrusive=True`.");
}

}  // namespace

std::vector<std::string> globs_from(py::handle selection) {
  std::vector<std::string> globs;
  if (selection.is_none()) return globs;
  if (py::isinstance<py::str>(selection)) globs.push_back(selection.cast<std::string>());
  else for (py::handle glob : selection) globs.push_back(glob.cast<std::string>());
  return globs;
}

void raise_script_error(const std::vector<scenario::Diagnostic>& diagnostics) {
  std::string message;
  py::list located;
  for (const auto& d : diagnostics) {
    message += (message.empty() ? "" : "\n") + d.str();
    located.append(py::make_tuple(d.loc.file, d.loc.line, d.loc.column, to_py_str(d.message)));
  }
  py::object instance = script_error_type()(to_py_str(message));
  instance.attr("diagnostics") = located;
  PyErr_SetObject(script_error_type().ptr(), instance.ptr());
  throw py::error_already_set();
}

void init_run(py::module_& m) {
  connection_failed_type() = m.attr("ConnectionFailed");
  const std::string name = std::string(kPublicModule) + ".ScriptError";
  PyObject* type = PyErr_NewExceptionWithDoc(
      name.c_str(), "A scenario file that does not parse: message lines and `.diagnostics` give file:line:column.",
      py::make_tuple(m.attr("Error"), py::handle(PyExc_ValueError)).ptr(), nullptr);
  if (type == nullptr) throw py::error_already_set();
  script_error_type() = py::reinterpret_steal<py::object>(type);
  m.attr("ScriptError") = script_error_type();
  bind_verdict(m);
  bind_case(m);
  bind_results(m);
  bind_functions(m);
  py::register_exception_translator(&translate_run_errors);
}

}  // namespace ftpspec::python
