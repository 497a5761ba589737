/* A portal-style program over the C API: loads a ROME referential, a scoring configuration and
 * job offers, reads persons' profiles as JSON Lines, and prints each person's best offers with
 * the principal reasons in French.
 *
 *   match ROME_DIR OFFERS.jsonl PROFILES.jsonl SCORING.json [TOP]
 */
#include <aiguillage.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char* read_file(const char* path) {
  FILE* f = fopen(path, "rb");
  char* text;
  long n;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  text = (char*)malloc((size_t)n + 1);
  if (text && fread(text, 1, (size_t)n, f) != (size_t)n) {
    free(text);
    text = NULL;
  }
  if (text) text[n] = '\0';
  fclose(f);
  return text;
}

/* Splits a text into its lines in place; lines[k] is line k + 1 (blank lines included). */
static size_t split_lines(char* text, char** lines, size_t max) {
  size_t n = 0;
  char* line = text;
  while (line && *line && n < max) {
    char* end = strchr(line, '\n');
    if (end) *end = '\0';
    lines[n++] = line;
    line = end ? end + 1 : NULL;
  }
  return n;
}

static int fail(const char* what) {
  fprintf(stderr, "%s: %s (%s) at \"%s\"\n", what, aig_last_error_message(),
          aig_status_str(aig_last_error_code()), aig_last_error_pointer());
  return 1;
}

enum { MAX_LINES = 100000 };

int main(int argc, char** argv) {
  aig_referential* ref = NULL;
  aig_scoring* scoring = NULL;
  aig_offers* offers = NULL;
  aig_profiles* profiles = NULL;
  aig_offer_bank* bank = NULL;
  char *offers_text, *profiles_text;
  char** offer_lines;
  char** profile_lines;
  char* buf;
  size_t buf_size = 1 << 16, n_profile_lines, p, shown = 0, people = 0, top = 3;
  int64_t* hit_index;
  double* hit_score;

  if (argc < 5) {
    fprintf(stderr, "usage: match ROME_DIR OFFERS.jsonl PROFILES.jsonl SCORING.json [TOP]\n");
    return 2;
  }
  if (argc > 5) top = (size_t)strtoul(argv[5], NULL, 10);
  if (top == 0) top = 3;

  if (aig_referential_load(argv[1], NULL, &ref) != AIG_OK) return fail("referential");
  if (aig_scoring_load_file(argv[4], &scoring) != AIG_OK) return fail("scoring");
  offers_text = read_file(argv[2]);
  profiles_text = read_file(argv[3]);
  if (!offers_text || !profiles_text) {
    fprintf(stderr, "cannot read %s or %s\n", argv[2], argv[3]);
    return 1;
  }
  if (aig_offers_load_jsonl(ref, offers_text, (size_t)-1, &offers) != AIG_OK) return fail("offers");
  if (aig_profiles_load_jsonl(ref, profiles_text, (size_t)-1, &profiles) != AIG_OK)
    return fail("profiles");
  /* The offers, indexed once for every person's query. */
  if (aig_offer_bank_create(ref, offers, scoring, &bank) != AIG_OK) return fail("offer bank");

  /* The documents' own lines, to give each explanation the offer and the person as read. */
  offer_lines = (char**)calloc(MAX_LINES, sizeof(char*));
  profile_lines = (char**)calloc(MAX_LINES, sizeof(char*));
  buf = (char*)malloc(buf_size);
  hit_index = (int64_t*)malloc(top * sizeof(int64_t));
  hit_score = (double*)malloc(top * sizeof(double));
  if (!offer_lines || !profile_lines || !buf || !hit_index || !hit_score) return 1;
  split_lines(offers_text, offer_lines, MAX_LINES);
  n_profile_lines = split_lines(profiles_text, profile_lines, MAX_LINES);
  (void)n_profile_lines;

  printf("%zu offers, %zu persons (%zu offer lines and %zu person lines rejected)\n\n",
         aig_offers_count(offers), aig_profiles_count(profiles), aig_offers_error_count(offers),
         aig_profiles_error_count(profiles));

  for (p = 0; p < aig_profiles_count(profiles); ++p) {
    const char* profile_json = profile_lines[aig_profiles_line(profiles, p) - 1];
    size_t found = 0, h;
    if (aig_offer_bank_top(bank, profile_json, top, NULL, hit_index, hit_score, &found) != AIG_OK)
      return fail("top offers");
    ++people;
    printf("== %s: %zu offer(s)\n", aig_profiles_id(profiles, p), found);
    for (h = 0; h < found; ++h) {
      const size_t o = (size_t)hit_index[h];
      const char* offer_json = offer_lines[aig_offers_line(offers, o) - 1];
      size_t needed = 0;
      aig_status s = aig_match_explain_summary(ref, scoring, profile_json, offer_json, offers, "fr",
                                               top, buf, buf_size, &needed);
      if (s == AIG_ERR_BUFFER_TOO_SMALL) {
        char* bigger = (char*)realloc(buf, needed);
        if (!bigger) return 1;
        buf = bigger;
        buf_size = needed;
        s = aig_match_explain_summary(ref, scoring, profile_json, offer_json, offers, "fr", top,
                                      buf, buf_size, &needed);
      }
      if (s != AIG_OK) return fail("explanation");
      /* Every proposal says why, in the person's language. */
      if (!strstr(buf, "Principales raisons")) {
        fprintf(stderr, "no reasons for %s\n", aig_offers_id(offers, o));
        return 1;
      }
      printf("%zu. [%.3f] %s", h + 1, hit_score[h], buf);
      ++shown;
    }
    printf("\n");
  }
  printf("%zu persons, %zu offers proposed with their reasons\n", people, shown);

  free(hit_index);
  free(hit_score);
  free(buf);
  free(offer_lines);
  free(profile_lines);
  free(offers_text);
  free(profiles_text);
  aig_offer_bank_destroy(bank);
  aig_profiles_destroy(profiles);
  aig_offers_destroy(offers);
  aig_scoring_destroy(scoring);
  aig_referential_destroy(ref);
  return 0;
}
