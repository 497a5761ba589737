// Replay: re-evaluate each logged decision with the pack version it names (by hash) and report
// identical / different (with the diff) / pack missing; or under another pack version, to show
// whom a rule change would move.
#pragma once

#include <cstdint>
#include <string>
#include <vector>
#include "aiguillage/core/export.hpp"

#include "aiguillage/rules/registry.hpp"

namespace aiguillage {
inline namespace v1 {

struct AIG_API ReplayItem {
  enum class Outcome : std::uint8_t { identical, different, pack_missing, error };
  std::uint64_t line = 0;
  Outcome outcome = Outcome::identical;
  std::string person;  // pseudonym
  std::string diff;    // "organisme_referent: \"mission_locale\" -> \"france_travail\"; ..."
  std::string message;
};

struct AIG_API ReplayReport {
  std::vector<ReplayItem> items;
  std::uint64_t identical = 0, different = 0, pack_missing = 0, errors = 0;
  std::string to_text() const;  // a line per non-identical item, then a summary line
  std::string to_json() const;
};

// Re-evaluates each record of the log with the pack of the same hash from `packs`.
AIG_API ReplayReport replay_log(const std::string& log_path, const Registry& packs);
// Re-evaluates each record under `against` (another version): differences show the change's impact.
AIG_API ReplayReport replay_log_against(const std::string& log_path, const Pack& against);
// The same over the records of a verified log held elsewhere (read_log_text_records, a
// database): `first_line` is the line number of records[0].
ReplayReport replay_records(const std::vector<std::string>& records, const Registry& packs,
                            std::uint64_t first_line = 1);
ReplayReport replay_records_against(const std::vector<std::string>& records, const Pack& against,
                                    std::uint64_t first_line = 1);

}  // namespace v1
}  // namespace aiguillage
