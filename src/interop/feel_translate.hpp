// FEEL text (DMN's expression language) rewritten into the pack's expression language, within
// the subset both share: names with spaces become identifiers, `?` becomes `$`, FEEL's
// built-in functions take their pack names and business knowledge models are inlined.
// Anything else is refused (unsupported_construct), never approximated.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aiguillage {
inline namespace v1 {
namespace detail {

struct FeelFunction {
  std::string name;
  std::vector<std::string> parameters;
  std::string body;  // FEEL text of a literal expression
};

struct FeelScope {
  struct Name {
    std::string feel;  // as written in FEEL ("Monthly Salary")
    std::string pack;  // its replacement ("Monthly_Salary")
  };
  std::vector<Name> names;  // longest first (see sort_names)
  const std::vector<FeelFunction>* functions = nullptr;
  void sort_names();
};

enum class FeelMode { expression, unary_tests };

// Throws Error (unsupported_construct, arity, limit_exceeded) with an empty pointer: the caller
// knows the element.
std::string translate_feel(std::string_view text, const FeelScope& scope, FeelMode mode);

// A DMN name as a pack identifier: letters, digits and '_' kept, anything else '_'.
std::string feel_identifier(std::string_view name);

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
