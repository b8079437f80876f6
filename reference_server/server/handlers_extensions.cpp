// Extensions: FEAT and OPTS (RFC 2389), SIZE and MDTM (RFC 3659 §3, §4), OPTS UTF8 (RFC 2640 §3.2).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <vector>

#include <boost/algorithm/string/predicate.hpp>
#include <fmt/format.h>

#include "codec/codec.hpp"
#include "server/control_session.hpp"
#include "server/handlers.hpp"
#include "server/mlst_facts.hpp"

namespace ftpspecd {
namespace {
constexpr std::uint64_t kMaxEncodedSizeScan = 16 * 1024 * 1024;
}  // namespace

HandlerResult handle_feat(ControlSession& session, const Command&) {
  // RFC 2389 §3.2: "211-Features:", one feature per line with a leading space, "211 End".
  std::string text = "Features:\n";
  if (session.tls_context()) text += " AUTH TLS\n PBSZ\n PROT\n CCC\n";  // RFC 4217 §6
  // RFC 7151 §3.4: a server that implements HOST MUST list it.
  text += " EPRT\n EPSV\n HOST\n LANG EN*\n MDTM\n " + mlst_feature(session.state().mlst_facts) +
          "\n PASV\n REST STREAM\n SIZE\n TVFS\n UTF8\nEnd";
  session.reply(211, text);
  co_return;
}

HandlerResult handle_opts(ControlSession& session, const Command& command) {
  const std::string& arg = command.arg;
  if (boost::algorithm::iequals(arg, "UTF8 ON") || boost::algorithm::iequals(arg, "UTF8")) {
    session.state().utf8 = true;
    session.reply(200, "UTF8 mode enabled");
  } else if (boost::algorithm::iequals(arg, "UTF8 OFF")) {
    session.state().utf8 = false;
    session.reply(200, "UTF8 mode disabled");
  } else if (boost::algorithm::istarts_with(arg, "MLST")) {
    if (arg.size() > 4 && arg[4] != ' ') session.reply(501, "Option not understood");
    else reply_opts_mlst(session, arg.size() > 5 ? std::string_view(arg).substr(5) : std::string_view());
  } else {
    session.reply(501, "Option not understood");  // RFC 2389 §4
  }
  co_return;
}

HandlerResult handle_size(ControlSession& session, const Command& command) {
  auto target = session.resolve_or_reply(command.arg, 550);
  if (!target) co_return;
  UniqueFd file(::open(target->real.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (file.get() < 0 || ::fstat(file.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    session.reply(550, "Could not get file size");
    co_return;
  }
  const auto& rep = session.state().representation;
  if (rep.is_plain_binary()) {
    session.reply(213, std::to_string(st.st_size));
    co_return;
  }
  // RFC 3659 §4: the size is what the transfer would send in the current representation. Counting
  // it means encoding the file on the io thread, so large files are refused rather than stalling
  // every other session (RFC 3659 §4.2: 550 "if the processing overhead is considered too great").
  if (static_cast<std::uint64_t>(st.st_size) > kMaxEncodedSizeScan) {
    session.reply(550, "SIZE not available in this TYPE for files over 16 MiB; use TYPE I");
    co_return;
  }
  auto encoder = ftpspec::codec::make_encoder(rep);
  std::vector<char> chunk(64 * 1024);
  std::string wire;
  std::uint64_t total = 0;
  while (true) {
    const ssize_t n = ::read(file.get(), chunk.data(), chunk.size());
    if (n < 0) {
      session.reply(550, "Could not read file");
      co_return;
    }
    wire.clear();
    if (n == 0) encoder->finish(wire);
    else encoder->put(std::span<const char>(chunk.data(), static_cast<std::size_t>(n)), wire);
    total += wire.size();
    if (n == 0) break;
  }
  session.reply(213, std::to_string(total));
}

HandlerResult handle_mdtm(ControlSession& session, const Command& command) {
  auto target = session.resolve_or_reply(command.arg, 550);
  if (!target) co_return;
  struct stat st {};
  if (::stat(target->real.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    session.reply(550, "Could not get modification time");
    co_return;
  }
  std::tm tm {};
  ::gmtime_r(&st.st_mtime, &tm);
  // RFC 3659 §2.3: time-val YYYYMMDDHHMMSS, always UTC.
  session.reply(213, fmt::format("{:04}{:02}{:02}{:02}{:02}{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                                 tm.tm_hour, tm.tm_min, tm.tm_sec));
}

}  // namespace ftpspecd
