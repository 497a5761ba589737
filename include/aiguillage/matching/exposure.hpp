// Fairness of exposure of a matching batch: the share of persons, per group and territory, who
// appear in at least one listed pair (for the persons of each offer: in at least one offer's
// top-k; for the offers of each person: with at least one offer listed), so that who is never
// proposed to any employer is visible. Written beside the batch's results.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>
#include "aiguillage/core/export.hpp"

#include "aiguillage/matching/matcher.hpp"
#include "aiguillage/matching/profile.hpp"

namespace aiguillage {
inline namespace v1 {

struct AIG_API ExposureGroup {
  std::string dimension;  // "all", "departement", "rqth"
  std::string value;      // "" for all; a département ("unknown" when none); "yes" / "no"
  std::size_t persons = 0;
  std::size_t exposed = 0;
  double share = 0;  // exposed / persons (0 when persons is 0)
};

struct AIG_API Exposure {
  bool persons_for_offers = true;  // the batch's direction
  std::size_t top = 0;             // the k of the batch
  std::size_t queries = 0;         // offers (or persons) queried
  // "all" first, then each département in code order, then rqth no, yes.
  std::vector<ExposureGroup> groups;

  // aiguillage.match_exposure 1.0 (rules/schemas/aiguillage.match_exposure.schema.json).
  std::string to_json() const;
};

// The exposure of `persons` in the answers of ProfileBank::top_profiles (one list per offer,
// indices into `persons`).
AIG_API Exposure exposure_of_persons(std::span<const Profile> persons,
                                     std::span<const std::vector<RankedMatch>> answers,
                                     std::size_t top);
// The exposure of `persons` in the answers of OfferBank::top_offers (answers[p] lists the
// offers of persons[p]): a person is exposed when at least one offer is listed for them.
AIG_API Exposure exposure_of_queries(std::span<const Profile> persons,
                                     std::span<const std::vector<RankedMatch>> answers,
                                     std::size_t top);

}  // namespace v1
}  // namespace aiguillage
