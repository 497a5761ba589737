// Rule masks, a word of 64 rules at a time: the bit operations every evaluation path shares.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace aiguillage {
inline namespace v1 {
namespace engine {

using Words = std::vector<std::uint64_t>;

inline bool test_bit(const std::uint64_t* m, std::size_t r) {
  return (m[r / 64] >> (r % 64)) & 1;
}

inline std::vector<int> bits_of(const std::uint64_t* m, std::size_t words,
                                std::size_t limit = SIZE_MAX) {
  std::vector<int> out;
  for (std::size_t w = 0; w < words; ++w) {
    std::uint64_t x = m[w];
    while (x) {
      std::size_t r = w * 64 + static_cast<std::size_t>(std::countr_zero(x));
      if (r >= limit) return out;
      out.push_back(static_cast<int>(r));
      x &= x - 1;
    }
  }
  return out;
}

// As bits_of, into a vector kept between calls.
inline void bits_into(std::vector<int>& out, const std::uint64_t* m, std::size_t words,
                      std::size_t limit = SIZE_MAX) {
  out.clear();
  for (std::size_t w = 0; w < words && w * 64 < limit; ++w)
    for (std::uint64_t x = m[w]; x; x &= x - 1) {
      const std::size_t r = w * 64 + static_cast<std::size_t>(std::countr_zero(x));
      if (r >= limit) return;
      out.push_back(static_cast<int>(r));
    }
}

inline int first_bit(const std::uint64_t* m, std::size_t words) {
  for (std::size_t w = 0; w < words; ++w)
    if (m[w]) return static_cast<int>(w * 64 + static_cast<std::size_t>(std::countr_zero(m[w])));
  return -1;
}

// m[0] &= a[0], m[1] &= a[1]: a row's matched and possible words of a one-word table, in one
// vector AND where the compiler has vector types. Both arrays come from operator new, hence are
// aligned for it, so the AND may read memory directly.
[[gnu::always_inline]] inline void and_pair(std::uint64_t* m, const std::uint64_t* a) {
#if defined(__GNUC__) && __STDCPP_DEFAULT_NEW_ALIGNMENT__ >= 16
  using Pair = std::uint64_t __attribute__((vector_size(16), may_alias));
  *reinterpret_cast<Pair*>(m) &= *reinterpret_cast<const Pair*>(a);
#else
  m[0] &= a[0];
  m[1] &= a[1];
#endif
}

inline void all_rules(std::uint64_t* m, std::size_t words, std::size_t rules) {
  for (std::size_t w = 0; w < words; ++w) m[w] = ~std::uint64_t{0};
  if (rules % 64) m[words - 1] = (std::uint64_t{1} << (rules % 64)) - 1;
  if (rules == 0) m[0] = 0;
}

// Sizes the working masks of a table of `rules` rules in `words` words (any scratch with
// matched, possible, a, u and undecided): matched and possible start with every rule.
template <typename Scratch>
void start_masks(Scratch& s, std::size_t words, std::size_t rules) {
  s.matched.resize(words);
  s.possible.resize(words);
  s.a.resize(words);
  s.u.resize(words);
  s.undecided.resize(words);
  all_rules(s.matched.data(), words, rules);
  all_rules(s.possible.data(), words, rules);
}

}  // namespace engine
}  // namespace v1
}  // namespace aiguillage
