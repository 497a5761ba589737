/* The C API of pack export: a pack document written as a DMN model (string out), imported back
 * by aig_pack_import_dmn to a pack that decides the same, or as a JDM graph; what the format
 * cannot state is refused. */
#include "aiguillage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char* kPack =
    "{\"schema\": \"aiguillage.ruleset\", \"schema_version\": \"1.1\", \"id\": \"t/c\", "
    "\"version\": \"1.0.0\", \"valid_from\": \"2025-01-01\", \"title\": \"c\", \"sources\": "
    "[{\"id\": \"S\", \"title\": \"s\"}], "
    "\"inputs\": [{\"name\": \"n\", \"type\": \"integer\", \"min\": 0, \"max\": 99}], "
    "\"decisions\": [{\"id\": \"band\", \"kind\": \"table\", \"hit_policy\": \"FIRST\", "
    "\"inputs\": [{\"expression\": \"n\"}], \"outputs\": [{\"name\": \"band\", \"type\": "
    "\"string\"}], \"rules\": [{\"id\": \"low\", \"when\": [\"< 10\"], \"then\": "
    "[\"\\\"low\\\"\"], \"source\": \"S\", \"status\": \"verified\"}, "
    "{\"id\": \"high\", \"when\": [\"-\"], \"then\": [\"\\\"high\\\"\"], \"source\": \"S\", "
    "\"status\": \"verified\"}]}]}";

static void export_and_import(void) {
  size_t needed = 0;
  char small[8];
  char* xml;
  aig_pack* pack = NULL;
  char result[2048];
  CHECK_STATUS(aig_pack_export_dmn(kPack, (size_t)-1, small, sizeof small, &needed),
               AIG_ERR_BUFFER_TOO_SMALL);
  CHECK(needed > sizeof small);
  CHECK(small[sizeof small - 1] == '\0');
  xml = (char*)malloc(needed);
  CHECK_STATUS(aig_pack_export_dmn(kPack, strlen(kPack), xml, needed, &needed), AIG_OK);
  CHECK(strstr(xml, "https://www.omg.org/spec/DMN/20191111/MODEL/") != NULL);
  CHECK_STATUS(aig_pack_import_dmn(xml, (size_t)-1, &pack), AIG_OK);
  CHECK(pack != NULL);
  CHECK(strcmp(aig_pack_id(pack), "t/c") == 0);
  CHECK_STATUS(
      aig_pack_evaluate_json(pack, "{\"n\": 4}", "2025-06-01", 0, result, sizeof result, NULL),
      AIG_OK);
  CHECK(strstr(result, "\"band\":\"low\"") != NULL || strstr(result, "\"band\": \"low\"") != NULL);
  /* The integer bound survives: 120 is refused as in the original pack. */
  CHECK_STATUS(
      aig_pack_evaluate_json(pack, "{\"n\": 120}", "2025-06-01", 0, result, sizeof result, NULL),
      AIG_OK);
  CHECK(strstr(result, "\"error\"") != NULL);
  aig_pack_destroy(pack);
  free(xml);
}

/* The same pack as a JDM graph: a string out, snprintf semantics; a division is refused with
 * the pointer of the variable that holds it. */
static void export_jdm(void) {
  size_t needed = 0;
  char small[8];
  char* jdm;
  char buf[64];
  const char* divided =
      "{\"schema\": \"aiguillage.ruleset\", \"schema_version\": \"1.1\", \"id\": \"t/d\", "
      "\"version\": \"1.0.0\", \"valid_from\": \"2025-01-01\", \"title\": \"d\", "
      "\"sources\": [{\"id\": \"S\", \"title\": \"s\"}], "
      "\"inputs\": [{\"name\": \"n\", \"type\": \"integer\"}], "
      "\"variables\": [{\"name\": \"half\", \"expression\": \"n / 2\"}], "
      "\"decisions\": [{\"id\": \"out\", \"kind\": \"expression\", \"expression\": \"half\", "
      "\"output\": {\"name\": \"out\", \"type\": \"decimal\"}, \"source\": \"S\", "
      "\"status\": \"verified\"}]}";
  CHECK_STATUS(aig_pack_export_jdm(kPack, (size_t)-1, small, sizeof small, &needed),
               AIG_ERR_BUFFER_TOO_SMALL);
  CHECK(needed > sizeof small);
  jdm = (char*)malloc(needed);
  CHECK_STATUS(aig_pack_export_jdm(kPack, strlen(kPack), jdm, needed, &needed), AIG_OK);
  CHECK(strstr(jdm, "\"decisionTableNode\"") != NULL);
  CHECK(strstr(jdm, "\"_id\": \"low\"") != NULL);
  free(jdm);
  CHECK_STATUS(aig_pack_export_jdm(divided, (size_t)-1, buf, sizeof buf, NULL),
               AIG_ERR_INEXPRESSIBLE);
  CHECK(strcmp(aig_last_error_pointer(), "/variables/0/expression") == 0);
  CHECK_STATUS(aig_pack_export_jdm(NULL, 0, buf, sizeof buf, NULL), AIG_ERR_INVALID_ARGUMENT);
}

static void refusals(void) {
  char buf[64];
  CHECK_STATUS(aig_pack_export_dmn(NULL, 0, buf, sizeof buf, NULL), AIG_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(aig_pack_export_dmn("{}", (size_t)-1, buf, sizeof buf, NULL),
               AIG_ERR_SCHEMA_MISMATCH);
  CHECK(strcmp(aig_status_str(AIG_ERR_INEXPRESSIBLE), "inexpressible") == 0);
}

int main(void) {
  RUN(export_and_import);
  RUN(export_jdm);
  RUN(refusals);
  return check_failures ? 1 : 0;
}
