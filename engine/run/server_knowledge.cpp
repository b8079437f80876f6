#include "run/server_knowledge.hpp"

#include <algorithm>
#include <cctype>

#include "proto/command.hpp"
#include "proto/sequences.hpp"

namespace ftpspec::run {

namespace {


/// The key under which a command is known: its verb, or verb and argument for the representation
/// commands, whose parameters are implemented one by one (RFC 959 §5.3.2).
std::string key_of(std::string_view command) {
  const std::string line = proto::upper_ascii(command);
  const std::string verb = line.substr(0, line.find(' '));
  const bool parameter = verb == "TYPE" || verb == "MODE" || verb == "STRU";
  return parameter ? line : verb;
}

}  // namespace

ServerKnowledge::ServerKnowledge(const std::vector<std::string>& features) {
  for (const std::string& feature : features) {
    const std::string verb = proto::upper_ascii(std::string_view(feature).substr(0, feature.find(' ')));
    known_.insert(verb);
    if (verb == "MLST") known_.insert("MLSD");  // RFC 3659 §7.8: the MLST feature covers both
    if (verb == "UTF8" || verb == "LANG") known_.insert("OPTS");
  }
  if (!features.empty()) {
    known_.insert("FEAT");
    known_.insert("OPTS");  // RFC 2389 §4: "MUST be implemented whenever the FEAT command is"
  }
}

bool ServerKnowledge::implements(std::string_view command) const {
  return proto::obligation(command) == proto::Obligation::required || known_.count(key_of(command)) > 0;
}

void ServerKnowledge::saw_reply(std::string_view command, int code) {
  if (!command.empty() && code >= 100 && code < 400) known_.insert(key_of(command));
}

}  // namespace ftpspec::run
