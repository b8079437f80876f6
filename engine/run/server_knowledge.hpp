// What a run knows of the server under test: which commands it implements. RFC 1123 §4.1.2.13
// requires a minimum, FEAT advertises extensions (RFC 2389 §3), and a positive reply earlier in the
// case shows the rest. Grading uses it to tell a command the server does not implement (an optional
// feature absent: `unsupported`) from one it implements and answered wrongly (graded by the rules).
#pragma once
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ftpspec::run {

class ServerKnowledge {
 public:
  ServerKnowledge() = default;
  /// `features`: the FEAT lines without their leading space. A server that lists features answers
  /// FEAT, and then OPTS MUST be implemented too (RFC 2389 §4).
  explicit ServerKnowledge(const std::vector<std::string>& features);

  /// Whether `command` (the line as sent) is known to be implemented: a required command, an
  /// advertised or seen verb. A TYPE, MODE or STRU parameter counts only when it is required or
  /// was itself accepted ("MODE B" is not known from "MODE S").
  bool implements(std::string_view command) const;
  /// A positive reply (1yz, 2yz, 3yz) to `command` shows it is implemented.
  void saw_reply(std::string_view command, int code);

 private:
  std::set<std::string> known_;  ///< upper-case verbs, and "TYPE E"-style parameter commands
};

}  // namespace ftpspec::run
