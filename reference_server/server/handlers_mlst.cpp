// RFC 3659 §7: MLST (facts of one entry on the control connection), MLSD (a directory's entries
// over the data connection), and OPTS MLST (choosing the facts, §7.9).
#include <algorithm>
#include <filesystem>
#include <vector>

#include <fmt/format.h>

#include "codec/codec.hpp"
#include "server/control_session.hpp"
#include "server/handlers.hpp"
#include "server/mlst_facts.hpp"

namespace ftpspecd {
namespace fs = std::filesystem;

namespace {
/// RFC 3659 §7.2: the listing is ASCII text with CRLF line ends, in the current transfer mode.
ftpspec::codec::Representation mlsd_representation(const ftpspec::codec::Representation& current) {
  ftpspec::codec::Representation rep;
  rep.mode = current.mode;
  if (!ftpspec::codec::unsupported_reason(rep).empty()) rep.mode = ftpspec::codec::Mode::stream;
  return rep;
}

/// The entries of directory `real`, "facts SP name" per line (RFC 3659 §7.2), the directory itself
/// first as type=cdir. Entries whose symbolic link leaves the jail are left out (RFC 2577 §5).
std::string directory_listing(ControlSession& session, const ResolvedPath& dir) {
  const auto& state = session.state();
  std::string out;
  if (auto facts = format_facts(dir.real, state.mlst_facts, state.read_only, EntryRole::listed_directory)) {
    out += *facts + " .\n";
  }
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir.real, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    ResolveError error = ResolveError::none;
    if (!state.vfs.resolve(dir.virtual_path, name, error)) continue;
    if (auto facts = format_facts(dir.real / name, state.mlst_facts, state.read_only)) out += *facts + " " + name + "\n";
  }
  return out;
}
}  // namespace

HandlerResult handle_mlst(ControlSession& session, const Command& command) {
  auto target = session.resolve_or_reply(command.has_arg ? command.arg : std::string(), 550);
  if (!target) co_return;
  const auto& state = session.state();
  auto facts = format_facts(target->real, state.mlst_facts, state.read_only);
  if (!facts) {
    session.reply(550, "No such file or directory");
    co_return;
  }
  // RFC 3659 §7.2: one fact line, starting with a single space, between the 250 lines.
  session.reply(250, fmt::format("Listing {}\n {} {}\nEnd", target->virtual_path, *facts, target->virtual_path));
}

HandlerResult handle_mlsd(ControlSession& session, const Command& command) {
  auto target = session.resolve_or_reply(command.has_arg ? command.arg : std::string(), 550);
  if (!target) co_return;
  std::error_code ec;
  const auto status = fs::status(target->real, ec);
  if (ec || !fs::exists(status)) {
    session.reply(550, "No such directory");
    co_return;
  }
  if (!fs::is_directory(status)) {
    session.reply(501, "Not a directory: MLSD lists directories, use MLST for a file (RFC 3659 §7.1)");
    co_return;
  }
  if (refuse_without_data_setup(session)) co_return;
  TransferJob job;
  job.kind = TransferJob::Kind::send_text;
  job.text = directory_listing(session, *target);
  job.representation = mlsd_representation(session.state().representation);
  use_scripted_listing(session, job);
  reply_transfer_starting(session, "MLSD listing of " + target->virtual_path);
  session.start_transfer(std::move(job));
}

void reply_opts_mlst(ControlSession& session, std::string_view facts) {
  auto& state = session.state();
  state.mlst_facts = parse_fact_selection(facts);
  // RFC 3659 §7.9: the reply names the facts now selected; none is written "MLST OPTS".
  const std::string selected = fact_selection_text(state.mlst_facts);
  session.reply(200, selected.empty() ? "MLST OPTS" : "MLST OPTS " + selected);
}

}  // namespace ftpspecd
