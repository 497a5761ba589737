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

// Parses a whole document; syntax errors become Error(json_syntax) with the byte offset.
json parse_document(std::string_view text);

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
