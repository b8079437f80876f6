#include "server/upload.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <random>

#include <fmt/format.h>

#include "server/vfs.hpp"

namespace ftpspecd {
namespace fs = std::filesystem;

std::optional<UploadLocks::Held> UploadLocks::try_lock(const fs::path& path) {
  std::lock_guard lock(mutex_);
  if (!held_.insert(path.string()).second) return std::nullopt;
  return Held(*this, path.string());
}

void UploadLocks::release(const std::string& path) {
  std::lock_guard lock(mutex_);
  held_.erase(path);
}

namespace {
/// The size of the file at `path`, 0 when it is gone.
std::uint64_t size_of(const fs::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}
}  // namespace

Upload::Upload(UploadLocks::Held lock, Method method, UniqueFd file, fs::path target, fs::path staged,
               std::uint64_t old_size, bool keep_partial)
    : lock_(std::move(lock)),
      method_(method),
      file_(std::move(file)),
      target_(std::move(target)),
      staged_(std::move(staged)),
      old_size_(old_size),
      keep_partial_(keep_partial) {
  (void)::fstat(file_.get(), &written_);
}

Upload::Upload(Upload&& other) noexcept
    : lock_(std::move(other.lock_)),
      method_(other.method_),
      file_(std::move(other.file_)),
      target_(std::move(other.target_)),
      staged_(std::move(other.staged_)),
      old_size_(other.old_size_),
      written_(other.written_),
      keep_partial_(other.keep_partial_),
      published_(other.published_),
      stage_(std::exchange(other.stage_, Stage::settled)) {}

Upload::~Upload() {
  if (stage_ == Stage::writing) abandon();
  else if (stage_ == Stage::committed) finish();
}

std::optional<Upload> Upload::stage(UploadLocks::Held lock, const fs::path& target, const struct stat* existing,
                                    bool keep_partial) {
  // O_EXCL and 64 random bits: concurrent sessions (and a leftover of a crashed server) never
  // share a staged file.
  thread_local std::mt19937_64 random{std::random_device{}()};
  for (int attempt = 0; attempt < 16; ++attempt) {
    fs::path staged = target.parent_path() / fmt::format("{}{:016x}", kUploadStagingPrefix, random());
    UniqueFd file(::open(staged.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (file.get() < 0) {
      if (errno == EEXIST) continue;
      return std::nullopt;
    }
    if (existing) (void)::fchmod(file.get(), existing->st_mode & 07777);  // the replaced file's permissions
    const std::uint64_t replaced_size = existing ? static_cast<std::uint64_t>(existing->st_size) : 0;
    return Upload(std::move(lock), Method::staged, std::move(file), target, std::move(staged), replaced_size,
                  keep_partial);
  }
  errno = EEXIST;
  return std::nullopt;
}

Upload Upload::extend(UploadLocks::Held lock, UniqueFd file, fs::path target, std::uint64_t old_size,
                      bool keep_partial) {
  return Upload(std::move(lock), Method::extended, std::move(file), std::move(target), {}, old_size, keep_partial);
}

Upload Upload::create(UploadLocks::Held lock, UniqueFd file, fs::path target, bool keep_partial) {
  return Upload(std::move(lock), Method::created, std::move(file), std::move(target), {}, 0, keep_partial);
}

bool Upload::copy_target() {
  UniqueFd source(::open(target_.c_str(), O_RDONLY | O_CLOEXEC));
  if (source.get() < 0) return false;
  loff_t in = 0;
  loff_t out = 0;
  while (true) {
    const ssize_t n = ::copy_file_range(source.get(), &in, file_.get(), &out, std::size_t{1} << 30, 0);
    if (n == 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

bool Upload::close_file() { return file_.close(); }

bool Upload::commit() {
  if (stage_ != Stage::writing) return stage_ == Stage::committed;
  // The size rollback() expects to find (the file is closed by now, so by name).
  const fs::path& written = method_ == Method::staged ? staged_ : target_;
  if (struct stat st {}; ::stat(written.c_str(), &st) == 0) written_.st_size = st.st_size;
  if (method_ == Method::staged && !publish()) return false;
  stage_ = Stage::committed;
  return true;
}

bool Upload::publish() {
  struct stat st {};
  const bool target_exists = ::lstat(target_.c_str(), &st) == 0;
  if (target_exists && S_ISDIR(st.st_mode)) {  // created while the upload ran
    errno = EISDIR;
    return false;
  }
  // Until finish() the staged name keeps what rollback() needs: the old file after
  // RENAME_EXCHANGE, the new one itself (a second link) when there was none.
  if (target_exists) {
    if (::renameat2(AT_FDCWD, staged_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) == 0) {
      published_ = Published::exchanged;
      return true;
    }
    if (errno != EINVAL && errno != ENOSYS) return false;
  } else if (::link(staged_.c_str(), target_.c_str()) == 0) {
    published_ = Published::linked;
    return true;
  } else if (errno == EEXIST) {
    return publish();  // created meanwhile: replace it like any other
  }
  // A file system without RENAME_EXCHANGE or hard links: a rename, which cannot be taken back.
  if (::rename(staged_.c_str(), target_.c_str()) != 0) return false;
  published_ = Published::renamed;
  return true;
}

void Upload::finish() {
  if (stage_ != Stage::committed) return;
  if (published_ == Published::exchanged || published_ == Published::linked) (void)::unlink(staged_.c_str());
  stage_ = Stage::settled;
}

bool Upload::target_unchanged() const {
  struct stat st {};
  return ::lstat(target_.c_str(), &st) == 0 && st.st_dev == written_.st_dev && st.st_ino == written_.st_ino &&
         st.st_size == written_.st_size;
}

void Upload::rollback() {
  if (stage_ != Stage::committed) return;
  // Kept by choice; published for good; or another writer has changed the file since.
  if (keep_partial_ || published_ == Published::renamed || !target_unchanged()) {
    finish();
    return;
  }
  // Back to before commit(): the new data under the staged name only, the old file (if any) in place.
  if (published_ == Published::exchanged &&
      ::renameat2(AT_FDCWD, staged_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) != 0) {
    finish();
    return;
  }
  if (published_ == Published::linked) (void)::unlink(target_.c_str());
  discard();
}

void Upload::abandon() {
  if (stage_ != Stage::writing) return;
  if (keep_partial_) keep();
  else discard();
}

void Upload::keep() {
  const bool nothing_arrived = (method_ == Method::staged && size_of(staged_) == 0) ||
                               (method_ == Method::created && size_of(target_) == 0);
  if (nothing_arrived || !commit()) {
    discard();
    return;
  }
  finish();
}

void Upload::discard() {
  file_.close();
  switch (method_) {
    case Method::staged: (void)::unlink(staged_.c_str()); break;
    case Method::extended: (void)::truncate(target_.c_str(), static_cast<off_t>(old_size_)); break;
    case Method::created: (void)::unlink(target_.c_str()); break;
  }
  stage_ = Stage::settled;
}

}  // namespace ftpspecd
