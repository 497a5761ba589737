/* aiguillage: the C API (pure C99, ABI-stable).
 *
 * Rules kept as data decide where a job seeker is accompanied; every result can say why.
 * This header is the only ABI-stable surface of the library: opaque handles, plain integers and
 * NUL-terminated UTF-8 strings; nothing else crosses it.
 *
 * Conventions (every function follows them):
 *  - Every fallible function returns an aig_status: AIG_OK (0) or a negative code. The codes are
 *    the library's pinned error codes, grouped by hundreds per layer; they never change.
 *  - After a failure, aig_last_error_message() and aig_last_error_pointer() (thread-local) say
 *    what went wrong and where (a JSON pointer into the offending document). Every call clears
 *    them on entry.
 *  - No exception crosses this boundary and no bad input aborts the process.
 *  - aig_x_create(..., aig_x** out) and friends set *out = NULL on failure;
 *    aig_x_destroy(NULL) is a no-op.
 *  - Strings out (buf, size, needed) follow snprintf: at most size - 1 bytes are written and buf
 *    is always NUL-terminated when size > 0; *needed (when not NULL) receives the size the
 *    buffer must have, terminator included. A short buffer gives AIG_ERR_BUFFER_TOO_SMALL (the
 *    truncated text is still written); buf may be NULL when size is 0, to ask for the size.
 *  - Handles are safe for concurrent use through const pointers: one aig_pack or aig_orienter
 *    may serve many threads at once. A batch is filled by one thread at a time.
 *  - Dates are "YYYY-MM-DD" strings in JSON, or days since 1970-01-01 in columns. Nothing reads
 *    the clock: the reference date of a decision is always given.
 */
#ifndef AIGUILLAGE_H
#define AIGUILLAGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define AIG_API
#else
#define AIG_API __attribute__((visibility("default")))
#endif

/* ---- version ---------------------------------------------------------------------------- */

/* The build also defines these (same values) for C++ code linked with the library. */
#ifndef AIG_VERSION_MAJOR
#define AIG_VERSION_MAJOR 0
#endif
#ifndef AIG_VERSION_MINOR
#define AIG_VERSION_MINOR 1
#endif
#ifndef AIG_VERSION_PATCH
#define AIG_VERSION_PATCH 0
#endif
#define AIG_VERSION_STRING "0.1.0"
/* MAJOR * 10000 + MINOR * 100 + PATCH, for compile-time checks. */
#define AIG_VERSION_NUMBER (AIG_VERSION_MAJOR * 10000 + AIG_VERSION_MINOR * 100 + AIG_VERSION_PATCH)

/* The engine version compiled into the library ("0.1.0"); compare with AIG_VERSION_STRING to
 * detect a header and a library that do not match. */
AIG_API const char* aig_version(void);
/* Same, as AIG_VERSION_NUMBER. */
AIG_API int aig_version_number(void);

/* ---- status ------------------------------------------------------------------------------ */

/* Pinned values, identical to the C++ aiguillage::ErrorCode. */
typedef int aig_status;

#define AIG_OK 0
/* general (-1 .. -99) */
#define AIG_ERR_INVALID_ARGUMENT (-1)
#define AIG_ERR_BUFFER_TOO_SMALL (-2)
#define AIG_ERR_OUT_OF_MEMORY (-3)
#define AIG_ERR_INTERNAL (-4)
#define AIG_ERR_IO (-5)
/* core (-100 .. -199): documents, values, schemas */
#define AIG_ERR_JSON_SYNTAX (-101)
#define AIG_ERR_SCHEMA_MISMATCH (-102)
#define AIG_ERR_SCHEMA_VERSION_TOO_OLD (-103)
#define AIG_ERR_SCHEMA_VERSION_TOO_NEW (-104)
#define AIG_ERR_TYPE_MISMATCH (-105)
#define AIG_ERR_OUT_OF_BOUNDS (-106)
#define AIG_ERR_REQUIRED_MISSING (-107)
#define AIG_ERR_UNKNOWN_FIELD (-108)
#define AIG_ERR_TOO_LONG (-109)
#define AIG_ERR_TOO_MANY_ITEMS (-110)
#define AIG_ERR_INVALID_DATE (-111)
#define AIG_ERR_INVALID_DECIMAL (-112)
#define AIG_ERR_ENUM_VALUE (-113)
#define AIG_ERR_NUMBER_OVERFLOW (-114)
#define AIG_ERR_INVALID_DOCUMENT (-115)
/* rules (-200 .. -299): packs, expressions, tables, evaluation */
#define AIG_ERR_SYNTAX (-201)
#define AIG_ERR_UNKNOWN_NAME (-202)
#define AIG_ERR_TYPE_ERROR (-203)
#define AIG_ERR_LIMIT_EXCEEDED (-204)
#define AIG_ERR_CYCLE (-205)
#define AIG_ERR_DUPLICATE_NAME (-206)
#define AIG_ERR_HIT_POLICY_VIOLATION (-207)
#define AIG_ERR_NO_VALID_VERSION (-208)
#define AIG_ERR_AMBIGUOUS_VERSION (-209)
#define AIG_ERR_BAD_HIT_POLICY (-210)
#define AIG_ERR_CELL_COUNT (-211)
#define AIG_ERR_UNKNOWN_SOURCE (-212)
#define AIG_ERR_MISSING_REFERENCE_DATE (-213)
#define AIG_ERR_UNKNOWN_FUNCTION (-214)
#define AIG_ERR_ARITY (-215)
#define AIG_ERR_INPUT_CONSTRAINT (-216)
#define AIG_ERR_TEST_FAILED (-220)
#define AIG_ERR_CHECK_FAILED (-221)
/* matching (-400 .. -499) */
#define AIG_ERR_REFERENTIAL_FORMAT (-401)
#define AIG_ERR_CACHE_STALE (-402)
#define AIG_ERR_INFEASIBLE (-451)
#define AIG_ERR_DIMENSION_MISMATCH (-452)

/* Stable snake_case name of a status ("ok", "type_error", ...); "unknown" for other values. */
AIG_API const char* aig_status_str(aig_status status);

/* The last failure of this thread: message ("" when the last call succeeded) and JSON pointer
 * of the offending place ("" for the root or when not applicable). Valid until the next call
 * into the library from this thread. */
AIG_API const char* aig_last_error_message(void);
AIG_API const char* aig_last_error_pointer(void);
/* The status of the last call of this thread (AIG_OK after a success). */
AIG_API aig_status aig_last_error_code(void);

/* ---- packs ------------------------------------------------------------------------------- */

/* A loaded, type-checked and compiled rule pack with its evaluator. Immutable. */
typedef struct aig_pack aig_pack;

/* From a file, or a folder holding pack.json. */
AIG_API aig_status aig_pack_load_file(const char* path, aig_pack** out);
/* From the JSON text of a pack (`size` bytes; pass (size_t)-1 for a NUL-terminated string). */
AIG_API aig_status aig_pack_load_json(const char* json, size_t size, aig_pack** out);
AIG_API void aig_pack_destroy(aig_pack* pack);

/* Strings owned by the pack, valid while it lives. NULL for a NULL pack. */
AIG_API const char* aig_pack_id(const aig_pack* pack);
AIG_API const char* aig_pack_version(const aig_pack* pack);
AIG_API const char* aig_pack_hash(const aig_pack* pack); /* "sha256:..." */
AIG_API const char* aig_pack_title(const aig_pack* pack);

/* Field types (inputs and outputs). */
typedef enum aig_type {
  AIG_TYPE_BOOL = 0,
  AIG_TYPE_INTEGER = 1,
  AIG_TYPE_DECIMAL = 2,
  AIG_TYPE_STRING = 3,
  AIG_TYPE_ENUM = 4,
  AIG_TYPE_DATE = 5,
  AIG_TYPE_LIST = 6
} aig_type;

/* Inputs, in schema order (reference_date is one of them). Out-of-range indices give -1 / NULL. */
AIG_API int aig_pack_input_count(const aig_pack* pack);
AIG_API int aig_pack_input_index(const aig_pack* pack, const char* name);
AIG_API const char* aig_pack_input_name(const aig_pack* pack, int input);
AIG_API int aig_pack_input_type(const aig_pack* pack, int input); /* aig_type */
/* Enum inputs (and lists of enums): the closed list; a value's code is its index. */
AIG_API int aig_pack_input_value_count(const aig_pack* pack, int input);
AIG_API const char* aig_pack_input_value(const aig_pack* pack, int input, int code);

/* Outputs of every decision, in pack order. */
AIG_API int aig_pack_output_count(const aig_pack* pack);
AIG_API const char* aig_pack_output_name(const aig_pack* pack, int output);
/* aig_type of the output; AIG_TYPE_LIST for an output collecting several values. */
AIG_API int aig_pack_output_type(const aig_pack* pack, int output);
AIG_API int aig_pack_output_value_count(const aig_pack* pack, int output);
AIG_API const char* aig_pack_output_value(const aig_pack* pack, int output, int code);

/* Decisions and their rules. */
AIG_API int aig_pack_decision_count(const aig_pack* pack);
AIG_API const char* aig_pack_decision_id(const aig_pack* pack, int decision);
AIG_API int aig_pack_rule_count(const aig_pack* pack, int decision);
AIG_API const char* aig_pack_rule_id(const aig_pack* pack, int decision, int rule);

/* ---- evaluation of one record (JSON in, JSON or text out) ------------------------------- */

/* Flags of aig_pack_evaluate_json. */
#define AIG_EVAL_TRACE 1u          /* include the trace of every table */
#define AIG_EVAL_IGNORE_UNKNOWN 2u /* ignore record fields the pack does not know (else error) */

/* Evaluates one record (a JSON object) at `reference_date` ("YYYY-MM-DD", or NULL when the
 * record carries reference_date) and writes the result JSON: status, outputs, fired rules,
 * missing inputs, errors and, with AIG_EVAL_TRACE, the trace. A rejected record is not a
 * failure of the call: its result has status "error" and the errors with their pointers. */
AIG_API aig_status aig_pack_evaluate_json(const aig_pack* pack, const char* record_json,
                                          const char* reference_date, unsigned flags, char* buf,
                                          size_t size, size_t* needed);

/* The readable explanation of the evaluation of one record, "fr" or "en". */
AIG_API aig_status aig_pack_explain(const aig_pack* pack, const char* record_json,
                                    const char* reference_date, const char* lang, char* buf,
                                    size_t size, size_t* needed);

/* ---- registries: several versions of packs, chosen by date ------------------------------ */

typedef struct aig_registry aig_registry;

AIG_API aig_status aig_registry_create(aig_registry** out);
AIG_API void aig_registry_destroy(aig_registry* registry);
/* Adds a copy of the pack (packs are shared, the copy is cheap). */
AIG_API aig_status aig_registry_add(aig_registry* registry, const aig_pack* pack);
/* Loads every pack.json under `dir` recursively; `loaded` (may be NULL) receives the count. */
AIG_API aig_status aig_registry_load_dir(aig_registry* registry, const char* dir, size_t* loaded);
AIG_API size_t aig_registry_size(const aig_registry* registry);
/* The version of `id` valid on `date`: a new handle the caller destroys.
 * AIG_ERR_NO_VALID_VERSION or AIG_ERR_AMBIGUOUS_VERSION otherwise. */
AIG_API aig_status aig_registry_select(const aig_registry* registry, const char* id,
                                       const char* date, aig_pack** out);

/* ---- columnar batches: typed arrays in, typed arrays out -------------------------------- */

/* A batch of `rows` records for one pack: one typed column per input. A bad cell (wrong type,
 * out of bounds, unknown enum value) is recorded against its row, which then evaluates to
 * status error; every other row still evaluates. */
typedef struct aig_batch aig_batch;

AIG_API aig_status aig_batch_create(const aig_pack* pack, size_t rows, aig_batch** out);
AIG_API void aig_batch_destroy(aig_batch* batch);
AIG_API size_t aig_batch_rows(const aig_batch* batch);

/* Whole-column setters. `present` (may be NULL: every cell present) holds one byte per row,
 * 0 for a missing value. The column is an input index (aig_pack_input_index). */
/* bool inputs: 0 or 1 per row. */
AIG_API aig_status aig_batch_set_bools(aig_batch* batch, int input, const uint8_t* values,
                                       const uint8_t* present);
/* integer inputs; also decimal inputs (whole numbers). */
AIG_API aig_status aig_batch_set_int64s(aig_batch* batch, int input, const int64_t* values,
                                        const uint8_t* present);
/* decimal inputs (rounded to 6 decimal places) and integer inputs (must be whole); NaN is a
 * missing value. */
AIG_API aig_status aig_batch_set_doubles(aig_batch* batch, int input, const double* values,
                                         const uint8_t* present);
/* date inputs: days since 1970-01-01. */
AIG_API aig_status aig_batch_set_dates(aig_batch* batch, int input, const int32_t* days,
                                       const uint8_t* present);
/* enum inputs: the value's code (aig_pack_input_value); -1 is a missing value. */
AIG_API aig_status aig_batch_set_enum_codes(aig_batch* batch, int input, const int32_t* codes);
/* One cell of any input type from text: enum value, string, "YYYY-MM-DD", number, "true". NULL
 * is a missing value. */
AIG_API aig_status aig_batch_set_text(aig_batch* batch, int input, size_t row, const char* text);
/* Number of rows with a bad cell so far. */
AIG_API size_t aig_batch_bad_rows(const aig_batch* batch);

/* Status per row of a batch evaluation. */
#define AIG_ROW_COMPLETE 0
#define AIG_ROW_INCOMPLETE 1
#define AIG_ROW_ERROR 2

/* The code of a missing output value in output arrays. */
#define AIG_OUTPUT_NULL INT64_MIN

/* Caller-allocated results of aig_pack_evaluate_batch. Any array may be NULL (not wanted).
 *  - status[rows]: AIG_ROW_*.
 *  - first_fired[decisions * rows]: decision-major; the first fired rule's index (see
 *    aig_pack_rule_id) or -1.
 *  - outputs[outputs * rows]: output-major; per output type: enum -> value code, bool -> 0/1,
 *    integer -> the value, decimal -> millionths, date -> days since 1970-01-01, a list of
 *    enum values -> a bit mask of their codes (bit k = code k); string outputs and anything
 *    absent -> AIG_OUTPUT_NULL.
 *  - first_error[rows]: the status of the row's first error, AIG_OK for rows without one. */
typedef struct aig_batch_results {
  int32_t* status;
  int32_t* first_fired;
  int64_t* outputs;
  int32_t* first_error;
} aig_batch_results;

/* Evaluates every row at `reference_date` ("YYYY-MM-DD"; NULL when the reference_date column
 * is filled), on `threads` threads (0: one per core). Per-row problems are results, not a
 * failure of the call. The batch is only read: one batch may be evaluated by several packs. */
AIG_API aig_status aig_pack_evaluate_batch(const aig_pack* pack, const aig_batch* batch,
                                           const char* reference_date, unsigned threads,
                                           const aig_batch_results* results);

/* ---- orientation: proposals, human decisions, notices ----------------------------------- */

typedef struct aig_orienter aig_orienter;
typedef struct aig_proposal aig_proposal;
typedef struct aig_decision aig_decision;

/* An orienter over a pack. auto_confirm_evident: the deployment lets evident proposals be
 * confirmed without a human (aig_orienter_auto_decide); 0 otherwise. */
AIG_API aig_status aig_orienter_create(const aig_pack* pack, int auto_confirm_evident,
                                       aig_orienter** out);
AIG_API void aig_orienter_destroy(aig_orienter* orienter);

/* Proposes for one person (a JSON object). A rejected person is a proposal with status
 * "error" and its errors, not a failure of the call. with_trace 0 leaves the costly trace out. */
AIG_API aig_status aig_orienter_propose(const aig_orienter* orienter, const char* person_json,
                                        const char* reference_date, int with_trace,
                                        aig_proposal** out);
AIG_API void aig_proposal_destroy(aig_proposal* proposal);
/* The proposal as one line of JSON. */
AIG_API aig_status aig_proposal_json(const aig_proposal* proposal, char* buf, size_t size,
                                     size_t* needed);
/* 1 when evident (nothing missing, no review trigger), 0 otherwise. */
AIG_API int aig_proposal_evident(const aig_proposal* proposal);
/* AIG_ROW_COMPLETE, AIG_ROW_INCOMPLETE or AIG_ROW_ERROR. */
AIG_API int aig_proposal_status(const aig_proposal* proposal);

/* A human decision: action "confirm", "override" (override_outputs_json names outputs and
 * their values) or "reorient"; override and reorient need a reason. decided_at is the caller's
 * timestamp (ISO 8601). */
AIG_API aig_status aig_orienter_decide(const aig_orienter* orienter, const aig_proposal* proposal,
                                       const char* actor_role, const char* action,
                                       const char* reason, const char* decided_at,
                                       const char* override_outputs_json, aig_decision** out);
/* The deployment's decision for an evident proposal when allowed; *out = NULL (and AIG_OK)
 * when the proposal waits for a human. */
AIG_API aig_status aig_orienter_auto_decide(const aig_orienter* orienter,
                                            const aig_proposal* proposal, const char* decided_at,
                                            aig_decision** out);
AIG_API void aig_decision_destroy(aig_decision* decision);
AIG_API aig_status aig_decision_json(const aig_decision* decision, char* buf, size_t size,
                                     size_t* needed);

/* The notice given to the person ("fr" or "en"); decision may be NULL (a proposal awaiting a
 * counsellor). */
AIG_API aig_status aig_orienter_notice(const aig_orienter* orienter, const aig_proposal* proposal,
                                       const aig_decision* decision, const char* lang, char* buf,
                                       size_t size, size_t* needed);

/* ---- audit: decision records, the chained log, replay ----------------------------------- */

/* The decision record (canonical JSON, one line). The person's identifier is pseudonymised
 * with HMAC-SHA256 under `key` (at least 16 bytes); territory may be "" or NULL. */
AIG_API aig_status aig_decision_record(const aig_orienter* orienter, const aig_proposal* proposal,
                                       const aig_decision* decision, const char* key,
                                       size_t key_size, const char* person_id,
                                       const char* territory, const char* recorded_at, char* buf,
                                       size_t size, size_t* needed);

typedef struct aig_log aig_log;
/* Opens (creating if needed) and verifies an append-only log; a damaged log is refused
 * (AIG_ERR_INVALID_DOCUMENT, the message names the line). */
AIG_API aig_status aig_log_open(const char* path, aig_log** out);
AIG_API void aig_log_destroy(aig_log* log);
/* Appends a record (a JSON object), written and synced; the line's hash goes to buf. */
AIG_API aig_status aig_log_append(aig_log* log, const char* record_json, char* buf, size_t size,
                                  size_t* needed);
AIG_API uint64_t aig_log_size(const aig_log* log);

/* Verifies a log file: JSON {"ok", "lines", "first_bad", "torn_tail", "message", "last_hash"}.
 * A broken log is a result ("ok": false), not a failure of the call; AIG_ERR_IO only when the
 * file cannot be read. */
AIG_API aig_status aig_log_verify(const char* path, char* buf, size_t size, size_t* needed);
/* Replays a verified log with the packs of the registry (by hash): the report as JSON. */
AIG_API aig_status aig_log_replay(const char* path, const aig_registry* registry, char* buf,
                                  size_t size, size_t* needed);
/* Replays under another pack version: who the change would move. */
AIG_API aig_status aig_log_replay_against(const char* path, const aig_pack* against, char* buf,
                                          size_t size, size_t* needed);

#ifdef __cplusplus
}
#endif

#endif /* AIGUILLAGE_H */
