// Pack documents written as text without a JSON document in between: the same bytes as
// nlohmann's dump(2) of the ordered document, for importers that build large tables row by row.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace aiguillage {
inline namespace v1 {
namespace detail {

// Appends `text` as a JSON string (quotes included), escaped as nlohmann's dump() escapes it
// (ensure_ascii off; a text that is not valid UTF-8 throws as dump() does).
void append_checked_json_string(std::string& out, std::string_view text);

// Appends the line break and indentation that dump(2) writes before a member at `depth`.
void append_newline_indent(std::string& out, int depth);

// Appends `value` as dump(2) writes it when it is nested `depth` levels deep.
void append_json_indented(std::string& out, const nlohmann::ordered_json& value, int depth);

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
