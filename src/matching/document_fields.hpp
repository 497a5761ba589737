// Typed reads of optional document fields for the matching documents (offers, profiles);
// private to the library. A null value counts as absent, as the offres-v2 API sends nulls.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/json_read.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

// Bounds that keep a hostile document from costing more than a real one.
inline constexpr std::size_t kMaxListItems = 1000;
inline constexpr std::size_t kMaxStringBytes = 4096;

inline const json* find_field(const json& obj, std::string_view key) {
  auto it = obj.find(std::string(key));
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

inline std::string check_string(const json& v, const std::string& pointer, std::string_view what) {
  if (!v.is_string())
    throw Error(ErrorCode::type_mismatch, std::string(what) + " must be a string", pointer);
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() > kMaxStringBytes)
    throw Error(ErrorCode::too_long,
                std::string(what) + " is longer than " + std::to_string(kMaxStringBytes) + " bytes",
                pointer);
  return s;
}

inline std::string opt_string(const json& obj, std::string_view key, const std::string& pointer) {
  const json* v = find_field(obj, key);
  if (!v) return {};
  return check_string(*v, child(pointer, key), "\"" + std::string(key) + "\"");
}

inline std::string req_string(const json& obj, std::string_view key, const std::string& pointer) {
  const json* v = find_field(obj, key);
  if (!v)
    throw Error(ErrorCode::required_missing, "\"" + std::string(key) + "\" is required",
                child(pointer, key));
  std::string s = check_string(*v, child(pointer, key), "\"" + std::string(key) + "\"");
  if (s.empty())
    throw Error(ErrorCode::required_missing, "\"" + std::string(key) + "\" must not be empty",
                child(pointer, key));
  return s;
}

inline bool opt_bool(const json& obj, std::string_view key, const std::string& pointer,
                     bool fallback) {
  const json* v = find_field(obj, key);
  if (!v) return fallback;
  if (!v->is_boolean())
    throw Error(ErrorCode::type_mismatch, "\"" + std::string(key) + "\" must be true or false",
                child(pointer, key));
  return v->get<bool>();
}

inline std::optional<double> opt_number(const json& obj, std::string_view key,
                                        const std::string& pointer, double min, double max) {
  const json* v = find_field(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_number())
    throw Error(ErrorCode::type_mismatch, "\"" + std::string(key) + "\" must be a number",
                child(pointer, key));
  double d = v->get<double>();
  if (!(d >= min && d <= max))
    throw Error(ErrorCode::out_of_bounds,
                "\"" + std::string(key) + "\" must lie in [" + json(min).dump() + ", " +
                    json(max).dump() + "]",
                child(pointer, key));
  return d;
}

inline std::optional<int> opt_int(const json& obj, std::string_view key, const std::string& pointer,
                                  int min, int max) {
  const json* v = find_field(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_number_integer())
    throw Error(ErrorCode::type_mismatch, "\"" + std::string(key) + "\" must be an integer",
                child(pointer, key));
  const bool in_range = v->is_number_unsigned()
                            ? v->get<std::uint64_t>() <= static_cast<std::uint64_t>(max) &&
                                  static_cast<std::int64_t>(v->get<std::uint64_t>()) >= min
                            : v->get<std::int64_t>() >= min && v->get<std::int64_t>() <= max;
  if (!in_range)
    throw Error(ErrorCode::out_of_bounds,
                "\"" + std::string(key) + "\" must lie in [" + std::to_string(min) + ", " +
                    std::to_string(max) + "]",
                child(pointer, key));
  return static_cast<int>(v->get<std::int64_t>());
}

// The array at `key` (nullptr when absent), bounded in size.
inline const json* opt_array(const json& obj, std::string_view key, const std::string& pointer) {
  const json* v = find_field(obj, key);
  if (!v) return nullptr;
  expect_array(*v, child(pointer, key), "\"" + std::string(key) + "\"");
  if (v->size() > kMaxListItems)
    throw Error(
        ErrorCode::too_many_items,
        "\"" + std::string(key) + "\" has more than " + std::to_string(kMaxListItems) + " items",
        child(pointer, key));
  return v;
}

inline const json* opt_object(const json& obj, std::string_view key, const std::string& pointer) {
  const json* v = find_field(obj, key);
  if (!v) return nullptr;
  expect_object(*v, child(pointer, key), "\"" + std::string(key) + "\"");
  return v;
}

// Parses a matching document like parse_document, and refuses an object that names one key
// twice (Error(duplicate_document_key) at the second occurrence): nlohmann would keep the last
// value silently, and which one a reader takes must not depend on the reader.
inline json parse_unique_keys(std::string_view text) {
  struct Frame {
    bool array = false;
    std::size_t index = 0;  // arrays: the element being read
    std::string key;        // objects: the member being read
    std::unordered_set<std::string> keys;
  };
  std::vector<Frame> frames;
  auto pointer_to = [&](std::string_view key) {
    std::string p;
    for (std::size_t i = 0; i + 1 < frames.size(); ++i)
      p = frames[i].array ? child(p, frames[i].index) : child(p, frames[i].key);
    return child(p, key);
  };
  auto next_element = [&] {
    if (!frames.empty() && frames.back().array) ++frames.back().index;
  };
  const json::parser_callback_t callback = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        frames.push_back({event == json::parse_event_t::array_start, 0, {}, {}});
        break;
      case json::parse_event_t::key: {
        Frame& f = frames.back();
        f.key = parsed.get<std::string>();
        if (!f.keys.insert(f.key).second)
          throw Error(ErrorCode::duplicate_document_key,
                      "the key \"" + bounded_text(f.key) + "\" appears twice in one object",
                      pointer_to(f.key));
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        frames.pop_back();
        next_element();
        break;
      case json::parse_event_t::value:
        next_element();
        break;
    }
    return true;
  };
  check_json_depth(text);
  try {
    return json::parse(text.begin(), text.end(), callback);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    auto p = what.find("] ");
    if (p != std::string::npos) what = what.substr(p + 2);
    throw Error(ErrorCode::json_syntax,
                "invalid JSON at byte " + std::to_string(e.byte) + ": " + bounded_text(what), "");
  } catch (const json::out_of_range& e) {
    std::string what = e.what();
    auto p = what.find("] ");
    if (p != std::string::npos) what = what.substr(p + 2);
    throw Error(ErrorCode::number_overflow, bounded_text(what), "");
  }
}

// Refuses a document whose id an earlier good line of the same batch already used
// (Error(duplicate_document_id) at /id): two documents under one id make every answer that
// names the id ambiguous. `lines` holds the line of each good record so far.
class SeenIds {
 public:
  void check(const std::string& id, std::string_view what, const std::vector<std::size_t>& lines) {
    auto [it, added] = first_.try_emplace(id, lines.size());
    if (!added)
      throw Error(ErrorCode::duplicate_document_id,
                  std::string(what) + " id \"" + bounded_text(id) + "\" is already used on line " +
                      std::to_string(lines[it->second]),
                  "/id");
  }

 private:
  std::unordered_map<std::string, std::size_t> first_;  // id → index of its good record
};

// Runs `parse(batch, line)` on every non-blank line of a JSON Lines text; an Error rejects
// that line alone and is kept with its 1-based line number.
template <typename Batch, typename Parse>
Batch load_lines(std::string_view text, Parse parse) {
  Batch batch;
  std::size_t line = 0, pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view row = text.substr(pos, end - pos);
    pos = end + 1;
    ++line;
    if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
    if (row.find_first_not_of(" \t") == std::string_view::npos) continue;
    try {
      parse(batch, row);
      batch.lines.push_back(line);
    } catch (const Error& e) {
      batch.errors.push_back({line, e});
    }
  }
  return batch;
}

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
