// What score() asks the referential about one profile, computed once so that the profile can be
// scored against many offers without a graph search per competence. Private to the library.
#pragma once

#include <array>
#include <optional>
#include <utility>
#include <vector>

#include "aiguillage/matching/scoring.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

struct ProfileTables {
  // Per evidence group (certified, validated, declared): the best credit of every item the
  // group's held items reach within the credit depth, sorted by item.
  std::array<std::vector<std::pair<ItemId, double>>, 3> credits;
  double factors[3] = {0, 0, 0};
  // Fiches within the project's mobility steps of a target, with the fewest steps.
  std::vector<std::pair<OccupationId, int>> steps;

  ProfileTables(const Profile& profile, const Referential& referential,
                const ScoringConfig& config);
  void cover(ItemId need, CompetenceCover& cover) const;
  std::optional<int> mobility_steps(OccupationId fiche) const;
  // The best credit × evidence the profile gives for `item` (0 when out of reach).
  double credit(ItemId item) const;
};

// score() from the tables: the same score, terms, penalties, reasons and exclusion, to the bit,
// with the competence credits' values but without their paths.
Score quick_score(const Profile& profile, const Offer& offer, const ProfileTables& tables,
                  const ScoringConfig& config);

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
