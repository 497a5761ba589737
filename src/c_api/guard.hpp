// The boundary discipline shared by every C entry point: the thread's last error, the guard
// that turns exceptions into a status, argument checks and snprintf-style string outputs.
// Private to the C API; one definition of the thread-local last error serves every file.
#pragma once

#include <algorithm>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <utility>

#include "aiguillage.h"
#include "aiguillage/core/error.hpp"

namespace aiguillage {
inline namespace v1 {
namespace capi {

// The last failure of this thread.
struct LastError {
  aig_status code = AIG_OK;
  std::string message;
  std::string pointer;
};
inline thread_local LastError last_error;

inline void clear_error() noexcept {
  last_error.code = AIG_OK;
  last_error.message.clear();  // keeps capacity: no allocation, no throw
  last_error.pointer.clear();
}

inline aig_status fail(aig_status code, std::string_view message,
                       std::string_view pointer = {}) noexcept {
  last_error.code = code;
  try {
    last_error.message.assign(message);
    last_error.pointer.assign(pointer);
  } catch (...) {
    last_error.message.clear();
    last_error.pointer.clear();
  }
  return code;
}

template <class F>
aig_status guard(F&& body) noexcept {
  clear_error();
  try {
    return body();
  } catch (const Error& e) {
    return fail(static_cast<aig_status>(e.code()), e.message(), e.pointer());
  } catch (const std::bad_alloc&) {
    return fail(AIG_ERR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return fail(AIG_ERR_INTERNAL, e.what());
  } catch (...) {
    return fail(AIG_ERR_INTERNAL, "unknown internal error");
  }
}

inline Error invalid(const std::string& what) {
  return Error(ErrorCode::invalid_argument, what);
}

template <class T>
void require(const T* p, const char* name) {
  if (!p) throw invalid(std::string(name) + " is NULL");
}

// snprintf semantics: always terminated, the needed size (terminator included) reported.
inline aig_status write_string(const std::string& s, char* buf, std::size_t size,
                               std::size_t* needed) {
  if (needed) *needed = s.size() + 1;
  if (!buf && size > 0) throw invalid("buf is NULL but size is not 0");
  if (buf && size > 0) {
    const std::size_t n = std::min(size - 1, s.size());
    std::memcpy(buf, s.data(), n);
    buf[n] = '\0';
  }
  if (size < s.size() + 1)
    return fail(AIG_ERR_BUFFER_TOO_SMALL, "the buffer holds " + std::to_string(size) + " bytes, " +
                                              std::to_string(s.size() + 1) + " are needed");
  return AIG_OK;
}

template <class T, class... Args>
aig_status create(T** out, Args&&... args) {
  *out = new T{std::forward<Args>(args)...};
  return AIG_OK;
}

}  // namespace capi
}  // namespace v1
}  // namespace aiguillage
