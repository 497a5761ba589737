#include "pack_text.hpp"

#include "core/json_text.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

void append_checked_json_string(std::string& out, std::string_view text) {
  // Texts with bytes over 0x7F go through nlohmann's own writer, which checks their UTF-8.
  for (char c : text)
    if (static_cast<unsigned char>(c) >= 0x80) {
      out += nlohmann::ordered_json(std::string(text)).dump();
      return;
    }
  append_json_string(out, text);
}

void append_newline_indent(std::string& out, int depth) {
  out += '\n';
  out.append(static_cast<std::size_t>(depth) * 2, ' ');
}

void append_json_indented(std::string& out, const nlohmann::ordered_json& value, int depth) {
  if (value.is_object()) {
    if (value.empty()) {
      out += "{}";
      return;
    }
    out += '{';
    bool first = true;
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (!first) out += ',';
      first = false;
      append_newline_indent(out, depth + 1);
      append_checked_json_string(out, it.key());
      out += ": ";
      append_json_indented(out, it.value(), depth + 1);
    }
    append_newline_indent(out, depth);
    out += '}';
  } else if (value.is_array()) {
    if (value.empty()) {
      out += "[]";
      return;
    }
    out += '[';
    bool first = true;
    for (const auto& item : value) {
      if (!first) out += ',';
      first = false;
      append_newline_indent(out, depth + 1);
      append_json_indented(out, item, depth + 1);
    }
    append_newline_indent(out, depth);
    out += ']';
  } else if (value.is_string()) {
    append_checked_json_string(out, value.get_ref<const std::string&>());
  } else {
    out += value.dump();
  }
}

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
