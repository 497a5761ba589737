/* aig_pack_evaluate_jsonl, used as a C program would: every record's result line is the one
 * aig_pack_evaluate_json gives for that record alone (with and without the trace), in input
 * order and with its line number, across blocks; bad lines are answered alone; the callback
 * can stop the evaluation. */
#include "aiguillage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

int aig_test_cpp_code(const char* name);

/* The result lines a call handed over, one after the other. */
struct lines {
  size_t count;
  size_t numbers[4096];
  char* texts[4096];
  size_t stop_after; /* 0: never stop */
};

static int collect(void* user, size_t line, const char* json, size_t size) {
  struct lines* l = (struct lines*)user;
  if (l->count >= sizeof l->numbers / sizeof l->numbers[0]) return 1;
  CHECK(json[size] == '\0' && strlen(json) == size);
  l->numbers[l->count] = line;
  l->texts[l->count] = (char*)malloc(size + 1);
  memcpy(l->texts[l->count], json, size + 1);
  ++l->count;
  return l->stop_after != 0 && l->count == l->stop_after;
}

static void free_lines(struct lines* l) {
  size_t k;
  for (k = 0; k < l->count; ++k) free(l->texts[k]);
  l->count = 0;
}

/* Line `number` (from 1) of `text`, into out (NUL-terminated, without '\r'). */
static void nth_line(const char* text, size_t number, char* out, size_t size) {
  size_t k, n;
  const char* end;
  for (k = 1; k < number; ++k) text = strchr(text, '\n') + 1;
  end = strchr(text, '\n');
  n = end ? (size_t)(end - text) : strlen(text);
  if (n > 0 && text[n - 1] == '\r') --n;
  if (n >= size) n = size - 1;
  memcpy(out, text, n);
  out[n] = '\0';
}

/* Every result of `text` is the per-record result of its line, or the line of a rejected one. */
static void check_against_per_record(const aig_pack* pack, const char* text, unsigned flags,
                                     size_t expected_count, size_t expected_rejected) {
  static struct lines got;
  static char record[65536], alone[262144];
  size_t k, rejected = 0;
  memset(&got, 0, sizeof got);
  CHECK_STATUS(aig_pack_evaluate_jsonl(pack, text, (size_t)-1, "2025-03-01", flags, collect, &got),
               AIG_OK);
  CHECK(got.count == expected_count);
  for (k = 0; k < got.count; ++k) {
    char prefix[64];
    if (k > 0) CHECK(got.numbers[k] > got.numbers[k - 1]);
    nth_line(text, got.numbers[k], record, sizeof record);
    snprintf(prefix, sizeof prefix, "{\"line\":%zu,\"status\":\"error\",\"errors\":[",
             got.numbers[k]);
    if (strncmp(got.texts[k], prefix, strlen(prefix)) == 0) {
      ++rejected;
      continue;
    }
    CHECK_STATUS(
        aig_pack_evaluate_json(pack, record, "2025-03-01", flags, alone, sizeof alone, NULL),
        AIG_OK);
    if (strcmp(got.texts[k], alone) != 0) {
      ++check_failures;
      fprintf(stderr, "line %zu:\n  jsonl:  %s\n  alone:  %s\n", got.numbers[k], got.texts[k],
              alone);
    }
  }
  if (rejected != expected_rejected)
    fprintf(stderr, "%zu rejected lines, expected %zu\n", rejected, expected_rejected);
  CHECK(rejected == expected_rejected);
  free_lines(&got);
}

static void test_youth_lines(void) {
  char dir[1024];
  aig_pack* pack = NULL;
  /* Blank lines, a CRLF line, a syntax error, an unknown field, a bad enum value, a scalar. */
  static const char* text =
      "{\"birth_date\": \"2005-01-15\", \"rsa_beneficiary\": false, \"boe_status\": \"none\", "
      "\"requested_structure\": \"mission_locale\", \"months_since_last_activity\": 3}\n"
      "\n"
      "   \n"
      "{\"birth_date\": \"1980-06-01\", \"rsa_beneficiary\": true, \"boe_status\": \"none\", "
      "\"requested_structure\": \"none\"}\r\n"
      "{\"birth_date\": \n"
      "{\"shoe_size\": 42}\n"
      "{\"boe_status\": \"maybe\"}\n"
      "42\n"
      "{\"requested_structure\": \"cap_emploi\"}";
  source_path(dir, sizeof dir, "rules/examples/youth-guidance");
  CHECK_STATUS(aig_pack_load_file(dir, &pack), AIG_OK);
  if (!pack) return;
  check_against_per_record(pack, text, 0, 7, 4);
  check_against_per_record(pack, text, AIG_EVAL_TRACE, 7, 4);
  /* Unknown fields ignored: the shoe size is a record like the others. */
  check_against_per_record(pack, text, AIG_EVAL_IGNORE_UNKNOWN, 7, 3);
  {
    static struct lines got;
    memset(&got, 0, sizeof got);
    /* An explicit size ends the text early: only the first line is read. */
    CHECK_STATUS(aig_pack_evaluate_jsonl(pack, text, strchr(text, '\n') - text, "2025-03-01", 0,
                                         collect, &got),
                 AIG_OK);
    CHECK(got.count == 1 && got.numbers[0] == 1);
    free_lines(&got);
    /* The rejected lines name their line and the error's code. */
    CHECK_STATUS(aig_pack_evaluate_jsonl(pack, text, (size_t)-1, "2025-03-01", 0, collect, &got),
                 AIG_OK);
    CHECK(got.count == 7);
    if (got.count == 7) {
      CHECK(got.numbers[2] == 5 && strstr(got.texts[2], "\"name\":\"json_syntax\"") != NULL);
      CHECK(got.numbers[3] == 6 && strstr(got.texts[3], "\"name\":\"unknown_field\"") != NULL);
      CHECK(got.numbers[4] == 7 && strstr(got.texts[4], "\"pointer\":\"/boe_status\"") != NULL);
      CHECK(got.numbers[5] == 8 && strstr(got.texts[5], "\"name\":\"type_mismatch\"") != NULL);
    }
    free_lines(&got);
    /* The callback stops the evaluation: no line after it. */
    got.stop_after = 2;
    CHECK_STATUS(aig_pack_evaluate_jsonl(pack, text, (size_t)-1, "2025-03-01", 0, collect, &got),
                 AIG_ERR_CANCELLED);
    CHECK(got.count == 2);
    CHECK(strstr(aig_last_error_message(), "line 4") != NULL);
    free_lines(&got);
    /* Empty text: no line, no failure. */
    CHECK_STATUS(aig_pack_evaluate_jsonl(pack, "", (size_t)-1, "2025-03-01", 0, collect, &got),
                 AIG_OK);
    CHECK(got.count == 0);
  }
  /* Bad arguments. */
  CHECK_STATUS(aig_pack_evaluate_jsonl(NULL, "{}", 2, NULL, 0, collect, NULL),
               AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_pack_evaluate_jsonl(pack, NULL, 0, NULL, 0, collect, NULL),
               AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_pack_evaluate_jsonl(pack, "{}", 2, NULL, 0, NULL, NULL),
               AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_pack_evaluate_jsonl(pack, "{}", 2, "2025-02-30", 0, collect, NULL),
               AIG_ERR_INVALID_DATE);
  aig_pack_destroy(pack);
}

/* The realistic sample: 1,000 persons (several blocks, incomplete rows, values "to be asked"),
 * each line's result equal to the per-record result. */
static void test_orientation_sample(void) {
  char dir[1024], path[1024];
  aig_pack* pack = NULL;
  char* persons;
  source_path(dir, sizeof dir, "rules/orientation/fr-2025");
  source_path(path, sizeof path, "examples/data/persons-1000.jsonl");
  CHECK_STATUS(aig_pack_load_file(dir, &pack), AIG_OK);
  persons = read_text(path);
  CHECK(persons != NULL);
  if (pack && persons) {
    check_against_per_record(pack, persons, AIG_EVAL_IGNORE_UNKNOWN, 1000, 0);
    check_against_per_record(pack, persons, AIG_EVAL_IGNORE_UNKNOWN | AIG_EVAL_TRACE, 1000, 0);
  }
  free(persons);
  aig_pack_destroy(pack);
}

int main(void) {
  RUN(test_youth_lines);
  RUN(test_orientation_sample);
  CHECK(aig_test_cpp_code("cancelled") == AIG_ERR_CANCELLED);
  if (check_failures) fprintf(stderr, "%d check(s) failed\n", check_failures);
  return check_failures ? 1 : 0;
}
