#include "server/config_file.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include <boost/algorithm/string/trim.hpp>

#include "server/passive_ports.hpp"

namespace ftpspecd {
namespace {

struct LineError {
  std::string message;
};

std::uint64_t number(const std::string& value) {
  std::uint64_t out = 0;
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc{} || ptr != value.data() + value.size()) throw LineError{"expected a number, got '" + value + "'"};
  return out;
}

bool boolean(const std::string& value) {
  if (value == "true" || value == "yes" || value == "on" || value == "1") return true;
  if (value == "false" || value == "no" || value == "off" || value == "0") return false;
  throw LineError{"expected true or false, got '" + value + "'"};
}

void apply_listen(const std::string& value, Config& config) {
  const bool bracketed = !value.empty() && value.front() == '[';
  const auto colon = bracketed ? value.find("]:") : value.rfind(':');
  if (colon == std::string::npos) throw LineError{"listen: expected HOST:PORT or [IPV6]:PORT"};
  config.listen_host = bracketed ? value.substr(1, colon - 1) : value.substr(0, colon);
  const auto port = number(value.substr(colon + (bracketed ? 2 : 1)));
  if (port > 65535) throw LineError{"listen: port out of range"};
  config.port = static_cast<std::uint16_t>(port);
}

void apply_key(const std::string& key, const std::string& value, Config& config) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  if (key == "listen") apply_listen(value, config);
  else if (key == "root") config.root = value;
  else if (key == "anonymous") config.anonymous = boolean(value);
  else if (key == "greeting") config.greeting = value;
  else if (key == "tls_cert") config.tls_cert = value;
  else if (key == "tls_key") config.tls_key = value;
  else if (key == "require_tls") config.require_tls = boolean(value);
  else if (key == "idle_timeout") config.idle_timeout = seconds(number(value));
  else if (key == "data_timeout") config.data_timeout = seconds(number(value));
  else if (key == "passive_ports") {
    const auto range = parse_port_range(value);
    if (!range) throw LineError{"passive_ports: expected LOW-HIGH with 1024 <= LOW <= HIGH <= 65535, or 0"};
    config.passive_ports = *range;
  } else if (key == "io_threads") {
    const auto threads = number(value);
    if (threads == 0 || threads > kMaxIoThreads) throw LineError{fmt::format("io_threads: expected 1-{}", kMaxIoThreads)};
    config.io_threads = threads;
  } else if (key == "io_spin_us") {
    const auto spin = number(value);
    if (spin > kMaxIoSpinMicroseconds) throw LineError{fmt::format("io_spin_us: expected 0-{}", kMaxIoSpinMicroseconds)};
    config.io_spin = std::chrono::microseconds(spin);
  }
  else if (key == "restart_marker_interval") config.restart_marker_interval = number(value);
  else if (key == "keep_partial_uploads") config.keep_partial_uploads = boolean(value);
  else if (key == "max_sessions") config.max_sessions = number(value);
  else if (key == "max_sessions_per_address") config.max_sessions_per_address = number(value);
  else if (key == "login_failure_delay_ms") config.login_failure_delay = milliseconds(number(value));
  else if (key == "max_login_attempts") config.max_login_attempts = static_cast<unsigned>(number(value));
  else if (key == "misbehave") {
    if (auto error = apply_misbehaviour_list(value, config.misbehaviour); !error.empty()) throw LineError{error};
  } else throw LineError{"unknown key '" + key + "'"};
}

/// `user NAME PASSWORD [ro] [root=DIR] [misbehave=NAME[=VALUE],...]`
User parse_user_line(const std::vector<std::string>& words, Config& config) {
  if (words.size() < 3) throw LineError{"expected: user NAME PASSWORD [ro] [root=DIR] [misbehave=LIST]"};
  User user;
  user.name = words[1];
  user.password = words[2];
  for (std::size_t i = 3; i < words.size(); ++i) {
    if (words[i] == "ro") user.read_only = true;
    else if (words[i].rfind("root=", 0) == 0) user.root = words[i].substr(5);
    else if (words[i].rfind("misbehave=", 0) == 0) {
      const std::string list = words[i].substr(10);
      Misbehaviour scratch;  // validated now, applied at login on top of the server's own
      if (auto error = apply_misbehaviour_list(list, scratch); !error.empty()) throw LineError{error};
      config.user_misbehave[user.name].push_back(list);
    }
    else throw LineError{"unknown user option '" + words[i] + "'"};
  }
  return user;
}

}  // namespace

void apply_config(std::istream& in, const std::string& name, Config& config) {
  std::string line;
  for (int number_of_line = 1; std::getline(in, line); ++number_of_line) {
    try {
      if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
      boost::algorithm::trim(line);
      if (line.empty()) continue;
      if (const auto equals = line.find('='); equals != std::string::npos && line.rfind("user ", 0) != 0) {
        apply_key(boost::algorithm::trim_copy(line.substr(0, equals)),
                  boost::algorithm::trim_copy(line.substr(equals + 1)), config);
        continue;
      }
      std::istringstream words_in(line);
      std::vector<std::string> words;
      for (std::string word; words_in >> word;) words.push_back(word);
      if (words.front() != "user") throw LineError{"expected 'key = value' or 'user NAME PASSWORD ...'"};
      config.users.push_back(parse_user_line(words, config));
    } catch (const LineError& error) {
      throw std::runtime_error(name + ":" + std::to_string(number_of_line) + ": " + error.message);
    }
  }
}

void apply_config_file(const std::filesystem::path& file, Config& config) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read config file '" + file.string() + "'");
  apply_config(in, file.string(), config);
}

}  // namespace ftpspecd
