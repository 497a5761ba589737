#include "aiguillage/core/hash.hpp"

#include <openssl/evp.h>

#include <charconv>
#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "aiguillage/core/error.hpp"
#include "core/json_read.hpp"
#include "core/json_text.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

using Json = nlohmann::json;

// Builds the document from parser events so that a repeated key is an error (nlohmann would
// silently keep the last one) and so that the error can name where it happened.
class DocumentBuilder {
 public:
  Json take_root() { return std::move(root_); }

  bool null() { return put(nullptr) != nullptr; }
  bool boolean(bool value) { return put(value) != nullptr; }
  bool number_integer(Json::number_integer_t value) { return put(value) != nullptr; }
  bool number_unsigned(Json::number_unsigned_t value) { return put(value) != nullptr; }
  bool number_float(Json::number_float_t value, const std::string& /*source*/) {
    return put(value) != nullptr;
  }
  bool string(std::string& value) { return put(std::move(value)) != nullptr; }
  // JSON text never produces binary values; refusing keeps the canonical form total.
  bool binary(Json::binary_t& /*value*/) { return false; }

  bool start_object(std::size_t /*size*/) {
    open_.push_back(Frame{put(Json::object()), {}});
    return true;
  }
  bool key(std::string& name) {
    Frame& frame = open_.back();
    if (frame.node->contains(name)) {
      throw Error(ErrorCode::json_syntax, "duplicate key \"" + bounded_text(name) + "\"",
                  pointer() + "/" + json_pointer_token(name));
    }
    frame.key = std::move(name);
    return true;
  }
  bool end_object() {
    open_.pop_back();
    return true;
  }
  bool start_array(std::size_t /*size*/) {
    open_.push_back(Frame{put(Json::array()), {}});
    return true;
  }
  bool end_array() {
    open_.pop_back();
    return true;
  }

  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const Json::exception& error) {
    // nlohmann counts the offending byte as read; report its 0-based offset.
    const std::size_t offset = position > 0 ? position - 1 : 0;
    throw Error(ErrorCode::json_syntax,
                "invalid JSON at byte " + std::to_string(offset) + ": " + describe(error),
                pointer());
  }

 private:
  struct Frame {
    Json* node;
    std::string key;  // the member being read, for objects
  };

  // Keeps nlohmann's reason but drops its "[json.exception...] parse error at line L, column C"
  // prefix, which repeats the byte offset, and its "last read" excerpt, which may hold invalid
  // UTF-8 that would poison any JSON report carrying the message.
  static std::string describe(const Json::exception& error) {
    std::string text = error.what();
    if (auto end = text.find("] "); text.starts_with('[') && end != text.npos) {
      text.erase(0, end + 2);
    }
    if (text.starts_with("parse error")) {
      if (auto colon = text.find(": "); colon != text.npos) text.erase(0, colon + 2);
    }
    constexpr std::string_view kLastRead = "; last read: '";
    if (auto begin = text.find(kLastRead); begin != text.npos) {
      auto end = text.rfind("'; expected ");
      if (end == text.npos || end < begin + kLastRead.size()) end = text.size() - 1;
      text.erase(begin, end + 1 - begin);
    }
    return text;
  }

  Json* put(Json value) {
    if (open_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Frame& frame = open_.back();
    if (frame.node->is_array()) {
      // Earlier elements are closed, so growing the array moves nothing still referenced.
      frame.node->push_back(std::move(value));
      return &frame.node->back();
    }
    Json& slot = (*frame.node)[frame.key];
    slot = std::move(value);
    return &slot;
  }

  // Pointer of the container being filled (the element or member currently open).
  std::string pointer() const {
    std::string out;
    for (std::size_t i = 0; i + 1 < open_.size(); ++i) {
      const Frame& frame = open_[i];
      out += '/';
      if (frame.node->is_array()) {
        out += std::to_string(frame.node->size() - 1);
      } else {
        out += json_pointer_token(frame.key);
      }
    }
    return out;
  }

  Json root_;
  std::vector<Frame> open_;
};

void write_string(std::string_view text, std::string& out) {
  detail::append_json_string(out, text);
}

template <typename Number>
void write_chars(Number value, std::string& out) {
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

void write_float(double value, std::string& out) {
  // An integral value is written as an integer so that 1000, 1e3 and 1000.0 agree; -0.0
  // joins 0 for the same reason.
  constexpr double kInt64Low = -9223372036854775808.0;   // -2^63
  constexpr double kUint64End = 18446744073709551616.0;  // 2^64
  if (value == std::trunc(value) && value >= kInt64Low && value < kUint64End) {
    if (value < 0) {
      write_chars(static_cast<std::int64_t>(value), out);
    } else {
      write_chars(static_cast<std::uint64_t>(value), out);
    }
    return;
  }
  write_chars(value, out);
}

void write_scalar(const Json& value, std::string& out) {
  switch (value.type()) {
    case Json::value_t::null:
      out += "null";
      break;
    case Json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      break;
    case Json::value_t::number_integer:
      write_chars(value.get<Json::number_integer_t>(), out);
      break;
    case Json::value_t::number_unsigned:
      write_chars(value.get<Json::number_unsigned_t>(), out);
      break;
    case Json::value_t::number_float:
      write_float(value.get<double>(), out);
      break;
    case Json::value_t::string:
      write_string(value.get_ref<const std::string&>(), out);
      break;
    default:
      throw Error(ErrorCode::internal, "unexpected JSON value in canonical form");
  }
}

// Iterative so that deeply nested input cannot exhaust the stack.
std::string serialize(const Json& root) {
  struct Frame {
    const Json* node;
    Json::const_iterator next;
  };
  std::string out;
  std::vector<Frame> open;
  auto start = [&](const Json& value) {
    if (value.is_object()) {
      out += '{';
      open.push_back(Frame{&value, value.cbegin()});
    } else if (value.is_array()) {
      out += '[';
      open.push_back(Frame{&value, value.cbegin()});
    } else {
      write_scalar(value, out);
    }
  };
  start(root);
  while (!open.empty()) {
    Frame& frame = open.back();
    if (frame.next == frame.node->cend()) {
      out += frame.node->is_object() ? '}' : ']';
      open.pop_back();
      continue;
    }
    if (frame.next != frame.node->cbegin()) out += ',';
    if (frame.node->is_object()) {
      write_string(frame.next.key(), out);
      out += ':';
    }
    const Json& child = *frame.next;
    ++frame.next;
    start(child);  // may grow `open`; `frame` is not used afterwards
  }
  return out;
}

}  // namespace

Sha256 sha256(std::string_view bytes) {
  Sha256 digest{};
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != digest.size()) {
    throw Error(ErrorCode::internal, "SHA-256 computation failed");
  }
  return digest;
}

std::string to_hex(const Sha256& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(digest.size() * 2);
  for (std::uint8_t byte : digest) {
    out += kHex[byte >> 4];
    out += kHex[byte & 0xF];
  }
  return out;
}

std::string canonical_json(std::string_view json_text) {
  // nlohmann takes a NUL byte for the end of input, which would let "[1]\0junk" pass; a raw
  // NUL is never valid JSON, so refuse it up front.
  if (auto nul = json_text.find('\0'); nul != json_text.npos) {
    throw Error(ErrorCode::json_syntax,
                "invalid JSON at byte " + std::to_string(nul) + ": unexpected NUL byte");
  }
  detail::check_json_depth(json_text);
  DocumentBuilder builder;
  const bool ok = Json::sax_parse(json_text.begin(), json_text.end(), &builder);
  if (!ok) throw Error(ErrorCode::json_syntax, "invalid JSON");
  return serialize(builder.take_root());
}

std::string document_hash(std::string_view json_text) {
  return "sha256:" + to_hex(sha256(canonical_json(json_text)));
}

}  // namespace v1
}  // namespace aiguillage
