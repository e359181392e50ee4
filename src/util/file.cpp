#include "util/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace zkctl::util {

namespace {

Error errno_error(const std::string& what) {
  return fail(what + ": " + std::strerror(errno));
}

Result<void> write_all(int fd, std::string_view content, const std::string& what) {
  std::size_t off = 0;
  while (off < content.size()) {
    const ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return errno_error(what);
    off += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace

Result<void> write_file_atomically(const std::string& path, std::string_view content,
                                   unsigned mode) {
  std::vector<char> tmp(path.begin(), path.end());
  for (char c : std::string_view(".tmp-XXXXXX")) tmp.push_back(c);
  tmp.push_back('\0');
  const int fd = ::mkstemp(tmp.data());  // 0600, O_EXCL: nobody else's file, never wider
  if (fd < 0) return errno_error(path);
  const std::string tmp_path(tmp.data());
  Result<void> r;
  if (::fchmod(fd, static_cast<mode_t>(mode & 07777)) != 0) r = errno_error(tmp_path);
  if (r) r = write_all(fd, content, tmp_path);
  if (r && ::fsync(fd) != 0) r = errno_error(tmp_path);
  if (::close(fd) != 0 && r) r = errno_error(tmp_path);
  if (r && ::rename(tmp_path.c_str(), path.c_str()) != 0) r = errno_error(path);
  if (!r) ::unlink(tmp_path.c_str());
  return r;
}

Result<void> make_dirs(const std::string& path, unsigned mode) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return {};
    return fail(path + ": exists and is not a directory");
  }
  const std::size_t slash = path.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    if (auto r = make_dirs(path.substr(0, slash), mode); !r) return r;
  }
  if (::mkdir(path.c_str(), static_cast<mode_t>(mode)) != 0 && errno != EEXIST)
    return errno_error(path);
  return {};
}

}  // namespace zkctl::util
