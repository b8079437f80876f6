// RFC 959 §4.1.3 service commands that use the data connection (RETR STOR STOU APPE LIST NLST)
// and the ones that steer it (REST ALLO ABOR).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <regex>

#include <fmt/format.h>

#include "codec/codec.hpp"

#include "server/control_session.hpp"
#include "server/handlers.hpp"
#include "server/listing.hpp"

namespace ftpspecd {
namespace codec = ftpspec::codec;
namespace fs = std::filesystem;

namespace {
std::string type_name(const codec::Representation& rep) {
  return rep.type == codec::RepType::ascii ? "ASCII" : rep.type == codec::RepType::ebcdic ? "EBCDIC" : "BINARY";
}

/// RFC 959 §4.1.3 LIST/NLST: the listing travels as ASCII (EBCDIC under TYPE E) in the current mode.
codec::Representation listing_representation(const codec::Representation& current) {
  codec::Representation rep;
  rep.type = current.type == codec::RepType::ebcdic ? codec::RepType::ebcdic : codec::RepType::ascii;
  rep.mode = current.mode;
  if (!codec::unsupported_reason(rep).empty()) rep.mode = codec::Mode::stream;
  return rep;
}

enum class StoreKind { replace, append, unique };

/// RFC 959 §4.2: 452 "insufficient storage space" when no inode or quota is left to create the
/// file, else 553.
void refuse_store(ControlSession& session, int error) {
  const bool full = error == ENOSPC || error == EDQUOT;
  session.reply(full ? 452 : 553, std::string("Requested action not taken: ") + std::strerror(error));
}

/// Where STOR or APPE (after REST `offset`) writes `target`, chosen so that no byte of an existing
/// file changes before the upload is acknowledged (upload.hpp). Replies and returns nullopt when
/// the upload cannot start.
asio::awaitable<std::optional<Upload>> prepare_store(ControlSession& session, UploadLocks::Held lock,
                                                     const fs::path& target, StoreKind kind, std::uint64_t offset) {
  const bool keep_partial = session.config().keep_partial_uploads;
  struct stat st {};
  const bool exists = ::stat(target.c_str(), &st) == 0;
  const auto size = exists ? static_cast<std::uint64_t>(st.st_size) : 0;
  const bool plain_append = kind == StoreKind::append && offset == 0;
  if (exists && !S_ISREG(st.st_mode) && !plain_append) {
    session.reply(553, "Requested action not taken: not a plain file");
    co_return std::nullopt;
  }
  if (exists && (plain_append || (offset > 0 && offset >= size))) {
    // From the end of an existing file no byte it had changes: written in place, undone by
    // truncating. RFC 3659 §5.3: after REST n, APPE "MUST act identically to STOR": the data goes
    // at byte n, so O_APPEND (which would force every write to the end) is only for a plain APPE.
    UniqueFd file(::open(target.c_str(), O_WRONLY | O_CLOEXEC | (plain_append ? O_APPEND : 0)));
    if (file.get() < 0) {
      refuse_store(session, errno);
      co_return std::nullopt;
    }
    if (offset > 0 && ::lseek(file.get(), static_cast<off_t>(offset), SEEK_SET) < 0) {
      session.reply(554, "Requested action not taken: invalid REST offset");
      co_return std::nullopt;
    }
    co_return Upload::extend(std::move(lock), std::move(file), target, size, keep_partial);
  }
  // Anything else goes to a new file next to the target, renamed over it once acknowledged.
  // Replacing a file takes the right to write it, as writing it in place did.
  if (exists && ::access(target.c_str(), W_OK) != 0) {
    refuse_store(session, errno);
    co_return std::nullopt;
  }
  std::optional<Upload> upload = Upload::stage(std::move(lock), target, exists ? &st : nullptr, keep_partial);
  if (!upload) {
    refuse_store(session, errno);
    co_return std::nullopt;
  }
  if (exists && offset > 0) {
    // REST n inside the file (RFC 3659 §5): the bytes after the upload stay, so the staged file
    // starts as a copy, made in the kernel and off the io thread.
    const auto copied = co_await session.blocking().run([&upload] { return upload->copy_target() ? 0 : -1; });
    if (!copied.ok()) {
      upload->discard();
      refuse_store(session, copied.error);
      co_return std::nullopt;
    }
  }
  if (offset > 0 && ::lseek(upload->fd(), static_cast<off_t>(offset), SEEK_SET) < 0) {
    upload->discard();
    session.reply(554, "Requested action not taken: invalid REST offset");
    co_return std::nullopt;
  }
  co_return upload;
}

HandlerResult store(ControlSession& session, const Command& command, StoreKind kind) {
  auto& state = session.state();
  const std::uint64_t offset = std::exchange(state.restart_offset, 0);
  if (state.read_only) {
    session.reply(553, "Permission denied: read-only account");
    co_return;
  }
  TransferJob job;
  std::optional<ResolvedPath> target;
  if (kind == StoreKind::unique) {
    // RFC 959 §4.1.3 STOU: a name unique in the current directory, told in the 150 (RFC 1123 §4.1.2.9).
    const std::string base = command.has_arg && !command.arg.empty() ? command.arg : "ftpspecd";
    UniqueFd file;
    std::optional<UploadLocks::Held> lock;
    int error = EEXIST;
    for (int attempt = 0; attempt < 1000 && file.get() < 0; ++attempt) {
      target = session.resolve_or_reply(attempt == 0 && command.has_arg ? base : fmt::format("{}.{}", base, attempt), 553);
      if (!target) co_return;
      lock = session.uploads().try_lock(target->real);
      if (!lock) continue;  // another session is uploading to this name
      file = UniqueFd(::open(target->real.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
      error = errno;
      if (file.get() < 0 && error != EEXIST) break;
    }
    if (file.get() < 0) {
      refuse_store(session, error);
      co_return;
    }
    job.upload.emplace(
        Upload::create(std::move(*lock), std::move(file), target->real, session.config().keep_partial_uploads));
  } else {
    target = session.resolve_or_reply(command.arg, 553);
    if (!target) co_return;
    std::error_code ec;
    if (fs::is_directory(target->real, ec)) {
      session.reply(553, "Requested action not taken: " + target->virtual_path + " is a directory");
      co_return;
    }
    // The file itself when the target is a symbolic link (inside the jail: Vfs checked): the
    // upload replaces what the link points to, not the link.
    fs::path file = target->real;
    if (fs::is_symlink(fs::symlink_status(file, ec))) {
      file = fs::weakly_canonical(target->real, ec);
      if (ec) file = target->real;
    }
    // One upload per file: a second writer must not interleave with (or replace) the first one's data.
    auto lock = session.uploads().try_lock(file);
    if (!lock) {
      session.reply(450, "Requested file action not taken: file busy (another upload is writing it)");
      co_return;
    }
    auto upload = co_await prepare_store(session, std::move(*lock), file, kind, offset);
    if (!upload) co_return;
    job.upload.emplace(std::move(*upload));
  }
  if (!session.data().configured()) {
    job.upload->discard();  // before the 425: nothing was sent, nothing stays
    refuse_without_data_setup(session);
    co_return;
  }
  const std::string name = target->real.filename().string();
  if (kind == StoreKind::unique) reply_transfer_starting(session, "FILE: " + name);
  else reply_transfer_starting(session, fmt::format("{} mode transfer to {}", type_name(state.representation), name));
  job.kind = TransferJob::Kind::receive_file;
  job.offset = offset;
  job.representation = state.representation;
  session.start_transfer(std::move(job));
}

HandlerResult list(ControlSession& session, const Command& command, bool long_form) {
  const std::string path = strip_list_options(command.arg);
  // LIST/NLST may not answer 550 (RFC 959 §5.4): refusals are 450.
  auto target = session.resolve_or_reply(path, 450);
  if (!target) co_return;
  const TransferShape& shape = session.serving().transfer;
  auto listing = make_listing(target->real, long_form, shape.listing.value_or(ListFormat::unix_ls));
  if (!listing && !shape.listing_body) {
    session.reply(450, "No such file or directory");
    co_return;
  }
  if (refuse_without_data_setup(session)) co_return;
  reply_transfer_starting(session, "Here comes the directory listing");
  TransferJob job;
  job.kind = TransferJob::Kind::send_text;
  job.text = listing ? std::move(*listing) : std::string();
  job.representation = listing_representation(session.state().representation);
  use_scripted_listing(session, job);
  session.start_transfer(std::move(job));
}
}  // namespace

void use_scripted_listing(ControlSession& session, TransferJob& job) {
  const auto& body = session.serving().transfer.listing_body;
  if (!body) return;
  job.text = *body;
  job.representation = ftpspec::codec::Representation{};
  job.representation.type = ftpspec::codec::RepType::image;  // the script's bytes, exactly
}

bool refuse_without_data_setup(ControlSession& session) {
  if (session.data().configured()) return false;
  session.reply(425, "Use PORT, PASV, EPRT or EPSV first");
  return true;
}

void reply_transfer_starting(ControlSession& session, const std::string& text) {
  session.reply_preliminary(session.data().reusing() ? 125 : 150, text);
}

HandlerResult handle_retr(ControlSession& session, const Command& command) {
  auto& state = session.state();
  std::uint64_t offset = std::exchange(state.restart_offset, 0);
  if (session.serving().transfer.ignore_rest) offset = 0;  // a script's deviation: REST was answered 350 all the same
  auto target = session.resolve_or_reply(command.arg, 550);
  if (!target) co_return;
  UniqueFd file(::open(target->real.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (file.get() < 0 || ::fstat(file.get(), &st) != 0) {
    session.reply(550, std::string("Requested action not taken: ") + std::strerror(errno));
    co_return;
  }
  if (!S_ISREG(st.st_mode)) {
    session.reply(550, "Requested action not taken: not a plain file");
    co_return;
  }
  if (offset > static_cast<std::uint64_t>(st.st_size)) {
    session.reply(554, "Requested action not taken: REST offset beyond the end of the file");  // RFC 1123 §4.1.3.4
    co_return;
  }
  if (refuse_without_data_setup(session)) co_return;
  reply_transfer_starting(session, fmt::format("{} mode transfer of {} ({} bytes)", type_name(state.representation),
                                               target->real.filename().string(), static_cast<long long>(st.st_size)));
  TransferJob job;
  job.kind = TransferJob::Kind::send_file;
  job.file = std::move(file);
  job.offset = offset;
  job.size = static_cast<std::uint64_t>(st.st_size);
  job.representation = state.representation;
  session.start_transfer(std::move(job));
}

HandlerResult handle_stor(ControlSession& session, const Command& command) { co_await store(session, command, StoreKind::replace); }
HandlerResult handle_appe(ControlSession& session, const Command& command) { co_await store(session, command, StoreKind::append); }
HandlerResult handle_stou(ControlSession& session, const Command& command) { co_await store(session, command, StoreKind::unique); }
HandlerResult handle_list(ControlSession& session, const Command& command) { co_await list(session, command, true); }
HandlerResult handle_nlst(ControlSession& session, const Command& command) { co_await list(session, command, false); }

HandlerResult handle_rest(ControlSession& session, const Command& command) {
  // RFC 3659 §5: in stream mode the marker is the byte offset to restart at.
  std::uint64_t offset = 0;
  const char* end = command.arg.data() + command.arg.size();
  const auto [ptr, ec] = std::from_chars(command.arg.data(), end, offset);
  if (ec != std::errc{} || ptr != end) {
    session.reply(501, "Syntax error: REST needs a decimal byte offset");
    co_return;
  }
  session.state().restart_offset = offset;
  session.reply(350, fmt::format("Restarting at {}. Send STORE or RETRIEVE to initiate transfer", offset));
}

HandlerResult handle_allo(ControlSession& session, const Command& command) {
  // RFC 959 §5.3.2: ALLO <SP> <decimal-integer> [<SP> R <SP> <decimal-integer>]
  static const std::regex grammar(R"(\d+( [Rr] \d+)?)");
  if (!std::regex_match(command.arg, grammar)) {
    session.reply(501, "Syntax error in ALLO argument (<decimal-integer> [R <decimal-integer>])");
    co_return;
  }
  session.reply(202, "ALLO not needed at this site");  // RFC 959 §4.1.3: storage is not reserved
  co_return;
}

HandlerResult handle_abor(ControlSession& session, const Command&) {
  if (!session.transfer_running()) {
    // RFC 959 §4.1.3 ABOR: with the command already completed, the server closes the data
    // connection if it is open (one kept after MODE B/C) and replies 226.
    if (session.data().drop_kept()) session.reply(226, "No transfer to abort; data connection closed");
    else session.reply(225, "No transfer to abort");
    co_return;
  }
  // RFC 959 §4.1.3: the transfer's own reply is 426, then ABOR's 226.
  co_await session.abort_transfer();
  session.reply(226, "ABOR command successful");
}

}  // namespace ftpspecd
