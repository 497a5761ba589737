// Helpers for reading documents with nlohmann_json; private to the library and its tools.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "aiguillage/core/date.hpp"
#include "aiguillage/core/decimal.hpp"
#include "aiguillage/core/error.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

using json = nlohmann::json;

// Deepest nesting of arrays and objects any JSON text may have when it enters the library
// (records, decisions, logs, test cases, packs, offers, profiles, request bodies). Nothing the
// library reads needs more, and it keeps every later walk of the document (nlohmann's dump,
// comparisons, copies) far from the stack's limit.
inline constexpr std::size_t kMaxJsonDepth = 256;
// Longest line a JSON Lines reader accepts (records, decisions, log lines): Error(too_long).
inline constexpr std::size_t kMaxJsonLineBytes = std::size_t{1} << 20;

// The 0-based offset of the bracket that opens level max_depth + 1, or npos when the text
// never nests that deep. One linear pass that only tracks strings and brackets, so it is safe
// on any bytes; the parser that runs afterwards reports every other defect.
std::size_t find_too_deep(std::string_view text, std::size_t max_depth = kMaxJsonDepth) noexcept;

// Throws Error(too_deep) when `text` nests deeper than max_depth.
void check_json_depth(std::string_view text, std::size_t max_depth = kMaxJsonDepth);

// The message of the too_deep error found at byte `offset`.
std::string too_deep_message(std::size_t offset, std::size_t max_depth = kMaxJsonDepth);

// Parses a whole document (depth checked first); syntax errors become Error(json_syntax)
// with the byte offset.
json parse_document(std::string_view text);

// The same for another nlohmann document type (ordered_json).
template <typename Json>
Json parse_bounded(std::string_view text) {
  check_json_depth(text);
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const typename Json::parse_error& e) {
    std::string what = e.what();
    auto p = what.find("] ");
    if (p != std::string::npos) what = what.substr(p + 2);
    throw Error(ErrorCode::json_syntax,
                "invalid JSON at byte " + std::to_string(e.byte) + ": " + bounded_text(what), "");
  } catch (const typename Json::out_of_range& e) {
    // A number beyond what a double holds ("1e999999"): the parser's own overflow error.
    std::string what = e.what();
    auto p = what.find("] ");
    if (p != std::string::npos) what = what.substr(p + 2);
    throw Error(ErrorCode::number_overflow, bounded_text(what), "");
  }
}

// Parses without throwing on bad syntax: a discarded value then (depth is still checked and
// throws Error(too_deep)).
template <typename Json>
Json parse_bounded_or_discarded(std::string_view text) {
  check_json_depth(text);
  return Json::parse(text.begin(), text.end(), nullptr, false);
}

// Checks "schema" and "schema_version" ("MAJOR.MINOR"); returns the document's minor version.
int check_schema_header(const json& doc, std::string_view schema, int major, int minor);

// Rejects keys outside `allowed` (typos must not pass silently) unless `lenient`.
void check_keys(const json& obj, std::initializer_list<std::string_view> allowed,
                const std::string& pointer, bool lenient = false);

const json& require(const json& obj, std::string_view key, const std::string& pointer);
std::string get_string(const json& obj, std::string_view key, const std::string& pointer,
                       bool required = true, std::string fallback = {});
bool get_bool(const json& obj, std::string_view key, const std::string& pointer, bool fallback);
std::optional<Decimal> get_decimal(const json& obj, std::string_view key,
                                   const std::string& pointer);
std::optional<Date> get_date(const json& obj, std::string_view key, const std::string& pointer,
                             bool required = false);
std::optional<std::uint32_t> get_count(const json& obj, std::string_view key,
                                       const std::string& pointer);
void expect_array(const json& v, const std::string& pointer, std::string_view what);
void expect_object(const json& v, const std::string& pointer, std::string_view what);
std::string child(const std::string& pointer, std::string_view key);
std::string child(const std::string& pointer, std::size_t index);

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
