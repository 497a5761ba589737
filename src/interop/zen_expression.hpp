// ZEN's expression language (GoRules JDM: expression nodes, switch conditions, table cells
// written as whole expressions) rewritten into the pack's expression language, within the subset
// both share. Anything else is refused (unsupported_construct), never approximated.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aiguillage {
inline namespace v1 {
namespace detail {

// What a name's use says of its type (an operand of `*` is a number, of `and` a boolean ...).
enum class ZenType { unknown, boolean, number, string, list };

struct ZenNameUse {
  std::string path;  // as written, without "$." (customer.age)
  bool own = false;  // written "$.path": a key the same expression node computed earlier
  ZenType type = ZenType::unknown;
};

// Maps a ZEN path to the pack name that holds its current value.
using ZenResolve = std::function<std::string(const ZenNameUse&)>;

// Throws Error (unsupported_construct) with an empty pointer: the caller knows the node.
// `uses`, when given, receives every name read, with the type its use implies; `result` the
// type of the whole expression as far as its form says (unknown when it depends on names).
std::string translate_zen(std::string_view text, const ZenResolve& resolve,
                          std::vector<ZenNameUse>* uses = nullptr, ZenType* result = nullptr);

// A top-level object literal `{ 'a': x, "b": y }` as its keys and value texts (nested objects
// flattened to dotted keys); nullopt when the text is not an object literal.
std::optional<std::vector<std::pair<std::string, std::string>>> split_zen_object(
    std::string_view text);

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
