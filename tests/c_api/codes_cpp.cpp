// The C status values are the C++ error codes: checked at compile time for every code, and
// exposed to the C test so that it compares a few at run time too.
#include <string_view>

#include "aiguillage.h"
#include "aiguillage/core/error.hpp"

using aiguillage::ErrorCode;

#define AIG_SAME(c, e) static_assert((c) == static_cast<int>(ErrorCode::e), #c " != " #e)
AIG_SAME(AIG_OK, ok);
AIG_SAME(AIG_ERR_INVALID_ARGUMENT, invalid_argument);
AIG_SAME(AIG_ERR_BUFFER_TOO_SMALL, buffer_too_small);
AIG_SAME(AIG_ERR_OUT_OF_MEMORY, out_of_memory);
AIG_SAME(AIG_ERR_INTERNAL, internal);
AIG_SAME(AIG_ERR_IO, io);
AIG_SAME(AIG_ERR_RESOURCE_EXHAUSTED, resource_exhausted);
AIG_SAME(AIG_ERR_CANCELLED, cancelled);
AIG_SAME(AIG_ERR_JSON_SYNTAX, json_syntax);
AIG_SAME(AIG_ERR_SCHEMA_MISMATCH, schema_mismatch);
AIG_SAME(AIG_ERR_SCHEMA_VERSION_TOO_OLD, schema_version_too_old);
AIG_SAME(AIG_ERR_SCHEMA_VERSION_TOO_NEW, schema_version_too_new);
AIG_SAME(AIG_ERR_TYPE_MISMATCH, type_mismatch);
AIG_SAME(AIG_ERR_OUT_OF_BOUNDS, out_of_bounds);
AIG_SAME(AIG_ERR_REQUIRED_MISSING, required_missing);
AIG_SAME(AIG_ERR_UNKNOWN_FIELD, unknown_field);
AIG_SAME(AIG_ERR_TOO_LONG, too_long);
AIG_SAME(AIG_ERR_TOO_MANY_ITEMS, too_many_items);
AIG_SAME(AIG_ERR_INVALID_DATE, invalid_date);
AIG_SAME(AIG_ERR_INVALID_DECIMAL, invalid_decimal);
AIG_SAME(AIG_ERR_ENUM_VALUE, enum_value);
AIG_SAME(AIG_ERR_NUMBER_OVERFLOW, number_overflow);
AIG_SAME(AIG_ERR_INVALID_DOCUMENT, invalid_document);
AIG_SAME(AIG_ERR_TOO_DEEP, too_deep);
AIG_SAME(AIG_ERR_SYNTAX, syntax);
AIG_SAME(AIG_ERR_UNKNOWN_NAME, unknown_name);
AIG_SAME(AIG_ERR_TYPE_ERROR, type_error);
AIG_SAME(AIG_ERR_LIMIT_EXCEEDED, limit_exceeded);
AIG_SAME(AIG_ERR_CYCLE, cycle);
AIG_SAME(AIG_ERR_DUPLICATE_NAME, duplicate_name);
AIG_SAME(AIG_ERR_HIT_POLICY_VIOLATION, hit_policy_violation);
AIG_SAME(AIG_ERR_NO_VALID_VERSION, no_valid_version);
AIG_SAME(AIG_ERR_AMBIGUOUS_VERSION, ambiguous_version);
AIG_SAME(AIG_ERR_BAD_HIT_POLICY, bad_hit_policy);
AIG_SAME(AIG_ERR_CELL_COUNT, cell_count);
AIG_SAME(AIG_ERR_UNKNOWN_SOURCE, unknown_source);
AIG_SAME(AIG_ERR_MISSING_REFERENCE_DATE, missing_reference_date);
AIG_SAME(AIG_ERR_UNKNOWN_FUNCTION, unknown_function);
AIG_SAME(AIG_ERR_ARITY, arity);
AIG_SAME(AIG_ERR_INPUT_CONSTRAINT, input_constraint);
AIG_SAME(AIG_ERR_TEST_FAILED, test_failed);
AIG_SAME(AIG_ERR_CHECK_FAILED, check_failed);
AIG_SAME(AIG_ERR_HUMAN_DECISION_REQUIRED, human_decision_required);
AIG_SAME(AIG_ERR_XML_SYNTAX, xml_syntax);
AIG_SAME(AIG_ERR_UNKNOWN_NAMESPACE, unknown_namespace);
AIG_SAME(AIG_ERR_UNSUPPORTED_CONSTRUCT, unsupported_construct);
AIG_SAME(AIG_ERR_DUPLICATE_ID, duplicate_id);
AIG_SAME(AIG_ERR_UNRESOLVED_REFERENCE, unresolved_reference);
AIG_SAME(AIG_ERR_INEXPRESSIBLE, inexpressible);
AIG_SAME(AIG_ERR_IDENTIFIER_MISSING, identifier_missing);
AIG_SAME(AIG_ERR_KEY_TOO_SHORT, key_too_short);
AIG_SAME(AIG_ERR_INVALID_TIMESTAMP, invalid_timestamp);
AIG_SAME(AIG_ERR_INVALID_ACTOR, invalid_actor);
AIG_SAME(AIG_ERR_ANCHOR_MISMATCH, anchor_mismatch);
AIG_SAME(AIG_ERR_REFERENTIAL_FORMAT, referential_format);
AIG_SAME(AIG_ERR_CACHE_STALE, cache_stale);
AIG_SAME(AIG_ERR_DUPLICATE_DOCUMENT_KEY, duplicate_document_key);
AIG_SAME(AIG_ERR_DUPLICATE_DOCUMENT_ID, duplicate_document_id);
AIG_SAME(AIG_ERR_BANK_FILE_CORRUPT, bank_file_corrupt);
AIG_SAME(AIG_ERR_INFEASIBLE, infeasible);
AIG_SAME(AIG_ERR_DIMENSION_MISMATCH, dimension_mismatch);
AIG_SAME(AIG_ERR_UNAUTHORIZED, unauthorized);
AIG_SAME(AIG_ERR_FORBIDDEN, forbidden);
AIG_SAME(AIG_ERR_NOT_FOUND, not_found);
AIG_SAME(AIG_ERR_PAYLOAD_TOO_LARGE, payload_too_large);
AIG_SAME(AIG_ERR_REQUEST_TIMEOUT, request_timeout);
AIG_SAME(AIG_ERR_OVERLOADED, overloaded);
AIG_SAME(AIG_ERR_UNAVAILABLE, unavailable);
AIG_SAME(AIG_ERR_CONFLICT, conflict);

// The C++ value of a code, looked up by its C++ name (0 for an unknown name).
extern "C" int aig_test_cpp_code(const char* name) {
  const std::string_view n(name);
  for (int c = 0; c >= -999; --c) {
    const auto code = static_cast<ErrorCode>(c);
    if (aiguillage::error_code_name(code) == n) return c;
  }
  return 0;
}
