#include "client/case_files.hpp"

#include <fmt/format.h>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace ftpspec::client {
namespace {

/// FNV-1a: the same seed on every platform and run, so random contents never change.
std::uint64_t stable_hash(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

CaseFiles::CaseFiles(const ClientCase& c) : case_(c) {
  for (const auto& entry : c.server_files)
    if (entry.content) server_[entry.path] = resolve(*entry.content, entry.path, 0);
  if (c.local_file) local_ = resolve(*c.local_file, "local", 0);
}

std::string CaseFiles::bytes(const Content& content, std::string_view name) const { return resolve(content, name, 0); }

std::string CaseFiles::resolve(const Content& content, std::string_view name, int depth) const {
  // The parser refuses circles; this guards a case built by hand.
  if (depth > static_cast<int>(case_.server_files.size()) + 1)
    throw std::invalid_argument(fmt::format("case {}: file references go round in a circle", case_.id));
  switch (content.kind) {
    case Content::Kind::literal: return content.text;
    case Content::Kind::random: {
      // Every byte value, CR and LF included: a transfer in TYPE A would change them.
      std::mt19937_64 generator(stable_hash(case_.id + "/" + std::string(name)));
      std::string out(content.size, '\0');
      for (std::size_t i = 0; i < out.size(); i += 8) {
        const std::uint64_t word = generator();
        for (std::size_t b = 0; b < 8 && i + b < out.size(); ++b) out[i + b] = static_cast<char>(word >> (8 * b));
      }
      return out;
    }
    case Content::Kind::reference: {
      std::string whole;
      if (content.text == "local") {
        if (!case_.local_file) throw std::invalid_argument("@local without a local-file");
        whole = resolve(*case_.local_file, "local", depth + 1);
      } else {
        const auto found = std::find_if(case_.server_files.begin(), case_.server_files.end(),
                                        [&](const ServerEntry& entry) { return entry.content && entry.path == content.text; });
        if (found == case_.server_files.end()) throw std::invalid_argument("@" + content.text + " names no server file");
        whole = resolve(*found->content, found->path, depth + 1);
      }
      const std::size_t start = std::min(content.start, whole.size());
      const std::size_t end = std::min(content.end.value_or(whole.size()), whole.size());
      return whole.substr(start, end > start ? end - start : 0);
    }
  }
  return {};
}

CaseDirectories::CaseDirectories(const std::string& case_id, const std::filesystem::path& parent, bool keep) : keep_(keep) {
  std::random_device random;
  const auto where = parent.empty() ? std::filesystem::temp_directory_path() : parent;
  base_ = where / fmt::format("ftpspec-client-{}-{:08x}", case_id, random());
  std::filesystem::create_directories(root());
  std::filesystem::create_directories(work());
  std::filesystem::create_directories(home());
}

CaseDirectories::~CaseDirectories() {
  if (keep_) return;
  std::error_code ec;
  std::filesystem::remove_all(base_, ec);
}

std::filesystem::path login_directory(const std::filesystem::path& root, const ClientCase& c) {
  std::string home = c.server.home;
  while (!home.empty() && home.front() == '/') home.erase(0, 1);
  return home.empty() ? root : root / home;
}

void write_server_files(const ClientCase& c, const CaseFiles& files, const std::filesystem::path& root) {
  const auto login = login_directory(root, c);
  std::filesystem::create_directories(login);
  for (const auto& entry : c.server_files) {
    const auto path = login / entry.path;
    if (entry.content) write_bytes(path, files.bytes(*entry.content, entry.path));
    else std::filesystem::create_directories(path);
  }
}

std::filesystem::path CaseDirectories::login(const ClientCase& c) const { return login_directory(root(), c); }

void CaseDirectories::populate(const ClientCase& c, const CaseFiles& files) const {
  write_server_files(c, files, root());
  if (c.local_file) write_bytes(work() / c.local_name(), files.local_before());
}

std::optional<std::string> read_file_bytes(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace ftpspec::client
