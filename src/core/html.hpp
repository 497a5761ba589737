// Text put inside HTML (elements and quoted attributes): the one escape the HTML writers share.
#pragma once

#include <string>
#include <string_view>

namespace aiguillage {
inline namespace v1 {
namespace detail {

inline std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
