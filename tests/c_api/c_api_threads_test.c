/* One pack (and one orienter) used from 8 threads at once through const handles: every thread
 * gets exactly what a single thread gets. Built under ThreadSanitizer by `make tsan`. */
#include "aiguillage.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

enum { THREADS = 8, RECORDS = 24, ROUNDS = 25, ROWS = 512 };

static const aig_pack* shared_pack;
static const aig_orienter* shared_orienter;
static const aig_batch* shared_batch;
static char records[RECORDS][256];
static char expected[RECORDS][4096];
static int32_t expected_status[ROWS];
static int64_t expected_outputs[16 * ROWS];
static int n_outputs;

typedef struct {
  int id;
  int failures;
} worker;

static void* work(void* arg) {
  worker* w = (worker*)arg;
  char buf[4096];
  int32_t status[ROWS];
  int64_t* outputs = (int64_t*)malloc(sizeof(int64_t) * (size_t)n_outputs * ROWS);
  aig_batch_results results;
  int round, k;
  memset(&results, 0, sizeof results);
  results.status = status;
  results.outputs = outputs;
  for (round = 0; round < ROUNDS; ++round) {
    for (k = 0; k < RECORDS; ++k) {
      int r = (k + w->id + round) % RECORDS;
      if (aig_pack_evaluate_json(shared_pack, records[r], "2025-03-01", AIG_EVAL_TRACE, buf,
                                 sizeof buf, NULL) != AIG_OK ||
          strcmp(buf, expected[r]) != 0)
        ++w->failures;
    }
    /* The thread-local last error belongs to this thread alone. */
    if (aig_pack_evaluate_json(shared_pack, "{}", "bad-date", 0, buf, sizeof buf, NULL) !=
            AIG_ERR_INVALID_DATE ||
        aig_last_error_code() != AIG_ERR_INVALID_DATE)
      ++w->failures;
    if (round % 5 == 0) {
      if (aig_pack_evaluate_batch(shared_pack, shared_batch, "2025-03-01", 1, &results) != AIG_OK ||
          memcmp(status, expected_status, sizeof status) != 0 ||
          memcmp(outputs, expected_outputs, sizeof(int64_t) * (size_t)n_outputs * ROWS) != 0)
        ++w->failures;
      {
        aig_proposal* p = NULL;
        if (aig_orienter_propose(shared_orienter, records[round % RECORDS], "2025-03-01", 1, &p) !=
                AIG_OK ||
            !p)
          ++w->failures;
        aig_proposal_destroy(p);
      }
    }
  }
  free(outputs);
  return NULL;
}

int main(void) {
  char dir[1024];
  aig_pack* pack = NULL;
  aig_orienter* orienter = NULL;
  aig_batch* batch = NULL;
  pthread_t threads[THREADS];
  worker workers[THREADS];
  aig_batch_results results;
  static const char* boe[] = {"none", "rqth", "pending"};
  static const char* req[] = {"none", "mission_locale", "cap_emploi"};
  int k, row;

  source_path(dir, sizeof dir, "rules/examples/youth-guidance");
  CHECK_STATUS(aig_pack_load_file(dir, &pack), AIG_OK);
  if (!pack) return 1;
  CHECK_STATUS(aig_orienter_create(pack, 0, &orienter), AIG_OK);
  n_outputs = aig_pack_output_count(pack);
  CHECK(n_outputs <= 16);

  for (k = 0; k < RECORDS; ++k) {
    snprintf(records[k], sizeof records[k],
             "{\"birth_date\": \"%d-06-15\", \"rsa_beneficiary\": %s, \"boe_status\": \"%s\", "
             "\"requested_structure\": \"%s\", \"months_since_last_activity\": %d}",
             1960 + 3 * k, k % 2 ? "true" : "false", boe[k % 3], req[(k / 3) % 3], (k * 7) % 40);
    CHECK_STATUS(aig_pack_evaluate_json(pack, records[k], "2025-03-01", AIG_EVAL_TRACE, expected[k],
                                        sizeof expected[k], NULL),
                 AIG_OK);
  }

  CHECK_STATUS(aig_batch_create(pack, ROWS, &batch), AIG_OK);
  for (row = 0; row < ROWS; ++row) {
    const char* r = records[row % RECORDS];
    char date[11];
    memcpy(date, strstr(r, "\"birth_date\": \"") + 15, 10);
    date[10] = '\0';
    aig_batch_set_text(batch, aig_pack_input_index(pack, "birth_date"), (size_t)row, date);
    aig_batch_set_text(batch, aig_pack_input_index(pack, "boe_status"), (size_t)row,
                       boe[(row % RECORDS) % 3]);
    aig_batch_set_text(batch, aig_pack_input_index(pack, "requested_structure"), (size_t)row,
                       req[((row % RECORDS) / 3) % 3]);
  }
  memset(&results, 0, sizeof results);
  results.status = expected_status;
  results.outputs = expected_outputs;
  CHECK_STATUS(aig_pack_evaluate_batch(pack, batch, "2025-03-01", 1, &results), AIG_OK);

  shared_pack = pack;
  shared_orienter = orienter;
  shared_batch = batch;
  for (k = 0; k < THREADS; ++k) {
    workers[k].id = k;
    workers[k].failures = 0;
    CHECK(pthread_create(&threads[k], NULL, work, &workers[k]) == 0);
  }
  for (k = 0; k < THREADS; ++k) {
    pthread_join(threads[k], NULL);
    CHECK(workers[k].failures == 0);
  }
  aig_batch_destroy(batch);
  aig_orienter_destroy(orienter);
  aig_pack_destroy(pack);
  if (check_failures) {
    fprintf(stderr, "%d check(s) failed\n", check_failures);
    return 1;
  }
  fprintf(stderr, "8 threads agree with one\n");
  return 0;
}
