/* Loads a pack through the installed C API and evaluates one record. Without an argument the
 * pack is the example installed with the library, found through aig_data_dir(). */
#include <aiguillage.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
  aig_pack* pack = NULL;
  char data[1024], path[1200], result[4096];
  if (argc > 2) return 2;
  if (aig_data_dir(data, sizeof data, NULL) != AIG_OK) {
    fprintf(stderr, "%s\n", aig_last_error_message());
    return 1;
  }
  snprintf(path, sizeof path, "%s/rules/examples/youth-guidance", data);
  if (aig_pack_load_file(argc == 2 ? argv[1] : path, &pack) != AIG_OK) {
    fprintf(stderr, "%s\n", aig_last_error_message());
    return 1;
  }
  if (aig_pack_evaluate_json(pack, "{\"birth_date\": \"2004-05-02\", \"rsa_beneficiary\": false}",
                             "2025-03-01", 0, result, sizeof result, NULL) != AIG_OK) {
    fprintf(stderr, "%s\n", aig_last_error_message());
    aig_pack_destroy(pack);
    return 1;
  }
  printf("%s %s data=%s %s\n", aig_version(), aig_pack_id(pack), data, result);
  aig_pack_destroy(pack);
  return strstr(result, "\"status\":") ? 0 : 1;
}
