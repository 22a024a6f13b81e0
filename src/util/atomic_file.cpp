// SPDX-License-Identifier: MIT
#include <oauthctl/util/atomic_file.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

namespace oauthctl::util {

namespace {

std::string errno_text() {
  return std::strerror(errno);
}

bool write_all(int fd, const std::string& content) {
  std::size_t done = 0;
  while (done < content.size()) {
    const auto n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

} // namespace

Result<void> write_file_atomic(const std::string& path, const std::string& content, unsigned mode) {
  const std::filesystem::path target(path);
  const auto dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  // The temporary file must be in the same directory: rename(2) is atomic only
  // within one file system.
  // fmt::format, not "." + name + "...": GCC 12 at -O3 reports a false-positive -Wrestrict
  // inside std::string's operator+ (GCC bug 105329).
  std::string pattern = (dir / fmt::format(".{}.tmp.XXXXXX", target.filename().string())).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0) {
    return fail(ErrorKind::io,
                fmt::format("cannot create a temporary file in {}: {}", dir.string(), errno_text()));
  }
  const std::string temp(name.data());
  // fchmod before the first byte: a secret-bearing file is never readable by others,
  // not even for a moment.
  const bool ok = ::fchmod(fd, static_cast<mode_t>(mode)) == 0 && write_all(fd, content) && ::fsync(fd) == 0;
  const auto saved = errno;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    errno = ok ? errno : saved;
    const auto text = errno_text();
    ::unlink(temp.c_str());
    return fail(ErrorKind::io, fmt::format("cannot write {}: {}", path, text));
  }
  // fsync the directory so the rename itself survives a crash.
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return {};
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return fail(ErrorKind::io, fmt::format("cannot read {}", path));
  }
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

Result<void> ensure_private_directory(const std::string& path, unsigned mode) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) {
    return fail(ErrorKind::io, fmt::format("cannot create directory {}: {}", path, ec.message()));
  }
  if (::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) {
    return fail(ErrorKind::io, fmt::format("cannot set the mode of {}: {}", path, errno_text()));
  }
  return {};
}

Result<FileLock> FileLock::acquire(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return fail(ErrorKind::io, fmt::format("cannot open lock file {}: {}", path, errno_text()));
  }
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      const auto text = errno_text();
      ::close(fd);
      return fail(ErrorKind::io, fmt::format("cannot lock {}: {}", path, text));
    }
  }
  return FileLock(fd);
}

FileLock::FileLock(FileLock&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
    m_fd = std::exchange(other.m_fd, -1);
  }
  return *this;
}

FileLock::~FileLock() {
  if (m_fd >= 0) {
    ::close(m_fd); // closing releases the flock
  }
}

} // namespace oauthctl::util
