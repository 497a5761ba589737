#pragma once
// The characters of ZEN's expression language, shared by its translator and the JDM importer.

namespace aiguillage {
inline namespace v1 {
namespace detail {

inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
inline bool is_name_char(char c) {
  return is_name_start(c) || is_digit(c);
}
inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
