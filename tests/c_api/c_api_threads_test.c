/* One pack (and one orienter) used from 8 threads at once through const handles, then one
 * referential with its offers (scores, explanations, the offer bank): every thread gets exactly
 * what a single thread gets. Built under ThreadSanitizer by `make tsan`. */
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

/* ---- matching: one referential, one set of offers, shared by every thread ---- */

enum { M_PROFILES = 6, M_OFFERS = 8, M_OUT = 1 << 16 };

static const aig_referential* shared_ref;
static const aig_scoring* shared_scoring;
static const aig_offers* shared_offers;
static char* m_profiles[M_PROFILES];
static char* m_offers[M_OFFERS];
static char* m_expected_scores[M_PROFILES][M_OFFERS];
static char* m_expected_explanation;
static const aig_offer_bank* shared_bank;
static char* m_expected_top[M_PROFILES];

static void* match_work(void* arg) {
  worker* w = (worker*)arg;
  char* buf = (char*)malloc(M_OUT);
  int round, p, o;
  for (round = 0; round < 2; ++round) {
    for (p = 0; p < M_PROFILES; ++p)
      for (o = 0; o < M_OFFERS; ++o) {
        const int pp = (p + w->id) % M_PROFILES, oo = (o + round) % M_OFFERS;
        if (aig_match_score_json(shared_ref, shared_scoring, m_profiles[pp], m_offers[oo], buf,
                                 M_OUT, NULL) != AIG_OK ||
            strcmp(buf, m_expected_scores[pp][oo]) != 0)
          ++w->failures;
      }
    if (aig_match_explain_text(shared_ref, shared_scoring, m_profiles[0], m_offers[0],
                               shared_offers, "fr", 0, buf, M_OUT, NULL) != AIG_OK ||
        strcmp(buf, m_expected_explanation) != 0)
      ++w->failures;
    /* One offer bank answers every thread's persons exactly as it answers one thread. */
    for (p = 0; p < M_PROFILES; ++p) {
      const int pp = (p + w->id + round) % M_PROFILES;
      if (aig_offer_bank_top_json(shared_bank, m_profiles[pp], 5, NULL, "fr", buf, M_OUT, NULL) !=
              AIG_OK ||
          strcmp(buf, m_expected_top[pp]) != 0)
        ++w->failures;
    }
    /* A bad document fails this thread's call alone. */
    if (aig_match_score_json(shared_ref, shared_scoring, "{", m_offers[0], buf, M_OUT, NULL) !=
            AIG_ERR_JSON_SYNTAX ||
        aig_last_error_code() != AIG_ERR_JSON_SYNTAX)
      ++w->failures;
  }
  free(buf);
  return NULL;
}

/* Lines of a JSON Lines text, split in place. */
static int split(char* text, char** lines, int max) {
  int n = 0;
  char* line = text;
  while (line && *line && n < max) {
    char* end = strchr(line, '\n');
    if (end) *end = '\0';
    lines[n++] = line;
    line = end ? end + 1 : NULL;
  }
  return n;
}

static int run_matching_threads(void) {
  char path[1024];
  aig_referential* ref = NULL;
  aig_scoring* scoring = NULL;
  aig_offers* offers = NULL;
  aig_offer_bank* bank = NULL;
  char *offers_text, *profiles_text, *offers_copy;
  pthread_t threads[THREADS];
  worker workers[THREADS];
  int k, p, o;
  source_path(path, sizeof path, "data/rome-subset");
  CHECK_STATUS(aig_referential_load(path, NULL, &ref), AIG_OK);
  source_path(path, sizeof path, "rules/matching/scoring-default.json");
  CHECK_STATUS(aig_scoring_load_file(path, &scoring), AIG_OK);
  source_path(path, sizeof path, "examples/data/offers-subset.jsonl");
  offers_text = read_text(path);
  source_path(path, sizeof path, "examples/data/profiles-subset.jsonl");
  profiles_text = read_text(path);
  if (!ref || !scoring || !offers_text || !profiles_text) return 1;
  CHECK_STATUS(aig_offers_load_jsonl(ref, offers_text, (size_t)-1, &offers), AIG_OK);
  offers_copy = (char*)malloc(strlen(offers_text) + 1);
  strcpy(offers_copy, offers_text);
  CHECK(split(offers_copy, m_offers, M_OFFERS) == M_OFFERS);
  CHECK(split(profiles_text, m_profiles, M_PROFILES) == M_PROFILES);
  for (p = 0; p < M_PROFILES; ++p)
    for (o = 0; o < M_OFFERS; ++o) {
      m_expected_scores[p][o] = (char*)malloc(M_OUT);
      CHECK_STATUS(aig_match_score_json(ref, scoring, m_profiles[p], m_offers[o],
                                        m_expected_scores[p][o], M_OUT, NULL),
                   AIG_OK);
    }
  m_expected_explanation = (char*)malloc(M_OUT);
  CHECK_STATUS(aig_match_explain_text(ref, scoring, m_profiles[0], m_offers[0], offers, "fr", 0,
                                      m_expected_explanation, M_OUT, NULL),
               AIG_OK);

  CHECK_STATUS(aig_offer_bank_create(ref, offers, scoring, &bank), AIG_OK);
  for (p = 0; p < M_PROFILES; ++p) {
    m_expected_top[p] = (char*)malloc(M_OUT);
    CHECK_STATUS(
        aig_offer_bank_top_json(bank, m_profiles[p], 5, NULL, "fr", m_expected_top[p], M_OUT, NULL),
        AIG_OK);
    CHECK(strlen(m_expected_top[p]) > 0);
  }

  shared_bank = bank;
  shared_ref = ref;
  shared_scoring = scoring;
  shared_offers = offers;
  for (k = 0; k < THREADS; ++k) {
    workers[k].id = k;
    workers[k].failures = 0;
    CHECK(pthread_create(&threads[k], NULL, match_work, &workers[k]) == 0);
  }
  for (k = 0; k < THREADS; ++k) {
    pthread_join(threads[k], NULL);
    CHECK(workers[k].failures == 0);
  }
  for (p = 0; p < M_PROFILES; ++p)
    for (o = 0; o < M_OFFERS; ++o) free(m_expected_scores[p][o]);
  free(m_expected_explanation);
  for (p = 0; p < M_PROFILES; ++p) free(m_expected_top[p]);
  aig_offer_bank_destroy(bank);
  free(offers_copy);
  free(offers_text);
  free(profiles_text);
  aig_offers_destroy(offers);
  aig_scoring_destroy(scoring);
  aig_referential_destroy(ref);
  return 0;
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
  if (run_matching_threads() != 0) ++check_failures;
  if (check_failures) {
    fprintf(stderr, "%d check(s) failed\n", check_failures);
    return 1;
  }
  fprintf(stderr, "8 threads agree with one\n");
  return 0;
}
