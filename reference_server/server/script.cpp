#include "server/script.hpp"

#include <algorithm>
#include <array>

namespace ftpspecd {

bool TransferShape::any() const noexcept {
  return data.any() || mark || final_code || final_text || final_raw || final_delay.count() > 0 || interrupt.count() > 0 ||
         order != Order::normal || end != End::close || linger.count() > 0 || no_data_connection || ignore_rest || listing ||
         listing_body;
}

bool Script::empty() const noexcept {
  return !replies.any() && greeting.empty() && rules.empty() && home.empty() && !require_tls_resumption;
}

std::string default_reply_text(int code) {
  // RFC 959 §4.2.2's texts for the codes a script puts where the handler would choose.
  switch (code) {
    case 110: return "Restart marker reply";
    case 125: return "Data connection already open; transfer starting";
    case 150: return "File status okay; about to open data connection";
    case 200: return "Command okay";
    case 226: return "Closing data connection. Requested file action successful";
    case 250: return "Requested file action okay, completed";
    case 421: return "Service not available, closing control connection";
    case 425: return "Can't open data connection";
    case 426: return "Connection closed; transfer aborted";
    case 450: return "Requested file action not taken";
    case 451: return "Requested action aborted: local error in processing";
    case 500: return "Syntax error, command unrecognized";
    case 501: return "Syntax error in parameters or arguments";
    case 502: return "Command not implemented";
    case 504: return "Command not implemented for that parameter";
    case 522: return "TLS negotiation failed or was unacceptable";
    case 530: return "Not logged in";
    case 550: return "Requested action not taken";
    default: return "Scripted reply";
  }
}

Script compile_misbehaviour(const Misbehaviour& misbehaviour) {
  Script script;
  script.replies = misbehaviour.replies;
  if (misbehaviour.close_421_at > 0) {
    // RFC 959 §4.2: any command may be answered 421, and the server then closes. Counted per
    // connection and over every command (login included), before any other rule.
    ScriptRule rule;
    rule.occurrence = misbehaviour.close_421_at;
    rule.per_connection = true;
    rule.actions.push_back({ScriptAction::Kind::reply, 421, "Service not available, closing control connection", {}, 0, {}});
    rule.actions.push_back({ScriptAction::Kind::close, 0, {}, {}, 0, {}});
    rule.source = "--misbehave close-421";
    script.rules.push_back(std::move(rule));
  }
  static constexpr std::array kTransfers = {"RETR", "LIST", "NLST", "MLSD", "STOR", "APPE", "STOU"};
  for (const std::string verb : kTransfers) {
    TransferShape shape;
    shape.data = misbehaviour.data;
    const bool download = verb == "RETR" || verb == "LIST" || verb == "NLST" || verb == "MLSD";
    if (download && misbehaviour.preliminary_then_4xx) {
      // The 150 promised data; the connection opens and closes with none, then 451 (§4.2).
      shape.data.drop_after = 0;
      shape.final_code = 451;
      shape.final_text = "Requested action aborted: local error in processing (misbehaviour preliminary-then-4xx)";
    }
    if (verb == "LIST" && misbehaviour.list_format != ListFormat::unix_ls) shape.listing = misbehaviour.list_format;
    if (!shape.any()) continue;
    ScriptRule rule;
    rule.verbs = {verb};
    rule.serve.transfer = shape;
    rule.source = "--misbehave";
    script.rules.push_back(std::move(rule));
  }
  if (misbehaviour.pasv_address) {
    ScriptRule rule;
    rule.verbs = {"PASV"};
    rule.serve.pasv_address = misbehaviour.pasv_address;
    rule.source = "--misbehave pasv-address";
    script.rules.push_back(std::move(rule));
  }
  return script;
}

Script combine(Script first, const Script& second) {
  first.rules.insert(first.rules.end(), second.rules.begin(), second.rules.end());
  if (!first.replies.any()) first.replies = second.replies;
  if (first.greeting.empty()) first.greeting = second.greeting;
  if (first.home.empty()) first.home = second.home;
  first.require_tls_resumption = first.require_tls_resumption || second.require_tls_resumption;
  return first;
}

ScriptInstance::ScriptInstance(Script script)
    : script_(std::move(script)), counts_(std::make_unique<std::atomic<unsigned>[]>(script_.rules.size())) {
  for (std::size_t i = 0; i < script_.rules.size(); ++i) counts_[i] = 0;
}

const ScriptRule* ScriptInstance::match(const ftpspec::proto::Command& command, std::vector<unsigned>& connection_counts) {
  connection_counts.resize(script_.rules.size());
  const ScriptRule* fired = nullptr;
  for (std::size_t i = 0; i < script_.rules.size(); ++i) {
    const ScriptRule& rule = script_.rules[i];
    if (!rule.verbs.empty() && std::find(rule.verbs.begin(), rule.verbs.end(), command.verb) == rule.verbs.end()) continue;
    if (rule.argument && !std::regex_search(command.arg, *rule.argument)) continue;
    // Every rule naming the command counts it, so "#1" and "#2" rules on one verb both see it.
    const unsigned seen = rule.per_connection ? ++connection_counts[i] : ++counts_[i];
    if (!fired && (rule.occurrence == 0 || seen == rule.occurrence)) fired = &rule;
  }
  return fired;
}

}  // namespace ftpspecd
