#include "aiguillage/core/error.hpp"

namespace aiguillage {
inline namespace v1 {

std::string_view error_code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::ok:
      return "ok";
    case ErrorCode::invalid_argument:
      return "invalid_argument";
    case ErrorCode::buffer_too_small:
      return "buffer_too_small";
    case ErrorCode::out_of_memory:
      return "out_of_memory";
    case ErrorCode::internal:
      return "internal";
    case ErrorCode::io:
      return "io";
    case ErrorCode::resource_exhausted:
      return "resource_exhausted";
    case ErrorCode::cancelled:
      return "cancelled";
    case ErrorCode::json_syntax:
      return "json_syntax";
    case ErrorCode::schema_mismatch:
      return "schema_mismatch";
    case ErrorCode::schema_version_too_old:
      return "schema_version_too_old";
    case ErrorCode::schema_version_too_new:
      return "schema_version_too_new";
    case ErrorCode::type_mismatch:
      return "type_mismatch";
    case ErrorCode::out_of_bounds:
      return "out_of_bounds";
    case ErrorCode::required_missing:
      return "required_missing";
    case ErrorCode::unknown_field:
      return "unknown_field";
    case ErrorCode::too_long:
      return "too_long";
    case ErrorCode::too_many_items:
      return "too_many_items";
    case ErrorCode::invalid_date:
      return "invalid_date";
    case ErrorCode::invalid_decimal:
      return "invalid_decimal";
    case ErrorCode::enum_value:
      return "enum_value";
    case ErrorCode::number_overflow:
      return "number_overflow";
    case ErrorCode::invalid_document:
      return "invalid_document";
    case ErrorCode::too_deep:
      return "too_deep";
    case ErrorCode::identifier_missing:
      return "identifier_missing";
    case ErrorCode::key_too_short:
      return "key_too_short";
    case ErrorCode::invalid_timestamp:
      return "invalid_timestamp";
    case ErrorCode::invalid_actor:
      return "invalid_actor";
    case ErrorCode::anchor_mismatch:
      return "anchor_mismatch";
    case ErrorCode::syntax:
      return "syntax";
    case ErrorCode::unknown_name:
      return "unknown_name";
    case ErrorCode::type_error:
      return "type_error";
    case ErrorCode::limit_exceeded:
      return "limit_exceeded";
    case ErrorCode::cycle:
      return "cycle";
    case ErrorCode::duplicate_name:
      return "duplicate_name";
    case ErrorCode::hit_policy_violation:
      return "hit_policy_violation";
    case ErrorCode::no_valid_version:
      return "no_valid_version";
    case ErrorCode::ambiguous_version:
      return "ambiguous_version";
    case ErrorCode::bad_hit_policy:
      return "bad_hit_policy";
    case ErrorCode::cell_count:
      return "cell_count";
    case ErrorCode::unknown_source:
      return "unknown_source";
    case ErrorCode::missing_reference_date:
      return "missing_reference_date";
    case ErrorCode::unknown_function:
      return "unknown_function";
    case ErrorCode::arity:
      return "arity";
    case ErrorCode::input_constraint:
      return "input_constraint";
    case ErrorCode::test_failed:
      return "test_failed";
    case ErrorCode::check_failed:
      return "check_failed";
    case ErrorCode::xml_syntax:
      return "xml_syntax";
    case ErrorCode::unknown_namespace:
      return "unknown_namespace";
    case ErrorCode::unsupported_construct:
      return "unsupported_construct";
    case ErrorCode::duplicate_id:
      return "duplicate_id";
    case ErrorCode::unresolved_reference:
      return "unresolved_reference";
    case ErrorCode::inexpressible:
      return "inexpressible";
    case ErrorCode::referential_format:
      return "referential_format";
    case ErrorCode::cache_stale:
      return "cache_stale";
    case ErrorCode::duplicate_document_key:
      return "duplicate_document_key";
    case ErrorCode::duplicate_document_id:
      return "duplicate_document_id";
    case ErrorCode::bank_file_corrupt:
      return "bank_file_corrupt";
    case ErrorCode::human_decision_required:
      return "human_decision_required";
    case ErrorCode::infeasible:
      return "infeasible";
    case ErrorCode::dimension_mismatch:
      return "dimension_mismatch";
    case ErrorCode::unauthorized:
      return "unauthorized";
    case ErrorCode::forbidden:
      return "forbidden";
    case ErrorCode::not_found:
      return "not_found";
    case ErrorCode::payload_too_large:
      return "payload_too_large";
    case ErrorCode::request_timeout:
      return "request_timeout";
    case ErrorCode::overloaded:
      return "overloaded";
    case ErrorCode::unavailable:
      return "unavailable";
    case ErrorCode::conflict:
      return "conflict";
  }
  return "unknown";
}

std::string Error::describe() const {
  std::string out(error_code_name(code_));
  out += " at ";
  out += pointer_.empty() ? std::string("/") : pointer_;
  if (column_ > 0) out += " (column " + std::to_string(column_) + ")";
  out += ": ";
  out += message_;
  return out;
}

std::string bounded_text(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t cut = max_bytes;
  // Step back over UTF-8 continuation bytes so that no character is split.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  std::string out(text.substr(0, cut));
  out += "\xE2\x80\xA6";
  return out;
}

std::string json_pointer_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

}  // namespace v1
}  // namespace aiguillage
