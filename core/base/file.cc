#include "core/base/file.h"

#include <cerrno>
#include <cstring>
#include <random>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace truc {
namespace {

Status ErrnoError(std::string_view action, const std::string& path, int error) {
  const std::string message = fmt::format("{} {}: {}", action, path, std::strerror(error));
  switch (error) {
    case ENOENT:
      return NotFoundError(message, "file.not_found");
    case EACCES:
    case EPERM:
      return PermissionDeniedError(message, "file.permission_denied");
    case EEXIST:
      return AlreadyExistsError(message, "file.exists");
    case ENOSPC:
    case EDQUOT:
      return Status(StatusCode::kResourceExhausted, message, "file.no_space");
    default:
      return Status(StatusCode::kUnavailable, message, "file.io_error");
  }
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("cannot write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoError("cannot open", path, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoError("cannot stat", path, errno);
  if (static_cast<size_t>(st.st_size) > max_bytes) {
    return FailedPreconditionError(
        fmt::format("{} is {} bytes; the limit is {}", path, st.st_size, max_bytes),
        "file.too_large");
  }
  std::string data;
  char buffer[65536];
  while (true) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("cannot read", path, errno);
    }
    if (n == 0) break;
    data.append(buffer, static_cast<size_t>(n));
    if (data.size() > max_bytes) {
      return FailedPreconditionError(fmt::format("{} is larger than {} bytes", path, max_bytes),
                                     "file.too_large");
    }
  }
  return data;
}

Status WriteFileAtomically(const std::string& path, std::string_view data, mode_t permissions,
                           WriteMode mode) {
  const std::string temp = fmt::format("{}.tmp-{}-{:x}", path, ::getpid(), std::random_device()());
  {
    FileDescriptor fd(
        ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions & 07777));
    if (fd.get() < 0) return ErrnoError("cannot create", temp, errno);
    Status written = WriteAll(fd.get(), data, temp);
    if (written.ok() && ::fchmod(fd.get(), permissions & 07777) != 0) {
      written = ErrnoError("cannot chmod", temp, errno);
    }
    if (written.ok() && ::fsync(fd.get()) != 0) written = ErrnoError("cannot fsync", temp, errno);
    if (!written.ok()) {
      ::unlink(temp.c_str());
      return written;
    }
  }
  if (mode == WriteMode::kCreateOnly) {
    const bool linked = ::link(temp.c_str(), path.c_str()) == 0;
    const int error = errno;
    ::unlink(temp.c_str());
    if (!linked) return ErrnoError("cannot create", path, error);
  } else if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    return ErrnoError("cannot replace", path, error);
  }
  const std::string directory = DirectoryOf(path);
  FileDescriptor dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || ::fsync(dir.get()) != 0) {
    return ErrnoError("cannot fsync directory", directory, errno);
  }
  return OkStatus();
}

StatusOr<mode_t> FilePermissions(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return ErrnoError("cannot stat", path, errno);
  return st.st_mode & 07777;
}

}  // namespace truc
