// Where an upload's bytes go until the client has been told the transfer succeeded (RFC 959 §4.2:
// 226 "Requested file action successful", or 250 on a kept data connection). In stream mode the end
// of the data is a close (§3.4.1), and a client that is killed closes its data connection as if the
// file were complete: only a completion reply that reached a live control connection makes an
// upload count. Until then an existing file is neither replaced nor altered (docs/ftpspecd.md,
// "Uploads").
#pragma once
#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "server/unique_fd.hpp"

namespace ftpspecd {

/// The targets this server is uploading to, so that a second writer of one file is refused (450
/// "file busy") instead of interleaving with, or replacing, the first one's data.
class UploadLocks {
 public:
  /// Holds one target until destroyed.
  class Held {
   public:
    Held(UploadLocks& owner, std::string path) : owner_(&owner), path_(std::move(path)) {}
    Held(Held&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)), path_(std::move(other.path_)) {}
    Held& operator=(Held&& other) noexcept {
      if (this != &other) {
        if (owner_) owner_->release(path_);
        owner_ = std::exchange(other.owner_, nullptr);
        path_ = std::move(other.path_);
      }
      return *this;
    }
    ~Held() {
      if (owner_) owner_->release(path_);
    }

   private:
    UploadLocks* owner_;
    std::string path_;
  };
  /// nullopt when an upload to `path` is running.
  std::optional<Held> try_lock(const std::filesystem::path& path);

 private:
  void release(const std::string& path);
  std::mutex mutex_;
  std::set<std::string> held_;
};

/// One STOR, APPE or STOU. The session writes to fd(); when the transfer ends it calls, on the
/// blocking-call pool (each step may touch a large file): close_file(), then either abandon()
/// (the transfer failed, or the control connection was gone), or commit(), the completion reply,
/// and finish() once the reply was written or rollback() when it could not be.
///
/// Three ways to keep an existing file intact until then:
///  - staged: a new file next to the target (kUploadStagingPrefix + random hex, O_EXCL), put in
///    the target's place by commit(): STOR, APPE of a new file, and REST n below an existing
///    file's size (the staged file starts as a copy, so the bytes after the upload stay). The
///    staged name exists until the upload is settled.
///  - extended: the existing file itself, written from its end (APPE, REST at or past the end);
///    undone by truncating it back to its old size.
///  - created: the file STOU just created under a new name; undone by removing it.
/// With keep_partial (Config::keep_partial_uploads) whatever arrived stays under the target name
/// instead, so that REST + STOR can resume it (RFC 3659 §5).
class Upload {
 public:
  /// A staged upload for `target` (its directory must be writable). `existing` is the target's
  /// stat when it exists: the new file gets its permission bits. nullopt with errno set on failure.
  /// Each upload holds its target's `lock` until it is settled or unlock()ed.
  static std::optional<Upload> stage(UploadLocks::Held lock, const std::filesystem::path& target,
                                     const struct stat* existing, bool keep_partial);
  static Upload extend(UploadLocks::Held lock, UniqueFd file, std::filesystem::path target, std::uint64_t old_size,
                       bool keep_partial);
  static Upload create(UploadLocks::Held lock, UniqueFd file, std::filesystem::path target, bool keep_partial);

  Upload(Upload&& other) noexcept;
  Upload& operator=(Upload&&) = delete;
  /// A session torn down mid-upload (server shutdown): abandon(), or finish() once committed.
  ~Upload();

  int fd() const noexcept { return file_.get(); }
  /// REST n below the target's size (staged only): fills the staged file with the target's bytes
  /// (copy_file_range(2), in the kernel), so the upload overwrites from n and leaves the rest.
  bool copy_target();
  /// Closes the file; false with errno when close(2) reports lost data (ENOSPC, EDQUOT, EIO).
  bool close_file();
  /// Makes the data visible under the target name: the staged file is exchanged with the target
  /// (renameat2 RENAME_EXCHANGE; the old file waits under the staged name for rollback()), or
  /// linked to a new one (the staged name goes in finish()). Nothing to do for the other two.
  /// False with errno when that failed.
  bool commit();
  /// The completion reply was written: another upload may take the target at once (before finish()).
  void unlock() noexcept { lock_.reset(); }
  /// The completion reply was written: drops what commit() kept for rollback().
  void finish();
  /// finish() unlinks a replaced file of a MiB or more, whose data the file system then frees:
  /// slow enough for the blocking-call pool (~200 ms for 512 MiB on ext4, like a truncation).
  bool finish_frees_data() const noexcept { return published_ == Published::exchanged && old_size_ >= (1u << 20); }
  /// After commit(), the client turned out gone before it could have read the completion reply:
  /// the old file goes back (unless keep_partial), provided the target is still this upload's
  /// (the lock may have passed to another writer since). A file system without RENAME_EXCHANGE
  /// cannot take a replaced file back.
  void rollback();
  /// Before commit(): the upload did not complete, or nobody is left to be told it did. Removes
  /// it (restores the old size of an extended file); with keep_partial keeps what arrived.
  void abandon();
  /// Undoes everything, whatever keep_partial says (an upload that never started): the staged or
  /// created file goes, an extended file gets its old size back.
  void discard();

 private:
  enum class Method { staged, extended, created };
  enum class Stage { writing, committed, settled };
  Upload(UploadLocks::Held lock, Method method, UniqueFd file, std::filesystem::path target,
         std::filesystem::path staged, std::uint64_t old_size, bool keep_partial);
  /// Keeps what arrived: committed and finished (a staged file that got no byte is discarded).
  void keep();
  /// The target is still what this upload made it: the same file, the same size.
  bool target_unchanged() const;
  /// commit() of a staged upload: exchanged with an existing target, linked as a new one.
  bool publish();

  std::optional<UploadLocks::Held> lock_;  ///< first: released after everything else is settled
  Method method_;
  UniqueFd file_;
  std::filesystem::path target_;
  std::filesystem::path staged_;  ///< staged: the temporary name; after an exchange, the old file's
  std::uint64_t old_size_ = 0;    ///< extended: the size to truncate back to; staged: the replaced file's
  struct stat written_ {};        ///< the file as this upload left it (device, inode, size at commit)
  bool keep_partial_ = false;
  /// How commit() put a staged file in place (what the staged name holds until finish()).
  enum class Published { no, exchanged, linked, renamed };
  Published published_ = Published::no;
  Stage stage_ = Stage::writing;
};

}  // namespace ftpspecd
