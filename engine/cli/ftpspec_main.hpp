// The `ftpspec` command as a function: the executable's main() (cmake/program_main.cpp.in) and
// the Python package's `ftpspec` console command (bindings/src/bind_programs.cpp) both call it, so
// there is one implementation of the command line.
#pragma once
#include <filesystem>

namespace ftpspec::cli {

/// Runs `ftpspec` with these arguments (argv[0] is the program name) and returns its exit code.
/// `default_suite` is the suite `run`, `list`, `check` and `--version` use without --suite; empty:
/// the one that belongs to this executable (default_suite_for_executable()).
int ftpspec_main(int argc, char** argv, const std::filesystem::path& default_suite = {});

}  // namespace ftpspec::cli
