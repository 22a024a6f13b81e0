// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/util/error.hpp>

#include <string>

namespace oauthctl::util {

// Replaces the file at `path` with `content` so that a reader sees either the old or
// the new file, never a torn one: a temporary file in the same directory, fsync,
// rename, then fsync of the directory. The new file has permission bits `mode`.
// `io` error when any step fails (the temporary file is removed then).
[[nodiscard]] Result<void> write_file_atomic(const std::string& path, const std::string& content,
                                             unsigned mode);

// The whole content of `path`; `io` error when it cannot be read (also when missing).
[[nodiscard]] Result<std::string> read_file(const std::string& path);

// Creates directory `path` and its parents when missing and sets its own mode to
// `mode` (the parents keep the umask's); `io` error on failure.
[[nodiscard]] Result<void> ensure_private_directory(const std::string& path, unsigned mode);

// An exclusive flock(2) on a lock file, held for the object's lifetime: it serializes
// read-modify-write cycles between processes. Moves allowed, no copies.
class FileLock {
public:
  // Opens (creating with mode 0600) and locks `path`, waiting for other holders;
  // `io` error when the file cannot be opened or locked.
  [[nodiscard]] static Result<FileLock> acquire(const std::string& path);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

private:
  explicit FileLock(int fd) : m_fd(fd) {}
  int m_fd = -1;
};

} // namespace oauthctl::util
