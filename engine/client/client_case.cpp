#include "client/client_case.hpp"

#include <fmt/format.h>

namespace ftpspec::client {

std::string_view to_string(Operation operation) noexcept {
  switch (operation) {
    case Operation::download: return "download";
    case Operation::upload: return "upload";
    case Operation::list: return "list";
    case Operation::resume: return "resume";
    case Operation::remove: return "delete";
    case Operation::mkdir: return "mkdir";
  }
  return "?";
}

std::optional<Operation> parse_operation(std::string_view word) noexcept {
  for (Operation operation : {Operation::download, Operation::upload, Operation::list, Operation::resume,
                              Operation::remove, Operation::mkdir})
    if (word == to_string(operation)) return operation;
  return std::nullopt;
}

std::string Content::describe() const {
  switch (kind) {
    case Kind::literal: return fmt::format("\"{}\" ({} bytes)", text.size() > 40 ? text.substr(0, 40) + "..." : text, text.size());
    case Kind::random: return fmt::format("random:{}", size);
    case Kind::reference: {
      std::string slice;
      if (start > 0 || end) slice = fmt::format("[{}:{}]", start > 0 ? std::to_string(start) : "", end ? std::to_string(*end) : "");
      const bool plain = text.find_first_of(" \t\"[") == std::string::npos;
      return (plain ? "@" + text : "@\"" + text + "\"") + slice;
    }
  }
  return "?";
}

std::string ClientCase::rfc_number() const {
  if (rfc.empty()) return "?";
  return rfc.front().substr(0, rfc.front().find(' '));
}

std::string ClientCase::local_name() const {
  std::string_view name = path;
  while (name.size() > 1 && name.back() == '/') name.remove_suffix(1);
  const auto slash = name.rfind('/');
  return std::string(slash == std::string_view::npos ? name : name.substr(slash + 1));
}

}  // namespace ftpspec::client
