#pragma once
// The one file reader of the library and its surfaces: a whole file into a string, with the
// reason of a failure (ErrorCode::io) in the message.

#include <cstddef>
#include <string>

namespace aiguillage {
inline namespace v1 {
namespace detail {

// Reads the whole file at path; throws Error(io) "cannot open PATH: reason" or "cannot read
// PATH: reason".
std::string read_file(const std::string& path);

// Appends up to `chunk` bytes read from fd to buf (retrying on EINTR); false at the end of the
// input. Throws Error(io) "cannot read NAME: reason". The readers of JSON Lines build on it.
bool read_chunk(int fd, std::string& buf, std::size_t chunk, const std::string& name);

// Reads what remains of an open descriptor (standard input is 0); `name` appears in errors.
// The descriptor is not closed.
std::string read_descriptor(int fd, const std::string& name);

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
