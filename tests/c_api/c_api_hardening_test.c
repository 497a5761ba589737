/* Hostile inputs through the C API: nesting depth at 100,000 and 1,000,000 levels in every
 * function that reads JSON text, eight threads appending to one log, anchored verification. */
#include <pthread.h>

#include "aiguillage.h"
#include "check.h"

static const size_t kDepths[2] = {100000, 1000000};

/* "{\"x\":" + depth brackets + "}" (caller frees). */
static char* deep_object(size_t depth) {
  char* text = malloc(2 * depth + 16);
  size_t n = 0;
  memcpy(text, "{\"x\":", 5);
  n = 5;
  memset(text + n, '[', depth);
  n += depth;
  memset(text + n, ']', depth);
  n += depth;
  text[n++] = '}';
  text[n] = '\0';
  return text;
}

static void temp_path(char* path, size_t size, const char* name) {
  const char* tmp = getenv("AIG_TEST_TMP");
  snprintf(path, size, "%s/%s", tmp ? tmp : ".", name);
  remove(path);
}

static void deep_documents_are_refused(void) {
  char path[1024];
  char buf[4096];
  temp_path(path, sizeof path, "c_api_hardening_deep.log");
  for (int k = 0; k < 2; ++k) {
    char* deep = deep_object(kDepths[k]);
    aig_pack* pack = NULL;
    CHECK_STATUS(aig_pack_load_json(deep, strlen(deep), &pack), AIG_ERR_TOO_DEEP);
    CHECK(pack == NULL);
    aig_log* log = NULL;
    CHECK_STATUS(aig_log_open(path, &log), AIG_OK);
    CHECK_STATUS(aig_log_append(log, deep, buf, sizeof buf, NULL), AIG_ERR_TOO_DEEP);
    CHECK(aig_log_size(log) == 0);
    aig_log_destroy(log);
    /* A log whose only line is that deep: a broken log, reported, never followed. */
    FILE* f = fopen(path, "wb");
    fprintf(f, "{\"seq\":1,\"prev\":\"sha256:%064d\",\"record\":%s,\"hash\":\"x\"}\n", 0, deep);
    fclose(f);
    CHECK_STATUS(aig_log_verify(path, buf, sizeof buf, NULL), AIG_OK);
    CHECK(strstr(buf, "\"ok\":false") != NULL);
    log = NULL;
    CHECK_STATUS(aig_log_open(path, &log), AIG_ERR_INVALID_DOCUMENT);
    CHECK(log == NULL);
    remove(path);
    free(deep);
  }
}

struct appender {
  aig_log* log;
  int thread;
};

static void* append_many(void* arg) {
  struct appender* a = arg;
  char record[64], hash[128];
  for (int k = 0; k < 500; ++k) {
    snprintf(record, sizeof record, "{\"t\":%d,\"k\":%d}", a->thread, k);
    if (aig_log_append(a->log, record, hash, sizeof hash, NULL) != AIG_OK) return arg;
  }
  return NULL;
}

static void eight_threads_append_to_one_log(void) {
  char path[1024];
  char buf[4096];
  temp_path(path, sizeof path, "c_api_hardening_threads.log");
  aig_log* log = NULL;
  CHECK_STATUS(aig_log_open(path, &log), AIG_OK);
  pthread_t threads[8];
  struct appender args[8];
  for (int t = 0; t < 8; ++t) {
    args[t].log = log;
    args[t].thread = t;
    pthread_create(&threads[t], NULL, append_many, &args[t]);
  }
  for (int t = 0; t < 8; ++t) {
    void* failed = NULL;
    pthread_join(threads[t], &failed);
    CHECK(failed == NULL);
  }
  CHECK(aig_log_size(log) == 4000);
  aig_log_destroy(log);
  CHECK_STATUS(aig_log_verify(path, buf, sizeof buf, NULL), AIG_OK);
  CHECK(strstr(buf, "\"ok\":true") != NULL);
  CHECK(strstr(buf, "\"lines\":4000") != NULL);
  remove(path);
}

static void anchored_verification(void) {
  char path[1024];
  char buf[4096], hash[128], last[128];
  temp_path(path, sizeof path, "c_api_hardening_anchor.log");
  aig_log* log = NULL;
  CHECK_STATUS(aig_log_open(path, &log), AIG_OK);
  CHECK_STATUS(aig_log_append(log, "{\"k\":1}", hash, sizeof hash, NULL), AIG_OK);
  CHECK_STATUS(aig_log_append(log, "{\"k\":2}", last, sizeof last, NULL), AIG_OK);
  aig_log_destroy(log);
  CHECK_STATUS(aig_log_verify_anchored(path, last, 2, buf, sizeof buf, NULL), AIG_OK);
  CHECK(strstr(buf, "\"ok\":true") != NULL);
  CHECK_STATUS(aig_log_verify_anchored(path, hash, 2, buf, sizeof buf, NULL), AIG_OK);
  CHECK(strstr(buf, "\"ok\":false") != NULL);
  CHECK_STATUS(aig_log_verify_anchored(path, NULL, 2, buf, sizeof buf, NULL),
               AIG_ERR_INVALID_ARGUMENT);
  /* Truncate to the first line: the chain holds, the anchor does not. */
  FILE* f = fopen(path, "rb");
  char text[4096];
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  char* second = strchr(text, '\n') + 1;
  f = fopen(path, "wb");
  fwrite(text, 1, (size_t)(second - text), f);
  fclose(f);
  CHECK_STATUS(aig_log_verify(path, buf, sizeof buf, NULL), AIG_OK);
  CHECK(strstr(buf, "\"ok\":true") != NULL);
  CHECK_STATUS(aig_log_verify_anchored(path, last, 2, buf, sizeof buf, NULL), AIG_OK);
  CHECK(strstr(buf, "\"ok\":false") != NULL);
  CHECK(strstr(buf, "truncated") != NULL);
  remove(path);
}

int main(void) {
  RUN(deep_documents_are_refused);
  RUN(eight_threads_append_to_one_log);
  RUN(anchored_verification);
  return check_failures ? 1 : 0;
}
