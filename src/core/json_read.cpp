#include "core/json_read.hpp"

#include <charconv>

namespace aiguillage {
inline namespace v1 {
namespace detail {

std::size_t find_too_deep(std::string_view text, std::size_t max_depth) noexcept {
  std::size_t depth = 0;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    const char c = *p;
    if (c == '"') {
      // Skip the string: an escaped character never ends it.
      for (++p; p < end && *p != '"'; ++p)
        if (*p == '\\') ++p;
      if (p < end) ++p;
      continue;
    }
    if (c == '[' || c == '{') {
      if (++depth > max_depth) return static_cast<std::size_t>(p - text.data());
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
    ++p;
  }
  return std::string_view::npos;
}

std::string too_deep_message(std::size_t offset, std::size_t max_depth) {
  return "JSON nested deeper than " + std::to_string(max_depth) + " levels (at byte " +
         std::to_string(offset) + ")";
}

void check_json_depth(std::string_view text, std::size_t max_depth) {
  const std::size_t at = find_too_deep(text, max_depth);
  if (at != std::string_view::npos)
    throw Error(ErrorCode::too_deep, too_deep_message(at, max_depth), "");
}

json parse_document(std::string_view text) {
  return parse_bounded<json>(text);
}

std::string child(const std::string& pointer, std::string_view key) {
  return pointer + "/" + json_pointer_token(key);
}
std::string child(const std::string& pointer, std::size_t index) {
  return pointer + "/" + std::to_string(index);
}

void expect_array(const json& v, const std::string& pointer, std::string_view what) {
  if (!v.is_array())
    throw Error(ErrorCode::invalid_document, std::string(what) + " must be a JSON array", pointer);
}
void expect_object(const json& v, const std::string& pointer, std::string_view what) {
  if (!v.is_object())
    throw Error(ErrorCode::invalid_document, std::string(what) + " must be a JSON object", pointer);
}

int check_schema_header(const json& doc, std::string_view schema, int major, int minor) {
  expect_object(doc, "", "the document");
  auto s = doc.find("schema");
  if (s == doc.end() || !s->is_string() || s->get<std::string>() != schema)
    throw Error(ErrorCode::schema_mismatch,
                "the document must declare \"schema\": \"" + std::string(schema) + "\"", "/schema");
  auto v = doc.find("schema_version");
  if (v == doc.end() || !v->is_string())
    throw Error(ErrorCode::schema_mismatch, "\"schema_version\" (\"MAJOR.MINOR\") is required",
                "/schema_version");
  const std::string text = v->get<std::string>();
  int ma = 0, mi = 0;
  auto dot = text.find('.');
  auto bad = [&]() {
    return Error(ErrorCode::schema_mismatch, "schema_version \"" + text + "\" is not MAJOR.MINOR",
                 "/schema_version");
  };
  if (dot == std::string::npos) throw bad();
  auto r1 = std::from_chars(text.data(), text.data() + dot, ma);
  auto r2 = std::from_chars(text.data() + dot + 1, text.data() + text.size(), mi);
  if (r1.ec != std::errc() || r1.ptr != text.data() + dot || r2.ec != std::errc() ||
      r2.ptr != text.data() + text.size())
    throw bad();
  std::string supported = std::to_string(major) + "." + std::to_string(minor);
  if (ma < major)
    throw Error(ErrorCode::schema_version_too_old,
                "schema_version " + text + " is too old; this engine reads " + supported,
                "/schema_version");
  if (ma > major)
    throw Error(ErrorCode::schema_version_too_new,
                "schema_version " + text + " is too new; this engine reads up to " + supported,
                "/schema_version");
  return mi;
}

void check_keys(const json& obj, std::initializer_list<std::string_view> allowed,
                const std::string& pointer, bool lenient) {
  if (lenient) return;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = false;
    for (auto a : allowed) ok = ok || a == it.key();
    if (!ok) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      throw Error(ErrorCode::unknown_field,
                  "unknown field \"" + it.key() + "\" (expected: " + list + ")",
                  child(pointer, it.key()));
    }
  }
}

const json& require(const json& obj, std::string_view key, const std::string& pointer) {
  auto it = obj.find(std::string(key));
  if (it == obj.end())
    throw Error(ErrorCode::required_missing, "\"" + std::string(key) + "\" is required",
                child(pointer, key));
  return *it;
}

std::string get_string(const json& obj, std::string_view key, const std::string& pointer,
                       bool required, std::string fallback) {
  auto it = obj.find(std::string(key));
  if (it == obj.end() || (it->is_null() && !required)) {
    if (required)
      throw Error(ErrorCode::required_missing, "\"" + std::string(key) + "\" is required",
                  child(pointer, key));
    return fallback;
  }
  if (!it->is_string())
    throw Error(ErrorCode::type_mismatch, "\"" + std::string(key) + "\" must be a string",
                child(pointer, key));
  return it->get<std::string>();
}

bool get_bool(const json& obj, std::string_view key, const std::string& pointer, bool fallback) {
  auto it = obj.find(std::string(key));
  if (it == obj.end()) return fallback;
  if (!it->is_boolean())
    throw Error(ErrorCode::type_mismatch, "\"" + std::string(key) + "\" must be true or false",
                child(pointer, key));
  return it->get<bool>();
}

std::optional<Decimal> get_decimal(const json& obj, std::string_view key,
                                   const std::string& pointer) {
  auto it = obj.find(std::string(key));
  if (it == obj.end() || it->is_null()) return std::nullopt;
  std::optional<Decimal> d;
  if (it->is_number_integer()) {
    d = it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)
            ? std::nullopt
            : Decimal::from_int(it->get<std::int64_t>());
  } else if (it->is_number_float()) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, it->get<double>());
    d = Decimal::parse(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
  } else if (it->is_string()) {
    d = Decimal::parse(it->get<std::string>());
  } else {
    throw Error(ErrorCode::type_mismatch, "\"" + std::string(key) + "\" must be a number",
                child(pointer, key));
  }
  if (!d)
    throw Error(ErrorCode::invalid_decimal,
                "\"" + std::string(key) + "\" is not an exact decimal (at most 6 decimal places)",
                child(pointer, key));
  return d;
}

std::optional<Date> get_date(const json& obj, std::string_view key, const std::string& pointer,
                             bool required) {
  auto it = obj.find(std::string(key));
  if (it == obj.end() || it->is_null()) {
    if (required)
      throw Error(ErrorCode::required_missing, "\"" + std::string(key) + "\" is required",
                  child(pointer, key));
    return std::nullopt;
  }
  if (!it->is_string())
    throw Error(ErrorCode::type_mismatch,
                "\"" + std::string(key) + "\" must be a date \"YYYY-MM-DD\"", child(pointer, key));
  auto d = Date::parse(it->get<std::string>());
  if (!d)
    throw Error(ErrorCode::invalid_date,
                "\"" + it->get<std::string>() + "\" is not a valid date YYYY-MM-DD",
                child(pointer, key));
  return d;
}

std::optional<std::uint32_t> get_count(const json& obj, std::string_view key,
                                       const std::string& pointer) {
  auto it = obj.find(std::string(key));
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_unsigned() || it->get<std::uint64_t>() > UINT32_MAX)
    throw Error(ErrorCode::type_mismatch,
                "\"" + std::string(key) + "\" must be a non-negative integer", child(pointer, key));
  return static_cast<std::uint32_t>(it->get<std::uint64_t>());
}

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
