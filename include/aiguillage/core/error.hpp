// Errors: pinned codes (grouped by hundreds per layer), a message and a JSON pointer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include "aiguillage/core/export.hpp"

namespace aiguillage {
inline namespace v1 {

// Values are pinned forever: they are the C API's aig_status values. Never renumber.
enum class ErrorCode : int {
  ok = 0,
  // general (-1 .. -99)
  invalid_argument = -1,
  buffer_too_small = -2,
  out_of_memory = -3,
  internal = -4,
  io = -5,
  resource_exhausted = -6,  // memory (or another resource) ran out while doing the work
  cancelled = -7,           // the caller's callback asked to stop
  // core (-100 .. -199): documents, values, schemas
  json_syntax = -101,
  schema_mismatch = -102,  // "schema" missing or names another document
  schema_version_too_old = -103,
  schema_version_too_new = -104,
  type_mismatch = -105,
  out_of_bounds = -106,
  required_missing = -107,
  unknown_field = -108,
  too_long = -109,
  too_many_items = -110,
  invalid_date = -111,
  invalid_decimal = -112,
  enum_value = -113,  // a value outside an enum's closed list
  number_overflow = -114,
  invalid_document = -115,  // a document field has the wrong shape
  too_deep = -116,          // JSON nested deeper than kMaxJsonDepth
  // rules (-200 .. -299): packs, expressions, tables, evaluation
  syntax = -201,
  unknown_name = -202,
  type_error = -203,
  limit_exceeded = -204,
  cycle = -205,
  duplicate_name = -206,
  hit_policy_violation = -207,  // UNIQUE or ANY broken at run time
  no_valid_version = -208,
  ambiguous_version = -209,
  bad_hit_policy = -210,
  cell_count = -211,  // a rule's when/then has the wrong number of cells
  unknown_source = -212,
  missing_reference_date = -213,
  unknown_function = -214,
  arity = -215,
  input_constraint = -216,  // a record breaks one of the pack's input constraints
  test_failed = -220,       // a test case did not give the expected result
  check_failed = -221,      // static checks found errors
  // orientation (-300 .. -399): proposals and decisions
  human_decision_required = -301,  // the pack's outcomes are never decided by policy
  // interop (-7xx): other formats (DMN XML, JDM) read into packs
  xml_syntax = -701,             // a document is not well-formed XML
  unknown_namespace = -702,      // the root element is not in a known DMN namespace
  unsupported_construct = -703,  // a DMN element or FEEL construct outside the mapped subset
  duplicate_id = -704,           // two elements share an id (or two named elements a name)
  unresolved_reference = -705,   // an href or typeRef names nothing in the model
  inexpressible = -706,          // a pack element the export format cannot state (export_dmn)
  // audit (-5xx): decision records, the log, replay
  identifier_missing = -501,  // a person to record has no identifier to pseudonymise
  key_too_short = -502,       // a pseudonymisation key under kMinPseudonymKeyBytes
  invalid_timestamp = -503,   // decided_at / recorded_at is not an ISO 8601 timestamp
  invalid_actor = -504,       // an actor role that is no role name (or not one of the pack's)
  anchor_mismatch = -505,     // the log does not match the anchor (head hash, line count)
  // matching (-4xx): referentials, profiles and offers, scoring, retrieval, assignment
  referential_format = -401,  // a referential file (CSV, zip) is malformed
  cache_stale = -402,         // a binary cache was written by another version or from other data
  duplicate_document_key = -403,  // an offer or profile object names one key twice
  duplicate_document_id = -404,   // two offers (or two profiles) of one batch share an id
  bank_file_corrupt = -410,       // a bank file is truncated, malformed or fails its checksum
  infeasible = -451,              // no assignment or flow satisfies the constraints
  dimension_mismatch = -452,      // arrays, matrices or an index of incompatible sizes
  // service (-6xx): the HTTP surface and the log backends behind it
  unauthorized = -601,       // no API key, or an unknown or revoked one
  forbidden = -602,          // the key's role may not do this
  not_found = -603,          // no such pack, decision, route
  payload_too_large = -604,  // a request body over the configured limit
  request_timeout = -606,    // the request ran over its time limit
  overloaded = -607,         // too many requests in flight
  unavailable = -608,        // the decision log cannot be reached or written
  conflict = -609,           // the log already holds records (import into a non-empty log)
};

// Bounds of every error: a message keeps at most kMaxErrorMessageBytes and a pointer at most
// kMaxErrorPointerBytes (cut on a UTF-8 boundary, then "…"), whatever the input quoted.
inline constexpr std::size_t kMaxErrorMessageBytes = 4096;
inline constexpr std::size_t kMaxErrorPointerBytes = 512;
// How much of an offending input value a message quotes.
inline constexpr std::size_t kMaxQuotedBytes = 120;

// `text` cut to at most `max_bytes` on a UTF-8 character boundary, with "…" when it was cut.
std::string bounded_text(std::string_view text, std::size_t max_bytes = kMaxQuotedBytes);

// Stable snake_case name of a code ("type_error"), used in JSON outputs.
AIG_API std::string_view error_code_name(ErrorCode code) noexcept;

// The exception used inside the library; never crosses the C boundary.
class AIG_API Error : public std::runtime_error {
 public:
  Error(ErrorCode code, std::string message, std::string pointer = {}, int column = 0)
      : std::runtime_error(""),
        code_(code),
        message_(bound(std::move(message), kMaxErrorMessageBytes)),
        pointer_(bound(std::move(pointer), kMaxErrorPointerBytes)),
        column_(column) {}

  const char* what() const noexcept override { return message_.c_str(); }

  ErrorCode code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }
  // JSON pointer (RFC 6901) of the offending place in the document, "" for the root.
  const std::string& pointer() const noexcept { return pointer_; }
  // 1-based column inside an expression or cell text; 0 when not applicable.
  int column() const noexcept { return column_; }

  // "type_error at /decisions/2/rules/7/when/3 (column 5): message"
  std::string describe() const;

  Error with_pointer_prefix(const std::string& prefix) const {
    return Error(code_, message_, prefix + pointer_, column_);
  }

 private:
  static std::string bound(std::string text, std::size_t max_bytes) {
    return text.size() <= max_bytes ? text : bounded_text(text, max_bytes);
  }

  ErrorCode code_;
  std::string message_;
  std::string pointer_;
  int column_;
};

// Escapes one reference token for a JSON pointer ("~" -> "~0", "/" -> "~1").
AIG_API std::string json_pointer_token(std::string_view token);

}  // namespace v1
}  // namespace aiguillage
