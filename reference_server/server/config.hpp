// ftpspecd's configuration: what the command line (and, later, a config file) sets.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ftpspecd {

struct User {
  std::string name;
  std::string password;
  std::filesystem::path root;  ///< empty: the server's root
  bool read_only = false;
};

struct Config {
  std::string listen_host = "127.0.0.1";
  std::uint16_t port = 0;                 ///< 0: an ephemeral port (Server::start returns it)
  std::filesystem::path root;             ///< served to every user whose own root is empty
  std::vector<User> users;
  bool anonymous = false;                 ///< USER anonymous / ftp with any password, read-only
  std::string greeting = "ftpspecd ready";
  std::size_t max_command_line = 4096;    ///< longer lines get 500 and are discarded
  std::chrono::milliseconds idle_timeout{300'000};
  std::chrono::milliseconds data_timeout{60'000};
};

}  // namespace ftpspecd
