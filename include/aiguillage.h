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

#ifndef AIG_API
#if defined(_WIN32)
#define AIG_API
#else
#define AIG_API __attribute__((visibility("default")))
#endif
#endif

/* ---- version ---------------------------------------------------------------------------- */

/* AIG_VERSION_MAJOR, _MINOR, _PATCH, AIG_VERSION_STRING ("0.1.0") and AIG_ABI_VERSION (the
 * soname's number), generated from the build's project version. */
#include "aiguillage/version.h"
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
#define AIG_ERR_RESOURCE_EXHAUSTED (-6)
#define AIG_ERR_CANCELLED (-7) /* a callback of the caller asked to stop */
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
#define AIG_ERR_TOO_DEEP (-116)
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
/* orientation (-300 .. -399) */
#define AIG_ERR_HUMAN_DECISION_REQUIRED (-301) /* the pack is never decided by policy */
/* interop (-700 .. -799): DMN and JDM documents read into packs */
#define AIG_ERR_XML_SYNTAX (-701)
#define AIG_ERR_UNKNOWN_NAMESPACE (-702)
#define AIG_ERR_UNSUPPORTED_CONSTRUCT (-703)
#define AIG_ERR_DUPLICATE_ID (-704)
#define AIG_ERR_UNRESOLVED_REFERENCE (-705)
#define AIG_ERR_INEXPRESSIBLE (-706) /* a pack element the export format cannot state */
/* audit (-500 .. -599) */
#define AIG_ERR_IDENTIFIER_MISSING (-501)
#define AIG_ERR_KEY_TOO_SHORT (-502)
#define AIG_ERR_INVALID_TIMESTAMP (-503)
#define AIG_ERR_INVALID_ACTOR (-504)
#define AIG_ERR_ANCHOR_MISMATCH (-505)
/* matching (-400 .. -499) */
#define AIG_ERR_REFERENTIAL_FORMAT (-401)
#define AIG_ERR_CACHE_STALE (-402)
#define AIG_ERR_DUPLICATE_DOCUMENT_KEY (-403) /* an offer or profile names one key twice */
#define AIG_ERR_DUPLICATE_DOCUMENT_ID (-404)  /* two documents of one batch share an id */
#define AIG_ERR_BANK_FILE_CORRUPT (-410)      /* a bank file truncated, malformed, bad checksum */
#define AIG_ERR_INFEASIBLE (-451)
#define AIG_ERR_DIMENSION_MISMATCH (-452)
/* service (-600 .. -699) */
#define AIG_ERR_UNAUTHORIZED (-601)
#define AIG_ERR_FORBIDDEN (-602)
#define AIG_ERR_NOT_FOUND (-603)
#define AIG_ERR_PAYLOAD_TOO_LARGE (-604)
#define AIG_ERR_REQUEST_TIMEOUT (-606)
#define AIG_ERR_OVERLOADED (-607)
#define AIG_ERR_UNAVAILABLE (-608)
#define AIG_ERR_CONFLICT (-609)

/* Stable snake_case name of a status ("ok", "type_error", ...); "unknown" for other values. */
AIG_API const char* aig_status_str(aig_status status);

/* The last failure of this thread: message ("" when the last call succeeded) and JSON pointer
 * of the offending place ("" for the root or when not applicable). Valid until the next call
 * into the library from this thread. */
AIG_API const char* aig_last_error_message(void);
AIG_API const char* aig_last_error_pointer(void);
/* The status of the last call of this thread (AIG_OK after a success). */
AIG_API aig_status aig_last_error_code(void);

/* The folder of the data installed with the library (share/aiguillage: rule packs under rules/,
 * JSON Schemas under rules/schemas/, the ROME subset under data/rome-subset/, sample inputs
 * under examples/data/): $AIG_DATA_DIR when set, else found relative to the library's own
 * file. Strings out as everywhere; AIG_ERR_IO, naming the folders tried, when there is none. */
AIG_API aig_status aig_data_dir(char* buf, size_t size, size_t* needed);

/* ---- packs ------------------------------------------------------------------------------- */

/* A loaded, type-checked and compiled rule pack with its evaluator. Immutable. */
typedef struct aig_pack aig_pack;

/* From a file, or a folder holding pack.json. */
AIG_API aig_status aig_pack_load_file(const char* path, aig_pack** out);
/* From the JSON text of a pack (`size` bytes; pass (size_t)-1 for a NUL-terminated string). */
AIG_API aig_status aig_pack_load_json(const char* json, size_t size, aig_pack** out);
/* From a DMN model (XML, DMN 1.1 to 1.5), imported as `aiguillage import-dmn` does (see
 * docs/interop.md). What cannot be mapped fails with AIG_ERR_UNSUPPORTED_CONSTRUCT (or another
 * interop code) and the XPath-like pointer of the element in aig_last_error_pointer(). */
AIG_API aig_status aig_pack_import_dmn(const char* xml, size_t size, aig_pack** out);
/* The pack document (JSON text of `json_size` bytes, (size_t)-1 for a NUL-terminated string)
 * written as a DMN 1.3 model into buf (a string out), as `aiguillage export --to dmn` does:
 * aig_pack_import_dmn reads it back to the same logic (docs/interop.md). What DMN cannot state
 * fails with AIG_ERR_INEXPRESSIBLE and the pack element's JSON pointer. */
AIG_API aig_status aig_pack_export_dmn(const char* pack_json, size_t json_size, char* buf,
                                       size_t size, size_t* needed);
/* The same pack document written as a GoRules JDM graph (JSON text) that the ZEN engine
 * evaluates to the pack's outputs, as `aiguillage export --to jdm` does. What ZEN's language
 * cannot state exactly fails with AIG_ERR_INEXPRESSIBLE and the pack element's JSON pointer. */
AIG_API aig_status aig_pack_export_jdm(const char* pack_json, size_t json_size, char* buf,
                                       size_t size, size_t* needed);
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

/* Receives one result line of aig_pack_evaluate_jsonl: `line` is the record's line in the text
 * (from 1), `json` its result (`size` bytes, NUL-terminated, no newline), valid during the
 * call only. Returns 0 to go on; anything else stops the evaluation (AIG_ERR_CANCELLED). */
typedef int (*aig_result_line_fn)(void* user, size_t line, const char* json, size_t size);

/* Evaluates JSON Lines text (`size` bytes; (size_t)-1 for a NUL-terminated string), one record
 * per line, blank lines skipped, records read straight into columnar blocks, and hands each
 * record's result line to `fn` in input order: what aig_pack_evaluate_json writes (the trace
 * with AIG_EVAL_TRACE), or for a record rejected as bad input
 * {"line":N,"status":"error","errors":[...]}; a result of status "error" carries "line" first,
 * as `aiguillage eval` writes it. Rejected records are not a failure of the call. */
AIG_API aig_status aig_pack_evaluate_jsonl(const aig_pack* pack, const char* text, size_t size,
                                           const char* reference_date, unsigned flags,
                                           aig_result_line_fn fn, void* user);

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
 * confirmed without a human (aig_orienter_auto_decide); 0 otherwise. A pack declaring
 * human_decision_required refuses 1 with AIG_ERR_HUMAN_DECISION_REQUIRED, and so does
 * aig_orienter_auto_decide on it. */
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
/* The same with the hearing: the person's observations (or that none came in time) and the
 * decider's assessment of a legitimate reason, kept in the decision and its record. A pack
 * declaring human_decision_required needs both (AIG_ERR_INVALID_ARGUMENT otherwise). */
AIG_API aig_status aig_orienter_decide_heard(const aig_orienter* orienter,
                                             const aig_proposal* proposal, const char* actor_role,
                                             const char* action, const char* reason,
                                             const char* decided_at,
                                             const char* override_outputs_json,
                                             const char* observations,
                                             const char* legitimate_reason, aig_decision** out);
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
/* Appends a record (a JSON object), written and synced; the line's hash goes to buf. Safe to
 * call from several threads on one log: appends are serialised. */
AIG_API aig_status aig_log_append(aig_log* log, const char* record_json, char* buf, size_t size,
                                  size_t* needed);
AIG_API uint64_t aig_log_size(const aig_log* log);

/* Verifies a log file: JSON {"ok", "lines", "first_bad", "torn_tail", "message", "last_hash"}.
 * A broken log is a result ("ok": false), not a failure of the call; AIG_ERR_IO only when the
 * file cannot be read. */
AIG_API aig_status aig_log_verify(const char* path, char* buf, size_t size, size_t* needed);
/* The same against an anchor kept outside the log: the line hash `head_hash` ("sha256:...")
 * must still be in the log, at line `lines` when it is not 0; a truncated log or a rewritten
 * tail gives "ok": false. */
AIG_API aig_status aig_log_verify_anchored(const char* path, const char* head_hash, uint64_t lines,
                                           char* buf, size_t size, size_t* needed);
/* Replays a verified log with the packs of the registry (by hash): the report as JSON. */
AIG_API aig_status aig_log_replay(const char* path, const aig_registry* registry, char* buf,
                                  size_t size, size_t* needed);
/* Replays under another pack version: who the change would move. */
AIG_API aig_status aig_log_replay_against(const char* path, const aig_pack* against, char* buf,
                                          size_t size, size_t* needed);

/* ---- matching: referentials, documents, scores and explanations ------------------------- */

/* A competence referential: ROME 4.0 (CSV files), optionally with ESCO v1.1.1 (its two zips).
 * Immutable once loaded; it must outlive every handle built with it (offers, profiles, banks). */
typedef struct aig_referential aig_referential;

/* Loads ROME from a folder of unix_*_v*_utf8.csv files and, when esco_dir is neither NULL nor
 * "", ESCO from a folder holding its classification and relations zips. A missing folder or
 * file is AIG_ERR_IO; a malformed file AIG_ERR_REFERENTIAL_FORMAT. Codes the files cite but do
 * not define are counted in the statistics, never fatal. */
AIG_API aig_status aig_referential_load(const char* rome_dir, const char* esco_dir,
                                        aig_referential** out);
AIG_API void aig_referential_destroy(aig_referential* referential);
/* The load statistics as a JSON object (fiches, appellations, competences, ..., unknown_codes,
 * unknown_examples [{file, line, code, context}]). */
AIG_API aig_status aig_referential_statistics_json(const aig_referential* referential, char* buf,
                                                   size_t size, size_t* needed);
/* Items (competences, savoirs, ESCO skills, ...) and occupations (ROME fiches, ESCO
 * occupations) have dense ids 0 .. count - 1. Counts are 0 for a NULL referential. */
AIG_API size_t aig_referential_item_count(const aig_referential* referential);
AIG_API size_t aig_referential_occupation_count(const aig_referential* referential);
/* The id of a code, -1 when unknown: items by ROME code_ogr ("118018") or ESCO URI, occupations
 * by ROME code ("A1101") or ESCO URI. */
AIG_API int64_t aig_referential_find_item(const aig_referential* referential, const char* code);
AIG_API int64_t aig_referential_find_occupation(const aig_referential* referential,
                                                const char* code);
/* Code and label of an id, owned by the referential; NULL for an id out of range. */
AIG_API const char* aig_referential_item_code(const aig_referential* referential, int64_t item);
AIG_API const char* aig_referential_item_label(const aig_referential* referential, int64_t item);
AIG_API const char* aig_referential_occupation_code(const aig_referential* referential,
                                                    int64_t occupation);
AIG_API const char* aig_referential_occupation_label(const aig_referential* referential,
                                                     int64_t occupation);

/* The weights and policies of the matching score (an aiguillage.scoring 1.0 document). */
typedef struct aig_scoring aig_scoring;

/* The built-in defaults (those of rules/matching/scoring-default.json). */
AIG_API aig_status aig_scoring_default(aig_scoring** out);
/* From JSON text (`size` bytes; (size_t)-1 for a NUL-terminated string) or a file. Omitted
 * fields keep the defaults; a bad field is an error with its JSON pointer. */
AIG_API aig_status aig_scoring_load_json(const char* json, size_t size, aig_scoring** out);
AIG_API aig_status aig_scoring_load_file(const char* path, aig_scoring** out);
AIG_API void aig_scoring_destroy(aig_scoring* scoring);
/* Owned by the handle; NULL for a NULL handle. */
AIG_API const char* aig_scoring_id(const aig_scoring* scoring);
AIG_API const char* aig_scoring_version(const aig_scoring* scoring);

/* A set of offers (offres d'emploi v2 objects or aiguillage.offer documents) or of profiles
 * (aiguillage.profile documents), read from JSON Lines against a referential. A bad line is
 * rejected alone: the set keeps every good line, and the rejected lines with their errors.
 * The referential must outlive the set. Immutable. */
typedef struct aig_offers aig_offers;
typedef struct aig_profiles aig_profiles;

/* From JSON Lines text (`size` bytes; (size_t)-1 for a NUL-terminated string) or a file (a
 * file that cannot be read is AIG_ERR_IO). Rejected lines are not a failure of the call. */
AIG_API aig_status aig_offers_load_jsonl(const aig_referential* referential, const char* text,
                                         size_t size, aig_offers** out);
AIG_API aig_status aig_offers_load_file(const aig_referential* referential, const char* path,
                                        aig_offers** out);
AIG_API void aig_offers_destroy(aig_offers* offers);
/* Good documents, 0 for NULL. */
AIG_API size_t aig_offers_count(const aig_offers* offers);
/* The id of document i (file order of the good lines), owned by the set; NULL out of range. */
AIG_API const char* aig_offers_id(const aig_offers* offers, size_t i);
/* The 1-based line of document i; 0 out of range. */
AIG_API size_t aig_offers_line(const aig_offers* offers, size_t i);
/* Rejected lines, 0 for NULL. */
AIG_API size_t aig_offers_error_count(const aig_offers* offers);
/* The rejected lines as a JSON array [{"line", "code", "name", "message", "pointer"}]. */
AIG_API aig_status aig_offers_errors_json(const aig_offers* offers, char* buf, size_t size,
                                          size_t* needed);

AIG_API aig_status aig_profiles_load_jsonl(const aig_referential* referential, const char* text,
                                           size_t size, aig_profiles** out);
AIG_API aig_status aig_profiles_load_file(const aig_referential* referential, const char* path,
                                          aig_profiles** out);
AIG_API void aig_profiles_destroy(aig_profiles* profiles);
AIG_API size_t aig_profiles_count(const aig_profiles* profiles);
AIG_API const char* aig_profiles_id(const aig_profiles* profiles, size_t i);
AIG_API size_t aig_profiles_line(const aig_profiles* profiles, size_t i);
AIG_API size_t aig_profiles_error_count(const aig_profiles* profiles);
AIG_API aig_status aig_profiles_errors_json(const aig_profiles* profiles, char* buf, size_t size,
                                            size_t* needed);

/* In the matching calls below, `scoring` may be NULL (the defaults). A bad profile or offer
 * fails the call with its code; the error pointer is prefixed by the document it points into:
 * "/profile/competences/2/code", "/offer/lieuTravail/latitude". */

/* The score of one profile (an aiguillage.profile JSON object) against one offer, as JSON:
 * {"profile_id", "offer_id", "score", "excluded", "intercept", "terms" [{term, weight, feature,
 * contribution}], "penalties" [{reason, contribution}], "reason_codes", "reasons" (principal,
 * at most 4: {kind, name, feature, contribution}), "competences" [{code, requirement, credit,
 * evidence, value, unknown_code}], "distance_km", "mobility_steps"}. score = intercept +
 * Σ contributions + Σ penalties. */
AIG_API aig_status aig_match_score_json(const aig_referential* referential,
                                        const aig_scoring* scoring, const char* profile_json,
                                        const char* offer_json, char* buf, size_t size,
                                        size_t* needed);

/* The explanation of one match among a cohort, the other offers scored for this person
 * (`cohort` may be NULL: the offer alone; an offer of the cohort with the explained offer's id
 * is that offer, not counted twice). lang is "fr" or "en" (NULL: "fr"); top (0: 10) is the
 * "would enter your top N" of the counterfactual. JSON: aiguillage.match_explanation 1.0 (term
 * table, credits with their referential edges, principal reasons with their text, the
 * counterfactual, the rank in the cohort). Text: what the person is shown, then the full
 * table for counsellors. */
AIG_API aig_status aig_match_explain_json(const aig_referential* referential,
                                          const aig_scoring* scoring, const char* profile_json,
                                          const char* offer_json, const aig_offers* cohort,
                                          const char* lang, size_t top, char* buf, size_t size,
                                          size_t* needed);
AIG_API aig_status aig_match_explain_text(const aig_referential* referential,
                                          const aig_scoring* scoring, const char* profile_json,
                                          const char* offer_json, const aig_offers* cohort,
                                          const char* lang, size_t top, char* buf, size_t size,
                                          size_t* needed);
/* Only what the person is shown first: the header (score, rank), the principal reasons and
 * the counterfactual. */
AIG_API aig_status aig_match_explain_summary(const aig_referential* referential,
                                             const aig_scoring* scoring, const char* profile_json,
                                             const char* offer_json, const aig_offers* cohort,
                                             const char* lang, size_t top, char* buf, size_t size,
                                             size_t* needed);

/* ---- matching: banks of documents, the exact top-k by the full score --------------------- */

/* Offers indexed for persons' queries (aig_offer_bank), or persons for an offer's query
 * (aig_profile_bank): the competence index with the referential's partial credit, answering
 * the exact top-k by the full score of aig_match_score_json, the same as scoring every
 * document and sorting (passing documents first, then score, then id); excluded documents are
 * never listed. A bank copies its documents (document i is document i of the set it was built
 * from); the referential must outlive it. Immutable; a const bank serves any number of
 * threads. */
typedef struct aig_offer_bank aig_offer_bank;
typedef struct aig_profile_bank aig_profile_bank;

/* Filters of a bank query. Zero-initialised ({0}) means none. */
typedef struct aig_match_filters {
  const char* const* departements;   /* "75", "2A", "971": the accepted ones, or NULL */
  size_t departement_count;          /* 0: any */
  const char* const* contract_types; /* "CDI", "CDD", "MIS", ...: the accepted ones, or NULL */
  size_t contract_type_count;        /* 0: any */
  int has_max_km;                    /* non-zero: at most max_km around the query's location */
  double max_km;                     /* >= 0 */
} aig_match_filters;

/* scoring may be NULL (the defaults); offers must have been read against referential. */
AIG_API aig_status aig_offer_bank_create(const aig_referential* referential,
                                         const aig_offers* offers, const aig_scoring* scoring,
                                         aig_offer_bank** out);
AIG_API void aig_offer_bank_destroy(aig_offer_bank* bank);
/* Offers in the bank; 0 for NULL. */
AIG_API size_t aig_offer_bank_size(const aig_offer_bank* bank);
/* The k (> 0) best offers for one profile (JSON): out_index[k] (indices into the set) and
 * out_score[k], the caller's; positions past the hits get -1 and NaN; *found (may be NULL)
 * receives the count. A bad profile fails the call (pointer /profile/...). */
AIG_API aig_status aig_offer_bank_top(const aig_offer_bank* bank, const char* profile_json,
                                      size_t k, const aig_match_filters* filters,
                                      int64_t* out_index, double* out_score, size_t* found);
/* The same as JSON Lines, one line per offer, best first: {"profile_id", "offer_id", "index",
 * "rank", "score", "reason_codes", "reasons" [{kind, name, feature, contribution, text}]}, the
 * reasons' text in lang ("fr" or "en"; NULL: "fr"). */
AIG_API aig_status aig_offer_bank_top_json(const aig_offer_bank* bank, const char* profile_json,
                                           size_t k, const aig_match_filters* filters,
                                           const char* lang, char* buf, size_t size,
                                           size_t* needed);
/* aig_offer_bank_top for every profile of a set, on `threads` threads (0: one per core), the
 * same filters for all: out_index and out_score are profiles x k, profile-major. */
AIG_API aig_status aig_offer_bank_top_batch(const aig_offer_bank* bank,
                                            const aig_profiles* profiles, size_t k,
                                            const aig_match_filters* filters, unsigned threads,
                                            int64_t* out_index, double* out_score);

/* Bank files (docs/matching.md, "Bank files"): the bank written to `path` (through a temporary
 * file beside it, then renamed), with its documents, index, scoring and the referential's
 * fingerprint, under a SHA-256 checksum. Loading maps the file and checks it: a file of another
 * format version, another referential or the other kind of bank gives AIG_ERR_CACHE_STALE, a
 * truncated or damaged one AIG_ERR_BANK_FILE_CORRUPT, an unreadable one AIG_ERR_IO. `threads`
 * (0: one) read the documents. The referential must outlive the bank. */
AIG_API aig_status aig_offer_bank_save(const aig_offer_bank* bank, const char* path);
AIG_API aig_status aig_offer_bank_load(const aig_referential* referential, const char* path,
                                       unsigned threads, aig_offer_bank** out);

/* The same the other way: persons for an offer (JSON, errors at /offer/...). */
AIG_API aig_status aig_profile_bank_create(const aig_referential* referential,
                                           const aig_profiles* profiles, const aig_scoring* scoring,
                                           aig_profile_bank** out);
AIG_API void aig_profile_bank_destroy(aig_profile_bank* bank);
AIG_API size_t aig_profile_bank_size(const aig_profile_bank* bank);
AIG_API aig_status aig_profile_bank_top(const aig_profile_bank* bank, const char* offer_json,
                                        size_t k, const aig_match_filters* filters,
                                        int64_t* out_index, double* out_score, size_t* found);
AIG_API aig_status aig_profile_bank_top_json(const aig_profile_bank* bank, const char* offer_json,
                                             size_t k, const aig_match_filters* filters,
                                             const char* lang, char* buf, size_t size,
                                             size_t* needed);
/* Bank files, as aig_offer_bank_save and aig_offer_bank_load. */
AIG_API aig_status aig_profile_bank_save(const aig_profile_bank* bank, const char* path);
AIG_API aig_status aig_profile_bank_load(const aig_referential* referential, const char* path,
                                         unsigned threads, aig_profile_bank** out);
AIG_API aig_status aig_profile_bank_top_batch(const aig_profile_bank* bank,
                                              const aig_offers* offers, size_t k,
                                              const aig_match_filters* filters, unsigned threads,
                                              int64_t* out_index, double* out_score);

/* The explanation of one pair at the cost of the pair: the bank's person `index` for an offer
 * (JSON), ranked among the persons passing the filters by the bank's own top-k search (no
 * other person is scored; a pair the bank never lists, excluded by a hard constraint or the
 * filters, is ranked among all the bank's persons by scoring them). format: "json"
 * (aiguillage.match_explanation 1.1), "text", "summary", or "employer" (the offer's
 * competences the person holds, holds through a related competence with the referential path,
 * or lacks, in labels); NULL: "json". lang "fr" or "en" (NULL: "fr"); top as in
 * aig_match_explain_json. */
AIG_API aig_status aig_profile_bank_explain(const aig_profile_bank* bank, const char* offer_json,
                                            size_t index, const aig_match_filters* filters,
                                            const char* lang, size_t top, const char* format,
                                            char* buf, size_t size, size_t* needed);
/* The same for the bank's offer `index` and a profile (JSON). */
AIG_API aig_status aig_offer_bank_explain(const aig_offer_bank* bank, const char* profile_json,
                                          size_t index, const aig_match_filters* filters,
                                          const char* lang, size_t top, const char* format,
                                          char* buf, size_t size, size_t* needed);

/* ---- matching: numeric retrieval over caller arrays ------------------------------------- */

/* An exact top-k index over sparse competence vectors (offers for a person's query, or
 * profiles for an offer's query), built from caller arrays that it copies. Immutable; a const
 * index serves any number of threads. */
typedef struct aig_index aig_index;

/* n entries in CSR form: entry e holds items[indptr[e] .. indptr[e+1]) with the weights in the
 * same positions (finite, > 0; an item at most once per entry). Per entry (each array may be
 * NULL): lat and lon (degrees; NULL: 0), departement (a caller's code; NULL: 0), contract_mask
 * (bit c for contract code c; NULL: 0), max_km (the distance the entry accepts; NULL: no
 * limit). Bad values are AIG_ERR_INVALID_ARGUMENT or AIG_ERR_DIMENSION_MISMATCH with the
 * pointer /entries/<e>/...; indptr must start at 0 and never decrease. */
AIG_API aig_status aig_index_build(size_t n, const int64_t* indptr, const uint32_t* items,
                                   const double* weights, const double* lat, const double* lon,
                                   const uint32_t* departement, const uint32_t* contract_mask,
                                   const double* max_km, aig_index** out);
AIG_API void aig_index_destroy(aig_index* index);
/* Entries, distinct items and stored weights; 0 for NULL. */
AIG_API size_t aig_index_size(const aig_index* index);
AIG_API size_t aig_index_item_count(const aig_index* index);
AIG_API size_t aig_index_nonzeros(const aig_index* index);

/* Filters of a query. Zero-initialised ({0}) means none. */
typedef struct aig_retrieval_filters {
  int has_origin;                /* non-zero: check distances around (origin_lat, origin_lon) */
  double origin_lat, origin_lon; /* degrees */
  double max_km;                 /* with has_origin: the limit, >= 0 (INFINITY: only the
                                    entries' own max_km) */
  const uint32_t* departements;  /* the accepted codes, or NULL */
  size_t departement_count;      /* 0: any */
  uint32_t contract_mask;        /* 0: any; else the entry needs a common bit */
} aig_retrieval_filters;

/* The k best entries for the query (items and weights, n_items long: the retrieval score is
 * Σ q_i x_{e,i}), among those sharing an item with it that pass the filters (NULL: none):
 * descending score, then ascending entry index. out_index[k] and out_score[k] are the caller's;
 * the positions past the hits found get -1 and NaN; *found (may be NULL) receives their count. */
AIG_API aig_status aig_index_top_k(const aig_index* index, const uint32_t* items,
                                   const double* weights, size_t n_items, size_t k,
                                   const aig_retrieval_filters* filters, int64_t* out_index,
                                   double* out_score, size_t* found);
/* top_k for n_queries queries in CSR form (query q holds items[indptr[q] .. indptr[q+1])), on
 * `threads` threads (0: one per core). filters is NULL (none) or an array of n_queries filters.
 * out_index and out_score are n_queries * k, query-major; missing hits are -1 and NaN. Every
 * query is checked before any work starts: a bad one fails the call (pointer /queries/<q>/...). */
AIG_API aig_status aig_index_batch_top_k(const aig_index* index, size_t n_queries,
                                         const int64_t* indptr, const uint32_t* items,
                                         const double* weights,
                                         const aig_retrieval_filters* filters, size_t k,
                                         unsigned threads, int64_t* out_index, double* out_score);

/* ---- matching: assignment ---------------------------------------------------------------- */

/* Objectives of the assignment solvers. */
#define AIG_MINIMIZE 0
#define AIG_MAXIMIZE 1

/* One-to-one assignment of optimal total cost over dense costs (row-major, n_rows * n_cols). A
 * forbidden pair is +INFINITY when minimising, -INFINITY when maximising. With n_rows <= n_cols
 * every row is assigned, otherwise every column. col_of_row[n_rows] and row_of_col[n_cols]
 * (either may be NULL) get the partner or -1; total_cost (may be NULL) the sum of the chosen
 * costs. No complete assignment: AIG_ERR_INFEASIBLE; NaN costs: AIG_ERR_INVALID_ARGUMENT. */
AIG_API aig_status aig_assign_dense(const double* costs, size_t n_rows, size_t n_cols,
                                    int objective, int64_t* col_of_row, int64_t* row_of_col,
                                    double* total_cost);
/* The same over the listed edges only, CSR: row r's edges are indices[indptr[r] ..
 * indptr[r+1]) with costs in values (finite). indptr has n_rows + 1 entries, starting at 0. */
AIG_API aig_status aig_assign_sparse(size_t n_rows, size_t n_cols, const int64_t* indptr,
                                     const int32_t* indices, const double* values, int objective,
                                     int64_t* col_of_row, int64_t* row_of_col, double* total_cost);
/* Offers with positions[o] places (n_offers), each person taking at most max_per_person, each
 * of the n_edges candidate edges (edge_person[e], edge_offer[e], edge_cost[e]; edge_cost may be
 * NULL: all 0) used at most once. First the most pairs, then the cheapest (or dearest with
 * AIG_MAXIMIZE) among them. chosen[n_edges] (may be NULL) gets 1 for a chosen edge, else 0;
 * n_chosen and total_cost (may be NULL) the count and the sum. */
AIG_API aig_status aig_assign_capacitated(size_t n_persons, size_t n_offers,
                                          const uint32_t* positions, uint32_t max_per_person,
                                          size_t n_edges, const uint32_t* edge_person,
                                          const uint32_t* edge_offer, const double* edge_cost,
                                          int objective, uint8_t* chosen, size_t* n_chosen,
                                          double* total_cost);

/* Who proposes in aig_stable_match. */
#define AIG_PERSONS_PROPOSE 0
#define AIG_OFFERS_PROPOSE 1

/* Stable matching by deferred acceptance. Preference lists, best first, in CSR form: person p
 * ranks the offers person_prefs[person_indptr[p] .. person_indptr[p+1]), offer o the persons
 * offer_prefs[offer_indptr[o] .. offer_indptr[o+1]) and has capacity[o] places; a pair is
 * acceptable only when each lists the other. offer_of_person[n_persons] gets each person's offer
 * or -1. The result is stable and optimal for the proposing side. */
AIG_API aig_status aig_stable_match(size_t n_persons, const int64_t* person_indptr,
                                    const uint32_t* person_prefs, size_t n_offers,
                                    const int64_t* offer_indptr, const uint32_t* offer_prefs,
                                    const uint32_t* capacity, int proposing,
                                    int64_t* offer_of_person);

#ifdef __cplusplus
}
#endif

#endif /* AIGUILLAGE_H */
