// A bound on the nesting of JSON text, checked before any parser sees it: a deep document
// would otherwise cost a parser's recursion (or its memory) before being refused.
#pragma once

#include <cstddef>
#include <string_view>

namespace aiguillage::service {

// False when arrays and objects nest deeper than `max_depth` (strings are skipped, escapes
// included). Malformed text within the bound returns true: the parser reports it.
inline bool json_depth_within(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return false;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return true;
}

}  // namespace aiguillage::service
