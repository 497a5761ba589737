/* A minimal checking harness for the C API tests (plain C99). */
#ifndef AIG_TEST_CHECK_H
#define AIG_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      ++check_failures;                                                        \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

#define CHECK_STATUS(expr, expected)                                                          \
  do {                                                                                        \
    aig_status check_s_ = (expr);                                                             \
    if (check_s_ != (expected)) {                                                             \
      ++check_failures;                                                                       \
      fprintf(stderr, "%s:%d: %s gave %d (%s: %s), expected %d\n", __FILE__, __LINE__, #expr, \
              check_s_, aig_status_str(check_s_), aig_last_error_message(), (int)(expected)); \
    }                                                                                         \
  } while (0)

#define RUN(test)                                                                       \
  do {                                                                                  \
    int before_ = check_failures;                                                       \
    test();                                                                             \
    fprintf(stderr, "%s %s\n", check_failures == before_ ? "[ ok ]" : "[FAIL]", #test); \
  } while (0)

/* The source tree: the compile definition, or the AIG_SOURCE_DIR environment variable. */
static inline const char* source_dir(void) {
  const char* env = getenv("AIG_SOURCE_DIR");
  if (env && *env) return env;
#ifdef AIG_SOURCE_DIR
  return AIG_SOURCE_DIR;
#else
  return ".";
#endif
}

static inline void source_path(char* out, size_t size, const char* relative) {
  snprintf(out, size, "%s/%s", source_dir(), relative);
}

/* Reads a whole file into a new NUL-terminated buffer (NULL on failure). */
static inline char* read_text(const char* path) {
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

#endif
