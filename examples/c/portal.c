/* A portal-style program over the C API: reads persons as JSON Lines, proposes an orientation
 * for each, and prints the proposal and the notice a person would receive.
 *
 *   portal PACK_DIR PERSONS.jsonl YYYY-MM-DD [LIMIT] [fr|en]
 *
 * The "person_id" member identifies a person to the portal; it is no input of the pack, so it
 * is removed before proposing. */
#include <aiguillage.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Grows *buf until the text fits, calling `get` again (snprintf semantics). */
typedef aig_status (*text_fn)(const void* a, const void* b, char* buf, size_t size, size_t* needed);

static aig_status proposal_text(const void* proposal, const void* unused, char* buf, size_t size,
                                size_t* needed) {
  (void)unused;
  return aig_proposal_json((const aig_proposal*)proposal, buf, size, needed);
}

static const char* notice_lang = "fr";
static const aig_orienter* notice_orienter;

static aig_status notice_text(const void* proposal, const void* unused, char* buf, size_t size,
                              size_t* needed) {
  (void)unused;
  return aig_orienter_notice(notice_orienter, (const aig_proposal*)proposal, NULL, notice_lang, buf,
                             size, needed);
}

static aig_status fetch(text_fn get, const void* a, const void* b, char** buf, size_t* size) {
  size_t needed = 0;
  aig_status s = get(a, b, *buf, *size, &needed);
  if (s == AIG_ERR_BUFFER_TOO_SMALL) {
    char* bigger = (char*)realloc(*buf, needed);
    if (!bigger) return AIG_ERR_OUT_OF_MEMORY;
    *buf = bigger;
    *size = needed;
    s = get(a, b, *buf, *size, &needed);
  }
  return s;
}

/* Removes "person_id": "..." (a string member) from a JSON object text, copying the id out. */
static void take_person_id(char* line, char* id, size_t id_size) {
  char* key = strstr(line, "\"person_id\"");
  char *value, *end, *cut_end;
  id[0] = '\0';
  if (!key) return;
  value = strchr(key + 11, '"');
  if (!value) return;
  end = strchr(value + 1, '"');
  if (!end) return;
  snprintf(id, id_size, "%.*s", (int)(end - value - 1), value + 1);
  cut_end = end + 1;
  while (*cut_end == ' ' || *cut_end == ',') ++cut_end;
  memmove(key, cut_end, strlen(cut_end) + 1);
}

int main(int argc, char** argv) {
  aig_pack* pack = NULL;
  aig_orienter* orienter = NULL;
  FILE* in;
  char line[1 << 14], id[256];
  char* text = NULL;
  size_t text_size = 0;
  long limit, count = 0, evident = 0, errors = 0;
  if (argc < 4) {
    fprintf(stderr, "usage: %s PACK_DIR PERSONS.jsonl YYYY-MM-DD [LIMIT] [fr|en]\n", argv[0]);
    return 2;
  }
  limit = argc > 4 ? strtol(argv[4], NULL, 10) : 3;
  if (argc > 5) notice_lang = argv[5];
  if (aig_pack_load_file(argv[1], &pack) != AIG_OK ||
      aig_orienter_create(pack, 0, &orienter) != AIG_OK) {
    fprintf(stderr, "cannot load %s: %s (%s)\n", argv[1], aig_last_error_message(),
            aig_last_error_pointer());
    aig_pack_destroy(pack);
    return 1;
  }
  notice_orienter = orienter;
  in = fopen(argv[2], "r");
  if (!in) {
    fprintf(stderr, "cannot read %s\n", argv[2]);
    return 1;
  }
  printf("aiguillage %s, pack %s %s (%s)\n", aig_version(), aig_pack_id(pack),
         aig_pack_version(pack), aig_pack_hash(pack));
  while (fgets(line, sizeof line, in) && count < limit) {
    aig_proposal* proposal = NULL;
    if (line[0] == '\n') continue;
    take_person_id(line, id, sizeof id);
    if (aig_orienter_propose(orienter, line, argv[3], 0, &proposal) != AIG_OK) {
      fprintf(stderr, "%s: %s\n", id, aig_last_error_message());
      ++errors;
      continue;
    }
    ++count;
    if (aig_proposal_status(proposal) == AIG_ROW_ERROR) ++errors;
    if (aig_proposal_evident(proposal)) ++evident;
    printf("\n=== %s ===\n", id);
    if (fetch(proposal_text, proposal, NULL, &text, &text_size) == AIG_OK) printf("%s\n", text);
    if (fetch(notice_text, proposal, NULL, &text, &text_size) == AIG_OK) printf("%s", text);
    aig_proposal_destroy(proposal);
  }
  fclose(in);
  printf("\n%ld persons, %ld evident, %ld rejected\n", count, evident, errors);
  free(text);
  aig_orienter_destroy(orienter);
  aig_pack_destroy(pack);
  return count > 0 && errors == 0 ? 0 : 1;
}
