#include "core/file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "aiguillage/core/error.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

namespace {
constexpr std::size_t kChunk = 1u << 20;
}

bool read_chunk(int fd, std::string& buf, std::size_t chunk, const std::string& name) {
  const std::size_t old = buf.size();
  buf.resize(old + chunk);
  ssize_t n;
  do {
    n = ::read(fd, buf.data() + old, chunk);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    const std::string why = std::strerror(errno);
    buf.resize(old);
    throw Error(ErrorCode::io, "cannot read " + name + ": " + why);
  }
  buf.resize(old + static_cast<std::size_t>(n));
  return n > 0;
}

std::string read_descriptor(int fd, const std::string& name) {
  std::string out;
  while (read_chunk(fd, out, kChunk, name)) {
  }
  return out;
}

std::string read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(ErrorCode::io, "cannot open " + path + ": " + std::strerror(errno));
  try {
    std::string out = read_descriptor(fd, path);
    ::close(fd);
    return out;
  } catch (...) {
    ::close(fd);
    throw;
  }
}

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
