// A text written as a JSON string: the one escape the library's JSON writers share (the
// minimal one: a quote, a backslash and control bytes, as \u00xx in lower case for those
// without a short form; other bytes as they are).
#pragma once

#include <string>
#include <string_view>

namespace aiguillage {
inline namespace v1 {
namespace detail {

void append_json_string(std::string& out, std::string_view text);

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
