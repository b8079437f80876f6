// The `ftpspecd` command as a function: the executable's main() (cmake/program_main.cpp.in) and
// the Python package's `ftpspecd` console command (bindings/src/bind_programs.cpp) both call it.
#pragma once

namespace ftpspecd {

/// Runs `ftpspecd` with these arguments (argv[0] is the program name) until SIGINT or SIGTERM;
/// returns its exit code (0 after a signal, 1 when the server fails, 2 for usage errors).
int ftpspecd_main(int argc, char** argv);

}  // namespace ftpspecd
