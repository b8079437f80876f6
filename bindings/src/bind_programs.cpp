// The `ftpspec` and `ftpspecd` programs inside the extension: the pip-installed console commands
// (ftpspec/cli.py) call the very C++ entry points the executables call
// (engine/cli/ftpspec_main.hpp, reference_server/ftpspecd_main.hpp), not a second implementation.
//
// While a program runs, the process has the signal dispositions a freshly started program has:
// Python catches SIGINT and ignores SIGPIPE and SIGXFSZ, and a program under Python would
// otherwise ignore Ctrl-C (Python's handler only sets a flag that nobody checks) and hand ignored
// signals down to the servers it launches. So Ctrl-C ends `ftpspec run` as it ends the executable
// (after stopping a --launch'ed server), ftpspecd's own SIGINT/SIGTERM handling works, and
// Python's dispositions are back once the program returns. The program never calls into Python,
// so the GIL is released. It writes to file descriptors 1 and 2 itself, flushed before it returns.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli/ftpspec_main.hpp"
#include "common.hpp"
#include "ftpspecd_main.hpp"

namespace ftpspec::python {
namespace {

/// Default dispositions for the signals Python changes, restored when it goes out of scope.
class DefaultSignals {
 public:
  DefaultSignals() {
    struct sigaction fallback {};
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    for (std::size_t i = 0; i < std::size(kSignals); ++i) ::sigaction(kSignals[i], &fallback, &saved_[i]);
  }
  ~DefaultSignals() {
    for (std::size_t i = 0; i < std::size(kSignals); ++i) ::sigaction(kSignals[i], &saved_[i], nullptr);
  }
  DefaultSignals(const DefaultSignals&) = delete;
  DefaultSignals& operator=(const DefaultSignals&) = delete;

 private:
  static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGPIPE, SIGXFSZ};
  struct sigaction saved_[std::size(kSignals)];
};

/// Calls `program(argc, argv)` with `args` as argv (args[0]: the program name).
template <class Program>
int run_program(std::vector<std::string> args, Program program) {
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  py::gil_scoped_release nogil;
  const DefaultSignals signals;
  const int code = program(static_cast<int>(args.size()), argv.data());
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);  // fmt::print and printf write through stdio
  return code;
}

}  // namespace

void init_programs(py::module_& m) {
  m.def("ftpspec_main", [](std::vector<std::string> argv, const std::filesystem::path& suite) {
          return run_program(std::move(argv), [&](int argc, char** args) { return cli::ftpspec_main(argc, args, suite); });
        },
        py::arg("argv"), py::arg("suite"),
        "Runs the `ftpspec` command line (argv[0] is the program name) with `suite` as its default "
        "suite; returns the exit code. Used by the `ftpspec` console command (ftpspec.cli).");
  m.def("ftpspecd_main", [](std::vector<std::string> argv) {
          return run_program(std::move(argv), [](int argc, char** args) { return ftpspecd::ftpspecd_main(argc, args); });
        },
        py::arg("argv"),
        "Runs the `ftpspecd` command line until SIGINT or SIGTERM; returns the exit code. Used by "
        "the `ftpspecd` console command (ftpspec.cli).");
}

}  // namespace ftpspec::python
