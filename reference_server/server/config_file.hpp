// ftpspecd's configuration file (`--config FILE`): `key = value` lines and
// `user NAME PASSWORD [ro] [root=DIR]` lines; '#' starts a comment. docs/ftpspecd.md lists keys.
#pragma once
#include <filesystem>
#include <istream>
#include <string>

#include "server/config.hpp"

namespace ftpspecd {

/// Applies every line of `in` to `config`. Throws std::runtime_error("NAME:LINE: reason") on an
/// unknown key, a bad value or a malformed user line; `name` is used in those messages.
void apply_config(std::istream& in, const std::string& name, Config& config);
/// apply_config on a file; throws when it cannot be read.
void apply_config_file(const std::filesystem::path& file, Config& config);

}  // namespace ftpspecd
