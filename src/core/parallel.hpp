#pragma once
// The one way the library and its surfaces spread work over threads: run_on_threads(n, fn)
// calls fn(0) on the calling thread and fn(1) ... fn(n-1) on new threads, joins them all, and
// rethrows the first exception any of them threw (the others run to their end). Each caller
// decides what part of the work fn(t) does (a range of rows, every n-th item), so that results
// land in place without locks.

#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace aiguillage {
inline namespace v1 {
namespace detail {

template <class Fn>
void run_on_threads(std::size_t threads, Fn&& fn) {
  if (threads <= 1) {
    fn(std::size_t{0});
    return;
  }
  std::exception_ptr failure;
  std::mutex mutex;
  auto guarded = [&](std::size_t t) {
    try {
      fn(t);
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!failure) failure = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  try {
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(guarded, t);
  } catch (...) {
    // No thread to be had: the ones started finish, the caller hears why.
    for (std::thread& th : pool) th.join();
    throw;
  }
  guarded(0);
  for (std::thread& th : pool) th.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
