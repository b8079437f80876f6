// Where `ftpspec` finds its conformance suite when no --suite is given: relative to its own
// install location, so an installed or unpacked copy never reads the checkout it was built from.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace ftpspec::cli {

/// The suite that belongs to the running executable (/proc/self/exe):
///   <prefix>/bin/ftpspec -> <prefix>/share/ftpspec/scenarios (GNUInstallDirs' layout), else,
///   for an executable inside the build tree it was built in, that tree's source scenarios/.
/// Empty when neither exists.
std::filesystem::path default_suite_for_executable();

/// Where default_suite_for_executable() looks first, for messages ("looked in ...").
std::filesystem::path installed_suite_for_executable();

/// One line for `ftpspec --version`: how many cases the suite holds and where it is
/// ("suite: 303 cases in /usr/share/ftpspec/scenarios"), or why it does not load.
std::string describe_suite(const std::vector<std::filesystem::path>& paths);

}  // namespace ftpspec::cli
