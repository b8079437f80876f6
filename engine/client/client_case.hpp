// The parsed form of a client case (`.ftpclient` files, docs/scenario-format.md §Client cases):
// the operation asked of the client, the server's side of the exchange (an ftpspecd::Script), the
// files on both sides, and the expectations on what the client leaves behind.
#pragma once
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "scenario/ast.hpp"
#include "server/script.hpp"

namespace ftpspec::client {

/// What a case asks of the client (docs/client-mode.md §Operations).
enum class Operation { download, upload, list, resume, remove, mkdir };

std::string_view to_string(Operation operation) noexcept;
/// "download" ... "mkdir"; "delete" for remove. nullopt for anything else.
std::optional<Operation> parse_operation(std::string_view word) noexcept;

/// File content in a case: `"literal"`, `random:N` (seeded by the case id and the file's name, so
/// reruns get the same bytes), or `@NAME[START:END]` (another file of the case: `@local` is the
/// local file before the operation, any other name a server file).
struct Content {
  enum class Kind { literal, random, reference } kind = Kind::literal;
  std::string text;                  ///< literal bytes; the referenced name
  std::size_t size = 0;              ///< random
  std::size_t start = 0;             ///< reference: slice start
  std::optional<std::size_t> end;    ///< reference: slice end (exclusive); none: to the end
  std::string describe() const;      ///< as written: "random:200000", "@data.bin[:1000]"
};

/// `server-file PATH CONTENT` or `server-dir PATH`: made in the server's root before the client runs.
struct ServerEntry {
  std::string path;                  ///< relative to the login directory ("home"), '/'-separated
  std::optional<Content> content;    ///< none: a directory
  scenario::SourceLoc loc;
};

/// One check of an expectation (all of an alternative's must hold).
struct Check {
  enum class Kind {
    exit_is,          ///< exit=N
    exit_not,         ///< exit!=N (exit!=0: the client reported a failure)
    local_is,         ///< local=CONTENT: the operation's local file holds exactly these bytes
    local_absent,     ///< local=absent
    remote_is,        ///< remote PATH=CONTENT: the server's file after the operation
    remote_absent,    ///< remote PATH=absent
    remote_dir,       ///< remote PATH=dir
    listed,           ///< listed "NAME": a line of the client's output is or ends with NAME
    not_listed,       ///< not-listed "NAME"
    sent,             ///< sent "REGEX": a command line the client sent matches (whole line, any case)
    not_sent,         ///< not-sent "REGEX"
    sent_before,      ///< sent "A" before "B": on some connection an A came before the first B
    output,           ///< output ~ "REGEX": the client's stdout/stderr has a match
    greeting_awaited, ///< greeting-awaited: nothing was sent before the greeting was complete
    tls_after_auth,   ///< tls-after-auth: after AUTH TLS's 234 the client started TLS, no clear text
    no_third_party,   ///< no-third-party: no connection to a 227's decoy address
  };
  Kind kind = Kind::exit_is;
  int number = 0;                    ///< exit_is / exit_not
  std::optional<Content> content;    ///< local_is / remote_is
  std::string path;                  ///< remote_*
  std::string text;                  ///< listed names, regexes
  std::string second;                ///< sent_before: the B regex
  std::string source;                ///< as written, for evidence
};

/// One alternative: `expect CHECKS [outcome ["reason"]]` or an `or` line below it.
struct Alternative {
  std::vector<Check> checks;
  scenario::Outcome outcome = scenario::Outcome::pass;
  std::string reason;
  scenario::SourceLoc loc;
};

/// `expect ...` and its `or` lines: the first alternative whose checks all hold decides.
struct Expectation {
  std::vector<Alternative> alternatives;
  scenario::SourceLoc loc;
  std::string source;  ///< the `expect` line as written
};

struct ClientCase {
  std::string id;
  std::string title;
  std::vector<std::string> rfc;
  scenario::Level level = scenario::Level::must;
  scenario::SourceLoc loc;

  Operation operation = Operation::download;
  std::string path;                  ///< the remote path the operation is about
  scenario::SourceLoc operation_loc;
  bool tls = false;                  ///< `tls explicit`: AUTH TLS, the profile's `+tls` commands (RFC 4217)
  std::chrono::milliseconds deadline{12000};  ///< the client is killed (and fails) after this
  std::vector<ServerEntry> server_files;
  std::optional<Content> local_file; ///< the local file before the operation (upload source, partial download)
  ftpspecd::Script server;           ///< the server's side of the exchange
  std::vector<Expectation> expectations;

  std::string rfc_number() const;    ///< "959"
  /// The basename of `path`: the local file's name.
  std::string local_name() const;
};

}  // namespace ftpspec::client
