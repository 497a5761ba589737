// Any bytes as a decision log: verify_log and read_log_records report a broken line or return
// the records, never crash; with an anchor too. When the log verifies, every record read back
// is the canonical form of itself and DecisionLog opens it and appends after it.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "aiguillage/audit/decision_log.hpp"
#include "aiguillage/core/error.hpp"
#include "aiguillage/core/hash.hpp"

namespace {

std::string temp_path() {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/aig_fuzz_log_" + std::to_string(::getpid()) + ".log";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace aiguillage;
  static const std::string path = temp_path();
  if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
  } else {
    return 0;
  }
  const LogVerification v = verify_log(path);
  if (v.ok != (v.first_bad == 0)) __builtin_trap();
  // An anchor on the last valid line holds exactly when the whole log verifies.
  const LogVerification a = verify_log(path, LogAnchor{v.last_hash, v.lines});
  if (v.ok && v.lines > 0 && !a.ok) __builtin_trap();
  try {
    const std::vector<std::string> records = read_log_records(path);
    if (!v.ok || records.size() != v.lines) __builtin_trap();
    for (const std::string& r : records)
      if (canonical_json(r) != r) __builtin_trap();
    DecisionLog log(path);
    if (log.size() != v.lines || log.last_hash() != v.last_hash) __builtin_trap();
    log.append("{\"fuzz\":true}");
    if (!verify_log(path).ok) __builtin_trap();
  } catch (const Error&) {
    if (v.ok) {
      // A valid log may still fail to open only for I/O reasons.
    }
  }
  ::unlink(path.c_str());
  return 0;
}
