#include "client/command_driver.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <fstream>
#include <random>
#include <stdexcept>
#include <thread>

namespace bp = boost::process;

namespace ftpspec::client {
namespace {

constexpr std::size_t kOutputLimit = 64 * 1024;

std::string read_head(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string out(kOutputLimit, '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<std::size_t>(in.gcount()));
  if (in && in.peek() != std::char_traits<char>::eof()) out += "\n[... output cut at 64 KiB]";
  return out;
}

}  // namespace

ShellResult run_shell(const std::string& command, const std::filesystem::path& workdir,
                      const std::filesystem::path& home, const std::filesystem::path& scratch,
                      std::chrono::milliseconds deadline) {
  const auto started = std::chrono::steady_clock::now();
  const auto out_file = scratch / "client.stdout";
  const auto err_file = scratch / "client.stderr";
  ShellResult result;
  bp::child child;
  try {
    // Its own process group: the deadline kills the client and whatever it started.
    child = bp::child("/bin/sh", "-c", command, bp::start_dir = workdir.string(), bp::std_in < bp::null,
                      bp::std_out > boost::filesystem::path(out_file.string()),
                      bp::std_err > boost::filesystem::path(err_file.string()), bp::env["HOME"] = home.string(),
                      bp::extend::on_exec_setup = [](auto&) { ::setpgid(0, 0); });
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("cannot start /bin/sh -c '{}': {}", command, e.what()));
  }
  const pid_t group = child.id();
  std::error_code ec;
  const auto until = started + deadline;
  while (child.running(ec) && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (child.running(ec)) {
    result.hung = true;
    ::kill(-group, SIGKILL);
  }
  child.wait(ec);
  ::kill(-group, SIGKILL);  // anything the client left running in its group
  if (!result.hung) {
    const int native = child.native_exit_code();
    if (WIFEXITED(native)) result.exit_status = WEXITSTATUS(native);
  }
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  const std::string out = read_head(out_file);
  const std::string err = read_head(err_file);
  result.output = out;
  if (!err.empty()) result.output += (out.empty() || out.back() == '\n' ? "" : "\n") + std::string("[stderr]\n") + err;
  return result;
}

std::string CommandDriver::version() const {
  std::call_once(version_once_, [this] {
    if (profile_.version_command.empty()) return;
    std::random_device random;
    const auto scratch = std::filesystem::temp_directory_path() / fmt::format("ftpspec-version-{:x}", random());
    std::error_code ec;
    std::filesystem::create_directories(scratch, ec);
    try {
      const std::string command = expand_template(profile_.version_command, ClientRequest{}, profile_.directory);
      const ShellResult shell = run_shell(command, scratch, scratch, scratch, std::chrono::seconds(10));
      std::string line = shell.output.substr(0, shell.output.find('\n'));
      if (line == "[stderr]") line = shell.output.substr(9, shell.output.find('\n', 9) - 9);
      version_ = line;
    } catch (const std::exception&) {
    }
    std::filesystem::remove_all(scratch, ec);
  });
  return version_;
}

bool CommandDriver::supports(Operation operation, bool tls, std::string& why) const {
  if (profile_.command_for(operation, tls)) return true;
  why = fmt::format("the profile '{}' has no '{}{}' command", profile_.name, to_string(operation), tls ? "+tls" : "");
  return false;
}

ClientOutcome CommandDriver::run(const ClientRequest& request, std::chrono::milliseconds deadline) {
  ClientOutcome outcome;
  const auto command = profile_.command_for(request.operation, request.tls);
  if (!command) throw std::logic_error("CommandDriver::run without a command for the operation");
  const std::string expanded = expand_template(*command, request, profile_.directory);
  const ShellResult shell = run_shell(expanded, request.workdir, request.home, request.workdir.parent_path(), deadline);
  outcome.exit_status = shell.exit_status;
  outcome.hung = shell.hung;
  outcome.duration = shell.duration;
  outcome.command = expanded;
  outcome.output = shell.output;
  // /bin/sh's "command not found" (127) or "not executable" (126): no verdict on the client.
  outcome.not_found = shell.exit_status && (*shell.exit_status == 127 || *shell.exit_status == 126) &&
                      shell.output.find("not found") != std::string::npos;
  return outcome;
}

}  // namespace ftpspec::client
