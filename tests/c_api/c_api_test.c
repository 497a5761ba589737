/* The C API, used as a C program would: packs, errors, one record, explanations, registries,
 * columnar batches (checked row by row against the JSON path), orientation and the audit log. */
#include "aiguillage.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

int aig_test_cpp_code(const char* name);

static char youth_dir[1024];
static char orientation_dir[1024];
static char sanctions_dir[1024];

static const char* kYoungPerson =
    "{\"birth_date\": \"2005-01-15\", \"rsa_beneficiary\": false, \"boe_status\": \"none\", "
    "\"requested_structure\": \"mission_locale\", \"months_since_last_activity\": 3}";

static void test_version_and_codes(void) {
  CHECK(strcmp(aig_version(), AIG_VERSION_STRING) == 0);
  CHECK(aig_version_number() == AIG_VERSION_NUMBER);
  CHECK(strcmp(aig_status_str(AIG_OK), "ok") == 0);
  CHECK(strcmp(aig_status_str(AIG_ERR_BUFFER_TOO_SMALL), "buffer_too_small") == 0);
  CHECK(strcmp(aig_status_str(AIG_ERR_ENUM_VALUE), "enum_value") == 0);
  CHECK(strcmp(aig_status_str(12345), "unknown") == 0);
  /* The same numbers as the C++ ErrorCode, looked up by name at run time. */
  CHECK(aig_test_cpp_code("buffer_too_small") == AIG_ERR_BUFFER_TOO_SMALL);
  CHECK(aig_test_cpp_code("json_syntax") == AIG_ERR_JSON_SYNTAX);
  CHECK(aig_test_cpp_code("no_valid_version") == AIG_ERR_NO_VALID_VERSION);
  CHECK(aig_test_cpp_code("input_constraint") == AIG_ERR_INPUT_CONSTRAINT);
  CHECK(aig_test_cpp_code("dimension_mismatch") == AIG_ERR_DIMENSION_MISMATCH);
}

static void test_pack_errors(void) {
  aig_pack* pack = (aig_pack*)&pack; /* must be reset to NULL on failure */
  CHECK_STATUS(aig_pack_load_file("/nonexistent/pack", &pack), AIG_ERR_IO);
  CHECK(pack == NULL);
  CHECK(strlen(aig_last_error_message()) > 0);
  CHECK(aig_last_error_code() == AIG_ERR_IO);

  pack = (aig_pack*)&pack;
  CHECK_STATUS(aig_pack_load_json("{\"schema\": ", (size_t)-1, &pack), AIG_ERR_JSON_SYNTAX);
  CHECK(pack == NULL);

  pack = (aig_pack*)&pack;
  CHECK_STATUS(
      aig_pack_load_json("{\"schema\": \"other\", \"schema_version\": \"1.0\"}", (size_t)-1, &pack),
      AIG_ERR_SCHEMA_MISMATCH);
  CHECK(pack == NULL);
  CHECK(strcmp(aig_last_error_pointer(), "/schema") == 0);

  /* NULL arguments are refused, never dereferenced. */
  CHECK_STATUS(aig_pack_load_file(NULL, &pack), AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_pack_load_file("x", NULL), AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_pack_evaluate_json(NULL, "{}", NULL, 0, NULL, 0, NULL),
               AIG_ERR_INVALID_ARGUMENT);

  /* A success clears the last error. */
  CHECK_STATUS(aig_pack_load_file(youth_dir, &pack), AIG_OK);
  CHECK(aig_last_error_message()[0] == '\0');
  CHECK(aig_last_error_code() == AIG_OK);
  aig_pack_destroy(pack);

  /* Destroying NULL is a no-op. */
  aig_pack_destroy(NULL);
  aig_registry_destroy(NULL);
  aig_batch_destroy(NULL);
  aig_orienter_destroy(NULL);
  aig_proposal_destroy(NULL);
  aig_decision_destroy(NULL);
  aig_log_destroy(NULL);
}

static void test_pack_metadata(void) {
  aig_pack* pack = NULL;
  int k, found = 0;
  CHECK_STATUS(aig_pack_load_file(youth_dir, &pack), AIG_OK);
  if (!pack) return;
  CHECK(strcmp(aig_pack_id(pack), "examples/youth-guidance") == 0);
  CHECK(strncmp(aig_pack_hash(pack), "sha256:", 7) == 0);
  k = aig_pack_input_index(pack, "boe_status");
  CHECK(k >= 0);
  CHECK(aig_pack_input_type(pack, k) == AIG_TYPE_ENUM);
  CHECK(aig_pack_input_value_count(pack, k) == 3);
  CHECK(strcmp(aig_pack_input_value(pack, k, 1), "rqth") == 0);
  CHECK(aig_pack_input_value(pack, k, 3) == NULL);
  CHECK(aig_pack_input_name(pack, -1) == NULL);
  CHECK(aig_pack_input_index(pack, "no_such_input") == -1);
  CHECK(aig_pack_input_index(pack, "reference_date") >= 0);
  for (k = 0; k < aig_pack_output_count(pack); ++k)
    if (strcmp(aig_pack_output_name(pack, k), "organisme") == 0) {
      found = 1;
      CHECK(aig_pack_output_type(pack, k) == AIG_TYPE_ENUM);
      CHECK(strcmp(aig_pack_output_value(pack, k, 0), "france_travail") == 0);
    }
  CHECK(found);
  CHECK(aig_pack_decision_count(pack) == 3);
  CHECK(strcmp(aig_pack_decision_id(pack, 0), "organisme_referent") == 0);
  CHECK(aig_pack_rule_count(pack, 0) > 0);
  CHECK(aig_pack_rule_id(pack, 0, 0) != NULL);
  CHECK(aig_pack_rule_id(pack, 0, 100000) == NULL);
  aig_pack_destroy(pack);
}

static void test_evaluate_json_and_buffers(void) {
  aig_pack* pack = NULL;
  char small[8];
  char* buf;
  size_t needed = 0, needed2 = 0;
  CHECK_STATUS(aig_pack_load_file(youth_dir, &pack), AIG_OK);
  if (!pack) return;

  /* Asking for the size, then a short buffer: truncated, terminated, needed reported. */
  CHECK_STATUS(aig_pack_evaluate_json(pack, kYoungPerson, "2025-03-01", 0, NULL, 0, &needed),
               AIG_ERR_BUFFER_TOO_SMALL);
  CHECK(needed > sizeof small);
  memset(small, 'x', sizeof small);
  CHECK_STATUS(
      aig_pack_evaluate_json(pack, kYoungPerson, "2025-03-01", 0, small, sizeof small, &needed2),
      AIG_ERR_BUFFER_TOO_SMALL);
  CHECK(needed2 == needed);
  CHECK(small[sizeof small - 1] == '\0' && strlen(small) == sizeof small - 1);
  CHECK(strncmp(small, "{\"statu", 7) == 0);

  buf = (char*)malloc(needed);
  CHECK_STATUS(aig_pack_evaluate_json(pack, kYoungPerson, "2025-03-01", 0, buf, needed, NULL),
               AIG_OK);
  CHECK(strlen(buf) == needed - 1);
  CHECK(strstr(buf, "\"status\":\"complete\"") != NULL);
  CHECK(strstr(buf, "\"organisme\":\"mission_locale\"") != NULL);
  CHECK(strstr(buf, "\"trace\"") == NULL);
  free(buf);

  /* With the trace. */
  CHECK_STATUS(
      aig_pack_evaluate_json(pack, kYoungPerson, "2025-03-01", AIG_EVAL_TRACE, NULL, 0, &needed),
      AIG_ERR_BUFFER_TOO_SMALL);
  buf = (char*)malloc(needed);
  CHECK_STATUS(
      aig_pack_evaluate_json(pack, kYoungPerson, "2025-03-01", AIG_EVAL_TRACE, buf, needed, NULL),
      AIG_OK);
  CHECK(strstr(buf, "\"trace\"") != NULL);
  free(buf);

  /* A rejected record is a result with its errors and pointers, not a failed call. */
  buf = (char*)malloc(4096);
  CHECK_STATUS(
      aig_pack_evaluate_json(pack, "{\"boe_status\": \"maybe\"}", "2025-03-01", 0, buf, 4096, NULL),
      AIG_OK);
  CHECK(strstr(buf, "\"status\":\"error\"") != NULL);
  CHECK(strstr(buf, "\"pointer\":\"/boe_status\"") != NULL);
  CHECK(strstr(buf, "\"name\":\"enum_value\"") != NULL);
  /* Unknown fields: rejected by default, ignored on request. */
  CHECK_STATUS(
      aig_pack_evaluate_json(pack, "{\"shoe_size\": 42}", "2025-03-01", 0, buf, 4096, NULL),
      AIG_OK);
  CHECK(strstr(buf, "unknown_field") != NULL);
  CHECK_STATUS(aig_pack_evaluate_json(pack, "{\"shoe_size\": 42}", "2025-03-01",
                                      AIG_EVAL_IGNORE_UNKNOWN, buf, 4096, NULL),
               AIG_OK);
  CHECK(strstr(buf, "unknown_field") == NULL);
  /* A bad reference date is a failed call. */
  CHECK_STATUS(aig_pack_evaluate_json(pack, kYoungPerson, "2025-13-01", 0, buf, 4096, NULL),
               AIG_ERR_INVALID_DATE);
  /* Malformed JSON: a result with status error. */
  CHECK_STATUS(aig_pack_evaluate_json(pack, "{\"birth_date\": ", "2025-03-01", 0, buf, 4096, NULL),
               AIG_OK);
  CHECK(strstr(buf, "json_syntax") != NULL);
  free(buf);

  /* Explanations, in both languages. */
  buf = (char*)malloc(1 << 16);
  CHECK_STATUS(aig_pack_explain(pack, kYoungPerson, "2025-03-01", "fr", buf, 1 << 16, &needed),
               AIG_OK);
  CHECK(strlen(buf) == needed - 1 && needed > 100);
  CHECK(buf[needed - 2] == '\n');
  CHECK_STATUS(aig_pack_explain(pack, kYoungPerson, "2025-03-01", "en", buf, 1 << 16, NULL),
               AIG_OK);
  /* Values are shown by their labels, never by their codes. */
  CHECK(strstr(buf, "Mission Locale") != NULL);
  CHECK(strstr(buf, "mission_locale") == NULL);
  free(buf);
  aig_pack_destroy(pack);
}

static void test_registry(void) {
  aig_registry* reg = NULL;
  aig_pack* pack = NULL;
  char rules[1024];
  size_t loaded = 0;
  source_path(rules, sizeof rules, "rules");
  CHECK_STATUS(aig_registry_create(&reg), AIG_OK);
  CHECK_STATUS(aig_registry_load_dir(reg, rules, &loaded), AIG_OK);
  CHECK(loaded >= 3 && aig_registry_size(reg) == loaded);
  CHECK_STATUS(aig_registry_select(reg, "examples/youth-guidance", "2025-03-01", &pack), AIG_OK);
  CHECK(pack && strcmp(aig_pack_id(pack), "examples/youth-guidance") == 0);
  aig_pack_destroy(pack);
  pack = (aig_pack*)&pack;
  CHECK_STATUS(aig_registry_select(reg, "examples/youth-guidance", "1990-01-01", &pack),
               AIG_ERR_NO_VALID_VERSION);
  CHECK(pack == NULL);
  CHECK_STATUS(aig_registry_select(reg, "no/such-pack", "2025-03-01", &pack),
               AIG_ERR_NO_VALID_VERSION);
  CHECK_STATUS(aig_registry_select(reg, "examples/youth-guidance", NULL, &pack),
               AIG_ERR_INVALID_ARGUMENT);
  /* The same id and version twice. */
  CHECK_STATUS(aig_pack_load_file(youth_dir, &pack), AIG_OK);
  CHECK_STATUS(aig_registry_add(reg, pack), AIG_ERR_DUPLICATE_NAME);
  aig_pack_destroy(pack);
  aig_registry_destroy(reg);
}

/* Days since 1970-01-01 to "YYYY-MM-DD" (proleptic Gregorian). */
static void civil(long z, char* out) {
  long era, doe, yoe, y, doy, mp, d, m;
  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  sprintf(out, "%04ld-%02ld-%02ld", y + (m <= 2), m, d);
}

/* Every row of a columnar batch gives what the same record gives through JSON. */
static void test_batch_matches_json(void) {
  enum { ROWS = 600 };
  aig_pack* pack = NULL;
  aig_batch* batch = NULL;
  int32_t birth[ROWS];
  uint8_t birth_present[ROWS], rsa[ROWS], rsa_present[ROWS], months_present[ROWS];
  int32_t boe[ROWS], requested[ROWS];
  int64_t months[ROWS];
  int32_t status[ROWS], first_error[ROWS];
  int32_t* fired;
  int64_t* outputs;
  aig_batch_results results;
  unsigned seed = 12345u;
  int row, k, n_out, n_dec, i_birth, i_rsa, i_boe, i_req, i_months;
  char json[512], expect[256], date_text[16];
  static char result[1 << 14];

  CHECK_STATUS(aig_pack_load_file(youth_dir, &pack), AIG_OK);
  if (!pack) return;
  n_out = aig_pack_output_count(pack);
  n_dec = aig_pack_decision_count(pack);
  i_birth = aig_pack_input_index(pack, "birth_date");
  i_rsa = aig_pack_input_index(pack, "rsa_beneficiary");
  i_boe = aig_pack_input_index(pack, "boe_status");
  i_req = aig_pack_input_index(pack, "requested_structure");
  i_months = aig_pack_input_index(pack, "months_since_last_activity");

  for (row = 0; row < ROWS; ++row) {
    seed = seed * 1103515245u + 12345u;
    birth[row] = 365 * 20 + (int32_t)((seed >> 8) % (365 * 50)); /* 1990 .. 2039 */
    birth_present[row] = (uint8_t)((seed >> 3) % 10 != 0);
    rsa[row] = (uint8_t)((seed >> 5) & 1);
    rsa_present[row] = (uint8_t)((seed >> 7) % 7 != 0);
    boe[row] = (int32_t)((seed >> 11) % 4) - 1; /* -1 (missing) .. 2 */
    requested[row] = (int32_t)((seed >> 13) % 3);
    months[row] = (int64_t)((seed >> 15) % 80);
    months_present[row] = (uint8_t)((seed >> 17) % 5 != 0);
  }
  /* Two bad cells: their rows fail, the others do not. */
  requested[7] = 9;
  months[11] = 1000; /* above the input's max */

  CHECK_STATUS(aig_batch_create(pack, ROWS, &batch), AIG_OK);
  if (!batch) return;
  CHECK_STATUS(aig_batch_set_dates(batch, i_birth, birth, birth_present), AIG_OK);
  CHECK_STATUS(aig_batch_set_bools(batch, i_rsa, rsa, rsa_present), AIG_OK);
  CHECK_STATUS(aig_batch_set_enum_codes(batch, i_boe, boe), AIG_OK);
  CHECK_STATUS(aig_batch_set_enum_codes(batch, i_req, requested), AIG_OK);
  CHECK_STATUS(aig_batch_set_int64s(batch, i_months, months, months_present), AIG_OK);
  CHECK(aig_batch_bad_rows(batch) == (months_present[11] ? 2u : 1u));
  /* A column of the wrong type is refused as a whole. */
  CHECK_STATUS(aig_batch_set_bools(batch, i_months, rsa, NULL), AIG_ERR_TYPE_MISMATCH);
  CHECK_STATUS(aig_batch_set_bools(batch, 99, rsa, NULL), AIG_ERR_INVALID_ARGUMENT);

  fired = (int32_t*)malloc(sizeof(int32_t) * (size_t)n_dec * ROWS);
  outputs = (int64_t*)malloc(sizeof(int64_t) * (size_t)n_out * ROWS);
  results.status = status;
  results.first_fired = fired;
  results.outputs = outputs;
  results.first_error = first_error;
  CHECK_STATUS(aig_pack_evaluate_batch(pack, batch, "2025-03-01", 2, &results), AIG_OK);

  CHECK(status[7] == AIG_ROW_ERROR && first_error[7] == AIG_ERR_ENUM_VALUE);
  if (months_present[11])
    CHECK(status[11] == AIG_ROW_ERROR && first_error[11] == AIG_ERR_OUT_OF_BOUNDS);

  for (row = 0; row < ROWS; ++row) {
    size_t len = 0;
    int bad = row == 7 || (row == 11 && months_present[11]);
    if (bad) continue;
    len += (size_t)sprintf(json + len, "{");
    if (birth_present[row]) {
      civil(birth[row], date_text);
      len += (size_t)sprintf(json + len, "\"birth_date\":\"%s\",", date_text);
    }
    if (rsa_present[row])
      len += (size_t)sprintf(json + len, "\"rsa_beneficiary\":%s,", rsa[row] ? "true" : "false");
    if (boe[row] >= 0)
      len += (size_t)sprintf(json + len, "\"boe_status\":\"%s\",",
                             aig_pack_input_value(pack, i_boe, boe[row]));
    if (months_present[row])
      len += (size_t)sprintf(json + len, "\"months_since_last_activity\":%lld,",
                             (long long)months[row]);
    sprintf(json + len, "\"requested_structure\":\"%s\"}",
            aig_pack_input_value(pack, i_req, requested[row]));
    CHECK_STATUS(aig_pack_evaluate_json(pack, json, "2025-03-01", 0, result, sizeof result, NULL),
                 AIG_OK);
    {
      static const char* names[] = {"complete", "incomplete", "error"};
      sprintf(expect, "\"status\":\"%s\"", names[status[row]]);
      if (!strstr(result, expect)) {
        CHECK(strstr(result, expect) != NULL);
        fprintf(stderr, "  row %d: %s -> %s\n", row, json, result);
      }
      CHECK(first_error[row] == (status[row] == AIG_ROW_ERROR ? first_error[row] : 0));
    }
    for (k = 0; k < n_out; ++k) {
      int64_t code = outputs[k * ROWS + row];
      const char* name = aig_pack_output_name(pack, k);
      int type = aig_pack_output_type(pack, k);
      if (code == AIG_OUTPUT_NULL)
        sprintf(expect, "\"%s\":null", name);
      else if (type == AIG_TYPE_ENUM)
        sprintf(expect, "\"%s\":\"%s\"", name, aig_pack_output_value(pack, k, (int)code));
      else if (type == AIG_TYPE_BOOL)
        sprintf(expect, "\"%s\":%s", name, code ? "true" : "false");
      else if (type == AIG_TYPE_DATE) {
        civil((long)code, date_text);
        sprintf(expect, "\"%s\":\"%s\"", name, date_text);
      } else
        sprintf(expect, "\"%s\":%lld", name, (long long)code);
      if (status[row] != AIG_ROW_ERROR && !strstr(result, expect)) {
        CHECK(strstr(result, expect) != NULL);
        fprintf(stderr, "  row %d: %s not in %s\n", row, expect, result);
      }
    }
    for (k = 0; k < n_dec; ++k) {
      int32_t rule = fired[k * ROWS + row];
      if (rule < 0) continue;
      sprintf(expect, "\"%s\":[\"%s\"", aig_pack_decision_id(pack, k),
              aig_pack_rule_id(pack, k, rule));
      CHECK(strstr(result, expect) != NULL);
    }
  }

  /* The same batch on one thread gives the same columns. */
  {
    int32_t status1[ROWS];
    int64_t* outputs1 = (int64_t*)malloc(sizeof(int64_t) * (size_t)n_out * ROWS);
    aig_batch_results r1;
    memset(&r1, 0, sizeof r1);
    r1.status = status1;
    r1.outputs = outputs1;
    CHECK_STATUS(aig_pack_evaluate_batch(pack, batch, "2025-03-01", 1, &r1), AIG_OK);
    CHECK(memcmp(status1, status, sizeof status) == 0);
    CHECK(memcmp(outputs1, outputs, sizeof(int64_t) * (size_t)n_out * ROWS) == 0);
    free(outputs1);
  }
  /* Without a reference date (and none in the column), every row lacks it. */
  CHECK_STATUS(aig_pack_evaluate_batch(pack, batch, NULL, 1, &results), AIG_OK);
  CHECK(status[0] == AIG_ROW_ERROR && first_error[0] == AIG_ERR_MISSING_REFERENCE_DATE);

  /* Cells from text. */
  CHECK_STATUS(aig_batch_set_text(batch, i_req, 0, "cap_emploi"), AIG_OK);
  CHECK_STATUS(aig_batch_set_text(batch, i_birth, 1, "1999-02-30"), AIG_OK);
  CHECK_STATUS(aig_batch_set_text(batch, i_req, ROWS, "none"), AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_pack_evaluate_batch(pack, batch, "2025-03-01", 1, &results), AIG_OK);
  CHECK(status[1] == AIG_ROW_ERROR && first_error[1] == AIG_ERR_INVALID_DATE);

  free(fired);
  free(outputs);
  aig_batch_destroy(batch);
  aig_pack_destroy(pack);
}

static void test_orientation_and_audit(void) {
  aig_pack* pack = NULL;
  aig_orienter* orienter = NULL;
  aig_proposal* proposal = NULL;
  aig_decision* decision = NULL;
  aig_decision* automatic = NULL;
  aig_registry* reg = NULL;
  aig_log* log = NULL;
  static char buf[1 << 17];
  char path[1024], persons_path[1024], person[4096];
  const char* tmp = getenv("AIG_TEST_TMP");
  char* persons;
  char* nl;
  size_t needed = 0;
  static const char* key = "0123456789abcdef-test-key";

  CHECK_STATUS(aig_pack_load_file(orientation_dir, &pack), AIG_OK);
  if (!pack) return;
  CHECK_STATUS(aig_orienter_create(pack, 0, &orienter), AIG_OK);
  source_path(persons_path, sizeof persons_path, "examples/data/persons-1000.jsonl");
  persons = read_text(persons_path);
  CHECK(persons != NULL);
  if (!persons) return;
  nl = strchr(persons, '\n');
  memcpy(person, persons, (size_t)(nl - persons));
  person[nl - persons] = '\0';
  free(persons);
  /* person_id identifies the person to the deployment: it is no input of the pack. */
  {
    char* id = strstr(person, "\"person_id\": \"demo-0001\", ");
    CHECK(id != NULL);
    if (id) memmove(id, id + 26, strlen(id + 26) + 1);
  }

  CHECK_STATUS(aig_orienter_propose(orienter, person, NULL, 1, &proposal),
               AIG_ERR_INVALID_ARGUMENT);
  CHECK(proposal == NULL);
  CHECK_STATUS(aig_orienter_propose(orienter, person, "2025-03-01", 1, &proposal), AIG_OK);
  if (!proposal) return;
  CHECK(aig_proposal_status(proposal) != AIG_ROW_ERROR);
  CHECK_STATUS(aig_proposal_json(proposal, buf, sizeof buf, &needed), AIG_OK);
  CHECK(strstr(buf, "\"parcours\"") != NULL);

  /* No automatic confirmation unless the deployment allows it. */
  CHECK_STATUS(aig_orienter_auto_decide(orienter, proposal, "2025-03-01T10:00:00Z", &automatic),
               AIG_OK);
  CHECK(automatic == NULL);

  /* An override needs a reason; a bad action is refused. */
  CHECK_STATUS(aig_orienter_decide(orienter, proposal, "conseiller_france_travail", "override",
                                   NULL, "2025-03-01T10:00:00Z",
                                   "{\"organisme_referent\": \"mission_locale\"}", &decision),
               AIG_ERR_INVALID_ARGUMENT);
  CHECK(decision == NULL);
  CHECK_STATUS(aig_orienter_decide(orienter, proposal, "conseiller_france_travail", "approve", NULL,
                                   "2025-03-01T10:00:00Z", NULL, &decision),
               AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_orienter_decide(orienter, proposal, "conseiller_france_travail", "confirm", NULL,
                                   "2025-03-01T10:00:00Z", NULL, &decision),
               AIG_OK);
  if (!decision) return;
  CHECK_STATUS(aig_decision_json(decision, buf, sizeof buf, NULL), AIG_OK);
  CHECK(strstr(buf, "\"confirm\"") != NULL);

  /* Notices: with and without the decision. */
  CHECK_STATUS(aig_orienter_notice(orienter, proposal, decision, "fr", buf, sizeof buf, NULL),
               AIG_OK);
  CHECK(strstr(buf, "L. 311-3-1") != NULL);
  CHECK_STATUS(aig_orienter_notice(orienter, proposal, NULL, "en", buf, sizeof buf, NULL), AIG_OK);
  CHECK(strlen(buf) > 100);

  /* A record, the log, its verification and the replay. */
  CHECK_STATUS(aig_decision_record(orienter, proposal, decision, key, 5, "demo-0001", "33",
                                   "2025-03-01T10:00:01Z", buf, sizeof buf, NULL),
               AIG_ERR_KEY_TOO_SHORT);
  CHECK_STATUS(aig_decision_record(orienter, proposal, decision, key, strlen(key), "", "33",
                                   "2025-03-01T10:00:01Z", buf, sizeof buf, NULL),
               AIG_ERR_IDENTIFIER_MISSING);
  CHECK_STATUS(aig_decision_record(orienter, proposal, decision, key, strlen(key), "demo-0001",
                                   "33", "2025-03-01T10:00:01Z", buf, sizeof buf, NULL),
               AIG_OK);
  CHECK(strstr(buf, "hmac-sha256:") != NULL);
  CHECK(strstr(buf, "demo-0001") == NULL);

  snprintf(path, sizeof path, "%s/c_api_test.log", tmp ? tmp : ".");
  remove(path);
  CHECK_STATUS(aig_log_open(path, &log), AIG_OK);
  if (log) {
    char hash[128];
    CHECK_STATUS(aig_log_append(log, buf, hash, sizeof hash, NULL), AIG_OK);
    CHECK(strncmp(hash, "sha256:", 7) == 0);
    CHECK_STATUS(aig_log_append(log, "[1, 2]", hash, sizeof hash, NULL), AIG_ERR_INVALID_ARGUMENT);
    CHECK(aig_log_size(log) == 1);
    aig_log_destroy(log);
  }
  CHECK_STATUS(aig_log_verify(path, buf, sizeof buf, NULL), AIG_OK);
  CHECK(strstr(buf, "\"ok\":true") != NULL && strstr(buf, "\"lines\":1") != NULL);

  CHECK_STATUS(aig_registry_create(&reg), AIG_OK);
  CHECK_STATUS(aig_registry_add(reg, pack), AIG_OK);
  CHECK_STATUS(aig_log_replay(path, reg, buf, sizeof buf, NULL), AIG_OK);
  CHECK(strstr(buf, "\"identical\":1") != NULL);
  CHECK_STATUS(aig_log_replay_against(path, pack, buf, sizeof buf, NULL), AIG_OK);
  CHECK(strstr(buf, "\"identical\":1") != NULL);

  /* A damaged log: verification reports it, opening refuses it. */
  {
    FILE* f = fopen(path, "ab");
    if (f) {
      fputs("{\"seq\":2,\"prev\":\"x\"", f);
      fclose(f);
    }
    CHECK_STATUS(aig_log_verify(path, buf, sizeof buf, NULL), AIG_OK);
    CHECK(strstr(buf, "\"ok\":false") != NULL);
    log = (aig_log*)&log;
    CHECK_STATUS(aig_log_open(path, &log), AIG_ERR_INVALID_DOCUMENT);
    CHECK(log == NULL);
  }
  CHECK_STATUS(aig_log_verify("/nonexistent/dir/log", buf, sizeof buf, NULL), AIG_ERR_IO);

  aig_registry_destroy(reg);
  aig_decision_destroy(decision);
  aig_proposal_destroy(proposal);

  /* A rejected person is a proposal with errors, which cannot be decided. */
  CHECK_STATUS(aig_orienter_propose(orienter, "{\"birth_date\": 12}", "2025-03-01", 0, &proposal),
               AIG_OK);
  CHECK(aig_proposal_status(proposal) == AIG_ROW_ERROR);
  CHECK_STATUS(aig_orienter_decide(orienter, proposal, "conseiller_france_travail", "confirm", NULL,
                                   "2025-03-01T10:00:00Z", NULL, &decision),
               AIG_ERR_INVALID_ARGUMENT);
  aig_proposal_destroy(proposal);
  aig_orienter_destroy(orienter);
  aig_pack_destroy(pack);
}

/* Damaged packs and records (random bytes changed, seeded) never crash: each call returns a
 * status, with a message on failure and *out = NULL. */
static const char kNoise[] = "{}[]\",:0a-\x01 \xff\\";

static void test_damaged_input_never_crashes(void) {
  char path[1024];
  char* text;
  char* copy;
  size_t n, i;
  unsigned seed = 777u;
  int round, loaded = 0, refused = 0;
  static char buf[1 << 15];
  source_path(path, sizeof path, "rules/examples/youth-guidance/pack.json");
  text = read_text(path);
  CHECK(text != NULL);
  if (!text) return;
  n = strlen(text);
  copy = (char*)malloc(n + 1);
  for (round = 0; round < 200; ++round) {
    aig_pack* pack = (aig_pack*)&pack;
    aig_status s;
    int changes;
    memcpy(copy, text, n + 1);
    seed = seed * 1103515245u + 12345u;
    changes = 1 + (int)((seed >> 16) % 3);
    for (i = 0; i < (size_t)changes; ++i) {
      seed = seed * 1103515245u + 12345u;
      copy[(seed >> 8) % n] = kNoise[(seed >> 4) % (sizeof kNoise - 1)];
    }
    s = aig_pack_load_json(copy, n, &pack);
    if (s == AIG_OK) {
      ++loaded;
      CHECK(pack != NULL);
      CHECK(aig_pack_evaluate_json(pack, kYoungPerson, "2025-03-01", AIG_EVAL_TRACE, buf,
                                   sizeof buf, NULL) <= AIG_OK);
      aig_pack_destroy(pack);
    } else {
      ++refused;
      CHECK(s < 0 && pack == NULL && aig_last_error_message()[0] != '\0');
    }
  }
  /* Some damage lands inside a text (a label, a description) and leaves a valid pack, which
   * loads and evaluates; the rest is refused with a code. Every round is one or the other. */
  CHECK(refused > 0);
  CHECK(loaded > 0);
  CHECK(loaded + refused == 200);
  free(copy);
  free(text);
  {
    aig_pack* pack = NULL;
    char record[512];
    size_t len = strlen(kYoungPerson);
    CHECK_STATUS(aig_pack_load_file(youth_dir, &pack), AIG_OK);
    for (round = 0; pack && round < 500; ++round) {
      aig_status s;
      memcpy(record, kYoungPerson, len + 1);
      seed = seed * 1103515245u + 12345u;
      record[(seed >> 8) % len] = kNoise[(seed >> 4) % (sizeof kNoise - 1)];
      s = aig_pack_evaluate_json(pack, record, "2025-03-01", 0, buf, sizeof buf, NULL);
      CHECK(s == AIG_OK || (s < 0 && aig_last_error_message()[0] != '\0'));
      if (s == AIG_OK) CHECK(strncmp(buf, "{\"status\":", 10) == 0);
    }
    aig_pack_destroy(pack);
  }
}

/* A pack never decided by policy: automatic confirmation refused with its pinned code, a human
 * decision needs the hearing, which the decision and its record keep. */
static void test_human_decision_required(void) {
  aig_pack* pack = NULL;
  aig_orienter* orienter = NULL;
  aig_proposal* proposal = NULL;
  aig_decision* decision = NULL;
  static char buf[1 << 16];
  static const char* person =
      "{\"manquement\": \"obligations_contrat_engagement\", \"antecedent\": \"aucun\", "
      "\"motif_legitime\": \"non_invoque\", \"allocation\": \"are\", "
      "\"organisme_referent\": \"france_travail\", \"foyer_plusieurs_personnes\": false, "
      "\"majoration_parent_isole\": false, \"mineur_ou_protege\": false, "
      "\"date_reception_notification\": \"2025-07-01\"}";
  static const char* key = "0123456789abcdef-test-key";

  CHECK(AIG_ERR_HUMAN_DECISION_REQUIRED == -301);
  CHECK(strcmp(aig_status_str(AIG_ERR_HUMAN_DECISION_REQUIRED), "human_decision_required") == 0);
  CHECK_STATUS(aig_pack_load_file(sanctions_dir, &pack), AIG_OK);
  if (!pack) return;
  CHECK_STATUS(aig_orienter_create(pack, 1, &orienter), AIG_ERR_HUMAN_DECISION_REQUIRED);
  CHECK(orienter == NULL);
  CHECK(strstr(aig_last_error_message(), "human_decision_required") != NULL);
  CHECK_STATUS(aig_orienter_create(pack, 0, &orienter), AIG_OK);
  CHECK_STATUS(aig_orienter_propose(orienter, person, "2025-07-03", 0, &proposal), AIG_OK);
  CHECK(aig_proposal_status(proposal) == AIG_ROW_COMPLETE);
  CHECK(aig_proposal_evident(proposal) == 0);
  CHECK_STATUS(aig_orienter_auto_decide(orienter, proposal, "2025-07-20T09:00:00+02:00", &decision),
               AIG_ERR_HUMAN_DECISION_REQUIRED);
  CHECK(decision == NULL);
  CHECK_STATUS(aig_orienter_decide(orienter, proposal, "policy", "confirm", NULL,
                                   "2025-07-20T09:00:00+02:00", NULL, &decision),
               AIG_ERR_HUMAN_DECISION_REQUIRED);
  CHECK_STATUS(aig_orienter_decide(orienter, proposal, "directeur_regional_france_travail",
                                   "confirm", NULL, "2025-07-20T09:00:00+02:00", NULL, &decision),
               AIG_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(aig_last_error_pointer(), "/hearing/observations") == 0);
  CHECK_STATUS(aig_orienter_decide_heard(orienter, proposal, "directeur_regional_france_travail",
                                         "confirm", NULL, "2025-07-20T09:00:00+02:00", NULL,
                                         "aucune observation dans le délai", "aucun motif invoqué",
                                         &decision),
               AIG_OK);
  CHECK_STATUS(aig_decision_json(decision, buf, sizeof buf, NULL), AIG_OK);
  CHECK(strstr(buf, "\"hearing\":{\"observations\":\"aucune observation dans le délai\"") != NULL);
  CHECK_STATUS(aig_decision_record(orienter, proposal, decision, key, strlen(key), "P-7", NULL,
                                   "2025-07-20T09:00:01+02:00", buf, sizeof buf, NULL),
               AIG_OK);
  CHECK(strstr(buf, "\"legitimate_reason\":\"aucun motif invoqué\"") != NULL);
  aig_decision_destroy(decision);
  aig_proposal_destroy(proposal);
  aig_orienter_destroy(orienter);
  aig_pack_destroy(pack);
}

static void test_import_dmn(void) {
  const char* xml =
      "<definitions xmlns=\"https://www.omg.org/spec/DMN/20230324/MODEL/\" name=\"m\" id=\"m\">"
      "<inputData name=\"Monthly Salary\" id=\"i\">"
      "<variable name=\"Monthly Salary\" typeRef=\"number\"/></inputData>"
      "<decision name=\"Yearly Salary\" id=\"d\"><variable name=\"Yearly Salary\" "
      "typeRef=\"number\"/>"
      "<informationRequirement><requiredInput href=\"#i\"/></informationRequirement>"
      "<literalExpression><text>12 * Monthly Salary</text></literalExpression></decision>"
      "</definitions>";
  aig_pack* pack = NULL;
  CHECK_STATUS(aig_pack_import_dmn(xml, (size_t)-1, &pack), AIG_OK);
  CHECK(pack != NULL);
  CHECK(aig_pack_input_index(pack, "Monthly_Salary") >= 0);
  aig_pack_destroy(pack);

  pack = (aig_pack*)&pack;
  CHECK_STATUS(aig_pack_import_dmn("<definitions", (size_t)-1, &pack), AIG_ERR_XML_SYNTAX);
  CHECK(pack == NULL);
  CHECK_STATUS(aig_pack_import_dmn("<definitions xmlns=\"urn:other\"/>", (size_t)-1, &pack),
               AIG_ERR_UNKNOWN_NAMESPACE);
  CHECK(strcmp(aig_last_error_pointer(), "/definitions") == 0);
  CHECK_STATUS(aig_pack_import_dmn(NULL, 0, &pack), AIG_ERR_INVALID_ARGUMENT);
}

int main(void) {
  source_path(youth_dir, sizeof youth_dir, "rules/examples/youth-guidance");
  source_path(orientation_dir, sizeof orientation_dir, "rules/orientation/fr-2025");
  source_path(sanctions_dir, sizeof sanctions_dir, "rules/sanctions/fr-2025");
  RUN(test_version_and_codes);
  RUN(test_pack_errors);
  RUN(test_pack_metadata);
  RUN(test_evaluate_json_and_buffers);
  RUN(test_registry);
  RUN(test_batch_matches_json);
  RUN(test_orientation_and_audit);
  RUN(test_human_decision_required);
  RUN(test_damaged_input_never_crashes);
  RUN(test_import_dmn);
  if (check_failures) {
    fprintf(stderr, "%d check(s) failed\n", check_failures);
    return 1;
  }
  fprintf(stderr, "all checks passed\n");
  return 0;
}
