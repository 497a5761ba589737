/* Bank files through the C API: aig_offer_bank_save / _load and aig_profile_bank_save / _load
 * give banks that answer as the banks saved; a damaged file, a file of the other kind and a
 * missing file give their pinned codes. */
#include "aiguillage.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static aig_referential* ref = NULL;
static char* offers_text = NULL;
static char* profiles_text = NULL;
static char offer_file[1200], person_file[1200];

static void temp_path(char* out, size_t size, const char* name) {
  const char* dir = getenv("AIG_TEST_TMP");
  snprintf(out, size, "%s/c-api-bank-%s", dir && *dir ? dir : "/tmp", name);
}

/* The first bytes of the file at `from`, written to `to`. */
static int copy_prefix(const char* from, const char* to, long keep) {
  FILE* in = fopen(from, "rb");
  FILE* out = fopen(to, "wb");
  long i;
  int c;
  if (!in || !out) {
    if (in) fclose(in);
    if (out) fclose(out);
    return 0;
  }
  for (i = 0; i < keep && (c = fgetc(in)) != EOF; ++i) fputc(c, out);
  fclose(in);
  fclose(out);
  return 1;
}

static void test_offer_bank_file(void) {
  aig_offers* offers = NULL;
  aig_profiles* profiles = NULL;
  aig_offer_bank *bank = NULL, *loaded = (aig_offer_bank*)&loaded;
  int64_t want_idx[64 * 5], got_idx[64 * 5];
  double want_sc[64 * 5], got_sc[64 * 5];
  size_t p, n_profiles;
  char cut[1200];
  CHECK_STATUS(aig_offers_load_jsonl(ref, offers_text, (size_t)-1, &offers), AIG_OK);
  CHECK_STATUS(aig_profiles_load_jsonl(ref, profiles_text, (size_t)-1, &profiles), AIG_OK);
  CHECK_STATUS(aig_offer_bank_create(ref, offers, NULL, &bank), AIG_OK);
  if (!bank || !profiles) return;
  CHECK_STATUS(aig_offer_bank_save(bank, offer_file), AIG_OK);
  CHECK_STATUS(aig_offer_bank_load(ref, offer_file, 2, &loaded), AIG_OK);
  if (!loaded) return;
  CHECK(aig_offer_bank_size(loaded) == aig_offer_bank_size(bank));
  n_profiles = aig_profiles_count(profiles);
  CHECK(n_profiles > 0 && n_profiles <= 64);
  /* Every profile's top 5 from both banks: the same offers and the same scores, bit for bit
   * (positions past the hits are -1 and NaN in both). */
  CHECK_STATUS(aig_offer_bank_top_batch(bank, profiles, 5, NULL, 1, want_idx, want_sc), AIG_OK);
  CHECK_STATUS(aig_offer_bank_top_batch(loaded, profiles, 5, NULL, 2, got_idx, got_sc), AIG_OK);
  for (p = 0; p < n_profiles * 5; ++p) {
    CHECK(want_idx[p] == got_idx[p]);
    CHECK(memcmp(&want_sc[p], &got_sc[p], sizeof want_sc[p]) == 0);
  }
  aig_offer_bank_destroy(loaded);
  /* Truncated: corrupt; the other kind: stale; missing: I/O; NULL arguments: invalid. */
  temp_path(cut, sizeof cut, "cut.aigbank");
  CHECK(copy_prefix(offer_file, cut, 300));
  loaded = (aig_offer_bank*)&loaded;
  CHECK_STATUS(aig_offer_bank_load(ref, cut, 1, &loaded), AIG_ERR_BANK_FILE_CORRUPT);
  CHECK(loaded == NULL);
  CHECK(strstr(aig_last_error_message(), "truncated") != NULL);
  {
    aig_profile_bank* other = (aig_profile_bank*)&other;
    CHECK_STATUS(aig_profile_bank_load(ref, offer_file, 1, &other), AIG_ERR_CACHE_STALE);
    CHECK(other == NULL);
  }
  temp_path(cut, sizeof cut, "absent.aigbank");
  CHECK_STATUS(aig_offer_bank_load(ref, cut, 1, &loaded), AIG_ERR_IO);
  CHECK_STATUS(aig_offer_bank_load(NULL, offer_file, 1, &loaded), AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_offer_bank_save(NULL, offer_file), AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_offer_bank_save(bank, NULL), AIG_ERR_INVALID_ARGUMENT);
  aig_offer_bank_destroy(bank);
  aig_offers_destroy(offers);
  aig_profiles_destroy(profiles);
}

static void test_profile_bank_file(void) {
  aig_profiles* profiles = NULL;
  aig_offers* offers = NULL;
  aig_profile_bank *bank = NULL, *loaded = NULL;
  CHECK_STATUS(aig_profiles_load_jsonl(ref, profiles_text, (size_t)-1, &profiles), AIG_OK);
  CHECK_STATUS(aig_offers_load_jsonl(ref, offers_text, (size_t)-1, &offers), AIG_OK);
  CHECK_STATUS(aig_profile_bank_create(ref, profiles, NULL, &bank), AIG_OK);
  if (!bank || !offers) return;
  CHECK_STATUS(aig_profile_bank_save(bank, person_file), AIG_OK);
  CHECK_STATUS(aig_profile_bank_load(ref, person_file, 0, &loaded), AIG_OK);
  if (!loaded) return;
  CHECK(aig_profile_bank_size(loaded) == aig_profile_bank_size(bank));
  {
    size_t i, n = aig_offers_count(offers);
    int64_t a_idx[64 * 4], b_idx[64 * 4];
    double a_sc[64 * 4], b_sc[64 * 4];
    CHECK(n > 0 && n <= 64);
    CHECK_STATUS(aig_profile_bank_top_batch(bank, offers, 4, NULL, 1, a_idx, a_sc), AIG_OK);
    CHECK_STATUS(aig_profile_bank_top_batch(loaded, offers, 4, NULL, 2, b_idx, b_sc), AIG_OK);
    for (i = 0; i < n * 4; ++i) {
      CHECK(a_idx[i] == b_idx[i]);
      CHECK(memcmp(&a_sc[i], &b_sc[i], sizeof a_sc[i]) == 0);
    }
  }
  aig_profile_bank_destroy(loaded);
  aig_profile_bank_destroy(bank);
  aig_profiles_destroy(profiles);
  aig_offers_destroy(offers);
}

int main(void) {
  char path[1024], rome_dir[1024];
  source_path(rome_dir, sizeof rome_dir, "data/rome-subset");
  source_path(path, sizeof path, "examples/data/offers-subset.jsonl");
  offers_text = read_text(path);
  source_path(path, sizeof path, "examples/data/profiles-subset.jsonl");
  profiles_text = read_text(path);
  if (!offers_text || !profiles_text) return 1;
  CHECK_STATUS(aig_referential_load(rome_dir, NULL, &ref), AIG_OK);
  if (!ref) return 1;
  temp_path(offer_file, sizeof offer_file, "offers.aigbank");
  temp_path(person_file, sizeof person_file, "persons.aigbank");
  RUN(test_offer_bank_file);
  RUN(test_profile_bank_file);
  aig_referential_destroy(ref);
  free(offers_text);
  free(profiles_text);
  remove(offer_file);
  remove(person_file);
  return check_failures == 0 ? 0 : 1;
}
