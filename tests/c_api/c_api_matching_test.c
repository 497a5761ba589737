/* The matching part of the C API, used as a C program would, on the bundled subset
 * (data/rome-subset, examples/data/{offers,profiles}-subset.jsonl, the default scoring): every
 * function, with results checked against expectations computed here independently (sums of the
 * term table, ranks by sorting every pair's score, retrieval and assignments by brute force),
 * bad input for each (status and JSON pointer), short buffers and NULL handles. */
#include "aiguillage.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

int aig_test_cpp_code(const char* name);

enum { MAX_DOCS = 64, BIG = 1 << 20 };

static char rome_dir[1024];
static aig_referential* ref = NULL;
static aig_scoring* scoring = NULL;
static aig_offers* offers = NULL;
static char* offers_text = NULL;
static char* profiles_text = NULL;
static char* offer_lines[MAX_DOCS];
static char* profile_lines[MAX_DOCS];
static int n_offer_lines = 0, n_profile_lines = 0;
static char* big = NULL; /* BIG bytes of scratch for JSON and text outputs */

/* ---- small helpers: JSON Lines, numbers out of JSON text ---- */

static int split_lines(char* text, char** lines, int max) {
  int n = 0;
  char* p = text;
  while (p && *p && n < max) {
    char* end = strchr(p, '\n');
    if (end) *end = '\0';
    if (*p) lines[n++] = p;
    p = end ? end + 1 : NULL;
  }
  return n;
}

/* The number after the first "key": at or after `from`; NaN when absent. */
static double json_number(const char* from, const char* key) {
  char pattern[128];
  const char* at;
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  at = strstr(from, pattern);
  if (!at) return NAN;
  return strtod(at + strlen(pattern), NULL);
}

static int json_flag(const char* from, const char* key) {
  char pattern[128];
  const char* at;
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  at = strstr(from, pattern);
  return at && strncmp(at + strlen(pattern), "true", 4) == 0;
}

/* The id of a JSON Lines document ("id": "...") into out. */
static void doc_id(const char* doc, char* out, size_t size) {
  const char* at = strstr(doc, "\"id\": \"");
  size_t n = 0;
  out[0] = '\0';
  if (!at) return;
  at += 7;
  while (at[n] && at[n] != '"' && n + 1 < size) ++n;
  memcpy(out, at, n);
  out[n] = '\0';
}

/* ---- codes ---- */

static void test_codes(void) {
  CHECK(AIG_ERR_REFERENTIAL_FORMAT == -401);
  CHECK(AIG_ERR_CACHE_STALE == -402);
  CHECK(AIG_ERR_DUPLICATE_DOCUMENT_KEY == -403);
  CHECK(AIG_ERR_DUPLICATE_DOCUMENT_ID == -404);
  CHECK(AIG_ERR_INFEASIBLE == -451);
  CHECK(AIG_ERR_DIMENSION_MISMATCH == -452);
  CHECK(aig_test_cpp_code("referential_format") == AIG_ERR_REFERENTIAL_FORMAT);
  CHECK(aig_test_cpp_code("cache_stale") == AIG_ERR_CACHE_STALE);
  CHECK(aig_test_cpp_code("duplicate_document_key") == AIG_ERR_DUPLICATE_DOCUMENT_KEY);
  CHECK(aig_test_cpp_code("duplicate_document_id") == AIG_ERR_DUPLICATE_DOCUMENT_ID);
  CHECK(aig_test_cpp_code("infeasible") == AIG_ERR_INFEASIBLE);
  CHECK(aig_test_cpp_code("dimension_mismatch") == AIG_ERR_DIMENSION_MISMATCH);
  CHECK(strcmp(aig_status_str(AIG_ERR_INFEASIBLE), "infeasible") == 0);
  CHECK(strcmp(aig_status_str(AIG_ERR_DIMENSION_MISMATCH), "dimension_mismatch") == 0);
}

/* ---- referentials ---- */

static void test_referential(void) {
  aig_referential* r = (aig_referential*)&r;
  char path[1024], stats[8192];
  size_t needed = 0;
  int64_t id;
  CHECK(ref != NULL);
  if (!ref) return;

  /* 40 fiches in the subset: one line each in the code_rome file after its header. */
  CHECK(aig_referential_occupation_count(ref) == 40);
  CHECK(aig_referential_item_count(ref) > 1000);
  CHECK_STATUS(aig_referential_statistics_json(ref, stats, sizeof stats, &needed), AIG_OK);
  CHECK(json_number(stats, "fiches") == 40);
  CHECK(json_number(stats, "occupations") == 40);
  CHECK(json_number(stats, "items") == (double)aig_referential_item_count(ref));
  CHECK(json_number(stats, "esco_skills") == 0);
  CHECK(needed == strlen(stats) + 1);

  /* Lookups by code, as the CSV files give them. */
  id = aig_referential_find_occupation(ref, "D1101");
  CHECK(id >= 0);
  CHECK(aig_referential_occupation_code(ref, id) &&
        strcmp(aig_referential_occupation_code(ref, id), "D1101") == 0);
  CHECK(aig_referential_occupation_label(ref, id) &&
        strcmp(aig_referential_occupation_label(ref, id), "Boucher / Bouchère") == 0);
  id = aig_referential_find_item(ref, "118018");
  CHECK(id >= 0);
  CHECK(aig_referential_item_label(ref, id) &&
        strcmp(aig_referential_item_label(ref, id), "Découper, désosser, parer de la viande") == 0);
  CHECK(strcmp(aig_referential_item_code(ref, id), "118018") == 0);
  CHECK(aig_referential_find_item(ref, "no-such-code") == -1);
  CHECK(aig_referential_find_occupation(ref, "Z9999") == -1);
  CHECK(aig_referential_find_item(NULL, "118018") == -1);
  CHECK(aig_referential_find_item(ref, NULL) == -1);
  CHECK(aig_referential_item_label(ref, -1) == NULL);
  CHECK(aig_referential_item_label(ref, (int64_t)aig_referential_item_count(ref)) == NULL);
  CHECK(aig_referential_occupation_label(ref, 40) == NULL);
  CHECK(aig_referential_occupation_code(NULL, 0) == NULL);
  CHECK(aig_referential_item_count(NULL) == 0);

  /* Bad input: a missing folder, a folder without the ROME files, a missing ESCO folder. */
  CHECK_STATUS(aig_referential_load("/nonexistent/rome", NULL, &r), AIG_ERR_IO);
  CHECK(r == NULL);
  CHECK(strstr(aig_last_error_message(), "/nonexistent/rome") != NULL);
  source_path(path, sizeof path, "tests/c_api");
  r = (aig_referential*)&r;
  CHECK_STATUS(aig_referential_load(path, "", &r), AIG_ERR_REFERENTIAL_FORMAT);
  CHECK(r == NULL);
  CHECK(strstr(aig_last_error_message(), "missing file unix_referentiel_") != NULL);
  r = (aig_referential*)&r;
  CHECK(aig_referential_load(rome_dir, "/nonexistent/esco", &r) < 0);
  CHECK(r == NULL);
  CHECK_STATUS(aig_referential_load(NULL, NULL, &r), AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_referential_load(rome_dir, NULL, NULL), AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_referential_statistics_json(NULL, stats, sizeof stats, NULL),
               AIG_ERR_INVALID_ARGUMENT);
  /* A short buffer: truncated, terminated, the size needed reported. */
  CHECK_STATUS(aig_referential_statistics_json(ref, stats, 8, &needed), AIG_ERR_BUFFER_TOO_SMALL);
  CHECK(strlen(stats) == 7);
  CHECK(needed > 8);
  CHECK_STATUS(aig_referential_statistics_json(ref, NULL, 0, &needed), AIG_ERR_BUFFER_TOO_SMALL);
  aig_referential_destroy(NULL);
}

/* ---- scoring ---- */

static void test_scoring(void) {
  aig_scoring* s = (aig_scoring*)&s;
  char path[1024];
  CHECK(scoring != NULL);
  CHECK(strcmp(aig_scoring_id(scoring), "default") == 0);
  CHECK(strcmp(aig_scoring_version(scoring), "1.0.0") == 0);
  CHECK_STATUS(aig_scoring_default(&s), AIG_OK);
  CHECK(s && strcmp(aig_scoring_id(s), "default") == 0);
  aig_scoring_destroy(s);

  s = (aig_scoring*)&s;
  CHECK_STATUS(aig_scoring_load_json(
                   "{\"schema\": \"aiguillage.scoring\", \"schema_version\": \"1.0\", \"id\": "
                   "\"x\", \"version\": \"2.0.0\", \"weights\": {\"distance\": \"0.1\"}}",
                   (size_t)-1, &s),
               AIG_ERR_TYPE_MISMATCH);
  CHECK(s == NULL);
  CHECK(strcmp(aig_last_error_pointer(), "/weights/distance") == 0);
  CHECK_STATUS(aig_scoring_load_json(
                   "{\"schema\": \"aiguillage.scoring\", \"schema_version\": \"1.0\", \"id\": "
                   "\"x\", \"version\": \"2.0.0\", \"credit\": {\"factors\": {\"mobility\": 1.5}}}",
                   (size_t)-1, &s),
               AIG_ERR_OUT_OF_BOUNDS);
  CHECK(strcmp(aig_last_error_pointer(), "/credit/factors/mobility") == 0);
  CHECK_STATUS(aig_scoring_load_json("{\"schema\": ", (size_t)-1, &s), AIG_ERR_JSON_SYNTAX);
  /* The size bounds the text: the same document cut short is a syntax error. */
  CHECK_STATUS(aig_scoring_load_json("{\"schema\": \"aiguillage.scoring\"}", 10, &s),
               AIG_ERR_JSON_SYNTAX);
  CHECK_STATUS(aig_scoring_load_json(
                   "{\"schema\": \"aiguillage.scoring\", \"schema_version\": \"1.0\", \"id\": "
                   "\"mine\", \"version\": \"2.0.0\", \"intercept\": 0.5}",
                   (size_t)-1, &s),
               AIG_OK);
  CHECK(s && strcmp(aig_scoring_id(s), "mine") == 0 &&
        strcmp(aig_scoring_version(s), "2.0.0") == 0);
  aig_scoring_destroy(s);
  s = (aig_scoring*)&s;
  CHECK_STATUS(aig_scoring_load_file("/nonexistent/scoring.json", &s), AIG_ERR_IO);
  CHECK(s == NULL);
  source_path(path, sizeof path, "rules/matching/scoring-default.json");
  CHECK_STATUS(aig_scoring_load_file(path, NULL), AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_scoring_load_json(NULL, 0, &s), AIG_ERR_INVALID_ARGUMENT);
  CHECK(aig_scoring_id(NULL) == NULL);
  aig_scoring_destroy(NULL);
}

/* ---- sets of documents ---- */

static void test_document_sets(void) {
  aig_offers* o = (aig_offers*)&o;
  aig_profiles* p = NULL;
  char path[1024], errors[4096], id[64];
  char* text;
  size_t i, needed;
  CHECK(aig_offers_count(offers) == (size_t)n_offer_lines);
  CHECK(aig_offers_error_count(offers) == 0);
  for (i = 0; i < aig_offers_count(offers); ++i) {
    doc_id(offer_lines[i], id, sizeof id);
    CHECK(strcmp(aig_offers_id(offers, i), id) == 0);
    CHECK(aig_offers_line(offers, i) == i + 1);
  }
  CHECK(aig_offers_id(offers, aig_offers_count(offers)) == NULL);
  CHECK(aig_offers_line(offers, 999) == 0);
  CHECK_STATUS(aig_offers_errors_json(offers, errors, sizeof errors, NULL), AIG_OK);
  CHECK(strcmp(errors, "[]") == 0);

  source_path(path, sizeof path, "examples/data/profiles-subset.jsonl");
  CHECK_STATUS(aig_profiles_load_file(ref, path, &p), AIG_OK);
  CHECK(aig_profiles_count(p) == (size_t)n_profile_lines);
  for (i = 0; i < aig_profiles_count(p); ++i) {
    doc_id(profile_lines[i], id, sizeof id);
    CHECK(strcmp(aig_profiles_id(p, i), id) == 0);
  }
  aig_profiles_destroy(p);

  /* Bad lines are rejected alone: good, bad field, blank, broken JSON, good. */
  text = (char*)malloc(strlen(profile_lines[0]) + strlen(profile_lines[1]) + 256);
  sprintf(text, "%s\n%s\n\n{\n%s\n", profile_lines[0],
          "{\"schema\": \"aiguillage.profile\", \"schema_version\": \"1.0\", \"id\": \"X\", "
          "\"rqth\": \"yes\"}",
          profile_lines[1]);
  p = NULL;
  CHECK_STATUS(aig_profiles_load_jsonl(ref, text, (size_t)-1, &p), AIG_OK);
  CHECK(aig_profiles_count(p) == 2);
  CHECK(aig_profiles_line(p, 0) == 1 && aig_profiles_line(p, 1) == 5);
  CHECK(aig_profiles_error_count(p) == 2);
  CHECK_STATUS(aig_profiles_errors_json(p, errors, sizeof errors, &needed), AIG_OK);
  CHECK(strstr(errors, "{\"line\":2,\"code\":-105,\"name\":\"type_mismatch\"") != NULL);
  CHECK(strstr(errors, "\"pointer\":\"/rqth\"") != NULL);
  CHECK(strstr(errors, "{\"line\":4,\"code\":-101,\"name\":\"json_syntax\"") != NULL);
  CHECK_STATUS(aig_profiles_errors_json(p, errors, 4, &needed), AIG_ERR_BUFFER_TOO_SMALL);
  CHECK(needed > 4 && strlen(errors) == 3);
  aig_profiles_destroy(p);
  free(text);

  /* The same for offers, with the size bounding the text (the last line cut off). */
  text = (char*)malloc(strlen(offer_lines[0]) + strlen(offer_lines[1]) + 256);
  sprintf(text, "%s\n{\"id\": \"O2\", \"nombrePostes\": 0}\n%s", offer_lines[0], offer_lines[1]);
  CHECK_STATUS(aig_offers_load_jsonl(ref, text, strlen(offer_lines[0]) + 1, &o), AIG_OK);
  CHECK(aig_offers_count(o) == 1 && aig_offers_error_count(o) == 0);
  aig_offers_destroy(o);
  o = NULL;
  CHECK_STATUS(aig_offers_load_jsonl(ref, text, (size_t)-1, &o), AIG_OK);
  CHECK(aig_offers_count(o) == 2 && aig_offers_error_count(o) == 1);
  CHECK(aig_offers_line(o, 1) == 3);
  CHECK_STATUS(aig_offers_errors_json(o, errors, sizeof errors, NULL), AIG_OK);
  CHECK(strstr(errors, "\"line\":2,\"code\":-106") != NULL);
  CHECK(strstr(errors, "\"pointer\":\"/nombrePostes\"") != NULL);
  aig_offers_destroy(o);
  free(text);

  /* From the file: the same documents as from its text. */
  source_path(path, sizeof path, "examples/data/offers-subset.jsonl");
  o = NULL;
  CHECK_STATUS(aig_offers_load_file(ref, path, &o), AIG_OK);
  CHECK(aig_offers_count(o) == aig_offers_count(offers));
  for (i = 0; i < aig_offers_count(o); ++i)
    CHECK(strcmp(aig_offers_id(o, i), aig_offers_id(offers, i)) == 0);
  aig_offers_destroy(o);

  /* Calls that fail. */
  o = (aig_offers*)&o;
  CHECK_STATUS(aig_offers_load_file(ref, "/nonexistent/offers.jsonl", &o), AIG_ERR_IO);
  CHECK(o == NULL);
  CHECK_STATUS(aig_offers_load_jsonl(NULL, "", 0, &o), AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_offers_load_jsonl(ref, NULL, 0, &o), AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_profiles_load_file(ref, NULL, &p), AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_profiles_load_jsonl(ref, "", 0, NULL), AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_offers_errors_json(NULL, errors, sizeof errors, NULL), AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_profiles_errors_json(NULL, errors, sizeof errors, NULL),
               AIG_ERR_INVALID_ARGUMENT);
  CHECK(aig_offers_count(NULL) == 0 && aig_profiles_count(NULL) == 0);
  CHECK(aig_offers_id(NULL, 0) == NULL && aig_profiles_id(NULL, 0) == NULL);
  CHECK(aig_offers_error_count(NULL) == 0 && aig_profiles_error_count(NULL) == 0);
  aig_offers_destroy(NULL);
  aig_profiles_destroy(NULL);
}

/* ---- scores ---- */

typedef struct {
  int excluded;
  double score;
  char id[32];
  int offer;
} ranked;

/* Passing every hard constraint first, then the score (highest first), then the id. */
static int ranks_before(const ranked* a, const ranked* b) {
  if (a->excluded != b->excluded) return !a->excluded;
  if (a->score != b->score) return a->score > b->score;
  return strcmp(a->id, b->id) < 0;
}

static int compare_ranked(const void* x, const void* y) {
  const ranked* a = (const ranked*)x;
  const ranked* b = (const ranked*)y;
  return ranks_before(a, b) ? -1 : ranks_before(b, a) ? 1 : 0;
}

/* Every pair's score and exclusion as aig_match_score_json gives them (filled once). */
static double pair_score[MAX_DOCS][MAX_DOCS];
static int pair_excluded[MAX_DOCS][MAX_DOCS];
static int pairs_scored = 0;

static void score_pairs(void) {
  int p, o;
  if (pairs_scored) return;
  for (p = 0; p < n_profile_lines; ++p)
    for (o = 0; o < n_offer_lines; ++o) {
      CHECK_STATUS(
          aig_match_score_json(ref, scoring, profile_lines[p], offer_lines[o], big, BIG, NULL),
          AIG_OK);
      pair_excluded[p][o] = json_flag(big, "excluded");
      pair_score[p][o] = json_number(big, "score");
    }
  pairs_scored = 1;
}

/* Every offer for profile p, by score, sorted. */
static void rank_offers(int p, ranked* rows) {
  int o;
  score_pairs();
  for (o = 0; o < n_offer_lines; ++o) {
    rows[o].excluded = pair_excluded[p][o];
    rows[o].score = pair_score[p][o];
    doc_id(offer_lines[o], rows[o].id, sizeof rows[o].id);
    rows[o].offer = o;
  }
  qsort(rows, (size_t)n_offer_lines, sizeof *rows, compare_ranked);
}

static void test_score(void) {
  int p, o, excluded = 0, penalised = 0;
  size_t needed = 0;
  char small[16];
  char* with_default = (char*)malloc(BIG);
  for (p = 0; p < n_profile_lines; ++p) {
    for (o = 0; o < n_offer_lines; ++o) {
      const char *terms, *end, *at;
      double sum, score;
      int n_terms = 0;
      CHECK_STATUS(
          aig_match_score_json(ref, scoring, profile_lines[p], offer_lines[o], big, BIG, &needed),
          AIG_OK);
      CHECK(needed == strlen(big) + 1);
      /* score = intercept + the contributions of the terms and the penalties. */
      score = json_number(big, "score");
      sum = json_number(big, "intercept");
      terms = strstr(big, "\"terms\":");
      end = strstr(big, "\"reason_codes\":");
      CHECK(terms && end && terms < end);
      if (!terms || !end) continue;
      for (at = strstr(terms, "\"contribution\":"); at && at < end;
           at = strstr(at + 1, "\"contribution\":")) {
        sum += strtod(at + 15, NULL);
        ++n_terms;
      }
      CHECK(n_terms >= 9);
      CHECK(fabs(sum - score) <= 1e-12);
      if (json_flag(big, "excluded")) ++excluded;
      if (strstr(big, "\"penalties\":[{")) ++penalised;
      pair_excluded[p][o] = json_flag(big, "excluded");
      pair_score[p][o] = score;
      /* The built-in defaults are those of scoring-default.json: the same bytes. */
      if (p == 0 || o % 10 == 0) {
        CHECK_STATUS(aig_match_score_json(ref, NULL, profile_lines[p], offer_lines[o], with_default,
                                          BIG, NULL),
                     AIG_OK);
        CHECK(strcmp(big, with_default) == 0);
      }
    }
  }
  pairs_scored = 1;
  /* The subset has both kinds of hard constraint at work. */
  CHECK(excluded > 0);
  CHECK(penalised > 0);
  free(with_default);

  /* Bad documents: the pointer says which one. */
  CHECK_STATUS(aig_match_score_json(
                   ref, scoring,
                   "{\"schema\": \"aiguillage.profile\", \"schema_version\": \"1.0\", \"id\": "
                   "\"X\", \"competences\": [{\"code\": \"118018\", \"evidence\": \"claimed\"}]}",
                   offer_lines[0], big, BIG, NULL),
               AIG_ERR_ENUM_VALUE);
  CHECK(strcmp(aig_last_error_pointer(), "/profile/competences/0/evidence") == 0);
  CHECK(strncmp(aig_last_error_message(), "profile: ", 9) == 0);
  CHECK_STATUS(aig_match_score_json(ref, scoring, profile_lines[0],
                                    "{\"id\": \"O\", \"lieuTravail\": {\"latitude\": 123.0, "
                                    "\"longitude\": 3.0}}",
                                    big, BIG, NULL),
               AIG_ERR_OUT_OF_BOUNDS);
  CHECK(strcmp(aig_last_error_pointer(), "/offer/lieuTravail/latitude") == 0);
  CHECK_STATUS(aig_match_score_json(ref, scoring, "{", offer_lines[0], big, BIG, NULL),
               AIG_ERR_JSON_SYNTAX);
  CHECK(strncmp(aig_last_error_pointer(), "/profile", 8) == 0);
  CHECK_STATUS(
      aig_match_score_json(NULL, scoring, profile_lines[0], offer_lines[0], big, BIG, NULL),
      AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_match_score_json(ref, scoring, NULL, offer_lines[0], big, BIG, NULL),
               AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_match_score_json(ref, scoring, profile_lines[0], NULL, big, BIG, NULL),
               AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_match_score_json(ref, scoring, profile_lines[0], offer_lines[0], small,
                                    sizeof small, &needed),
               AIG_ERR_BUFFER_TOO_SMALL);
  CHECK(strlen(small) == sizeof small - 1 && needed > sizeof small);
  CHECK(strncmp(small, "{\"profile_id\":", 14) == 0);
}

/* ---- explanations ---- */

static void test_explain(void) {
  ranked rows[MAX_DOCS];
  int p;
  char path[1024], id[32];
  size_t needed;
  char* golden;
  /* The rank the explanation gives is the rank of an independent sort of every pair's score. */
  for (p = 0; p < n_profile_lines; ++p) {
    const int position = 1 + (p * 7) % n_offer_lines;
    const char* cohort;
    rank_offers(p, rows);
    CHECK_STATUS(aig_match_explain_json(ref, scoring, profile_lines[p],
                                        offer_lines[rows[position - 1].offer], offers, "fr", 0, big,
                                        BIG, NULL),
                 AIG_OK);
    cohort = strstr(big, "\"cohort\":");
    CHECK(cohort != NULL);
    if (!cohort) continue;
    CHECK(strncmp(cohort, "\"cohort\":{\"kind\":\"offers_for_profile\"", 37) == 0);
    CHECK(json_number(cohort, "rank") == position);
    CHECK(json_number(cohort, "size") == n_offer_lines);
    CHECK(json_number(big, "score") == rows[position - 1].score);
    doc_id(profile_lines[p], id, sizeof id);
    CHECK(strstr(big, id) != NULL);
    /* Without a cohort the offer stands alone. */
    CHECK_STATUS(aig_match_explain_json(ref, scoring, profile_lines[p],
                                        offer_lines[rows[position - 1].offer], NULL, "en", 3, big,
                                        BIG, NULL),
                 AIG_OK);
    cohort = strstr(big, "\"cohort\":");
    CHECK(cohort && json_number(cohort, "rank") == 1 && json_number(cohort, "size") == 1);
  }

  /* The texts equal the golden files the C++ tests keep (P0001, EX00041 among the subset). */
  {
    const char* langs[2] = {"fr", "en"};
    int l, o, found = -1;
    for (o = 0; o < n_offer_lines; ++o) {
      doc_id(offer_lines[o], id, sizeof id);
      if (strcmp(id, "EX00041") == 0) found = o;
    }
    CHECK(found >= 0);
    for (l = 0; l < 2 && found >= 0; ++l) {
      char rel[128];
      snprintf(rel, sizeof rel, "tests/golden/matching/p0001-ex00041.%s.txt", langs[l]);
      source_path(path, sizeof path, rel);
      golden = read_text(path);
      CHECK(golden != NULL);
      CHECK_STATUS(aig_match_explain_text(ref, scoring, profile_lines[0], offer_lines[found],
                                          offers, langs[l], 0, big, BIG, &needed),
                   AIG_OK);
      CHECK(golden && strcmp(big, golden) == 0);
      CHECK(needed == strlen(big) + 1);
      free(golden);
    }
    /* The summary: the head of what the person is shown, without the counsellors' table. */
    if (found >= 0) {
      char* full = (char*)malloc(BIG);
      CHECK_STATUS(aig_match_explain_text(ref, scoring, profile_lines[0], offer_lines[found],
                                          offers, "fr", 0, full, BIG, NULL),
                   AIG_OK);
      CHECK_STATUS(aig_match_explain_summary(ref, scoring, profile_lines[0], offer_lines[found],
                                             offers, "fr", 0, big, BIG, &needed),
                   AIG_OK);
      CHECK(needed == strlen(big) + 1 && strlen(big) < strlen(full));
      CHECK(strncmp(big, "Offre EX00041", 13) == 0);
      CHECK(strstr(big, "Principales raisons") != NULL);
      /* Its header and reasons are the full text's own lines. */
      CHECK(strncmp(big, full, (size_t)(strstr(big, "Principales raisons") - big)) == 0);
      CHECK_STATUS(aig_match_explain_summary(ref, scoring, profile_lines[0], offer_lines[found],
                                             NULL, "xx", 0, big, BIG, NULL),
                   AIG_ERR_INVALID_ARGUMENT);
      free(full);
    }
    /* A short buffer keeps the beginning of the text. */
    if (found >= 0) {
      char small[32];
      CHECK_STATUS(aig_match_explain_text(ref, scoring, profile_lines[0], offer_lines[found],
                                          offers, "fr", 0, small, sizeof small, &needed),
                   AIG_ERR_BUFFER_TOO_SMALL);
      CHECK(strncmp(small, "Offre EX00041", 13) == 0 && needed > sizeof small);
    }
  }

  /* Bad input. */
  CHECK_STATUS(aig_match_explain_text(ref, scoring, profile_lines[0], offer_lines[0], offers, "de",
                                      0, big, BIG, NULL),
               AIG_ERR_INVALID_ARGUMENT);
  CHECK(strstr(aig_last_error_message(), "\"de\"") != NULL);
  CHECK_STATUS(
      aig_match_explain_json(ref, scoring,
                             "{\"schema\": \"aiguillage.profile\", \"schema_version\": \"1.0\"}",
                             offer_lines[0], offers, "fr", 0, big, BIG, NULL),
      AIG_ERR_REQUIRED_MISSING);
  CHECK(strcmp(aig_last_error_pointer(), "/profile/id") == 0);
  CHECK_STATUS(aig_match_explain_json(ref, scoring, profile_lines[0], "[1]", offers, "fr", 0, big,
                                      BIG, NULL),
               AIG_ERR_INVALID_DOCUMENT);
  CHECK(strncmp(aig_last_error_pointer(), "/offer", 6) == 0);
  CHECK_STATUS(aig_match_explain_json(NULL, scoring, profile_lines[0], offer_lines[0], offers, "fr",
                                      0, big, BIG, NULL),
               AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(
      aig_match_explain_text(ref, scoring, profile_lines[0], NULL, offers, "fr", 0, big, BIG, NULL),
      AIG_ERR_INVALID_ARGUMENT);
  /* A cohort read against another referential is refused. */
  {
    aig_referential* other = NULL;
    aig_offers* foreign = NULL;
    CHECK_STATUS(aig_referential_load(rome_dir, NULL, &other), AIG_OK);
    CHECK_STATUS(aig_offers_load_jsonl(other, offers_text, (size_t)-1, &foreign), AIG_OK);
    CHECK_STATUS(aig_match_explain_json(ref, scoring, profile_lines[0], offer_lines[0], foreign,
                                        "fr", 0, big, BIG, NULL),
                 AIG_ERR_INVALID_ARGUMENT);
    CHECK(strstr(aig_last_error_message(), "another referential") != NULL);
    aig_offers_destroy(foreign);
    aig_referential_destroy(other);
  }
}

/* ---- retrieval ---- */

static uint64_t rng_state = 88172645463325252ull;
static uint32_t rnd(uint32_t n) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state % n);
}

static double haversine(double lat1, double lon1, double lat2, double lon2) {
  const double rad = 3.14159265358979323846 / 180.0;
  const double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
  const double a = sin(dlat / 2) * sin(dlat / 2) +
                   cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
  return 2 * 6371.0088 * asin(sqrt(a < 1 ? a : 1));
}

enum { ENTRIES = 400, ITEMS = 60, PER_ENTRY = 8, QUERIES = 120, K = 7 };

static int64_t e_ptr[ENTRIES + 1];
static uint32_t e_items[ENTRIES * PER_ENTRY];
static double e_weights[ENTRIES * PER_ENTRY];
static double e_lat[ENTRIES], e_lon[ENTRIES], e_max[ENTRIES];
static uint32_t e_dept[ENTRIES], e_mask[ENTRIES];
static int64_t q_ptr[QUERIES + 1];
static uint32_t q_items[QUERIES * PER_ENTRY];
static double q_weights[QUERIES * PER_ENTRY];
static aig_retrieval_filters q_filters[QUERIES];
static uint32_t q_depts[QUERIES][2];

/* Distinct random items; weights are multiples of 1/4 so that every sum is exact. */
static int64_t fill_vector(uint32_t* items, double* weights) {
  int n = 1 + (int)rnd(PER_ENTRY), k = 0;
  while (k < n) {
    uint32_t item = rnd(ITEMS);
    int j, seen = 0;
    for (j = 0; j < k; ++j) seen |= items[j] == item;
    if (seen) continue;
    items[k] = item;
    weights[k] = 0.25 * (1 + rnd(8));
    ++k;
  }
  return n;
}

/* The k best entries for query q by scoring every entry. */
static size_t brute_top_k(int q, int64_t* index, double* score) {
  double scores[ENTRIES];
  int e, n = 0, chosen[ENTRIES];
  size_t found = 0;
  const aig_retrieval_filters* f = &q_filters[q];
  for (e = 0; e < ENTRIES; ++e) {
    int64_t i, j;
    double s = 0;
    scores[e] = 0;
    chosen[e] = 0;
    for (i = q_ptr[q]; i < q_ptr[q + 1]; ++i)
      for (j = e_ptr[e]; j < e_ptr[e + 1]; ++j)
        if (e_items[j] == q_items[i]) s += q_weights[i] * e_weights[j];
    if (!(s > 0)) continue;
    if (f->departement_count > 0) {
      size_t d;
      int ok = 0;
      for (d = 0; d < f->departement_count; ++d) ok |= f->departements[d] == e_dept[e];
      if (!ok) continue;
    }
    if (f->contract_mask && !(f->contract_mask & e_mask[e])) continue;
    if (f->has_origin) {
      const double km = haversine(f->origin_lat, f->origin_lon, e_lat[e], e_lon[e]);
      if (km > f->max_km || km > e_max[e]) continue;
    }
    scores[e] = s;
    chosen[e] = 1;
    ++n;
  }
  while (found < K) {
    int best = -1;
    for (e = 0; e < ENTRIES; ++e)
      if (chosen[e] && (best < 0 || scores[e] > scores[best])) best = e;
    if (best < 0) break;
    chosen[best] = 0;
    index[found] = best;
    score[found] = scores[best];
    ++found;
  }
  (void)n;
  return found;
}

static void test_retrieval(void) {
  aig_index* index = (aig_index*)&index;
  int e, q, mismatches = 0, short_lists = 0, answered = 0;
  int64_t got_index[K], want_index[K], batch_index[QUERIES * K];
  double got_score[K], want_score[K], batch_score[QUERIES * K];
  size_t found, total = 0;
  e_ptr[0] = 0;
  for (e = 0; e < ENTRIES; ++e) {
    e_ptr[e + 1] = e_ptr[e] + fill_vector(e_items + e_ptr[e], e_weights + e_ptr[e]);
    e_lat[e] = 43.0 + 0.01 * rnd(600); /* metropolitan France, roughly */
    e_lon[e] = -1.0 + 0.01 * rnd(700);
    e_dept[e] = 1 + rnd(5);
    e_mask[e] = 1u << rnd(4);
    e_max[e] = rnd(4) == 0 ? 50.0 + rnd(100) : INFINITY;
    total += (size_t)(e_ptr[e + 1] - e_ptr[e]);
  }
  q_ptr[0] = 0;
  for (q = 0; q < QUERIES; ++q) {
    aig_retrieval_filters* f = &q_filters[q];
    q_ptr[q + 1] = q_ptr[q] + fill_vector(q_items + q_ptr[q], q_weights + q_ptr[q]);
    memset(f, 0, sizeof *f);
    switch (q % 4) {
      case 1:
        f->has_origin = 1;
        f->origin_lat = 43.0 + 0.01 * rnd(600);
        f->origin_lon = -1.0 + 0.01 * rnd(700);
        f->max_km = q % 8 == 1 ? INFINITY : 100.0 + rnd(200);
        break;
      case 2:
        q_depts[q][0] = 1 + rnd(5);
        q_depts[q][1] = 1 + rnd(5);
        f->departements = q_depts[q];
        f->departement_count = 2;
        break;
      case 3:
        f->contract_mask = (1u << rnd(4)) | (1u << rnd(4));
        break;
      default:
        break;
    }
  }

  CHECK_STATUS(aig_index_build(ENTRIES, e_ptr, e_items, e_weights, e_lat, e_lon, e_dept, e_mask,
                               e_max, &index),
               AIG_OK);
  if (!index) return;
  CHECK(aig_index_size(index) == ENTRIES);
  CHECK(aig_index_nonzeros(index) == total);
  CHECK(aig_index_item_count(index) <= ITEMS && aig_index_item_count(index) > ITEMS / 2);

  for (q = 0; q < QUERIES; ++q) {
    size_t want = brute_top_k(q, want_index, want_score), i;
    CHECK_STATUS(aig_index_top_k(index, q_items + q_ptr[q], q_weights + q_ptr[q],
                                 (size_t)(q_ptr[q + 1] - q_ptr[q]), K, &q_filters[q], got_index,
                                 got_score, &found),
                 AIG_OK);
    if (found != want) ++mismatches;
    if (want < K) ++short_lists;
    if (want > 0) ++answered;
    for (i = 0; i < K; ++i) {
      if (i < want) {
        if (got_index[i] != want_index[i] || got_score[i] != want_score[i]) ++mismatches;
      } else if (got_index[i] != -1 || !isnan(got_score[i])) {
        ++mismatches;
      }
    }
  }
  CHECK(mismatches == 0);
  CHECK(short_lists > 0); /* the filters leave some queries fewer than k hits */
  CHECK(answered > QUERIES / 2);

  /* The batch on 4 threads gives the same lists, k-wide, -1 and NaN past the hits. */
  CHECK_STATUS(aig_index_batch_top_k(index, QUERIES, q_ptr, q_items, q_weights, q_filters, K, 4,
                                     batch_index, batch_score),
               AIG_OK);
  mismatches = 0;
  for (q = 0; q < QUERIES; ++q) {
    size_t i;
    CHECK_STATUS(aig_index_top_k(index, q_items + q_ptr[q], q_weights + q_ptr[q],
                                 (size_t)(q_ptr[q + 1] - q_ptr[q]), K, &q_filters[q], got_index,
                                 got_score, NULL),
                 AIG_OK);
    for (i = 0; i < K; ++i)
      if (batch_index[q * K + i] != got_index[i] ||
          (batch_score[q * K + i] != got_score[i] &&
           !(isnan(batch_score[q * K + i]) && isnan(got_score[i]))))
        ++mismatches;
  }
  CHECK(mismatches == 0);
  /* Without filters, every query on every thread count. */
  CHECK_STATUS(aig_index_batch_top_k(index, QUERIES, q_ptr, q_items, q_weights, NULL, K, 0,
                                     batch_index, batch_score),
               AIG_OK);
  CHECK_STATUS(aig_index_top_k(index, q_items, q_weights, (size_t)q_ptr[1], K, NULL, got_index,
                               got_score, NULL),
               AIG_OK);
  CHECK(memcmp(batch_index, got_index, sizeof got_index) == 0);

  /* Bad queries and filters. */
  {
    uint32_t item = 3;
    double w = NAN, one = 1.0;
    aig_retrieval_filters f;
    CHECK_STATUS(aig_index_top_k(index, &item, &w, 1, K, NULL, got_index, got_score, &found),
                 AIG_ERR_INVALID_ARGUMENT);
    CHECK(found == 0);
    memset(&f, 0, sizeof f);
    f.has_origin = 1;
    f.max_km = -1;
    CHECK_STATUS(aig_index_top_k(index, &item, &one, 1, K, &f, got_index, got_score, NULL),
                 AIG_ERR_INVALID_ARGUMENT);
    f.max_km = 10;
    f.origin_lat = 95;
    CHECK_STATUS(aig_index_top_k(index, &item, &one, 1, K, &f, got_index, got_score, NULL),
                 AIG_ERR_INVALID_ARGUMENT);
    memset(&f, 0, sizeof f);
    f.departement_count = 2; /* and no array */
    CHECK_STATUS(aig_index_top_k(index, &item, &one, 1, K, &f, got_index, got_score, NULL),
                 AIG_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(aig_index_top_k(index, &item, &one, 1, K, NULL, NULL, got_score, NULL),
                 AIG_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(aig_index_top_k(NULL, &item, &one, 1, K, NULL, got_index, got_score, NULL),
                 AIG_ERR_INVALID_ARGUMENT);
    /* A bad query in a batch fails the call before any work, and is named. */
    q_weights[q_ptr[5]] = -1;
    CHECK_STATUS(aig_index_batch_top_k(index, QUERIES, q_ptr, q_items, q_weights, NULL, K, 2,
                                       batch_index, batch_score),
                 AIG_ERR_INVALID_ARGUMENT);
    CHECK(strncmp(aig_last_error_pointer(), "/queries/5/", 11) == 0);
    q_weights[q_ptr[5]] = 1;
    q_filters[9].departement_count = 1;
    q_filters[9].departements = NULL;
    CHECK_STATUS(aig_index_batch_top_k(index, QUERIES, q_ptr, q_items, q_weights, q_filters, K, 2,
                                       batch_index, batch_score),
                 AIG_ERR_INVALID_ARGUMENT);
    CHECK(strncmp(aig_last_error_pointer(), "/queries/9/filters", 18) == 0);
  }
  aig_index_destroy(index);

  /* Bad entries: a NaN weight, an item twice, a latitude out of range, indptr decreasing. */
  {
    int64_t ptr[3] = {0, 2, 3};
    uint32_t items[3] = {1, 2, 1};
    double weights[3] = {1, 1, 1};
    double lat[2] = {45, 45};
    index = (aig_index*)&index;
    weights[1] = NAN;
    CHECK_STATUS(aig_index_build(2, ptr, items, weights, NULL, NULL, NULL, NULL, NULL, &index),
                 AIG_ERR_INVALID_ARGUMENT);
    CHECK(index == NULL);
    CHECK(strncmp(aig_last_error_pointer(), "/entries/0/", 11) == 0);
    weights[1] = 1;
    items[1] = 1;
    CHECK_STATUS(aig_index_build(2, ptr, items, weights, NULL, NULL, NULL, NULL, NULL, &index),
                 AIG_ERR_INVALID_ARGUMENT);
    CHECK(strncmp(aig_last_error_pointer(), "/entries/0/", 11) == 0);
    items[1] = 2;
    lat[1] = 91;
    CHECK_STATUS(aig_index_build(2, ptr, items, weights, lat, NULL, NULL, NULL, NULL, &index),
                 AIG_ERR_INVALID_ARGUMENT);
    CHECK(strncmp(aig_last_error_pointer(), "/entries/1/", 11) == 0);
    ptr[1] = 4;
    CHECK_STATUS(aig_index_build(2, ptr, items, weights, NULL, NULL, NULL, NULL, NULL, &index),
                 AIG_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(aig_last_error_pointer(), "/indptr/2") == 0);
    ptr[1] = 2;
    ptr[0] = 1;
    CHECK_STATUS(aig_index_build(2, ptr, items, weights, NULL, NULL, NULL, NULL, NULL, &index),
                 AIG_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(aig_index_build(2, NULL, items, weights, NULL, NULL, NULL, NULL, NULL, &index),
                 AIG_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(aig_index_build(2, ptr, items, weights, NULL, NULL, NULL, NULL, NULL, NULL),
                 AIG_ERR_INVALID_ARGUMENT);
    /* An empty index answers with nothing. */
    ptr[0] = 0;
    CHECK_STATUS(aig_index_build(0, ptr, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &index), AIG_OK);
    CHECK(aig_index_size(index) == 0);
    CHECK_STATUS(aig_index_top_k(index, items, weights, 1, 2, NULL, got_index, got_score, &found),
                 AIG_OK);
    CHECK(found == 0 && got_index[0] == -1 && got_index[1] == -1 && isnan(got_score[1]));
    aig_index_destroy(index);
  }
  CHECK(aig_index_size(NULL) == 0 && aig_index_nonzeros(NULL) == 0);
  aig_index_destroy(NULL);
}

/* ---- assignment ---- */

/* The optimum of a rows x cols problem (rows <= cols, both <= 6) by trying every injection;
 * forbidden pairs are infinite. Returns 0 when none is complete. */
static int brute_assignment(const double* c, int rows, int cols, int maximize, double* best) {
  int pick[6], used[6] = {0}, depth = 0, found = 0;
  pick[0] = -1;
  while (depth >= 0) {
    int j = pick[depth] + 1;
    if (pick[depth] >= 0) used[pick[depth]] = 0;
    while (j < cols && used[j]) ++j;
    if (j == cols) {
      pick[depth] = -1;
      --depth;
      continue;
    }
    pick[depth] = j;
    used[j] = 1;
    if (depth + 1 == rows) {
      double total = 0;
      int r, ok = 1;
      for (r = 0; r < rows; ++r) {
        const double v = c[r * cols + pick[r]];
        if (isinf(v)) ok = 0;
        total += v;
      }
      if (ok && (!found || (maximize ? total > *best : total < *best))) *best = total;
      found |= ok;
    } else {
      pick[++depth] = -1;
    }
  }
  return found;
}

static void test_assignment(void) {
  int trial;
  for (trial = 0; trial < 60; ++trial) {
    const int rows = 1 + (int)rnd(5), cols = rows + (int)rnd(2), maximize = trial % 2;
    double c[36], best = 0, total = NAN, check_total = 0;
    int64_t col_of_row[6], row_of_col[6], indptr[7];
    int32_t indices[36];
    double values[36];
    int r, j, feasible, n = 0, seen[6] = {0}, ok = 1;
    for (r = 0; r < rows * cols; ++r)
      c[r] = rnd(5) == 0 ? (maximize ? -INFINITY : INFINITY) : (double)rnd(100) / 4;
    feasible = brute_assignment(c, rows, cols, maximize, &best);
    if (!feasible) {
      CHECK_STATUS(
          aig_assign_dense(c, (size_t)rows, (size_t)cols, maximize, col_of_row, row_of_col, &total),
          AIG_ERR_INFEASIBLE);
    } else {
      CHECK_STATUS(
          aig_assign_dense(c, (size_t)rows, (size_t)cols, maximize, col_of_row, row_of_col, &total),
          AIG_OK);
      CHECK(total == best);
      for (r = 0; r < rows; ++r) {
        const int64_t col = col_of_row[r];
        if (col < 0 || col >= cols || seen[col] || row_of_col[col] != r) {
          ok = 0;
          continue;
        }
        seen[col] = 1;
        check_total += c[r * cols + col];
      }
      CHECK(ok && check_total == best);
    }
    /* The same problem as CSR: only the finite pairs are edges. */
    indptr[0] = 0;
    for (r = 0; r < rows; ++r) {
      for (j = 0; j < cols; ++j)
        if (!isinf(c[r * cols + j])) {
          indices[n] = j;
          values[n] = c[r * cols + j];
          ++n;
        }
      indptr[r + 1] = n;
    }
    CHECK_STATUS(aig_assign_sparse((size_t)rows, (size_t)cols, indptr, indices, values, maximize,
                                   col_of_row, NULL, &total),
                 feasible ? AIG_OK : AIG_ERR_INFEASIBLE);
    if (feasible) CHECK(total == best);
  }
  /* More rows than columns: every column assigned. */
  {
    const double c[6] = {4, 1, 2, 8, 3, 3}; /* 3 x 2 */
    int64_t col_of_row[3], row_of_col[2];
    double total = 0;
    CHECK_STATUS(aig_assign_dense(c, 3, 2, AIG_MINIMIZE, col_of_row, row_of_col, &total), AIG_OK);
    CHECK(total == 3); /* (row 0, col 1) + (row 1, col 0) */
    CHECK(col_of_row[0] == 1 && col_of_row[1] == 0 && col_of_row[2] == -1);
    CHECK(row_of_col[0] == 1 && row_of_col[1] == 0);
  }
  /* Bad input. */
  {
    double c[4] = {1, NAN, 2, 3};
    int64_t out[2], indptr[3] = {0, 1, 2};
    int32_t indices[2] = {0, 5};
    double values[2] = {1, 1};
    CHECK_STATUS(aig_assign_dense(c, 2, 2, AIG_MINIMIZE, out, NULL, NULL),
                 AIG_ERR_INVALID_ARGUMENT);
    c[1] = -INFINITY;
    CHECK_STATUS(aig_assign_dense(c, 2, 2, AIG_MINIMIZE, out, NULL, NULL),
                 AIG_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(aig_assign_dense(c, 2, 2, 7, out, NULL, NULL), AIG_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(aig_assign_dense(c, (size_t)-1, 2, AIG_MINIMIZE, out, NULL, NULL),
                 AIG_ERR_DIMENSION_MISMATCH);
    CHECK_STATUS(aig_assign_dense(NULL, 2, 2, AIG_MINIMIZE, out, NULL, NULL),
                 AIG_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(aig_assign_dense(NULL, 0, 0, AIG_MINIMIZE, NULL, NULL, NULL), AIG_OK);
    CHECK_STATUS(aig_assign_sparse(2, 2, indptr, indices, values, AIG_MINIMIZE, out, NULL, NULL),
                 AIG_ERR_INVALID_ARGUMENT);
    CHECK(strlen(aig_last_error_pointer()) > 0);
    indices[1] = 0;
    CHECK_STATUS(aig_assign_sparse(2, 2, indptr, indices, values, AIG_MINIMIZE, out, NULL, NULL),
                 AIG_ERR_INFEASIBLE);
    /* An offset past the edges, then back: refused before any edge is read. */
    indptr[1] = 9;
    CHECK_STATUS(aig_assign_sparse(2, 2, indptr, indices, values, AIG_MINIMIZE, out, NULL, NULL),
                 AIG_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(aig_last_error_pointer(), "/indptr/2") == 0);
    indptr[1] = 1;
    indptr[0] = 1;
    CHECK_STATUS(aig_assign_sparse(2, 2, indptr, indices, values, AIG_MINIMIZE, out, NULL, NULL),
                 AIG_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(aig_last_error_pointer(), "/indptr/0") == 0);
    CHECK_STATUS(aig_assign_sparse(2, 2, NULL, indices, values, AIG_MINIMIZE, out, NULL, NULL),
                 AIG_ERR_INVALID_ARGUMENT);
  }
}

/* Capacitated: the most pairs, then the cheapest, checked by trying every subset of edges. */
static void test_capacitated(void) {
  int trial;
  for (trial = 0; trial < 40; ++trial) {
    enum { P = 4, O = 3, E = 10 };
    uint32_t person[E], offer[E], positions[O];
    double cost[E], total = NAN, best_cost = 0;
    uint8_t chosen[E];
    const uint32_t cap = 1 + rnd(2);
    const int maximize = trial % 2;
    size_t n_chosen = 0;
    int e, o, best_count = 0;
    unsigned mask;
    for (o = 0; o < O; ++o) positions[o] = rnd(3);
    /* E distinct pairs out of the P x O: a shuffle of them, cut. */
    {
      int pairs[P * O], k;
      for (k = 0; k < P * O; ++k) pairs[k] = k;
      for (k = P * O - 1; k > 0; --k) {
        int j = (int)rnd((uint32_t)k + 1), t = pairs[k];
        pairs[k] = pairs[j];
        pairs[j] = t;
      }
      for (e = 0; e < E; ++e) {
        person[e] = (uint32_t)(pairs[e] / O);
        offer[e] = (uint32_t)(pairs[e] % O);
        cost[e] = (double)rnd(20) / 2;
      }
    }
    for (mask = 0; mask < (1u << E); ++mask) {
      int per_person[P] = {0}, per_offer[O] = {0}, count = 0, ok = 1, f;
      double c = 0;
      for (e = 0; e < E; ++e) {
        if (!(mask & (1u << e))) continue;
        ++per_person[person[e]];
        ++per_offer[offer[e]];
        c += cost[e];
        ++count;
      }
      for (f = 0; f < P; ++f) ok &= per_person[f] <= (int)cap;
      for (f = 0; f < O; ++f) ok &= per_offer[f] <= (int)positions[f];
      if (!ok) continue;
      if (count > best_count ||
          (count == best_count && (maximize ? c > best_cost : c < best_cost))) {
        best_count = count;
        best_cost = c;
      }
    }
    CHECK_STATUS(aig_assign_capacitated(P, O, positions, cap, E, person, offer, cost, maximize,
                                        chosen, &n_chosen, &total),
                 AIG_OK);
    CHECK((int)n_chosen == best_count);
    CHECK(total == best_cost);
    {
      double sum = 0;
      size_t count = 0;
      for (e = 0; e < E; ++e)
        if (chosen[e]) {
          sum += cost[e];
          ++count;
        }
      CHECK(count == n_chosen && sum == total);
    }
  }
  {
    uint32_t positions[1] = {1}, person[1] = {0}, offer[1] = {3};
    size_t n = 9;
    CHECK_STATUS(
        aig_assign_capacitated(1, 1, positions, 1, 1, person, offer, NULL, 0, NULL, &n, NULL),
        AIG_ERR_INVALID_ARGUMENT);
    offer[0] = 0;
    CHECK_STATUS(
        aig_assign_capacitated(1, 1, positions, 1, 1, person, offer, NULL, 0, NULL, &n, NULL),
        AIG_OK);
    CHECK(n == 1);
    CHECK_STATUS(aig_assign_capacitated(1, 1, NULL, 1, 1, person, offer, NULL, 0, NULL, &n, NULL),
                 AIG_ERR_INVALID_ARGUMENT);
  }
  {
    uint32_t positions[1] = {2}, person[2] = {0, 0}, offer[2] = {0, 0};
    CHECK_STATUS(
        aig_assign_capacitated(1, 1, positions, 2, 2, person, offer, NULL, 0, NULL, NULL, NULL),
        AIG_ERR_INVALID_ARGUMENT);
    CHECK(strstr(aig_last_error_message(), "duplicate") != NULL);
  }
}

/* Stable matching: the result is stable and the proposing side's best among every stable
 * matching, all of them enumerated here. */
enum { SP = 4, SO = 3 };
static int s_rank_p[SP][SO], s_rank_o[SO][SP]; /* position in the list, -1 when not listed */
static uint32_t s_cap[SO];

static int stable(const int64_t* m) {
  int p, o;
  for (p = 0; p < SP; ++p)
    for (o = 0; o < SO; ++o) {
      int held = 0, worst = -1, q;
      if (s_rank_p[p][o] < 0 || s_rank_o[o][p] < 0 || m[p] == o) continue;
      if (m[p] >= 0 && s_rank_p[p][m[p]] < s_rank_p[p][o]) continue; /* p prefers its own */
      for (q = 0; q < SP; ++q)
        if (m[q] == o) {
          ++held;
          if (worst < 0 || s_rank_o[o][q] > s_rank_o[o][worst]) worst = q;
        }
      if (held < (int)s_cap[o] || s_rank_o[o][p] < s_rank_o[o][worst]) return 0;
    }
  return 1;
}

static void test_stable_matching(void) {
  int trial;
  for (trial = 0; trial < 40; ++trial) {
    int64_t p_ptr[SP + 1], o_ptr[SO + 1], got[SP], m[SP];
    uint32_t p_prefs[SP * SO], o_prefs[SO * SP];
    int p, o, n = 0, proposing = trial % 2, code, count[SO];
    long combos = 1, c;
    for (p = 0; p < SP; ++p) combos *= SO + 1;
    /* Random lists: a random order, truncated at random. */
    p_ptr[0] = 0;
    for (p = 0; p < SP; ++p) {
      for (o = 0; o < SO; ++o) s_rank_p[p][o] = -1;
      for (o = 0; o < SO; ++o) {
        uint32_t pick = rnd(SO);
        if (s_rank_p[p][pick] >= 0 || rnd(4) == 0) continue;
        s_rank_p[p][pick] = (int)(n - p_ptr[p]);
        p_prefs[n++] = pick;
      }
      p_ptr[p + 1] = n;
    }
    n = 0;
    o_ptr[0] = 0;
    for (o = 0; o < SO; ++o) {
      s_cap[o] = 1 + rnd(2);
      for (p = 0; p < SP; ++p) s_rank_o[o][p] = -1;
      for (p = 0; p < SP; ++p) {
        uint32_t pick = rnd(SP);
        if (s_rank_o[o][pick] >= 0 || rnd(4) == 0) continue;
        s_rank_o[o][pick] = (int)(n - o_ptr[o]);
        o_prefs[n++] = pick;
      }
      o_ptr[o + 1] = n;
    }
    CHECK_STATUS(aig_stable_match(SP, p_ptr, p_prefs, SO, o_ptr, o_prefs, s_cap, proposing, got),
                 AIG_OK);
    CHECK(stable(got));
    /* Every matching (each person: an offer or none) that respects lists and capacities. */
    for (c = 0; c < combos; ++c) {
      long x = c;
      int ok = 1;
      for (o = 0; o < SO; ++o) count[o] = 0;
      for (p = 0; p < SP; ++p) {
        m[p] = (int64_t)(x % (SO + 1)) - 1;
        x /= SO + 1;
        if (m[p] >= 0) {
          ok &= s_rank_p[p][m[p]] >= 0 && s_rank_o[m[p]][p] >= 0;
          ++count[m[p]];
        }
      }
      for (o = 0; o < SO; ++o) ok &= count[o] <= (int)s_cap[o];
      if (!ok || !stable(m)) continue;
      /* The result is at least as good for every member of the proposing side. */
      if (proposing == AIG_PERSONS_PROPOSE) {
        for (p = 0; p < SP; ++p)
          if (m[p] >= 0) CHECK(got[p] >= 0 && s_rank_p[p][got[p]] <= s_rank_p[p][m[p]]);
      } else {
        /* Offers proposing: persons get their worst stable partner. */
        for (p = 0; p < SP; ++p)
          if (got[p] >= 0) CHECK(m[p] >= 0 && s_rank_p[p][m[p]] <= s_rank_p[p][got[p]]);
      }
    }
    code = aig_stable_match(SP, p_ptr, p_prefs, SO, o_ptr, o_prefs, s_cap, 5, got);
    CHECK(code == AIG_ERR_INVALID_ARGUMENT);
  }
  {
    int64_t p_ptr[2] = {0, 1}, o_ptr[2] = {0, 1}, got[1];
    uint32_t p_prefs[1] = {4}, o_prefs[1] = {0}, cap[1] = {1};
    CHECK_STATUS(aig_stable_match(1, p_ptr, p_prefs, 1, o_ptr, o_prefs, cap, 0, got),
                 AIG_ERR_INVALID_ARGUMENT);
    p_prefs[0] = 0;
    CHECK_STATUS(aig_stable_match(1, p_ptr, p_prefs, 1, o_ptr, o_prefs, cap, 0, got), AIG_OK);
    CHECK(got[0] == 0);
    p_ptr[0] = 1;
    CHECK_STATUS(aig_stable_match(1, p_ptr, p_prefs, 1, o_ptr, o_prefs, cap, 0, got),
                 AIG_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(aig_last_error_pointer(), "/person_indptr/0") == 0);
    CHECK_STATUS(aig_stable_match(1, NULL, p_prefs, 1, o_ptr, o_prefs, cap, 0, got),
                 AIG_ERR_INVALID_ARGUMENT);
  }
}

/* ---- banks: the exact top-k by the full score ---- */

/* A string member ("key": "value") of a JSON Lines document into out ("" when absent). */
static void doc_string(const char* doc, const char* key, char* out, size_t size) {
  char pattern[64];
  const char* at;
  size_t n = 0;
  snprintf(pattern, sizeof pattern, "\"%s\": \"", key);
  out[0] = '\0';
  at = strstr(doc, pattern);
  if (!at) return;
  at += strlen(pattern);
  while (at[n] && at[n] != '"' && n + 1 < size) ++n;
  memcpy(out, at, n);
  out[n] = '\0';
}

/* The distance from profile p to offer o, from their coordinates; NaN when one has none. */
static double pair_km(int p, int o) {
  const double plat = json_number(profile_lines[p], "latitude"),
               plon = json_number(profile_lines[p], "longitude"),
               olat = json_number(offer_lines[o], "latitude"),
               olon = json_number(offer_lines[o], "longitude");
  return haversine(plat, plon, olat, olon);
}

static void test_offer_bank(void) {
  aig_offer_bank* bank = (aig_offer_bank*)&bank;
  aig_profiles* profiles = NULL;
  ranked rows[MAX_DOCS];
  int64_t idx[MAX_DOCS], batch_idx[MAX_DOCS * 5];
  double sc[MAX_DOCS], batch_sc[MAX_DOCS * 5];
  const char* cdi[1] = {"CDI"};
  const char* north[2] = {"59", "02"};
  aig_match_filters filters;
  size_t found;
  int p, i, compared = 0;
  CHECK_STATUS(aig_offer_bank_create(ref, offers, scoring, &bank), AIG_OK);
  if (!bank) return;
  CHECK(aig_offer_bank_size(bank) == (size_t)n_offer_lines);
  for (p = 0; p < n_profile_lines; ++p) {
    int variant;
    rank_offers(p, rows);
    /* No filter, a contract type, a distance, départements: the sorted scores of every pair,
     * filtered here (an offer's département is the "NN - " prefix of its place label). */
    for (variant = 0; variant < 4; ++variant) {
      int want = 0, r;
      int64_t want_idx[MAX_DOCS];
      double want_sc[MAX_DOCS];
      memset(&filters, 0, sizeof filters);
      if (variant == 1) {
        filters.contract_types = cdi;
        filters.contract_type_count = 1;
      }
      if (variant == 2) {
        filters.has_max_km = 1;
        filters.max_km = 25;
      }
      if (variant == 3) {
        filters.departements = north;
        filters.departement_count = 2;
      }
      for (r = 0; r < n_offer_lines; ++r) {
        char contract[16];
        if (rows[r].excluded) continue;
        doc_string(offer_lines[rows[r].offer], "typeContrat", contract, sizeof contract);
        if (variant == 1 && strcmp(contract, "CDI") != 0) continue;
        if (variant == 2 && !(pair_km(p, rows[r].offer) <= 25)) continue;
        if (variant == 3) {
          const char* place =
              strstr(offer_lines[rows[r].offer], "\"lieuTravail\": {\"libelle\": \"");
          if (!place ||
              (strncmp(place + 28, "59 - ", 5) != 0 && strncmp(place + 28, "02 - ", 5) != 0))
            continue;
        }
        want_idx[want] = rows[r].offer;
        want_sc[want] = rows[r].score;
        ++want;
      }
      CHECK_STATUS(aig_offer_bank_top(bank, profile_lines[p], (size_t)n_offer_lines, &filters, idx,
                                      sc, &found),
                   AIG_OK);
      CHECK(found == (size_t)want);
      for (i = 0; i < want && i < (int)found; ++i)
        CHECK(idx[i] == want_idx[i] && sc[i] == want_sc[i]);
      for (i = (int)found; i < n_offer_lines; ++i) CHECK(idx[i] == -1 && isnan(sc[i]));
      compared += want;
    }
    /* k smaller than the list: its head. */
    CHECK_STATUS(aig_offer_bank_top(bank, profile_lines[p], 3, NULL, idx, sc, &found), AIG_OK);
    for (i = 0; i < (int)found; ++i) CHECK(idx[i] == rows[i].offer && !rows[i].excluded);
    /* JSON Lines: one line per offer, best first, with the reasons' words. */
    CHECK_STATUS(aig_offer_bank_top_json(bank, profile_lines[p], 3, NULL, "fr", big, BIG, NULL),
                 AIG_OK);
    {
      const char* line = big;
      for (i = 0; i < (int)found; ++i) {
        char want[96];
        snprintf(want, sizeof want, "\"offer_id\":\"%s\",\"index\":%d,\"rank\":%d", rows[i].id,
                 rows[i].offer, i + 1);
        CHECK(line && strstr(line, want) != NULL && strstr(line, want) < strchr(line, '\n'));
        CHECK(line && strstr(line, "\"text\":\"") != NULL);
        line = line ? strchr(line, '\n') : NULL;
        if (line) ++line;
      }
      CHECK(line && *line == '\0');
    }
  }
  CHECK(compared > 20);

  /* The batch, on 3 threads, equals the queries one by one. */
  CHECK_STATUS(aig_profiles_load_jsonl(ref, profiles_text, (size_t)-1, &profiles), AIG_OK);
  memset(&filters, 0, sizeof filters);
  filters.contract_types = cdi;
  filters.contract_type_count = 1;
  CHECK_STATUS(aig_offer_bank_top_batch(bank, profiles, 5, &filters, 3, batch_idx, batch_sc),
               AIG_OK);
  for (p = 0; p < n_profile_lines; ++p) {
    CHECK_STATUS(aig_offer_bank_top(bank, profile_lines[p], 5, &filters, idx, sc, NULL), AIG_OK);
    CHECK(memcmp(idx, batch_idx + p * 5, 5 * sizeof *idx) == 0);
    for (i = 0; i < 5; ++i)
      CHECK(sc[i] == batch_sc[p * 5 + i] || (isnan(sc[i]) && isnan(batch_sc[p * 5 + i])));
  }

  /* Bad input. */
  CHECK_STATUS(aig_offer_bank_top(bank, profile_lines[0], 0, NULL, idx, sc, &found),
               AIG_ERR_INVALID_ARGUMENT);
  memset(&filters, 0, sizeof filters);
  filters.has_max_km = 1;
  filters.max_km = -1;
  CHECK_STATUS(aig_offer_bank_top(bank, profile_lines[0], 3, &filters, idx, sc, &found),
               AIG_ERR_INVALID_ARGUMENT);
  filters.max_km = NAN;
  CHECK_STATUS(aig_offer_bank_top_json(bank, profile_lines[0], 3, &filters, "fr", big, BIG, NULL),
               AIG_ERR_INVALID_ARGUMENT);
  memset(&filters, 0, sizeof filters);
  filters.departement_count = 1;
  CHECK_STATUS(aig_offer_bank_top(bank, profile_lines[0], 3, &filters, idx, sc, &found),
               AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_offer_bank_top(bank,
                                  "{\"schema\": \"aiguillage.profile\", \"schema_version\": "
                                  "\"1.0\", \"id\": \"X\", \"rqth\": 1}",
                                  3, NULL, idx, sc, &found),
               AIG_ERR_TYPE_MISMATCH);
  CHECK(strcmp(aig_last_error_pointer(), "/profile/rqth") == 0);
  CHECK_STATUS(aig_offer_bank_top(bank, profile_lines[0], 3, NULL, NULL, sc, &found),
               AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_offer_bank_top(NULL, profile_lines[0], 3, NULL, idx, sc, &found),
               AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_offer_bank_top_json(bank, profile_lines[0], 3, NULL, "de", big, BIG, NULL),
               AIG_ERR_INVALID_ARGUMENT);
  {
    char small[8];
    size_t needed = 0;
    CHECK_STATUS(aig_offer_bank_top_json(bank, profile_lines[0], 3, NULL, "en", small, sizeof small,
                                         &needed),
                 AIG_ERR_BUFFER_TOO_SMALL);
    CHECK(needed > sizeof small && strlen(small) == sizeof small - 1);
  }
  CHECK_STATUS(aig_offer_bank_top_batch(bank, NULL, 5, NULL, 1, batch_idx, batch_sc),
               AIG_ERR_INVALID_ARGUMENT);
  {
    aig_referential* other = NULL;
    aig_profiles* foreign = NULL;
    aig_offer_bank* b2 = (aig_offer_bank*)&b2;
    CHECK_STATUS(aig_referential_load(rome_dir, NULL, &other), AIG_OK);
    CHECK_STATUS(aig_profiles_load_jsonl(other, profiles_text, (size_t)-1, &foreign), AIG_OK);
    CHECK_STATUS(aig_offer_bank_top_batch(bank, foreign, 5, NULL, 1, batch_idx, batch_sc),
                 AIG_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(aig_offer_bank_create(other, offers, scoring, &b2), AIG_ERR_INVALID_ARGUMENT);
    CHECK(b2 == NULL);
    aig_profiles_destroy(foreign);
    aig_referential_destroy(other);
  }
  /* One pair explained through the bank (no cohort scoring) is the explanation among every
   * offer, byte for byte; an excluded pair too (ranked by scoring the offers). */
  {
    char* want = (char*)malloc(BIG);
    int explained = 0;
    for (p = 0; p < n_profile_lines && want; ++p) {
      rank_offers(p, rows);
      for (i = 0; i < n_offer_lines; i += 7) {
        CHECK_STATUS(
            aig_match_explain_json(ref, scoring, profile_lines[p], offer_lines[rows[i].offer],
                                   offers, "en", 0, want, BIG, NULL),
            AIG_OK);
        CHECK_STATUS(aig_offer_bank_explain(bank, profile_lines[p], (size_t)rows[i].offer, NULL,
                                            "en", 0, "json", big, BIG, NULL),
                     AIG_OK);
        CHECK(strcmp(big, want) == 0);
        ++explained;
      }
    }
    CHECK(explained > 20);
    free(want);
    CHECK_STATUS(aig_offer_bank_explain(bank, profile_lines[0], (size_t)n_offer_lines, NULL, "fr",
                                        0, "json", big, BIG, NULL),
                 AIG_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(
        aig_offer_bank_explain(bank, profile_lines[0], 0, NULL, "fr", 0, "xml", big, BIG, NULL),
        AIG_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(aig_last_error_pointer(), "/format") == 0);
  }
  aig_offer_bank_destroy(bank);
  bank = (aig_offer_bank*)&bank;
  CHECK_STATUS(aig_offer_bank_create(ref, NULL, scoring, &bank), AIG_ERR_INVALID_ARGUMENT);
  CHECK(bank == NULL);
  CHECK(aig_offer_bank_size(NULL) == 0);
  aig_offer_bank_destroy(NULL);
  aig_profiles_destroy(profiles);
}

static void test_profile_bank(void) {
  aig_profile_bank* bank = (aig_profile_bank*)&bank;
  aig_profiles* profiles = NULL;
  int64_t idx[MAX_DOCS], batch_idx[MAX_DOCS * 4];
  double sc[MAX_DOCS], batch_sc[MAX_DOCS * 4];
  size_t found;
  int o, i, listed = 0;
  CHECK_STATUS(aig_profiles_load_jsonl(ref, profiles_text, (size_t)-1, &profiles), AIG_OK);
  CHECK_STATUS(aig_profile_bank_create(ref, profiles, NULL, &bank), AIG_OK);
  /* The bank copied the documents: the set may go. */
  aig_profiles_destroy(profiles);
  profiles = NULL;
  if (!bank) return;
  CHECK(aig_profile_bank_size(bank) == (size_t)n_profile_lines);
  for (o = 0; o < n_offer_lines; ++o) {
    ranked rows[MAX_DOCS];
    int p, want = 0;
    score_pairs(); /* the default scoring is the bank's: test_score checks they agree */
    for (p = 0; p < n_profile_lines; ++p) {
      rows[p].excluded = pair_excluded[p][o];
      rows[p].score = pair_score[p][o];
      doc_id(profile_lines[p], rows[p].id, sizeof rows[p].id);
      rows[p].offer = p; /* here: the profile's index */
    }
    qsort(rows, (size_t)n_profile_lines, sizeof *rows, compare_ranked);
    while (want < n_profile_lines && !rows[want].excluded) ++want;
    CHECK_STATUS(
        aig_profile_bank_top(bank, offer_lines[o], (size_t)n_profile_lines, NULL, idx, sc, &found),
        AIG_OK);
    CHECK(found == (size_t)want);
    for (i = 0; i < want && i < (int)found; ++i)
      CHECK(idx[i] == rows[i].offer && sc[i] == rows[i].score);
    listed += want;
    /* Each listed person explained through the bank: their rank and score; the employer's
     * text in labels. */
    for (i = 0; i < want; i += 2) {
      const char* cohort;
      CHECK_STATUS(aig_profile_bank_explain(bank, offer_lines[o], (size_t)rows[i].offer, NULL, "fr",
                                            0, "json", big, BIG, NULL),
                   AIG_OK);
      cohort = strstr(big, "\"cohort\":");
      CHECK(cohort && strncmp(cohort, "\"cohort\":{\"kind\":\"profiles_for_offer\"", 37) == 0);
      CHECK(cohort && json_number(cohort, "rank") == i + 1);
      CHECK(cohort && json_number(cohort, "size") == n_profile_lines);
      CHECK(json_number(big, "score") == rows[i].score);
      CHECK_STATUS(aig_profile_bank_explain(bank, offer_lines[o], (size_t)rows[i].offer, NULL, "en",
                                            0, "employer", big, BIG, NULL),
                   AIG_OK);
      CHECK(strncmp(big, "Offer ", 6) == 0 && strstr(big, rows[i].id) != NULL);
    }
    CHECK_STATUS(aig_profile_bank_top_json(bank, offer_lines[o], 2, NULL, "en", big, BIG, NULL),
                 AIG_OK);
    if (want > 0) {
      char first[96];
      snprintf(first, sizeof first, "{\"profile_id\":\"%s\"", rows[0].id);
      CHECK(strncmp(big, first, strlen(first)) == 0);
    } else {
      CHECK(big[0] == '\0');
    }
  }
  CHECK(listed > 0);
  CHECK_STATUS(aig_profile_bank_top_batch(bank, offers, 4, NULL, 2, batch_idx, batch_sc), AIG_OK);
  for (o = 0; o < n_offer_lines; ++o) {
    CHECK_STATUS(aig_profile_bank_top(bank, offer_lines[o], 4, NULL, idx, sc, NULL), AIG_OK);
    CHECK(memcmp(idx, batch_idx + o * 4, 4 * sizeof *idx) == 0);
  }
  CHECK_STATUS(
      aig_profile_bank_top(bank, "{\"id\": \"O\", \"nombrePostes\": 0}", 3, NULL, idx, sc, &found),
      AIG_ERR_OUT_OF_BOUNDS);
  CHECK(strcmp(aig_last_error_pointer(), "/offer/nombrePostes") == 0);
  CHECK_STATUS(aig_profile_bank_top(bank, offer_lines[0], 0, NULL, idx, sc, &found),
               AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_profile_bank_top_batch(bank, offers, 0, NULL, 1, batch_idx, batch_sc),
               AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_profile_bank_top_json(NULL, offer_lines[0], 3, NULL, "fr", big, BIG, NULL),
               AIG_ERR_INVALID_ARGUMENT);
  aig_profile_bank_destroy(bank);
  bank = (aig_profile_bank*)&bank;
  CHECK_STATUS(aig_profile_bank_create(ref, NULL, NULL, &bank), AIG_ERR_INVALID_ARGUMENT);
  CHECK(bank == NULL);
  CHECK(aig_profile_bank_size(NULL) == 0);
  aig_profile_bank_destroy(NULL);
}

/* ---- damaged documents: a status, never a crash, and a set never loses its good lines ---- */

static void damage(char* text) {
  const size_t n = strlen(text);
  int edits = 1 + (int)rnd(3), k;
  static const char bytes[] = "{}[]\",:0-9eE.tnu \\\xc3";
  for (k = 0; k < edits && n > 0; ++k) {
    const size_t at = rnd((uint32_t)n);
    switch (rnd(3)) {
      case 0:
        text[at] = bytes[rnd((uint32_t)(sizeof bytes - 1))];
        break;
      case 1:
        text[at] = '\0'; /* cut short */
        return;
      default:
        memmove(text + at, text + at + 1, n - at); /* one byte less */
        break;
    }
  }
}

static void test_damaged_documents(void) {
  int trial, bad_calls = 0;
  char* profile = (char*)malloc(BIG);
  char* offer = (char*)malloc(BIG);
  for (trial = 0; trial < 400; ++trial) {
    aig_status st;
    strcpy(profile, profile_lines[rnd((uint32_t)n_profile_lines)]);
    strcpy(offer, offer_lines[rnd((uint32_t)n_offer_lines)]);
    damage(trial % 2 ? profile : offer);
    st = aig_match_score_json(ref, scoring, profile, offer, big, BIG, NULL);
    if (st != AIG_OK) {
      ++bad_calls;
      CHECK(st < 0 && aig_last_error_message()[0] != '\0');
      CHECK(strncmp(aig_last_error_pointer(), trial % 2 ? "/profile" : "/offer",
                    trial % 2 ? 8 : 6) == 0);
    }
  }
  CHECK(bad_calls > 100);
  /* A damaged set keeps every line it can read: good + rejected = every non-blank line. */
  for (trial = 0; trial < 20; ++trial) {
    aig_offers* o = NULL;
    char* text = (char*)malloc(strlen(offers_text) + 1);
    char* lines[MAX_DOCS];
    int k, n, nonblank = 0;
    strcpy(text, offers_text);
    for (k = 0; k < 5; ++k) {
      /* damage a random line, leaving its newline */
      char* at = text + rnd((uint32_t)strlen(text));
      if (*at != '\n') *at = "{}\",:x"[rnd(6)];
    }
    CHECK_STATUS(aig_offers_load_jsonl(ref, text, (size_t)-1, &o), AIG_OK);
    n = split_lines(text, lines, MAX_DOCS);
    for (k = 0; k < n; ++k)
      if (strspn(lines[k], " \t\r") != strlen(lines[k])) ++nonblank;
    CHECK(aig_offers_count(o) + aig_offers_error_count(o) == (size_t)nonblank);
    aig_offers_destroy(o);
    free(text);
  }
  free(profile);
  free(offer);
}

int main(void) {
  char path[1024];
  source_path(rome_dir, sizeof rome_dir, "data/rome-subset");
  big = (char*)malloc(BIG);
  source_path(path, sizeof path, "examples/data/offers-subset.jsonl");
  offers_text = read_text(path);
  source_path(path, sizeof path, "examples/data/profiles-subset.jsonl");
  profiles_text = read_text(path);
  if (!big || !offers_text || !profiles_text) {
    fprintf(stderr, "cannot read the example data under %s\n", source_dir());
    return 1;
  }
  CHECK_STATUS(aig_referential_load(rome_dir, NULL, &ref), AIG_OK);
  source_path(path, sizeof path, "rules/matching/scoring-default.json");
  CHECK_STATUS(aig_scoring_load_file(path, &scoring), AIG_OK);
  CHECK_STATUS(aig_offers_load_jsonl(ref, offers_text, (size_t)-1, &offers), AIG_OK);
  /* The lines are split in copies; the loaded set keeps its own documents. */
  {
    char* o = (char*)malloc(strlen(offers_text) + 1);
    char* p = (char*)malloc(strlen(profiles_text) + 1);
    strcpy(o, offers_text);
    strcpy(p, profiles_text);
    n_offer_lines = split_lines(o, offer_lines, MAX_DOCS);
    n_profile_lines = split_lines(p, profile_lines, MAX_DOCS);
  }
  if (!ref || !scoring || !offers) return 1;

  RUN(test_codes);
  RUN(test_referential);
  RUN(test_scoring);
  RUN(test_document_sets);
  RUN(test_score);
  RUN(test_explain);
  RUN(test_offer_bank);
  RUN(test_profile_bank);
  RUN(test_damaged_documents);
  RUN(test_retrieval);
  RUN(test_assignment);
  RUN(test_capacitated);
  RUN(test_stable_matching);

  aig_offers_destroy(offers);
  aig_scoring_destroy(scoring);
  aig_referential_destroy(ref);
  free(offer_lines[0]);
  free(profile_lines[0]);
  free(offers_text);
  free(profiles_text);
  free(big);
  if (check_failures) fprintf(stderr, "%d check(s) failed\n", check_failures);
  return check_failures ? 1 : 0;
}
